package client_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ReadTimeout bounds every call, also on a shared connection under
// constant traffic: while the server is frozen, a GET started every 2 ms
// fails with a timeout about ReadTimeout after it was sent, not when the
// freeze ends (the writer used to push the shared connection's read
// deadline forward on every write, so calls waited out the whole freeze).
func TestReadTimeoutBoundsEachCallUnderTraffic(t *testing.T) {
	bothModes(t, func(t *testing.T, auto bool) {
		const rt = 300 * time.Millisecond
		const poolTimeout = 500 * time.Millisecond
		srv := redistest.Start(t)
		rdb, err := client.New(client.Options{Addr: srv.Addr(), ReadTimeout: rt, PoolTimeout: poolTimeout,
			DisableAutoPipeline: !auto})
		require.NoError(t, err)
		defer rdb.Close()
		key := t.Name()
		require.NoError(t, rdb.Set(ctx, key, "v", 0).Err())

		// The longest a call may take: its ReadTimeout after it was sent,
		// plus, on the pool's path, the wait for a free connection, plus
		// a generous margin for a loaded machine.
		bound := rt + 700*time.Millisecond
		if !auto {
			bound += poolTimeout
		}
		srv.Exec(t, "CLIENT", "PAUSE", "3000", "ALL")
		var (
			wg       sync.WaitGroup
			longest  atomic.Int64
			timeouts atomic.Int64
			calls    atomic.Int64
		)
		for start := time.Now(); time.Since(start) < 2*time.Second; time.Sleep(2 * time.Millisecond) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				v, err := rdb.Get(context.Background(), key).Result()
				d := time.Since(t0)
				calls.Add(1)
				for {
					old := longest.Load()
					if int64(d) <= old || longest.CompareAndSwap(old, int64(d)) {
						break
					}
				}
				var te *redis.TimeoutError
				switch {
				case err == nil:
					assert.Equal(t, "v", v)
				case errors.As(err, &te), errors.Is(err, pool.ErrPoolTimeout):
					timeouts.Add(1)
				default:
					t.Errorf("GET: %v", err)
				}
			}()
		}
		wg.Wait()
		t.Logf("%d calls, %d timed out, longest %v (bound %v)", calls.Load(), timeouts.Load(),
			time.Duration(longest.Load()), bound)
		assert.Greater(t, timeouts.Load(), int64(0), "the freeze made calls time out")
		assert.Less(t, time.Duration(longest.Load()), bound, "a call waited past its ReadTimeout")
	})
}

// A context deadline bounds a call while a shared connection is being
// dialed by another goroutine (the dial used to run under a lock that
// waiters took without looking at their context): here the server
// accepts and never answers the handshake's CLIENT SETNAME.
func TestContextDeadlineWhileSharedConnDials(t *testing.T) {
	bothModes(t, func(t *testing.T, auto bool) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		var held []net.Conn
		var mu sync.Mutex
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
			}
		}()
		defer func() {
			ln.Close()
			mu.Lock()
			for _, c := range held {
				c.Close()
			}
			mu.Unlock()
		}()
		rdb, err := client.New(client.Options{Addr: ln.Addr().String(), ClientName: "silent",
			DialTimeout: 3 * time.Second, AutoPipelineConns: 1, DisableAutoPipeline: !auto})
		require.NoError(t, err)

		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.Error(t, rdb.Get(context.Background(), "k").Err())
			}()
		}
		time.Sleep(100 * time.Millisecond) // both are dialing or waiting for a dial
		cctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err = rdb.Get(cctx, "k").Err()
		took := time.Since(start)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, took, 750*time.Millisecond, "the call outlived its context's deadline")
		require.NoError(t, rdb.Close())
		wg.Wait()
	})
}

// With HealthCheckInterval, a shared connection idle longer than that is
// PINGed before commands go on it, as a pooled one is at checkout: behind
// a proxy that silently forgets idle connections (no FIN, no RST), the
// PING finds the dead connection and the commands go to a new one, none
// failing (they used to go into the void and time out). ReadTimeout is
// 1 s: a command without the health check still fails (its reply never
// comes), and 32 fresh dials under -race on a busy machine stay within it
// (300 ms did not, once in a full run).
func TestHealthCheckSharedConnIdleDrop(t *testing.T) {
	bothModes(t, func(t *testing.T, auto bool) {
		srv := redistest.Shared(t)
		px, _ := srv.FaultProxy(t, faultproxy.Faults{IdleDrop: 300 * time.Millisecond})
		rdb, err := client.New(client.Options{Addr: px.Addr(), HealthCheckInterval: 500 * time.Millisecond,
			ReadTimeout: time.Second, DisableAutoPipeline: !auto})
		require.NoError(t, err)
		defer rdb.Close()
		burst := func(round int) int {
			var failed atomic.Int32
			var wg sync.WaitGroup
			for g := 0; g < 32; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					key := t.Name() + ":" + strconv.Itoa(g)
					if err := rdb.Set(context.Background(), key, round, 0).Err(); err != nil {
						failed.Add(1)
						t.Logf("round %d: SET %s: %v", round, key, err)
					}
				}()
			}
			wg.Wait()
			return int(failed.Load())
		}
		require.Zero(t, burst(1))
		time.Sleep(800 * time.Millisecond)
		assert.Zero(t, burst(2), "commands failed on connections the proxy had forgotten")
		assert.Greater(t, px.Stats().Dropped, int64(0), "the proxy forgot the idle connections")
		for g := 0; g < 32; g++ {
			assert.Equal(t, "2", rdb.Get(context.Background(), t.Name()+":"+strconv.Itoa(g)).Val())
		}
	})
}

