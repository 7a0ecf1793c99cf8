package cluster_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
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

// cacheStaleBound is how long after a write's reply a cached read may still
// return the value it replaced: the server's invalidation has to reach the
// tracked connection and be read (tens of microseconds on loopback; the
// bound leaves room for an overloaded 2-core machine and -race).
const cacheStaleBound = 250 * time.Millisecond

// Cached reads under load while slots move away and back and a master fails
// over (graceful, then back): values encode their version; no read returns
// a value that was replaced longer than cacheStaleBound before the read
// began, and no read returns a value of another key. (The demoted master
// keeps sending invalidations as a replica; the entries of the slots a
// node loses are dropped when the client learns of it: see
// TestCacheDropSlots.)
func TestCacheClusterReshardAndFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	c := redistest.StartCluster(t)
	ms := c.Masters()
	o := cluster.Options{Addrs: c.Addrs()[:1]}
	o.CacheSize = 1 << 20
	rdb, err := cluster.New(o)
	require.NoError(t, err)
	defer rdb.Close()
	writer, err := cluster.New(cluster.Options{Addrs: c.Addrs()})
	require.NoError(t, err)
	defer writer.Close()

	const nkeys, nwriters, nreaders = 24, 6, 24
	type history struct {
		mu   sync.Mutex
		acks []time.Time // acks[v]: when the write of version v was acknowledged
	}
	keys := make([]string, nkeys)
	hist := make([]*history, nkeys)
	var moved []int // the slots of the keys on ms[0]
	for i := range keys {
		keys[i] = "ccf:" + strconv.Itoa(i)
		hist[i] = &history{acks: []time.Time{time.Now()}}
		require.NoError(t, writer.Set(ctx, keys[i], keys[i]+"=0", 0).Err())
		if s := redistest.Slot(keys[i]); c.MasterOf(s) == ms[0] {
			moved = append(moved, s)
		}
	}
	require.NotEmpty(t, moved)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes, reads, hits, readErrs, stale, violations atomic.Int64
	var worst atomic.Int64
	for w := range nwriters {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := rng.IntN(nkeys)
				h := hist[i]
				h.mu.Lock() // the writes of one key in order
				v := len(h.acks)
				// A write that failed may or may not have run: the same
				// version is written again until it is acknowledged.
				for writer.Set(ctx, keys[i], keys[i]+"="+strconv.Itoa(v), 0).Err() != nil {
					time.Sleep(10 * time.Millisecond)
				}
				h.acks = append(h.acks, time.Now())
				h.mu.Unlock()
				writes.Add(1)
				time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond)
			}
		}(uint64(w))
	}
	cc := rdb.Cached(time.Minute)
	for r := range nreaders {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 2))
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := rng.IntN(nkeys)
				begin := time.Now()
				res := cc.Get(ctx, keys[i])
				if res.Err() != nil {
					readErrs.Add(1) // a failover: the read may fail, not lie
					time.Sleep(time.Millisecond)
					continue
				}
				var v int
				if _, err := fmt.Sscanf(res.Val(), keys[i]+"=%d", &v); err != nil {
					t.Errorf("%s: read %q", keys[i], res.Val())
					return
				}
				reads.Add(1)
				if res.IsCacheHit() {
					hits.Add(1)
				}
				h := hist[i]
				h.mu.Lock()
				var next time.Time // when v was overwritten
				if v+1 < len(h.acks) {
					next = h.acks[v+1]
				}
				h.mu.Unlock()
				if !next.IsZero() && next.Before(begin) {
					stale.Add(1)
					d := int64(begin.Sub(next))
					for {
						old := worst.Load()
						if d <= old || worst.CompareAndSwap(old, d) {
							break
						}
					}
					if time.Duration(d) > cacheStaleBound {
						violations.Add(1)
					}
				}
			}
		}(uint64(r))
	}
	time.Sleep(time.Second)
	t.Logf("moving %d slots from %s to %s and back", len(moved), ms[0].Addr(), ms[1].Addr())
	c.MigrateSlots(t, ms[0], ms[1], moved)
	time.Sleep(time.Second)
	c.MigrateSlots(t, ms[1], ms[0], moved)
	time.Sleep(time.Second)
	replica := c.ReplicasOf(ms[0])[0]
	t.Logf("failover of %s to %s and back", ms[0].Addr(), replica.Addr())
	c.Failover(t, replica)
	time.Sleep(2 * time.Second)
	c.WaitStable(t, 15*time.Second)
	if ms[0].IsMaster() {
		// The new master was thought down for a node timeout (1.5 s) on a
		// loaded machine and its replica took over again by itself.
		t.Logf("%s is a master again already", ms[0].Addr())
	} else {
		c.Failover(t, ms[0])
	}
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	st := rdb.CacheStats()
	t.Logf("%d writes, %d reads (%.1f%% hits, %d errors), %d stale within %v (worst %v), %d beyond; cache stats %+v",
		writes.Load(), reads.Load(), 100*float64(hits.Load())/float64(max(reads.Load(), 1)), readErrs.Load(),
		stale.Load(), cacheStaleBound, time.Duration(worst.Load()), violations.Load(), st)
	assert.Zero(t, violations.Load(), "reads staler than the bound")
	assert.Greater(t, hits.Load(), int64(0))
	// After everything, every key reads its last acknowledged version.
	for i, k := range keys {
		want := k + "=" + strconv.Itoa(len(hist[i].acks)-1)
		require.Eventually(t, func() bool { return cc.Get(ctx, k).Val() == want }, 2*time.Second, time.Millisecond, k)
	}
}
