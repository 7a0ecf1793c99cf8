package pool_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoolReuseAndStats(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{PoolSize: 4})
	ctx := context.Background()

	a, err := p.Get(ctx)
	require.NoError(t, err)
	b, err := p.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, p.Len())
	assert.Zero(t, p.IdleLen())
	p.Put(a)
	p.Put(b)
	assert.Equal(t, 2, p.IdleLen())

	c, err := p.Get(ctx)
	require.NoError(t, err)
	assert.Same(t, b, c, "the most recently used goes out first")
	assert.Equal(t, "PONG", do(t, c, "PING"))
	p.Put(c)

	st := p.Stats()
	assert.Equal(t, pool.Stats{Hits: 1, Misses: 2, TotalConns: 2, IdleConns: 2}, st)
}

func TestPoolTimeout(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{PoolSize: 2, PoolTimeout: 100 * time.Millisecond})
	ctx := context.Background()
	a, err := p.Get(ctx)
	require.NoError(t, err)
	b, err := p.Get(ctx)
	require.NoError(t, err)

	start := time.Now()
	_, err = p.Get(ctx)
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	require.ErrorIs(t, err, pool.ErrPoolTimeout)
	var pe *pool.PoolTimeoutError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 2, pe.PoolSize)
	assert.Equal(t, 2, pe.InUse)
	assert.Equal(t, 1, pe.Waiting)
	assert.Contains(t, err.Error(), "pool size 2, 2 in use, 1 waiting")
	assert.Contains(t, err.Error(), "blocking commands")
	assert.EqualValues(t, 1, p.Stats().Timeouts)

	// The context ends the wait sooner.
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = p.Get(cctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "pool size 2")
	assert.EqualValues(t, 1, p.Stats().Timeouts)

	// A waiter gets the connection given back.
	done := make(chan *pool.Conn)
	go func() {
		c, err := p.Get(ctx)
		assert.NoError(t, err)
		done <- c
	}()
	time.Sleep(20 * time.Millisecond)
	p.Put(a)
	c := <-done
	assert.Same(t, a, c)
	p.Put(b)
	p.Put(c)
	assert.Equal(t, 2, p.Len())
}

// PoolSize bounds the open connections under contention.
func TestPoolSizeBound(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{PoolSize: 3, MinIdle: 2, PoolTimeout: 5 * time.Second})
	var wg sync.WaitGroup
	var mu sync.Mutex
	maxLen := 0
	for g := 0; g < 12; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r redis.Reply
			for i := 0; i < 50; i++ {
				c, err := p.Get(context.Background())
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				maxLen = max(maxLen, p.Len())
				mu.Unlock()
				assert.NoError(t, c.Do(context.Background(), &r, "PING"))
				p.Put(c)
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, maxLen, 3)
	assert.LessOrEqual(t, p.Len(), 3)
	assert.Equal(t, p.Len(), p.IdleLen())
}

func TestPutClosesUnhealthyConns(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{PoolSize: 2})
	ctx := context.Background()

	// A reply left unread.
	c, err := p.Get(ctx)
	require.NoError(t, err)
	require.NoError(t, c.WriteArgs("PING"))
	require.NoError(t, c.Flush(ctx))
	p.Put(c)
	assert.Zero(t, p.Len())
	assert.Error(t, c.Err(), "closed")

	// Data received but not read: the second reply of a pipeline is in the
	// parser's buffer.
	c, err = p.Get(ctx)
	require.NoError(t, err)
	require.NoError(t, c.WriteArgs("PING"))
	require.NoError(t, c.WriteArgs("PING"))
	require.NoError(t, c.Flush(ctx))
	require.NoError(t, c.ReadReply(ctx, c.Reply()))
	require.Eventually(t, func() bool { return c.Buffered() > 0 }, time.Second, time.Millisecond)
	p.Put(c)
	assert.Zero(t, p.Len())

	// Queued but never flushed: harmless, the buffer is dropped.
	c, err = p.Get(ctx)
	require.NoError(t, err)
	require.NoError(t, c.WriteArgs("SET", "queued-only", "x"))
	p.Put(c)
	assert.Equal(t, 1, p.Len())
	c, err = p.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "PONG", do(t, c, "PING"))
	assert.Equal(t, "0", do(t, c, "EXISTS", "queued-only"))

	// Remove closes a healthy one too.
	p.Remove(c, errors.New("in pub/sub mode"))
	assert.Zero(t, p.Len())
	assert.ErrorContains(t, c.Err(), "pub/sub")

	assert.Panics(t, func() { p.Put(c) }, "a second Put")
}

