package sentinel_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/sentinel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lateAckLimit bounds, in the graceful failover, the time between the
// sentinels' announcement of the new master and the last write the old
// master acknowledged. The aim is ~100ms; the limit leaves room for a
// loaded machine.
const lateAckLimit = 250 * time.Millisecond

// loadTopology is the topology of the failover tests under load: one
// master, two replicas and three sentinels that decide quickly, but not so
// quickly that a loaded server's pause (a fork for a full sync on a busy
// 2-core machine) makes them fail over a healthy master.
func loadTopology(t *testing.T) *redistest.SentinelTopology {
	return redistest.StartSentinels(t, redistest.SentinelOptions{
		Replicas: 2, Sentinels: 3,
		DownAfter: 1500 * time.Millisecond, FailoverTimeout: 2 * time.Second,
	})
}

// switchWatch records when the sentinels announce a new master: it
// subscribes to +switch-master on every sentinel, as a client of its own.
type switchWatch struct {
	mu    sync.Mutex
	at    time.Time // the first announcement
	addr  string    // the new master it named
	by    string    // the sentinel that made it
	heard chan struct{}
}

func watchSwitch(t *testing.T, tp *redistest.SentinelTopology) *switchWatch {
	t.Helper()
	w := &switchWatch{heard: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	for _, addr := range tp.SentinelAddrs() {
		rdb, err := client.New(client.Options{Addr: addr})
		require.NoError(t, err)
		t.Cleanup(func() { rdb.Close() })
		ps, err := rdb.Subscribe(ctx, "+switch-master")
		require.NoError(t, err)
		t.Cleanup(func() { ps.Close() })
		m, err := ps.Receive(ctx) // the confirmation: subscribed from here on
		require.NoError(t, err)
		require.Equal(t, "subscribe", m.Type)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				m, err := ps.Receive(ctx)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					continue
				}
				now := time.Now()
				f := strings.Fields(m.Text())
				if len(f) != 5 || f[0] != tp.Name {
					continue
				}
				w.mu.Lock()
				if w.at.IsZero() {
					w.at, w.addr, w.by = now, net.JoinHostPort(f[3], f[4]), addr
					close(w.heard)
				}
				w.mu.Unlock()
			}
		}()
	}
	return w
}