// MONITOR shows the health check: after an idle time past
// HealthCheckInterval, every connection that carries the next burst of
// GETs (shared or pooled) sends PING first, unless it is new (its
// handshake's CLIENT SETNAME shows then).
func TestHealthCheckSharedConnMonitor(t *testing.T) {
	bothModes(t, func(t *testing.T, auto bool) {
		srv := redistest.Shared(t)
		rdb, err := client.New(client.Options{Addr: srv.Addr(), HealthCheckInterval: time.Second,
			ClientName: "hc-monitor", DisableAutoPipeline: !auto})
		require.NoError(t, err)
		defer rdb.Close()
		key := strings.ReplaceAll(t.Name(), "/", ":")
		burst := func(k string) {
			var wg sync.WaitGroup
			for g := 0; g < 32; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					assert.NoError(t, rdb.Get(context.Background(), k).Err())
				}()
			}
			wg.Wait()
		}
		require.NoError(t, rdb.Set(ctx, key+":1", "a", 0).Err())
		require.NoError(t, rdb.Set(ctx, key+":2", "b", 0).Err())
		burst(key + ":1")
		time.Sleep(1200 * time.Millisecond)

		mon, err := rdb.Monitor(ctx)
		require.NoError(t, err)
		defer mon.Close()
		burst(key + ":2")

		pinged := map[string]bool{}
		unchecked := map[string]bool{}
		gets := 0
		mctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		for gets < 32 {
			ev, err := mon.Next(mctx)
			require.NoError(t, err, "%d of 32 GETs seen", gets)
			switch {
			case strings.EqualFold(ev.Command, "PING"),
				strings.EqualFold(ev.Command, "CLIENT") && len(ev.Args) > 0 && strings.EqualFold(ev.Args[0], "SETNAME"):
				pinged[ev.Client] = true
			case strings.EqualFold(ev.Command, "GET") && len(ev.Args) == 1 && ev.Args[0] == key+":2":
				gets++
				if !pinged[ev.Client] {
					unchecked[ev.Client] = true
				}
			}
		}
		t.Logf("connections PINGed or new: %v", pinged)
		assert.Empty(t, unchecked, "connections that sent GETs without a PING after the idle time")
	})
}

// PoolSize bounds every connection a pool's users hold open, the shared
// (auto-pipelined) ones included, also when two clients share the pool;
// the two clients share its shared connections too. It used to be a cap
// on the pooled connections only: each client added shared connections of
// its own.
func TestPoolSizeCapsSharedConnections(t *testing.T) {
	bothModes(t, func(t *testing.T, auto bool) {
		srv := redistest.Shared(t)
		name := "cap" + strconv.FormatUint(rand.Uint64(), 36)
		// Count the connections the clients hold open, as they open and
		// close them (the server's CLIENT LIST lags behind a close).
		var open, most atomic.Int64
		dialer := func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			nc, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			if n := open.Add(1); n > most.Load() {
				most.Store(n) // racy maximum, good enough with one writer at a time mostly
			}
			return &countedConn{TCPConn: nc.(*net.TCPConn), open: &open}, nil
		}
		c1, err := client.New(client.Options{Addr: srv.Addr(), PoolSize: 3, ClientName: name, Dialer: dialer,
			DisableAutoPipeline: !auto})
		require.NoError(t, err)
		defer c1.Close()
		c2, err := client.New(client.Options{Pool: c1.Pool(), DisableAutoPipeline: !auto})
		require.NoError(t, err)
		defer c2.Close()
		if auto {
			assert.Same(t, c1.Engine().Mux(), c2.Engine().Mux(), "clients of one pool share its shared connections")
		}
		serverCount := func() int {
			r, err := srv.Do("CLIENT", "LIST")
			if err != nil {
				t.Error(err)
				return 0
			}
			return strings.Count(string(r.Str), "name="+name+" ")
		}
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				if st := c1.PoolStats(); int64(st.TotalConns) > most.Load() {
					most.Store(int64(st.TotalConns))
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		var wg sync.WaitGroup
		deadline := time.Now().Add(time.Second)
		for i, rdb := range []*client.Client{c1, c2} {
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					key := t.Name() + ":" + strconv.Itoa(i) + ":" + strconv.Itoa(g)
					for n := 0; time.Now().Before(deadline); n++ {
						assert.NoError(t, rdb.Set(ctx, key, n, 0).Err())
						assert.NoError(t, rdb.Get(ctx, key).Err())
						if g%4 == 0 {
							time.Sleep(time.Millisecond) // sometimes alone: the pool's path
						}
					}
				}()
			}
			wg.Add(1)
			go func() { // blocking commands take the pool's path
				defer wg.Done()
				for time.Now().Before(deadline) {
					err := rdb.BLPop(ctx, 20*time.Millisecond, t.Name()+":list").Err()
					assert.ErrorIs(t, err, redis.Nil)
				}
			}()
		}
		wg.Wait()
		close(stop)
		<-sampled
		t.Logf("most connections open at once: %d; stats %+v", most.Load(), c1.PoolStats())
		assert.LessOrEqual(t, most.Load(), int64(3), "open connections beyond PoolSize")
		assert.True(t, redistest.WaitFor(2*time.Second, func() bool { return serverCount() <= 3 }),
			"the server counts %d connections", serverCount())
	})
}

// countedConn counts the connections open: it decrements open on its
// first Close.
type countedConn struct {
	*net.TCPConn
	open   *atomic.Int64
	closed atomic.Bool
}

func (c *countedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.open.Add(-1)
	}
	return c.TCPConn.Close()
}
