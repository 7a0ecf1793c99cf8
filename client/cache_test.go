package client_test

import (
	"errors"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// cachedClient returns a client with a client-side cache of size bytes on
// addr.
func cachedClient(t *testing.T, addr string, size int64, edit ...func(o *client.Options)) *client.Client {
	t.Helper()
	o := client.Options{Addr: addr, CacheSize: size}
	for _, f := range edit {
		f(&o)
	}
	rdb, err := client.New(o)
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// waitMiss waits until a cached read of key gives a value fetched anew
// (no hit), and returns it.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.True(t, redistest.WaitFor(2*time.Second, cond), what)
}

func TestCacheHitAndOtherClientsWrite(t *testing.T) {
	srv := redistest.SharedNamed(t, "cache")
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	other, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer other.Close()
	k := t.Name() + ":k"
	require.NoError(t, other.Set(ctx, k, "v1", 0).Err())

	c := rdb.Cached(time.Minute)
	r := c.Get(ctx, k)
	require.NoError(t, r.Err())
	require.Equal(t, "v1", r.Val())
	require.False(t, r.IsCacheHit())
	// The value is published when its confirmation comes back.
	eventually(t, "a hit", func() bool { return c.Get(ctx, k).IsCacheHit() })
	r = c.Get(ctx, k)
	require.True(t, r.IsCacheHit())
	require.Equal(t, "v1", r.Val())
	require.Greater(t, r.CacheTTL(), 59*time.Second)

	require.NoError(t, other.Set(ctx, k, "v2", 0).Err())
	eventually(t, "invalidated", func() bool { return rdb.CacheStats().Invalidated >= 1 })
	r = c.Get(ctx, k)
	require.Equal(t, "v2", r.Val())
	require.False(t, r.IsCacheHit())
	st := rdb.CacheStats()
	require.GreaterOrEqual(t, st.Hits, uint64(2))
	require.GreaterOrEqual(t, st.Invalidations, uint64(1))
}

func TestCacheNilAndTypes(t *testing.T) {
	srv := redistest.SharedNamed(t, "cache")
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	k := t.Name() + ":"
	c := rdb.Cached(time.Minute)
	require.True(t, errors.Is(c.Get(ctx, k+"none").Err(), redis.Nil))
	eventually(t, "nil cached", func() bool { return c.Get(ctx, k+"none").IsCacheHit() })
	require.True(t, errors.Is(c.Get(ctx, k+"none").Err(), redis.Nil))
	// Our own write drops it at once.
	require.NoError(t, rdb.Set(ctx, k+"none", "x", 0).Err())
	r := c.Get(ctx, k+"none")
	require.False(t, r.IsCacheHit())
	require.Equal(t, "x", r.Val())

	require.NoError(t, rdb.HSet(ctx, k+"h", map[string]any{"a": "1", "b": "2"}).Err())
	m := c.HGetAll(ctx, k+"h")
	require.NoError(t, m.Err())
	eventually(t, "hgetall cached", func() bool { return c.HGetAll(ctx, k+"h").IsCacheHit() })
	m = c.HGetAll(ctx, k+"h")
	require.Equal(t, map[string]string{"a": "1", "b": "2"}, m.Val())
	m.Val()["a"] = "changed" // the caller's copy
	require.Equal(t, "1", c.HGetAll(ctx, k+"h").Val()["a"])
	require.Equal(t, "2", c.HGet(ctx, k+"h", "b").Val())

	require.ErrorIs(t, c.Do(ctx, "SET", k+"x", "1").Err(), command.ErrNotCacheable)
	require.ErrorIs(t, c.Incr(ctx, k+"n").Err(), command.ErrNotCacheable)
}