// wait waits for the first announcement and returns its time and the new
// master's address.
func (w *switchWatch) wait(t *testing.T, d time.Duration) (time.Time, string) {
	t.Helper()
	select {
	case <-w.heard:
	case <-time.After(d):
		t.Fatalf("no +switch-master within %v", d)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.at, w.addr
}

// waitSubscribed waits until every sentinel has at least n clients
// subscribed to its event channels.
func waitSubscribed(t *testing.T, tp *redistest.SentinelTopology, n int) {
	t.Helper()
	ok := redistest.WaitFor(10*time.Second, func() bool {
		for _, s := range tp.Sentinels {
			r, err := s.Do("CLIENT", "LIST")
			if err != nil {
				return false
			}
			subs := 0
			for _, line := range strings.Split(string(r.Str), "\n") {
				if strings.Contains(line, " sub=") && !strings.Contains(line, " sub=0 ") {
					subs++
				}
			}
			if subs < n {
				return false
			}
		}
		return true
	})
	require.True(t, ok, "the sentinels do not have %d subscribers each", n)
}

// readRecorder is a Dialer for data-node connections that records, per
// server address, when a read on a connection to it last returned data:
// the time of the last reply a server sent the client.
type readRecorder struct {
	mu   sync.Mutex
	last map[string]*atomic.Int64 // UnixNano
}

func newReadRecorder() *readRecorder { return &readRecorder{last: make(map[string]*atomic.Int64)} }

func (r *readRecorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	last := r.last[addr]
	if last == nil {
		last = new(atomic.Int64)
		r.last[addr] = last
	}
	r.mu.Unlock()
	// Embedding *net.TCPConn keeps its descriptor in sight (syscall.Conn)
	// for the pool's and the sentinel's checks; reads go through Read.
	return &recordingConn{TCPConn: nc.(*net.TCPConn), last: last}, nil
}

// lastRead returns when a read from addr last returned data.
func (r *readRecorder) lastRead(addr string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l := r.last[addr]; l != nil && l.Load() != 0 {
		return time.Unix(0, l.Load())
	}
	return time.Time{}
}

type recordingConn struct {
	*net.TCPConn
	last *atomic.Int64
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.TCPConn.Read(p)
	if n > 0 {
		c.last.Store(time.Now().UnixNano())
	}
	return n, err
}

// ack is one acknowledged write of a writer.
type ack struct {
	seq int
	at  time.Time
}

// TestGracefulFailoverWrites runs many writers doing SET through a
// MasterFor client while the sentinels switch to another master
// (SENTINEL FAILOVER). Each write has a key and a value of its own that
// name its writer and sequence number. The sentinels' events, not the
// watch (WatchInterval is an hour here), must move the client: no write
// may be acknowledged by the old master later than lateAckLimit after the
// first sentinel announced the switch. Two measures of it: the last
// acknowledged write missing from the new master (the old master took it
// after its replica's promotion), and the last reply read from a
// connection to the old master. Not parallel, for steadier timings.
func TestGracefulFailoverWrites(t *testing.T) {
	tp := loadTopology(t)
	ctx := ctxT(t)
	ann := watchSwitch(t, tp)
	s := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{WatchInterval: time.Hour})
	rec := newReadRecorder()
	mc, err := s.MasterFor(tp.Name, &client.Options{Dialer: rec.dial})
	require.NoError(t, err)
	defer mc.Close()
	require.NoError(t, mc.Ping(ctx).Err())
	waitSubscribed(t, tp, 2) // the client's subscriptions and the test's
	old := tp.Master.Addr()

	const writers = 16
	acks := make([][]ack, writers)
	var errs atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 1; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				v := fmt.Sprintf("%d:%d", w, seq)
				if err := mc.Set(ctx, "fo:"+v, v, 0).Err(); err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				acks[w] = append(acks[w], ack{seq, time.Now()})
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	tp.Sentinels[0].Exec(t, "SENTINEL", "FAILOVER", tp.Name)
	annAt, newAddr := ann.wait(t, 20*time.Second)
	time.Sleep(500 * time.Millisecond) // writes go on at the new master
	close(stop)
	wg.Wait()
	newMaster := tp.ServerAt(newAddr)
	require.NotNil(t, newMaster, "new master %s", newAddr)
	require.NotEqual(t, old, newAddr)

	// What the new master holds of each acknowledged write.
	nc, err := client.New(client.Options{Addr: newAddr, DisableAutoPipeline: true})
	require.NoError(t, err)
	defer nc.Close()
	var total, lost, late, wrong, afterAnn int
	var lastLost time.Time
	for w := range writers {
		list := acks[w]
		for i := 0; i < len(list); i += 500 {
			batch := list[i:min(i+500, len(list))]
			keys := make([]string, len(batch))
			for j, a := range batch {
				keys[j] = fmt.Sprintf("fo:%d:%d", w, a.seq)
			}
			vals, err := nc.MGet(ctx, keys...).Result()
			require.NoError(t, err)
			for j, a := range batch {
				total++
				if a.at.After(annAt) {
					afterAnn++
				}
				switch v := vals[j]; {
				case v == nil:
					lost++
					if a.at.After(lastLost) {
						lastLost = a.at
					}
					if a.at.Sub(annAt) > lateAckLimit {
						late++
					}
				case fmt.Sprint(v) != keys[j][len("fo:"):]:
					wrong++
				}
			}
		}
	}
	lastOld := rec.lastRead(old)
	t.Logf("graceful failover: %d writes acknowledged (%d after the announcement by %s), %d errors (first: %v); "+
		"%d acknowledged writes lost (the old master took them after the promotion), the last acknowledged %v after the announcement; "+
		"last reply from the old master %v after the announcement",
		total, afterAnn, ann.by, errs.Load(), firstErr.Load(), lost, since(lastLost, annAt), since(lastOld, annAt))
	assert.Zero(t, wrong, "acknowledged writes with a wrong value")
	assert.Zero(t, late, "acknowledged writes lost that were acknowledged more than %v after the announcement", lateAckLimit)
	assert.Less(t, lastOld.Sub(annAt), lateAckLimit, "the old master answered %v after the announcement", lastOld.Sub(annAt))
	assert.Positive(t, afterAnn, "no write acknowledged after the announcement")
}

// since formats t - ref, or "never" for a zero t.
func since(t, ref time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Sub(ref).Round(100 * time.Microsecond).String()
}

