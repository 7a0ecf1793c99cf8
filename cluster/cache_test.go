package cluster_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func withCache(o *cluster.Options) { o.CacheSize = 1 << 20 }

// keysOverMasters returns n keys of the given prefix, spread over slots
// (and so over every master).
func keysOverMasters(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + ":" + strconv.Itoa(i)
	}
	return keys
}

// Cached reads on a cluster client: a miss, then hits from the node's
// cache; another client's write is seen once its invalidation has come,
// this client's own write at once; nils are cached; commands outside the
// allow-list fail before anything is sent.
func TestCacheCluster(t *testing.T) {
	c := redistest.SharedCluster(t)
	writer, err := cluster.New(cluster.Options{Addrs: c.Addrs()})
	require.NoError(t, err)
	defer writer.Close()
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		keys := keysOverMasters(fmt.Sprintf("cc:%s", t.Name()), 30)
		for _, k := range keys {
			require.NoError(t, writer.Set(ctx, k, k+":1", 0).Err())
		}
		cc := rdb.Cached(time.Minute)
		for _, k := range keys {
			r := cc.Get(ctx, k)
			require.NoError(t, r.Err())
			assert.Equal(t, k+":1", r.Val())
			assert.False(t, r.IsCacheHit())
		}
		for _, k := range keys {
			// A value is cached when its confirmation PING comes back.
			require.Eventually(t, func() bool { return cc.Get(ctx, k).IsCacheHit() }, 2*time.Second, time.Millisecond, k)
			r := cc.Get(ctx, k)
			require.NoError(t, r.Err())
			assert.Equal(t, k+":1", r.Val())
			assert.True(t, r.IsCacheHit(), k)
			assert.Greater(t, r.CacheTTL(), 50*time.Second)
		}
		st := rdb.CacheStats()
		assert.GreaterOrEqual(t, st.Hits, uint64(len(keys)))
		assert.Equal(t, len(keys), st.Entries)
		assert.Equal(t, int64(3<<20), st.Budget, "a budget per master")

		// Another client's write: seen once its invalidation has come.
		for _, k := range keys {
			require.NoError(t, writer.Set(ctx, k, k+":2", 0).Err())
		}
		for _, k := range keys {
			require.Eventually(t, func() bool { return cc.Get(ctx, k).Val() == k+":2" }, 2*time.Second, time.Millisecond, k)
		}
		// This client's own write: at once.
		for _, k := range keys {
			require.NoError(t, rdb.Set(ctx, k, k+":3", 0).Err())
			assert.Equal(t, k+":3", cc.Get(ctx, k).Val(), k)
		}
		// A pipeline's writes, at once after Exec.
		p := rdb.PipelineNoTx()
		for _, k := range keys {
			require.Eventually(t, func() bool { return cc.Get(ctx, k).IsCacheHit() }, 2*time.Second, time.Millisecond, k)
			p.Set(ctx, k, k+":4", 0)
		}
		_, err := p.Exec(ctx)
		p.Close()
		require.NoError(t, err)
		for _, k := range keys {
			assert.Equal(t, k+":4", cc.Get(ctx, k).Val(), k)
		}
		// A key that does not exist: redis.Nil, cached.
		missing := keys[0] + ":none"
		r := cc.Get(ctx, missing)
		assert.ErrorIs(t, r.Err(), redis.Nil)
		assert.False(t, r.IsCacheHit())
		require.Eventually(t, func() bool { return cc.Get(ctx, missing).IsCacheHit() }, 2*time.Second, time.Millisecond)
		assert.ErrorIs(t, cc.Get(ctx, missing).Err(), redis.Nil)
		// Not cacheable: refused before sending.
		assert.ErrorIs(t, cc.Set(ctx, keys[0], "x", 0).Err(), command.ErrNotCacheable)
		assert.ErrorIs(t, cc.Exists(ctx, keys[0], keys[1]).Err(), command.ErrNotCacheable)
		assert.Equal(t, keys[0]+":4", cc.Get(ctx, keys[0]).Val())
		// Other cacheable reads, on any node.
		h := keys[1] + ":h"
		require.NoError(t, writer.HSet(ctx, h, map[string]any{"f": "v"}).Err())
		r = cc.HGet(ctx, h, "f")
		require.NoError(t, r.Err())
		assert.Equal(t, "v", r.Val())
		require.Eventually(t, func() bool { return cc.HGet(ctx, h, "f").IsCacheHit() }, 2*time.Second, time.Millisecond)
		assert.Equal(t, "v", cc.HGet(ctx, h, "f").Val())
	}, withCache)
}

// A Cached MGET across slots: split by slot over the masters' caches,
// joined in the caller's order; all hits is one hit; only the misses are
// fetched; a write elsewhere is seen.
func TestCacheClusterMGet(t *testing.T) {
	c := redistest.SharedCluster(t)
	writer, err := cluster.New(cluster.Options{Addrs: c.Addrs()})
	require.NoError(t, err)
	defer writer.Close()
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		keys := keysOverMasters(fmt.Sprintf("cm:%s", t.Name()), 100)
		want := make([]any, len(keys))
		for i, k := range keys {
			if i%10 == 3 {
				continue // nil
			}
			require.NoError(t, writer.Set(ctx, k, k, 0).Err())
			want[i] = k
		}
		cc := rdb.Cached(time.Minute)
		r := cc.MGet(ctx, keys...)
		require.NoError(t, r.Err())
		assert.Equal(t, want, r.Val())
		assert.False(t, r.IsCacheHit())
		require.Eventually(t, func() bool { return cc.MGet(ctx, keys...).IsCacheHit() }, 2*time.Second, time.Millisecond)
		before := rdb.CacheStats()
		r = cc.MGet(ctx, keys...)
		require.NoError(t, r.Err())
		assert.Equal(t, want, r.Val())
		assert.True(t, r.IsCacheHit())
		assert.Equal(t, before.Hits+uint64(len(keys)), rdb.CacheStats().Hits)
		assert.Equal(t, before.Misses, rdb.CacheStats().Misses)

		// One key changes elsewhere: one miss, the others hits.
		require.NoError(t, writer.Set(ctx, keys[42], "new", 0).Err())
		want[42] = "new"
		require.Eventually(t, func() bool {
			r := cc.MGet(ctx, keys...)
			return r.Err() == nil && assert.ObjectsAreEqual(want, r.Val())
		}, 2*time.Second, time.Millisecond)
		require.Eventually(t, func() bool { return cc.MGet(ctx, keys...).IsCacheHit() }, 2*time.Second, time.Millisecond)
		assert.Equal(t, want, cc.MGet(ctx, keys...).Val())

		// The same slots through single-slot MGETs and GETs share entries.
		assert.True(t, cc.Get(ctx, keys[0]).IsCacheHit())
	}, withCache)
}
