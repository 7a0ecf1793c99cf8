package cluster_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pubsub"
	"github.com/stretchr/testify/require"
)

// channelsOn returns n shard channel names per master of c, each in a
// slot of that master, named after prefix.
func channelsOn(c *redistest.Cluster, prefix string, n int) (all []string, byMaster map[string][]string) {
	byMaster = map[string][]string{}
	for mi, m := range c.Masters() {
		slots := m.SlotList()
		for i := 0; i < n; i++ {
			ch := redistest.KeyInSlot(slots[(i*977+mi*31)%len(slots)], prefix+strconv.Itoa(mi)+"."+strconv.Itoa(i))
			all = append(all, ch)
			byMaster[m.Addr()] = append(byMaster[m.Addr()], ch)
		}
	}
	return all, byMaster
}

// waitMessages reads ps until want returns true for the messages read so
// far (confirmations dropped), or the timeout passes.
func waitMessages(t *testing.T, ps *pubsub.PubSub, timeout time.Duration, want func(got []*pubsub.Message) bool) []*pubsub.Message {
	t.Helper()
	var got []*pubsub.Message
	deadline := time.Now().Add(timeout)
	for !want(got) {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("timed out with %d messages: %v", len(got), got)
		}
		m, err := ps.GetMessage(ctx, left)
		if err != nil {
			t.Logf("GetMessage: %v", err)
			continue
		}
		if m == nil || m.Type == "subscribe" || m.Type == "psubscribe" || m.Type == "ssubscribe" ||
			m.Type == "sunsubscribe" || m.Type == "unsubscribe" || m.Type == "punsubscribe" {
			continue
		}
		got = append(got, m)
	}
	return got
}

// TestPubSubChannelsAndPatterns: channels and patterns on one connection;
// a PUBLISH on any master reaches it.
func TestPubSubChannelsAndPatterns(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		tag := strconv.FormatInt(time.Now().UnixNano(), 36)
		ps := rdb.PubSub(client.PubSubOptions{IgnoreSubscribeMessages: true})
		defer ps.Close()
		require.NoError(t, ps.Subscribe(ctx, "news"+tag))
		var handled atomic.Int64
		require.NoError(t, ps.PSubscribeFunc(ctx, func(m *pubsub.Message) { handled.Add(1) }, "pat"+tag+".*"))
		// Wait for both confirmations to be in effect on the server.
		require.Eventually(t, func() bool {
			n, err := rdb.Publish(ctx, "news"+tag, "probe").Result()
			_, _ = ps.GetMessage(ctx, 0)
			return err == nil && n == 1
		}, 5*time.Second, 20*time.Millisecond)
		// From every master: PUBLISH is broadcast over the cluster bus.
		require.NoError(t, rdb.ForEachMaster(ctx, func(ctx context.Context, m *client.Client) error {
			for i := 0; i < 5; i++ {
				if err := m.Publish(ctx, "news"+tag, "m").Err(); err != nil {
					return err
				}
				if err := m.Publish(ctx, "pat"+tag+".x", "p").Err(); err != nil {
					return err
				}
			}
			return nil
		}))
		got := waitMessages(t, ps, 5*time.Second, func(got []*pubsub.Message) bool {
			n := 0
			for _, m := range got {
				if m.Text() == "m" {
					n++
				}
			}
			return n == 15
		})
		for _, m := range got {
			require.Contains(t, []string{"probe", "m"}, m.Text())
		}
		require.Eventually(t, func() bool { _, _ = ps.GetMessage(ctx, 10*time.Millisecond); return handled.Load() == 15 }, 5*time.Second, time.Millisecond)
	})
}