func TestIdleTimeoutAndMaxLifetime(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{IdleTimeout: 100 * time.Millisecond})
	ctx := context.Background()
	c, err := p.Get(ctx)
	require.NoError(t, err)
	p.Put(c)
	time.Sleep(150 * time.Millisecond)
	c2, err := p.Get(ctx)
	require.NoError(t, err)
	assert.NotSame(t, c, c2)
	assert.Error(t, c.Err(), "the idle one was closed")
	p.Put(c2)
	assert.EqualValues(t, 1, p.Stats().StaleConns)
	// The background goroutine closes idle ones without a Get.
	require.Eventually(t, func() bool { return p.Len() == 0 }, 2*time.Second, 10*time.Millisecond)
	assert.EqualValues(t, 2, p.Stats().StaleConns)

	q := newPool(t, srv, pool.Options{MaxLifetime: 100 * time.Millisecond, IdleTimeout: -1})
	c, err = q.Get(ctx)
	require.NoError(t, err)
	for i := 0; i < 3; i++ { // in use, it keeps working past its lifetime
		time.Sleep(50 * time.Millisecond)
		assert.Equal(t, "PONG", do(t, c, "PING"))
	}
	q.Put(c)
	c2, err = q.Get(ctx)
	require.NoError(t, err)
	assert.NotSame(t, c, c2, "too old to be handed out again")
	q.Put(c2)
}

func TestMinIdle(t *testing.T) {
	srv := redistest.Shared(t)
	base := runtime.NumGoroutine()
	p := pool.New(pool.Options{Addr: srv.Addr(), MinIdle: 3, PoolSize: 5})
	require.Eventually(t, func() bool { return p.IdleLen() == 3 }, 2*time.Second, 5*time.Millisecond)
	assert.Equal(t, 3, p.Len())
	// Taking one out leaves two idle; the goroutine tops the idle ones up
	// when a connection is closed.
	c, err := p.Get(context.Background())
	require.NoError(t, err)
	p.Remove(c, nil)
	require.Eventually(t, func() bool { return p.IdleLen() == 3 }, 2*time.Second, 5*time.Millisecond)
	assert.EqualValues(t, 1, p.Stats().Hits)
	require.NoError(t, p.Close())
	assert.Zero(t, p.Len())
	checkGoroutines(t, base, 0)
}

func TestHealthCheck(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{ClientName: "hc-test", HealthCheckInterval: 100 * time.Millisecond})
	ctx := context.Background()
	c, err := p.Get(ctx)
	require.NoError(t, err)
	do(t, c, "ECHO", "x")
	p.Put(c)

	// Within the interval: no PING.
	c, err = p.Get(ctx)
	require.NoError(t, err)
	assert.Contains(t, clientLine(t, srv, "hc-test"), " cmd=echo ")
	p.Put(c)

	time.Sleep(150 * time.Millisecond)
	c, err = p.Get(ctx)
	require.NoError(t, err)
	assert.Contains(t, clientLine(t, srv, "hc-test"), " cmd=ping ", "PINGed before use")
	p.Put(c)
	assert.EqualValues(t, 2, p.Stats().Hits)
}