// TestMasterKilledUnderLoad kills the master (kill -9) while readers go
// through a ReplicaFor client and writers through a MasterFor client, then
// restarts it. Replica reads go on while the master is down and through
// the failover (errors are counted: a few reads in flight when the
// sentinels reconfigure a replica, which kills its clients, may fail);
// the old master rejoins as a replica; no read returns a wrong value, and
// every writer's last acknowledged write is what the master (and the
// rejoined old master) holds.
func TestMasterKilledUnderLoad(t *testing.T) {
	t.Parallel()
	tp := loadTopology(t)
	ctx := ctxT(t)
	s := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{})
	mc, err := s.MasterFor(tp.Name, nil)
	require.NoError(t, err)
	defer mc.Close()
	rc, err := s.ReplicaFor(tp.Name, nil)
	require.NoError(t, err)
	defer rc.Close()

	const keys = 200
	for i := range keys {
		require.NoError(t, mc.Set(ctx, fmt.Sprintf("kr:%d", i), fmt.Sprintf("v%d", i), 0).Err())
	}
	require.EqualValues(t, 2, mc.Wait(ctx, 2, 5*time.Second).Val())

	// phase counts the reads and their errors of each phase: 0 before the
	// kill, 1 from the kill to the restart, 2 after the restart.
	var phase atomic.Int32
	var reads, readErrs [3]atomic.Int64
	var wrongReads atomic.Int64
	var errSamples sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup
	const readers, writers = 8, 4
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := rand.IntN(keys)
				p := phase.Load()
				v, err := rc.Get(ctx, fmt.Sprintf("kr:%d", i)).Result()
				reads[p].Add(1)
				if err != nil {
					readErrs[p].Add(1)
					errSamples.LoadOrStore(fmt.Sprintf("phase %d: %v", p, err), true)
					continue
				}
				if v != fmt.Sprintf("v%d", i) {
					wrongReads.Add(1)
					errSamples.LoadOrStore(fmt.Sprintf("phase %d: wrong value %q for kr:%d", p, v, i), true)
				}
			}
		}()
	}
	// Fresh clients: each read on a new connection, which asks the
	// sentinels for the replicas (the case that failed while the master
	// was down).
	var fresh, freshErrs [3]atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			p := phase.Load()
			c, err := s.ReplicaFor(tp.Name, &client.Options{DisableAutoPipeline: true})
			if err == nil {
				var v string
				v, err = c.Get(ctx, "kr:0").Result()
				c.Close()
				if err == nil && v != "v0" {
					wrongReads.Add(1)
				}
			}
			fresh[p].Add(1)
			if err != nil {
				freshErrs[p].Add(1)
				errSamples.LoadOrStore(fmt.Sprintf("fresh, phase %d: %v", p, err), true)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	lastAck := make([]atomic.Int64, writers)
	var writeErrs atomic.Int64
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 1; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				if mc.Set(ctx, fmt.Sprintf("kw:%d", w), fmt.Sprintf("%d:%d", w, seq), 0).Err() != nil {
					writeErrs.Add(1)
					time.Sleep(10 * time.Millisecond)
					continue
				}
				lastAck[w].Store(int64(seq))
			}
		}()
	}
	done := false
	defer func() {
		if !done {
			close(stop)
			wg.Wait()
		}
	}()

	time.Sleep(300 * time.Millisecond)
	old := tp.Master.Addr()
	phase.Store(1)
	killed := time.Now()
	require.NoError(t, tp.Master.Kill())
	probe := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{})
	newAddr := waitNewMaster(t, probe, tp.Name, old)
	failedOver := time.Since(killed)
	// Writes reach the new master.
	before := make([]int64, writers)
	for w := range writers {
		before[w] = lastAck[w].Load()
	}
	ok := redistest.WaitFor(10*time.Second, func() bool {
		for w := range writers {
			if lastAck[w].Load() == before[w] {
				return false
			}
		}
		return true
	})
	require.True(t, ok, "writes do not resume after the failover")
	time.Sleep(300 * time.Millisecond)

	phase.Store(2)
	tp.Master.Restart(t)
	// The sentinels turn the old master into a replica of the new one.
	ok = redistest.WaitFor(30*time.Second, func() bool {
		r, err := tp.Master.Do("INFO", "replication")
		return err == nil && strings.Contains(string(r.Str), "role:slave") &&
			strings.Contains(string(r.Str), "master_link_status:up")
	})
	require.True(t, ok, "the old master does not rejoin as a replica")
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	done = true

	var samples []string
	errSamples.Range(func(k, _ any) bool { samples = append(samples, k.(string)); return len(samples) < 10 })
	t.Logf("master killed: failover after %v; replica reads before/kill/restart: %d/%d/%d, errors %d/%d/%d; "+
		"reads on fresh clients %d/%d/%d, errors %d/%d/%d; wrong values %d; write errors %d; samples: %q",
		failedOver.Round(time.Millisecond), reads[0].Load(), reads[1].Load(), reads[2].Load(),
		readErrs[0].Load(), readErrs[1].Load(), readErrs[2].Load(),
		fresh[0].Load(), fresh[1].Load(), fresh[2].Load(), freshErrs[0].Load(), freshErrs[1].Load(), freshErrs[2].Load(),
		wrongReads.Load(), writeErrs.Load(), samples)
	assert.Zero(t, wrongReads.Load(), "replica reads with a wrong value")
	assert.Zero(t, readErrs[0].Load()+freshErrs[0].Load(), "replica read errors before the kill")
	// The sentinels kill the clients of each replica they reconfigure (the
	// promoted one, the other one, again on a second try of the
	// election): the reads in flight on its connections then fail, about
	// one per reader and replica, never the hundreds of a client that
	// finds no replica while the master is down.
	assert.LessOrEqual(t, readErrs[1].Load()+readErrs[2].Load(), int64(5*readers), "replica read errors during the kill and the restart")
	assert.LessOrEqual(t, freshErrs[1].Load()+freshErrs[2].Load(), int64(3), "read errors of fresh clients during the kill and the restart")
	assert.Positive(t, reads[1].Load(), "no replica read while the master was down")
	assert.Positive(t, fresh[1].Load(), "no fresh client while the master was down")

	// Every writer's last acknowledged write is on the new master, and on
	// the old one now that it is its replica.
	// WAIT counts the acknowledgements of the offset of the connection it
	// runs on, which need not be the one the last SET went through; the
	// replicas are checked below by polling them instead.
	require.GreaterOrEqual(t, mc.Wait(ctx, 2, 5*time.Second).Val(), int64(2))
	if final := mustMaster(t, s, tp.Name); final != newAddr {
		// The sentinels failed over again (a server paused longer than
		// down-after on a loaded machine): the last writes before that
		// second promotion may be lost, as with any client; each value
		// must still be one its writer wrote.
		t.Logf("a second failover, from %s to %s: values checked for their writer only", newAddr, final)
		for w := range writers {
			v := mc.Get(ctx, fmt.Sprintf("kw:%d", w)).Val()
			var gotW, seq int
			_, err := fmt.Sscanf(v, "%d:%d", &gotW, &seq)
			assert.NoError(t, err, "writer %d: %q", w, v)
			assert.Equal(t, w, gotW, "writer %d: %q", w, v)
			assert.LessOrEqual(t, int64(seq), lastAck[w].Load(), "writer %d: %q", w, v)
		}
		return
	}
	for w := range writers {
		want := fmt.Sprintf("%d:%d", w, lastAck[w].Load())
		assert.Equal(t, want, mc.Get(ctx, fmt.Sprintf("kw:%d", w)).Val(), "writer %d, through MasterFor", w)
		var onOld string
		redistest.WaitFor(10*time.Second, func() bool {
			r, err := tp.Master.Do("GET", fmt.Sprintf("kw:%d", w))
			if err != nil {
				onOld = err.Error()
				return false
			}
			onOld = redistest.Text(&r)
			return onOld == want
		})
		assert.Equal(t, want, onOld, "writer %d, on the old master (a replica now)", w)
	}
}