// TestShardedPubSubAllMasters: shard channels on every master, one
// connection per master, messages of SPUBLISH (routed by the channel's
// slot) received, through handlers too; SUNSUBSCRIBE ends them.
func TestShardedPubSubAllMasters(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		prefix := "sh" + strconv.FormatInt(time.Now().UnixNano(), 36)
		chans, byMaster := channelsOn(c, prefix, 3)
		ps, err := rdb.SSubscribe(ctx, chans[1:]...)
		require.NoError(t, err)
		defer ps.Close()
		var handled atomic.Int64
		require.NoError(t, ps.SSubscribeFunc(ctx, func(m *pubsub.Message) {
			if m.Type == "smessage" && m.Channel == chans[0] {
				handled.Add(1)
			}
		}, chans[0]))
		// Confirmations: one per channel, from the channel's master.
		confirmed := map[string]bool{}
		for len(confirmed) < len(chans) {
			m, err := ps.GetMessage(ctx, 5*time.Second)
			require.NoError(t, err)
			require.NotNil(t, m, "confirmations: %v", confirmed)
			require.Equal(t, "ssubscribe", m.Type)
			confirmed[m.Channel] = true
		}
		// Each master has exactly its own channels.
		for addr, names := range byMaster {
			n := c.Node(addr)
			r, err := n.Do("PUBSUB", "SHARDCHANNELS", "*"+prefix+"*")
			require.NoError(t, err)
			require.Len(t, r.Elems, len(names), "shard channels on %s", addr)
		}
		for i, ch := range chans {
			n, err := rdb.SPublish(ctx, ch, "v"+strconv.Itoa(i)).Result()
			require.NoError(t, err)
			require.EqualValues(t, 1, n, ch)
		}
		got := waitMessages(t, ps, 5*time.Second, func(got []*pubsub.Message) bool { return len(got) == len(chans)-1 })
		seen := map[string]string{}
		for _, m := range got {
			require.Equal(t, "smessage", m.Type)
			seen[m.Channel] = m.Text()
		}
		for i, ch := range chans[1:] {
			require.Equal(t, "v"+strconv.Itoa(i+1), seen[ch])
		}
		require.EqualValues(t, 1, handled.Load())
		require.Equal(t, len(chans), len(ps.ShardChannels()))

		require.NoError(t, ps.SUnsubscribe(ctx, chans[3], chans[4]))
		require.Eventually(t, func() bool {
			_, _ = ps.GetMessage(ctx, 0)
			n, err := rdb.SPublish(ctx, chans[3], "gone").Result()
			return err == nil && n == 0
		}, 5*time.Second, 10*time.Millisecond)
		n, err := rdb.SPublish(ctx, chans[5], "still").Result()
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		require.NoError(t, ps.SUnsubscribe(ctx))
		require.Empty(t, ps.ShardChannels())
		require.Eventually(t, func() bool {
			_, _ = ps.GetMessage(ctx, 0)
			n, err := rdb.SPublish(ctx, chans[5], "gone").Result()
			return err == nil && n == 0
		}, 5*time.Second, 10*time.Millisecond)
	})
}

