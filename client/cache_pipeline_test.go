package client_test

import (
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// Writes sent in a pipeline or a transaction drop this client's entries
// of their keys when Exec returns, before the server's invalidation may
// have been read: the next read sees the write. In REDIRECT mode the
// redirect connection's reads are delayed by 30ms, so the invalidations
// come late and the drops must be this client's own.
func TestCachePipelineOwnWrites(t *testing.T) {
	for _, mode := range []command.CacheMode{command.CacheOptIn, command.CacheRedirect} {
		t.Run(map[command.CacheMode]string{command.CacheOptIn: "OPTIN", command.CacheRedirect: "REDIRECT"}[mode], func(t *testing.T) {
			srv := redistest.Start(t)
			g := newGateDialer()
			if mode == command.CacheRedirect {
				g.delay.Store(int64(30 * time.Millisecond))
			}
			rdb := cachedClient(t, srv.Addr(), 1<<20, func(o *client.Options) {
				o.CacheMode = mode
				o.Dialer = g.dial
			})
			c := rdb.Cached(time.Minute)
			for _, k := range []string{"a", "b", "c", "h"} {
				require.NoError(t, rdb.Set(ctx, k, "old", 0).Err())
			}
			for round := 0; round < 20; round++ {
				for _, k := range []string{"a", "b", "c"} {
					warm(t, c, k)
				}
				st0 := rdb.CacheStats()
				tx := round%2 == 1
				p := rdb.PipelineNoTx()
				if tx {
					p = rdb.Pipeline()
				}
				v := "v" + itoa(round)
				p.Set(ctx, "a", v, 0)
				p.Incr(ctx, "n")
				p.MSet(ctx, map[string]any{"b": v, "c": v})
				_, err := p.Exec(ctx)
				require.NoError(t, err)
				for _, k := range []string{"a", "b", "c"} {
					r := c.Get(ctx, k)
					require.Equal(t, v, r.Val(), "round %d key %s (tx %v)", round, k, tx)
					require.False(t, r.IsCacheHit())
				}
				st := rdb.CacheStats()
				if mode == command.CacheRedirect {
					require.GreaterOrEqual(t, st.OwnWrites-st0.OwnWrites, uint64(3))
				} else {
					require.GreaterOrEqual(t, st.OwnWrites+st.Invalidated-st0.OwnWrites-st0.Invalidated, uint64(3))
				}
			}
			// FLUSHDB in a batch drops everything.
			warm(t, c, "a")
			p := rdb.PipelineNoTx()
			p.FlushDB(ctx, command.FlushDefault)
			_, err := p.Exec(ctx)
			require.NoError(t, err)
			require.Zero(t, rdb.CacheStats().Entries)
			require.ErrorIs(t, c.Get(ctx, "a").Err(), redis.Nil)
			// Reads only: nothing dropped.
			require.NoError(t, rdb.Set(ctx, "a", "x", 0).Err())
			warm(t, c, "a")
			p = rdb.PipelineNoTx()
			p.Get(ctx, "a")
			p.Exists(ctx, "a")
			_, err = p.Exec(ctx)
			require.NoError(t, err)
			require.True(t, c.Get(ctx, "a").IsCacheHit())
		})
	}
}

// A Cached read queued in a pipeline runs in its place in the batch, as an
// ordinary read: it sees the batch's own earlier write, and it is neither
// a hit nor cached (see command/cache_pipeline.go for why).
func TestCachePipelineCachedRead(t *testing.T) {
	srv := redistest.Start(t)
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	c := rdb.Cached(time.Minute)
	require.NoError(t, rdb.Set(ctx, "k", "old", 0).Err())
	warm(t, c, "k")
	p := rdb.PipelineNoTx()
	before := p.Cached(time.Minute).Get(ctx, "k")
	p.Set(ctx, "k", "new", 0)
	after := p.Cached(time.Minute).Get(ctx, "k")
	_, err := p.Exec(ctx)
	require.NoError(t, err)
	require.Equal(t, "old", before.Val())
	require.Equal(t, "new", after.Val())
	require.False(t, before.IsCacheHit())
	require.False(t, after.IsCacheHit())
	r := c.Get(ctx, "k")
	require.Equal(t, "new", r.Val())
	require.False(t, r.IsCacheHit())
}
