package client_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/duoredis/redis/internal/redistest"
)

// BenchmarkCacheHit measures reads served from the client-side cache:
// GET of a 16-byte value and MGET of 100 keys, one goroutine and many.
func BenchmarkCacheHit(b *testing.B) {
	srv := redistest.Shared(b)
	rdb := cachedClient(b, srv.Addr(), 64<<20)
	c := rdb.Cached(time.Hour)
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "bench:cache:" + strconv.Itoa(i)
		if err := rdb.Set(ctx, keys[i], "0123456789abcdef", 0).Err(); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for !c.MGet(ctx, keys...).IsCacheHit() {
		if time.Now().After(deadline) {
			b.Fatal("no hit")
		}
		time.Sleep(time.Millisecond)
	}
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if r := c.Get(ctx, keys[0]); !r.IsCacheHit() {
				b.Fatal("miss", r.Err())
			}
		}
	})
	b.Run("GET-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if r := c.Get(ctx, keys[i%100]); !r.IsCacheHit() {
					b.Error("miss")
					return
				}
				i++
			}
		})
	})
	b.Run("MGET100", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if r := c.MGet(ctx, keys...); !r.IsCacheHit() {
				b.Fatal("miss", r.Err())
			}
		}
	})
}