// TestShardedPubSubRunner: the background runner over shard channels of
// every master.
func TestShardedPubSubRunner(t *testing.T) {
	c := redistest.SharedCluster(t)
	rdb, err := cluster.New(cluster.Options{Addrs: c.Addrs()[:1]})
	require.NoError(t, err)
	defer rdb.Close()
	chans, _ := channelsOn(c, "run"+strconv.FormatInt(time.Now().UnixNano(), 36), 2)
	ps := rdb.PubSub()
	defer ps.Close()
	var mu sync.Mutex
	got := map[string]int{}
	require.NoError(t, ps.SSubscribeFunc(ctx, func(m *pubsub.Message) {
		mu.Lock()
		got[m.Channel]++
		mu.Unlock()
	}, chans...))
	r, err := ps.RunInBackground(ctx)
	require.NoError(t, err)
	defer r.Stop()
	require.Eventually(t, func() bool {
		for _, ch := range chans {
			if err := rdb.SPublish(ctx, ch, "x").Err(); err != nil {
				return false
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for _, ch := range chans {
			if got[ch] == 0 {
				return false
			}
		}
		return true
	}, 5*time.Second, 20*time.Millisecond)
}

// shardFeed publishes numbered messages on shard channels and checks what
// subscribers receive: every message that SPUBLISH reports as received by
// at least one subscriber must arrive; those published while the server
// had no subscriber (the move window) are counted, with the time span
// they cover.
type shardFeed struct {
	rdb   *cluster.Client
	phase string
	chans []string
	subs  int // subscribers expected per channel

	mu      sync.Mutex
	sent    map[string][]sentMsg
	errs    int
	lastErr error
	stop    chan struct{}
	wg      sync.WaitGroup
}

type sentMsg struct {
	at        time.Time
	receivers int64
}

func newShardFeed(rdb *cluster.Client, phase string, chans []string, subs int) *shardFeed {
	f := &shardFeed{rdb: rdb, phase: phase, chans: chans, subs: subs, sent: map[string][]sentMsg{}, stop: make(chan struct{})}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for seq := 0; ; seq++ {
			select {
			case <-f.stop:
				return
			default:
			}
			for _, ch := range f.chans {
				f.mu.Lock()
				i := len(f.sent[ch])
				f.mu.Unlock()
				cctx, cancel := context.WithTimeout(ctx, time.Second)
				n, err := f.rdb.SPublish(cctx, ch, f.phase+":"+strconv.Itoa(i)).Result()
				cancel()
				f.mu.Lock()
				if err != nil {
					f.errs++
					f.lastErr = err
				} else {
					f.sent[ch] = append(f.sent[ch], sentMsg{at: time.Now(), receivers: n})
				}
				f.mu.Unlock()
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return f
}

// collect reads ps in a goroutine until stop, recording the sequence
// numbers received per channel.
func collect(ps *pubsub.PubSub, stop chan struct{}) (func() map[string]map[int]int, *sync.WaitGroup) {
	var mu sync.Mutex
	got := map[string]map[int]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		<-stop
		cancel()
	}()
	go func() {
		defer wg.Done()
		for m, err := range ps.Listen(cctx) {
			if err != nil || m.Type != "smessage" {
				continue
			}
			phase, seq, _ := strings.Cut(m.Text(), ":")
			i, _ := strconv.Atoi(seq)
			key := phase + "|" + m.Channel
			mu.Lock()
			if got[key] == nil {
				got[key] = map[int]int{}
			}
			got[key][i]++
			mu.Unlock()
		}
	}()
	return func() map[string]map[int]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]map[int]int{}
		for ch, m := range got {
			out[ch] = map[int]int{}
			for k, v := range m {
				out[ch][k] = v
			}
		}
		return out
	}, &wg
}

// report compares what one subscriber got with what was sent since from:
// messages that SPUBLISH says reached a subscriber but did not arrive are
// errors; messages published with no subscriber (the server's window) are
// counted and their time span returned, with how many were published
// after the event and never arrived.
// killWindow is how long before a kill -9 a message that the killed master
// counted as delivered may still be lost with it.
const killWindow = 500 * time.Millisecond

func (f *shardFeed) report(t *testing.T, name string, got map[string]map[int]int, event time.Time) (unheard int, span, after time.Duration) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var first, last time.Time
	total, dup, lostInKill := 0, 0, 0
	for _, ch := range f.chans {
		for i, s := range f.sent[ch] {
			total++
			n := got[f.phase+"|"+ch][i]
			if n > 1 {
				dup++
			}
			if n > 0 {
				continue
			}
			if s.receivers >= int64(f.subs) && f.phase == "kill" && !s.at.Before(event.Add(-killWindow)) {
				// kill -9 can end the server between its reply to
				// SPUBLISH and its write to a subscriber's socket (or
				// the kernel resets a subscriber's connection with data
				// unread): pub/sub is at most once, and the server that
				// counted the delivery died with it.
				lostInKill++
				continue
			}
			if s.receivers >= int64(f.subs) {
				t.Errorf("%s: message %d of %s was received by %d subscribers (SPUBLISH) but not by this one", name, i, ch, s.receivers)
				continue
			}
			unheard++
			if first.IsZero() {
				first = s.at
			}
			if s.at.Before(first) {
				first = s.at
			}
			if s.at.After(last) {
				last = s.at
			}
		}
	}
	if unheard > 0 {
		span, after = last.Sub(first), last.Sub(event)
	}
	t.Logf("FIGURES %s: %d messages published, %d not received (published while the server had no subscriber for them, over %v, the last %v after the event began), %d duplicates, %d SPUBLISH errors (last: %v), %d counted by the killed master and lost with it",
		name, total, unheard, span.Round(time.Millisecond), after.Round(time.Millisecond), dup, f.errs, f.lastErr, lostInKill)
	if lostInKill > 2 {
		t.Errorf("%s: %d messages counted as delivered by the killed master were lost (at most the last few before the kill may be)", name, lostInKill)
	}
	return unheard, span, after
}

func (f *shardFeed) halt() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
	f.wg.Wait()
}

// subscribers makes one PubSub per RESP version subscribed to chans, and
// waits until each channel has both subscribers.
func subscribers(t *testing.T, c *redistest.Cluster, chans []string) []*pubsub.PubSub {
	var out []*pubsub.PubSub
	for _, proto := range []int{2, 3} {
		o := cluster.Options{Addrs: c.Addrs()[:1]}
		o.Protocol = proto
		rdb, err := cluster.New(o)
		require.NoError(t, err)
		t.Cleanup(func() { rdb.Close() })
		ps := rdb.PubSub()
		t.Cleanup(func() { ps.Close() })
		require.NoError(t, ps.SSubscribe(ctx, chans...))
		out = append(out, ps)
	}
	return out
}

