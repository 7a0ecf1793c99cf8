package cluster

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/duoredis/redis/command"
)

// ScanNoProgressTimeout is how long ScanIter keeps trying (refreshing the
// slot map and scanning again) while no slot is completed, before it gives
// up with a *ScanIncompleteError: longer than a failover takes.
var ScanNoProgressTimeout = time.Minute

// ScanIter iterates over the keys of the whole cluster that match a
// (Match, Count and Type are passed to every SCAN as they are), with SCAN
// on every master, and survives failovers and resharding: every key that
// exists throughout the scan is yielded at least once. A key may be
// yielded more than once (as with SCAN on one server, and when a slot is
// scanned again); a key added or removed during the scan may or may not
// be yielded. Collect into a map when each key must be seen once.
//
// How: the iterator keeps the set of slots it has finished. It scans each
// master of the slot map in turn, from cursor 0 to 0, and yields the keys
// of the slots that the node itself (CLUSTER NODES, "myself") served,
// without a migration in progress, before the scan, and not finished yet.
// After the scan it asks the node again, and counts as finished only the
// slots that the node still serves, with no migration in progress, the
// node still a master with the same config epoch (a node that gets a slot
// back bumps its epoch, so a slot moved away and back during the scan is
// not counted). When slots are left (a node failed, a slot moved, a
// migration was under way), the iterator refreshes the slot map, waits a
// little, and scans the masters of the slots left, again from cursor 0,
// yielding only keys of those slots. It keeps trying while ctx allows and
// while some slot gets finished at least every ScanNoProgressTimeout.
//
// Each pair's error is nil; when the scan cannot be completed the iterator
// yields a *ScanIncompleteError once, as its last pair. Breaking out of
// the loop stops the scan at once.
func (c *Client) ScanIter(ctx context.Context, a command.ScanArgs) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		s := &clusterScan{c: c, args: a, yield: yield}
		if err := s.run(ctx); err != nil && !errors.Is(err, errScanStopped) {
			yield("", err)
		}
	}
}

// ScanIncompleteError is the last error of a cluster ScanIter that could
// not finish every slot: Missing slots were not scanned completely (their
// keys may have been yielded in part), Err is the last error met.
type ScanIncompleteError struct {
	Missing int
	Err     error
}