func TestClientKillNoticedAtCheckout(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{ClientName: "kill-test"})
	ctx := context.Background()
	c, err := p.Get(ctx)
	require.NoError(t, err)
	id := do(t, c, "CLIENT", "ID")
	p.Put(c)

	assert.Equal(t, "1", srv.Exec(t, "CLIENT", "KILL", "ID", id))
	require.Eventually(t, func() bool { return clientLine(t, srv, "kill-test") == "" }, time.Second, time.Millisecond)
	c2, err := p.Get(ctx)
	require.NoError(t, err)
	assert.NotSame(t, c, c2)
	assert.NotEqual(t, id, do(t, c2, "CLIENT", "ID"))
	p.Put(c2)
	st := p.Stats()
	assert.EqualValues(t, 1, st.StaleConns)
	assert.EqualValues(t, 2, st.Misses)
	assert.Equal(t, 1, st.TotalConns)
}

func TestUnaskedDataNoticedAtCheckout(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{Protocol: 3})
	ctx := context.Background()
	c, err := p.Get(ctx)
	require.NoError(t, err)
	// With RESP3, a connection may receive pushes unasked: CLIENT TRACKING
	// sends invalidations when a key it read changes.
	do(t, c, "CLIENT", "TRACKING", "on")
	do(t, c, "GET", "tracked-key")
	p.Put(c)
	srv.Exec(t, "SET", "tracked-key", "changed")
	time.Sleep(50 * time.Millisecond)
	c2, err := p.Get(ctx)
	require.NoError(t, err)
	assert.NotSame(t, c, c2)
	p.Put(c2)
	assert.EqualValues(t, 1, p.Stats().StaleConns)
}

func TestServerRestartRecovery(t *testing.T) {
	srv := redistest.Start(t)
	p := newPool(t, srv, pool.Options{PoolSize: 4, DialTimeout: time.Second})
	ctx := context.Background()
	var conns []*pool.Conn
	for i := 0; i < 4; i++ {
		c, err := p.Get(ctx)
		require.NoError(t, err)
		conns = append(conns, c)
	}
	for _, c := range conns {
		p.Put(c)
	}
	require.Equal(t, 4, p.IdleLen())

	srv.Restart(t)
	// Every idle connection is dead; each Get notices and dials anew, so
	// not one command fails.
	var r redis.Reply
	for i := 0; i < 8; i++ {
		c, err := p.Get(ctx)
		require.NoError(t, err)
		require.NoError(t, c.Do(ctx, &r, "PING"), "command %d after the restart", i)
		assert.Equal(t, "PONG", string(r.Str))
		p.Put(c)
	}
	assert.EqualValues(t, 4, p.Stats().StaleConns)

	// Down for a while: Get fails with a connection error, then recovers.
	require.NoError(t, srv.Stop())
	_, err := p.Get(ctx)
	var ce *redis.ConnectionError
	require.ErrorAs(t, err, &ce)
	assert.Zero(t, p.Len())
	srv.Restart(t)
	c, err := p.Get(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Do(ctx, &r, "PING"))
	p.Put(c)
}

func TestPoolClose(t *testing.T) {
	srv := redistest.Shared(t)
	base := runtime.NumGoroutine()
	p := pool.New(pool.Options{Addr: srv.Addr(), PoolSize: 1, PoolTimeout: -1})
	ctx := context.Background()
	c, err := p.Get(ctx)
	require.NoError(t, err)
	waiter := make(chan error)
	go func() {
		_, err := p.Get(ctx)
		waiter <- err
	}()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, p.Close())
	assert.ErrorIs(t, <-waiter, pool.ErrClosed)
	_, err = p.Get(ctx)
	assert.ErrorIs(t, err, pool.ErrClosed)
	assert.Equal(t, "PONG", do(t, c, "PING"), "a connection in use works until given back")
	p.Put(c)
	assert.Error(t, c.Err(), "closed when given back after Close")
	assert.Zero(t, p.Len())
	assert.NoError(t, p.Close(), "closing twice")
	checkGoroutines(t, base, 0)
	assert.True(t, strings.HasPrefix(pool.ErrClosed.Error(), "redis: "))
}