// TestShardedPubSubFaults: subscribers (RESP2 and RESP3) of shard
// channels on every master while a subscribed channel's slot migrates,
// during a CLUSTER FAILOVER and after a kill -9 of a master: the
// subscriptions move to the new owner by themselves, every message that
// SPUBLISH reports as delivered arrives, and the messages published while
// the server had no subscriber (between the slot's move and the new
// subscription) are counted.
func TestShardedPubSubFaults(t *testing.T) {
	c := redistest.StartCluster(t)
	chans, byMaster := channelsOn(c, "f", 3)
	subs := subscribers(t, c, chans)
	stop := make(chan struct{})
	var snaps []func() map[string]map[int]int
	var wgs []*sync.WaitGroup
	for _, ps := range subs {
		snap, wg := collect(ps, stop)
		snaps, wgs = append(snaps, snap), append(wgs, wg)
	}
	defer func() {
		close(stop)
		for _, wg := range wgs {
			wg.Wait()
		}
	}()
	// A master demoted by CLUSTER FAILOVER still accepts SPUBLISH for its
	// shard's slots (as a replica, without MOVED), and only its own
	// subscribers get those messages: a publisher learns of the failover
	// by its periodic refresh only, so the test's is short.
	pub, err := cluster.New(cluster.Options{Addrs: c.Addrs(), RefreshInterval: 500 * time.Millisecond})
	require.NoError(t, err)
	defer pub.Close()
	// Every channel has both subscribers.
	require.Eventually(t, func() bool {
		for _, ch := range chans {
			if n, err := pub.SPublish(ctx, ch, "warmup:0").Result(); err != nil || n != 2 {
				return false
			}
		}
		return true
	}, 10*time.Second, 20*time.Millisecond)

	phase := func(name string, grace time.Duration, event func() time.Time) {
		t.Helper()
		feed := newShardFeed(pub, name, chans, len(subs))
		time.Sleep(200 * time.Millisecond)
		start := time.Now()
		end := event()
		time.Sleep(grace)
		feed.halt()
		// Let the last messages arrive.
		time.Sleep(300 * time.Millisecond)
		for i, snap := range snaps {
			label := fmt.Sprintf("%s resp%d", name, 2+i)
			unheard, _, after := feed.report(t, label, snap(), start)
			if unheard > 0 && after > end.Sub(start)+2*time.Second {
				t.Errorf("%s: a message published %v after the event began (it ended after %v) found no subscriber", label, after, end.Sub(start))
			}
		}
		// Every channel is heard by both subscribers again.
		var bad string
		defer func() {
			if t.Failed() {
				t.Log(bad)
			}
		}()
		require.Eventually(t, func() bool {
			for _, ch := range chans {
				if n, err := pub.SPublish(ctx, ch, "check:0").Result(); err != nil || n != 2 {
					bad = fmt.Sprintf("%s: %d subscribers, %v; subscriber channels %v / %v", ch, n, err, subs[0].ShardChannels(), subs[1].ShardChannels())
					for _, nd := range c.Nodes() {
						r, _ := nd.Do("PUBSUB", "SHARDNUMSUB", ch)
						bad += fmt.Sprintf("\n%s master=%v: %v", nd.Addr(), nd.IsMaster(), r.String())
					}
					if m, err := pub.MasterForKey(ch); err == nil {
						bad += "\npublisher goes to " + m.Options().Addr
					}
					sh, _ := pub.Shards()
					bad += fmt.Sprintf("\npublisher's map %+v", sh)
					return false
				}
			}
			return true
		}, 10*time.Second, 50*time.Millisecond, name)
		if t.Failed() {
			t.Log(bad)
		}
	}

	masters := c.Masters()
	phase("migration", time.Second, func() time.Time {
		// Move the slot of the first channel of the first master.
		from := masters[0]
		ch := byMaster[from.Addr()][0]
		c.MigrateSlots(t, from, masters[1], []int{redistest.Slot(ch)})
		end := time.Now()
		// The replicas learn of the move by gossip: a failover before
		// they do would leave the slot behind.
		c.WaitStable(t, 30*time.Second)
		return end
	})
	phase("failover", time.Second, func() time.Time {
		c.Failover(t, c.ReplicasOf(masters[1])[0])
		return time.Now()
	})
	phase("kill", 2*time.Second, func() time.Time {
		c.KillMaster(t, masters[2])
		c.WaitTakeover(t, masters[2], 30*time.Second)
		return time.Now()
	})
}
