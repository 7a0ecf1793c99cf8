package client_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// cachedClient returns a client with a client-side cache of size bytes on
// addr.
func cachedClient(t testing.TB, addr string, size int64, edit ...func(o *client.Options)) *client.Client {
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

// warm reads key through c until the read is a hit, and returns its value.
func warm(t *testing.T, c command.Cmdable, key string) string {
	t.Helper()
	var v string
	eventually(t, "a hit for "+key, func() bool {
		r := c.Get(ctx, key)
		v = r.Val()
		return r.IsCacheHit()
	})
	return v
}

func TestCacheExpiry(t *testing.T) {
	srv := redistest.SharedNamed(t, "cache")
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	k := t.Name()
	require.NoError(t, rdb.Set(ctx, k, "v", 400*time.Millisecond).Err())
	c := rdb.Cached(time.Hour)
	warm(t, c, k)
	r := c.Get(ctx, k)
	require.True(t, r.IsCacheHit())
	require.LessOrEqual(t, r.CacheTTL(), 400*time.Millisecond, "the lifetime is the key's PTTL")
	time.Sleep(450 * time.Millisecond)
	r = c.Get(ctx, k)
	require.ErrorIs(t, r.Err(), redis.Nil)
	require.False(t, r.IsCacheHit())

	// A client TTL shorter than the key's.
	require.NoError(t, rdb.Set(ctx, k, "w", time.Hour).Err())
	c = rdb.Cached(200 * time.Millisecond)
	warm(t, c, k)
	require.LessOrEqual(t, c.Get(ctx, k).CacheTTL(), 200*time.Millisecond)
	time.Sleep(250 * time.Millisecond)
	require.False(t, c.Get(ctx, k).IsCacheHit())
}

func TestCacheFlushAll(t *testing.T) {
	srv := redistest.Start(t)
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	other, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer other.Close()
	c := rdb.Cached(time.Minute)
	for i := 0; i < 10; i++ {
		k := "k" + string(rune('0'+i))
		require.NoError(t, other.Set(ctx, k, "v", 0).Err())
		warm(t, c, k)
	}
	require.Equal(t, 10, rdb.CacheStats().Entries)
	require.NoError(t, other.FlushAll(ctx, "").Err())
	eventually(t, "flushed", func() bool { return rdb.CacheStats().Entries == 0 })
	require.GreaterOrEqual(t, rdb.CacheStats().Flushed, uint64(10))
	require.ErrorIs(t, c.Get(ctx, "k0").Err(), redis.Nil)
}

// Tracking ignores the database: a write of the same key name in another
// database invalidates the entry (a needless miss, never a stale read).
func TestCacheWriteInOtherDB(t *testing.T) {
	srv := redistest.SharedNamed(t, "cache")
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	db1, err := client.New(client.Options{Addr: srv.Addr(), DB: 1})
	require.NoError(t, err)
	defer db1.Close()
	k := t.Name()
	require.NoError(t, rdb.Set(ctx, k, "db0", 0).Err())
	c := rdb.Cached(time.Minute)
	warm(t, c, k)
	require.NoError(t, db1.Set(ctx, k, "db1", 0).Err())
	eventually(t, "invalidated", func() bool { return rdb.CacheStats().Invalidated >= 1 })
	r := c.Get(ctx, k)
	require.False(t, r.IsCacheHit())
	require.Equal(t, "db0", r.Val())
}

// The server invalidates keys that its tracking table forgets.
func TestCacheTrackingTableTiny(t *testing.T) {
	srv := redistest.Start(t, redistest.Args("--tracking-table-max-keys", "10"))
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	other, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer other.Close()
	c := rdb.Cached(time.Minute)
	const n = 100
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "t" + itoa(i)
		require.NoError(t, other.Set(ctx, keys[i], "old", 0).Err())
		require.Equal(t, "old", c.Get(ctx, keys[i]).Val())
	}
	eventually(t, "the server's evictions", func() bool { return rdb.CacheStats().Entries <= 20 })
	for _, k := range keys {
		require.NoError(t, other.Set(ctx, k, "new", 0).Err())
	}
	eventually(t, "every read new", func() bool {
		for _, k := range keys {
			if c.Get(ctx, k).Val() != "new" {
				return false
			}
		}
		return true
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

// A tracked connection killed on the server: exactly its entries go.
func TestCacheKilledTrackedConn(t *testing.T) {
	srv := redistest.Start(t)
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	c := rdb.Cached(time.Minute)
	const n = 40
	for i := 0; i < n; i++ {
		k := "k" + itoa(i)
		require.NoError(t, rdb.Set(ctx, k, "v"+itoa(i), 0).Err())
		warm(t, c, k)
	}
	require.Equal(t, n, rdb.CacheStats().Entries)
	ids := rdb.Engine().Cache().Tracker().ClientIDs()
	require.Len(t, ids, 2)
	require.NotZero(t, ids[0])
	require.NotZero(t, ids[1])
	srv.Exec(t, "CLIENT", "KILL", "ID", strconv.FormatInt(ids[0], 10))
	eventually(t, "the killed connection's entries dropped", func() bool { return rdb.CacheStats().ConnLost > 0 })
	st := rdb.CacheStats()
	require.Less(t, st.ConnLost, uint64(n), "the other connection's entries stay")
	require.Equal(t, n-int(st.ConnLost), st.Entries)
	hits := 0
	for i := 0; i < n; i++ {
		r := c.Get(ctx, "k"+itoa(i))
		require.Equal(t, "v"+itoa(i), r.Val())
		if r.IsCacheHit() {
			hits++
		}
	}
	require.Equal(t, st.Entries, hits)
}

// The fault proxy cuts the tracked connections: their entries go, and a
// write made meanwhile is seen.
func TestCacheCutTrackedConn(t *testing.T) {
	srv := redistest.Start(t)
	px, _ := srv.FaultProxy(t, faultproxy.Faults{})
	rdb := cachedClient(t, px.Addr(), 1<<20)
	other, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer other.Close()
	c := rdb.Cached(time.Minute)
	require.NoError(t, other.Set(ctx, "k", "old", 0).Err())
	warm(t, c, "k")
	px.Cut()
	eventually(t, "entries dropped", func() bool { return rdb.CacheStats().Entries == 0 })
	require.NoError(t, other.Set(ctx, "k", "new", 0).Err())
	require.Equal(t, "new", c.Get(ctx, "k").Val())
}

// A half-open tracked connection (the proxy forgets the flow silently:
// invalidations are lost) is found by the heartbeat within Heartbeat plus
// ReadTimeout, and its entries dropped.
func TestCacheHalfOpenTrackedConn(t *testing.T) {
	srv := redistest.Start(t)
	px, _ := srv.FaultProxy(t, faultproxy.Faults{})
	rdb := cachedClient(t, px.Addr(), 1<<20, func(o *client.Options) {
		o.CacheHeartbeat = 300 * time.Millisecond
		o.ReadTimeout = 300 * time.Millisecond
	})
	other, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer other.Close()
	c := rdb.Cached(time.Minute)
	require.NoError(t, other.Set(ctx, "k", "old", 0).Err())
	warm(t, c, "k")
	px.SetFaults(faultproxy.Faults{IdleDrop: time.Millisecond})
	time.Sleep(5 * time.Millisecond)
	require.NoError(t, other.Set(ctx, "k", "new", 0).Err()) // its invalidation is lost
	written := time.Now()
	require.True(t, redistest.WaitFor(3*time.Second, func() bool { return rdb.CacheStats().ConnLost > 0 }))
	lag := time.Since(written)
	t.Logf("half-open tracked connection found after %v", lag)
	require.Less(t, lag, 300*time.Millisecond+300*time.Millisecond+500*time.Millisecond)
	px.SetFaults(faultproxy.Faults{})
	require.Equal(t, "new", c.Get(ctx, "k").Val())
}

// A reply held by the proxy while another client writes the key and hears
// back: reads that begin after that write's reply never see the old
// value, and the old value is not cached.
func TestCacheDelayedReplyAndWrite(t *testing.T) {
	srv := redistest.Start(t)
	px, _ := srv.FaultProxy(t, faultproxy.Faults{})
	rdb := cachedClient(t, px.Addr(), 1<<20, func(o *client.Options) { o.CacheConns = 1 })
	other, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer other.Close()
	c := rdb.Cached(time.Minute)
	require.NoError(t, other.Set(ctx, "k", "old", 0).Err())
	warm(t, c, "warm") // the tracked connection is open

	px.DelayNext(300 * time.Millisecond)
	leader := make(chan string, 1)
	go func() { leader <- c.Get(ctx, "k").Val() }()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, other.Set(ctx, "k", "new", 0).Err())
	// From here on, no read may return "old".
	deadline := time.Now().Add(600 * time.Millisecond)
	reads := 0
	for time.Now().Before(deadline) {
		v := c.Get(ctx, "k").Val()
		require.Equal(t, "new", v, "a read that began after the write's reply")
		reads++
	}
	t.Logf("leader got %q; %d later reads", <-leader, reads)
	require.GreaterOrEqual(t, rdb.CacheStats().Discarded, uint64(1))
}

func TestCacheMGet(t *testing.T) {
	srv := redistest.SharedNamed(t, "cache")
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	k := t.Name() + ":"
	require.NoError(t, rdb.MSet(ctx, map[string]any{k + "a": "1", k + "b": "2"}).Err())
	c := rdb.Cached(time.Minute)
	want := []any{"1", "2", nil}
	r := c.MGet(ctx, k+"a", k+"b", k+"c")
	require.NoError(t, r.Err())
	require.Equal(t, want, r.Val())
	eventually(t, "all hits", func() bool { return c.MGet(ctx, k+"a", k+"b", k+"c").IsCacheHit() })
	require.Equal(t, want, c.MGet(ctx, k+"a", k+"b", k+"c").Val())
	// MGET's entries are GET's.
	require.True(t, c.Get(ctx, k+"b").IsCacheHit())
	require.NoError(t, rdb.Set(ctx, k+"c", "3", 0).Err())
	r = c.MGet(ctx, k+"a", k+"b", k+"c")
	require.False(t, r.IsCacheHit())
	require.Equal(t, []any{"1", "2", "3"}, r.Val())
}

// hookCounter counts the commands the process hook sees.
type hookCounter struct{ n atomic.Int64 }

func (h *hookCounter) DialHook(next command.DialFunc) command.DialFunc { return next }
func (h *hookCounter) ProcessHook(next command.ProcessFunc) command.ProcessFunc {
	return func(ctx context.Context, cmd command.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *hookCounter) ProcessPipelineHook(next command.ProcessPipelineFunc) command.ProcessPipelineFunc {
	return next
}

func TestCacheThroughHooksAndConn(t *testing.T) {
	srv := redistest.SharedNamed(t, "cache")
	rdb := cachedClient(t, srv.Addr(), 1<<20)
	h := &hookCounter{}
	rdb.AddHook(h)
	k := t.Name()
	require.NoError(t, rdb.Set(ctx, k, "v", 0).Err())
	c := rdb.Cached(time.Minute)
	warm(t, c, k)
	before := h.n.Load()
	r := c.Get(ctx, k)
	require.True(t, r.IsCacheHit())
	require.Equal(t, "v", r.Val())
	require.Equal(t, before+1, h.n.Load(), "a hit passes through the process hook")

	cn, err := rdb.Conn(ctx)
	require.NoError(t, err)
	defer cn.Close()
	require.True(t, cn.Cached(time.Minute).Get(ctx, k).IsCacheHit())
	require.NoError(t, cn.Set(ctx, k, "w", 0).Err()) // the Conn's write drops the entry
	r = cn.Cached(time.Minute).Get(ctx, k)
	require.False(t, r.IsCacheHit())
	require.Equal(t, "w", r.Val())
	require.NoError(t, cn.Select(ctx, 1))
	r = cn.Cached(time.Minute).Get(ctx, k)
	require.False(t, r.IsCacheHit(), "a Conn on another database reads uncached")
}

func TestCacheBroadcast(t *testing.T) {
	srv := redistest.Start(t)
	rdb := cachedClient(t, srv.Addr(), 1<<20, func(o *client.Options) {
		o.CacheMode = command.CacheBroadcast
		o.CachePrefixes = []string{"user:"}
	})
	other, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer other.Close()
	c := rdb.Cached(time.Minute)
	require.NoError(t, other.Set(ctx, "user:1", "a", 0).Err())
	require.NoError(t, other.Set(ctx, "other", "x", 0).Err())
	warm(t, c, "user:1")
	require.Equal(t, "x", c.Get(ctx, "other").Val())
	require.False(t, c.Get(ctx, "other").IsCacheHit(), "outside the prefixes: not cached")
	require.NoError(t, other.Set(ctx, "user:1", "b", 0).Err())
	eventually(t, "invalidated", func() bool { return c.Get(ctx, "user:1").Val() == "b" })
}