// Error implements the error interface.
func (e *ScanIncompleteError) Error() string {
	s := "redis: cluster scan incomplete: " + strconv.Itoa(e.Missing) + " slots not scanned"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the last error met.
func (e *ScanIncompleteError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this module.
func (e *ScanIncompleteError) RedisError() {}

var errScanStopped = errors.New("scan stopped by the consumer")

// slotSet is a set of hash slots.
type slotSet [NumSlots / 64]uint64

func (s *slotSet) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s *slotSet) add(i int)      { s[i/64] |= 1 << (i % 64) }
func (s *slotSet) len() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

type clusterScan struct {
	c     *Client
	args  command.ScanArgs
	yield func(string, error) bool
	done  slotSet
}

func (s *clusterScan) run(ctx context.Context) error {
	var lastErr error
	progress := time.Now()
	for round := 0; ; round++ {
		if err := ctx.Err(); err != nil {
			return &ScanIncompleteError{Missing: NumSlots - s.done.len(), Err: err}
		}
		if round > 0 {
			if time.Since(progress) > ScanNoProgressTimeout {
				return &ScanIncompleteError{Missing: NumSlots - s.done.len(), Err: lastErr}
			}
			d := min(25*time.Millisecond<<min(round-1, 5), 500*time.Millisecond)
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if err := s.c.Refresh(rctx); err != nil {
				lastErr = err
			}
			cancel()
		}
		st, err := s.c.current()
		if err != nil {
			lastErr = err
			continue
		}
		// The masters that serve slots left, in the client's map.
		var nodes []*node
		seen := map[*node]bool{}
		for i := 0; i < NumSlots; i++ {
			if s.done.has(i) {
				continue
			}
			sh := st.slots[i].Load()
			if sh == nil {
				lastErr = &UncoveredSlotError{Slot: i}
				continue
			}
			if !seen[sh.master] {
				seen[sh.master] = true
				nodes = append(nodes, sh.master)
			}
		}
		before := s.done.len()
		for _, n := range nodes {
			if err := s.scanNode(ctx, n); err != nil {
				if errors.Is(err, errScanStopped) {
					return err
				}
				lastErr = fmt.Errorf("scanning %s: %w", n.addr, err)
				s.c.requestRefresh()
			}
		}
		left := NumSlots - s.done.len()
		if left == 0 {
			return nil
		}
		if s.done.len() > before {
			progress = time.Now()
		}
	}
}

// scanNode scans the node n from cursor 0 to 0, yields the keys of the
// slots it served stably before and not finished, and marks finished
// those it still serves stably, with the same config epoch, after.
func (s *clusterScan) scanNode(ctx context.Context, n *node) error {
	before, err := myself(ctx, n)
	if err != nil {
		return err
	}
	if !before.master {
		return nil
	}
	var want slotSet
	any := false
	for i := 0; i < NumSlots; i++ {
		if before.stable.has(i) && !s.done.has(i) {
			want.add(i)
			any = true
		}
	}
	if !any {
		return nil
	}
	var cursor uint64
	for {
		page, err := n.cl.Scan(ctx, cursor, s.args).Result()
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if want.has(command.Slot(k)) && !s.yield(k, nil) {
				return errScanStopped
			}
		}
		if page.Cursor == 0 {
			break
		}
		cursor = page.Cursor
	}
	after, err := myself(ctx, n)
	if err != nil {
		return err
	}
	if after.id != before.id || !after.master || after.epoch != before.epoch {
		return nil // everything scanned again
	}
	for i := 0; i < NumSlots; i++ {
		if want.has(i) && after.stable.has(i) {
			s.done.add(i)
		}
	}
	return nil
}

// nodeSelf is a node's view of itself, from the "myself" line of its
// CLUSTER NODES.
type nodeSelf struct {
	id     string
	master bool
	epoch  uint64
	stable slotSet // slots it serves with no migration in or out
}

// myself asks n for its own line of CLUSTER NODES.
func myself(ctx context.Context, n *node) (*nodeSelf, error) {
	v, err := n.cl.Do(ctx, "CLUSTER", "NODES").Result()
	if err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case string:
		return parseMyself(t)
	case []byte:
		return parseMyself(string(t))
	}
	return nil, fmt.Errorf("redis: CLUSTER NODES: unexpected %T reply", v)
}

// parseMyself reads the "myself" line of a CLUSTER NODES reply:
// id addr flags master ping pong epoch link slot... where a slot is
// "n", "lo-hi", "[n->-id]" (migrating) or "[n-<-id]" (importing).
func parseMyself(text string) (*nodeSelf, error) {
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 || !strings.Contains(","+f[2]+",", ",myself,") {
			continue
		}
		ep, err := strconv.ParseUint(f[6], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("redis: CLUSTER NODES: invalid config epoch %q", f[6])
		}
		me := &nodeSelf{id: f[0], master: strings.Contains(","+f[2]+",", ",master,"), epoch: ep}
		var unstable []int
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") {
				if i := strings.IndexAny(r, "-"); i > 1 {
					if s, err := strconv.Atoi(r[1:i]); err == nil && s >= 0 && s < NumSlots {
						unstable = append(unstable, s)
					}
				}
				continue
			}
			lo, hi, ok := strings.Cut(r, "-")
			a, err1 := strconv.Atoi(lo)
			b := a
			var err2 error
			if ok {
				b, err2 = strconv.Atoi(hi)
			}
			if err1 != nil || err2 != nil || a < 0 || b >= NumSlots || a > b {
				return nil, fmt.Errorf("redis: CLUSTER NODES: invalid slot range %q", r)
			}
			for s := a; s <= b; s++ {
				me.stable.add(s)
			}
		}
		for _, s := range unstable {
			me.stable[s/64] &^= 1 << (s % 64)
		}
		return me, nil
	}
	return nil, errors.New("redis: CLUSTER NODES: no myself line")
}
