package pool_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Get that waits for a free connection is counted, with its wait.
func TestStatsWaits(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{PoolSize: 1})
	ctx := context.Background()
	a, err := p.Get(ctx)
	require.NoError(t, err)
	got := make(chan *pool.Conn)
	go func() {
		c, err := p.Get(ctx)
		assert.NoError(t, err)
		got <- c
	}()
	time.Sleep(60 * time.Millisecond)
	p.Put(a)
	b := <-got
	p.Put(b)
	st := p.Stats()
	assert.EqualValues(t, 1, st.WaitCount)
	assert.GreaterOrEqual(t, st.WaitDuration, 50*time.Millisecond)
	assert.Less(t, st.WaitDuration, 5*time.Second)
}

// Closed connections are counted by reason: found dead at checkout (also
// Unusable), removed after an error, idle too long, past their lifetime,
// closed with the pool.
func TestStatsClosedByReason(t *testing.T) {
	srv := redistest.Shared(t)
	ctx := context.Background()

	p := newPool(t, srv, pool.Options{PoolSize: 2})
	c, err := p.Get(ctx)
	require.NoError(t, err)
	id := do(t, c, "CLIENT", "ID")
	p.Put(c)
	srv.Exec(t, "CLIENT", "KILL", "ID", id)
	require.True(t, redistest.WaitFor(time.Second, func() bool {
		c, err := p.Get(ctx)
		require.NoError(t, err)
		defer p.Put(c)
		return p.Stats().Unusable == 1
	}))
	st := p.Stats()
	assert.EqualValues(t, 1, st.Unusable)
	assert.EqualValues(t, 1, st.Closed.Dead)

	c, err = p.Get(ctx)
	require.NoError(t, err)
	p.Remove(c, errors.New("gone"))
	assert.EqualValues(t, 1, p.Stats().Closed.Error)

	c, err = p.Get(ctx)
	require.NoError(t, err)
	p.Put(c)
	require.NoError(t, p.Close())
	assert.EqualValues(t, 1, p.Stats().Closed.PoolClosed)

	idle := newPool(t, srv, pool.Options{PoolSize: 2, IdleTimeout: 100 * time.Millisecond})
	c, err = idle.Get(ctx)
	require.NoError(t, err)
	idle.Put(c)
	require.True(t, redistest.WaitFor(3*time.Second, func() bool { return idle.Stats().Closed.IdleTimeout == 1 }),
		"the maintenance goroutine closes the idle connection")
	assert.Zero(t, idle.Stats().TotalConns)

	old := newPool(t, srv, pool.Options{PoolSize: 2, MaxLifetime: 100 * time.Millisecond})
	c, err = old.Get(ctx)
	require.NoError(t, err)
	old.Put(c)
	require.True(t, redistest.WaitFor(3*time.Second, func() bool { return old.Stats().Closed.MaxLifetime == 1 }))
}

type replyCounter struct{ n int }

func (h *replyCounter) HandleReply(*redis.Reply) { h.n++ }

// The auto-pipelining connections are connections of the pool: counted in
// TotalConns and SharedConns, with the commands in flight on them as
// PendingRequests.
func TestStatsSharedConnsAndPending(t *testing.T) {
	srv := redistest.Shared(t)
	px, err := faultproxy.New(srv.Addr())
	require.NoError(t, err)
	defer px.Close()
	p := pool.New(pool.Options{Addr: px.Addr(), PoolSize: 4, ReadTimeout: 10 * time.Second})
	defer p.Close()
	ctx := context.Background()
	var h replyCounter
	require.NoError(t, p.Mux().Do(ctx, []any{"PING"}, &h))
	assert.Equal(t, 1, p.Stats().SharedConns)
	assert.Equal(t, 1, p.Stats().TotalConns)
	assert.Zero(t, p.Stats().PendingRequests)

	px.DelayNext(500 * time.Millisecond)
	var wg sync.WaitGroup
	hs := make([]replyCounter, 3)
	for i := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, p.Mux().Do(ctx, []any{"PING"}, &hs[i]))
		}()
	}
	assert.True(t, redistest.WaitFor(2*time.Second, func() bool { return p.Stats().PendingRequests >= 1 }),
		"commands held by the proxy are pending")
	wg.Wait()
	assert.Zero(t, p.Stats().PendingRequests)
	for i := range hs {
		assert.Equal(t, 1, hs[i].n)
	}
}