// mustMaster returns the master of name as the sentinels give it.
func mustMaster(t *testing.T, s *sentinel.Sentinel, name string) string {
	t.Helper()
	addr, err := s.DiscoverMaster(context.Background(), name)
	require.NoError(t, err)
	return addr
}

// TestEventSubscriptions checks that a Sentinel keeps its subscriptions to
// the sentinels' events: quiet ones pass their health checks (PING), and
// one that a sentinel drops (CLIENT KILL) is renewed.
func TestEventSubscriptions(t *testing.T) {
	t.Parallel()
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Sentinels: 2})
	ctx := ctxT(t)
	s := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{WatchInterval: -1})
	mc, err := s.MasterFor(tp.Name, nil)
	require.NoError(t, err)
	defer mc.Close()
	require.NoError(t, mc.Ping(ctx).Err())
	waitSubscribed(t, tp, 1)

	// subscriber returns the age and last command of the subscribed
	// client of a sentinel.
	subscriber := func(srv *redistest.Server) (age, cmd string) {
		for _, line := range strings.Split(srv.Exec(t, "CLIENT", "LIST"), "\n") {
			if !strings.Contains(line, " sub=7 ") {
				continue
			}
			for _, f := range strings.Fields(line) {
				if v, ok := strings.CutPrefix(f, "age="); ok {
					age = v
				}
				if v, ok := strings.CutPrefix(f, "cmd="); ok {
					cmd = v
				}
			}
		}
		return age, cmd
	}
	time.Sleep(2500 * time.Millisecond)
	for _, srv := range tp.Sentinels {
		age, cmd := subscriber(srv)
		assert.Equal(t, "ping", cmd, "health checks")
		assert.NotContains(t, []string{"", "0", "1"}, age, "the subscription was not renewed")
	}
	tp.Sentinels[0].Exec(t, "CLIENT", "KILL", "TYPE", "pubsub")
	ok := redistest.WaitFor(5*time.Second, func() bool {
		age, _ := subscriber(tp.Sentinels[0])
		return age == "0" || age == "1"
	})
	assert.True(t, ok, "no new subscription after CLIENT KILL")
}
