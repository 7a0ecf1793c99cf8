package client_test

import (
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// stressBound is the staleness this test allows: how long after a write's
// reply reached its writer a cached read may still return the value the
// write replaced. It is the time the server's invalidation takes to reach
// the tracked connection and be read (tens of microseconds on loopback;
// the bound leaves room for an overloaded 2-core machine and -race).
const stressBound = 250 * time.Millisecond

// TestCacheStress: 10 writers and 50 cached readers on 20 keys; per key,
// no read returns a value older than the last write acknowledged before
// the read began, beyond stressBound. 12 s by default;
// DUOREDIS_CACHE_STRESS=60s runs it for a minute.
func TestCacheStress(t *testing.T) { cacheStress(t) }

// TestCacheStressRedirect is TestCacheStress in REDIRECT mode, the tracked
// connections in RESP2.
func TestCacheStressRedirect(t *testing.T) {
	cacheStress(t, func(o *client.Options) {
		o.Protocol = 2
		o.CacheMode = command.CacheRedirect
	})
}

func cacheStress(t *testing.T, edit ...func(o *client.Options)) {
	if testing.Short() {
		t.Skip("short")
	}
	dur := 12 * time.Second
	if s := os.Getenv("DUOREDIS_CACHE_STRESS"); s != "" {
		d, err := time.ParseDuration(s)
		require.NoError(t, err)
		dur = d
	}
	srv := redistest.Start(t)
	rdb := cachedClient(t, srv.Addr(), 1<<20, edit...)
	writer, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer writer.Close()

	const nkeys, nwriters, nreaders = 20, 10, 50
	type history struct {
		mu   sync.Mutex
		acks []time.Time // acks[v]: when the write of version v was acknowledged
	}
	hist := make([]*history, nkeys)
	for i := range hist {
		hist[i] = &history{acks: []time.Time{time.Now()}}
		require.NoError(t, writer.Set(ctx, "s"+strconv.Itoa(i), "0", 0).Err())
	}
	stop := time.Now().Add(dur)
	var wg sync.WaitGroup
	var writes, reads, hits, stale, violations atomic.Int64
	var worst atomic.Int64
	for w := 0; w < nwriters; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for time.Now().Before(stop) {
				i := rng.IntN(nkeys)
				h := hist[i]
				h.mu.Lock() // writes of one key in order
				v := len(h.acks)
				if err := writer.Set(ctx, "s"+strconv.Itoa(i), strconv.Itoa(v), 0).Err(); err != nil {
					h.mu.Unlock()
					t.Error(err)
					return
				}
				h.acks = append(h.acks, time.Now())
				h.mu.Unlock()
				writes.Add(1)
				time.Sleep(time.Duration(rng.IntN(4)) * time.Millisecond)
			}
		}(uint64(w))
	}
	c := rdb.Cached(time.Minute)
	for r := 0; r < nreaders; r++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 2))
			for time.Now().Before(stop) {
				i := rng.IntN(nkeys)
				begin := time.Now()
				res := c.Get(ctx, "s"+strconv.Itoa(i))
				if res.Err() != nil {
					t.Error(res.Err())
					return
				}
				v, err := strconv.Atoi(res.Val())
				if err != nil {
					t.Error(err)
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
					if time.Duration(d) > stressBound {
						violations.Add(1)
					}
				}
				if rng.IntN(64) == 0 {
					runtime.Gosched()
				}
			}
		}(uint64(r))
	}
	wg.Wait()
	st := rdb.CacheStats()
	t.Logf("%v: %d writes, %d reads (%.1f%% hits), %d stale within the bound (worst %v), %d beyond %v; stats %+v",
		dur, writes.Load(), reads.Load(), 100*float64(hits.Load())/float64(max(reads.Load(), 1)),
		stale.Load(), time.Duration(worst.Load()), violations.Load(), stressBound, st)
	require.Zero(t, violations.Load())
	require.Greater(t, hits.Load(), int64(0))
}

// TestCacheMillionKeys reads 1 M distinct keys through a 1 MiB cache: the
// cache's bytes never pass its budget, and the heap stays near it.
func TestCacheMillionKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	srv := redistest.Start(t, redistest.Args("--tracking-table-max-keys", "100000"))
	const budget = 1 << 20
	rdb := cachedClient(t, srv.Addr(), budget)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	c := rdb.Cached(time.Hour)
	const n, batch = 1_000_000, 1000
	keys := make([]string, batch)
	maxBytes := int64(0)
	for i := 0; i < n; i += batch {
		for j := range keys {
			keys[j] = "m" + strconv.Itoa(i+j)
		}
		require.NoError(t, c.MGet(ctx, keys...).Err())
		if b := rdb.CacheStats().Bytes; b > maxBytes {
			maxBytes = b
		}
	}
	st := rdb.CacheStats()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap := int64(ms.HeapAlloc) - int64(base)
	t.Logf("after 1M keys: %d entries, %d bytes counted (max %d, budget %d), heap +%d bytes; evicted %d (size), %d by the server",
		st.Entries, st.Bytes, maxBytes, budget, heap, st.EvictedSize, st.Invalidated)
	require.LessOrEqual(t, maxBytes, int64(budget))
	require.Less(t, heap, int64(4*budget), "the heap stays near the budget")
}
