package client_test

import (
	"fmt"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
)

// BenchmarkSerial measures one goroutine's round trips against a local
// server: compare with `redis-benchmark -c 1 -n 100000 -t get,set -d 16`
// on the same machine, in the same run.
func BenchmarkSerial(b *testing.B) {
	srv := redistest.Shared(b)
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	val := []byte("0123456789abcdef")
	key := "bench:serial"
	if err := rdb.Set(ctx, key, val, 0).Err(); err != nil {
		b.Fatal(err)
	}
	b.Run("SET", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := rdb.Set(ctx, key, val, 0).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := rdb.Get(ctx, key).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkParallel64 runs 64 goroutines doing GET and SET 50/50 on one
// client, with the pool alone and with auto-pipelining.
func BenchmarkParallel64(b *testing.B) {
	srv := redistest.Shared(b)
	for _, auto := range []bool{false, true} {
		name := "pool"
		if auto {
			name = "autopipeline"
		}
		b.Run(name, func(b *testing.B) {
			rdb, err := client.New(client.Options{Addr: srv.Addr(), DisableAutoPipeline: !auto})
			if err != nil {
				b.Fatal(err)
			}
			defer rdb.Close()
			val := []byte("0123456789abcdef")
			b.ReportAllocs()
			b.SetParallelism(32) // 32 x GOMAXPROCS(2) = 64 goroutines
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					var err error
					if i%2 == 0 {
						err = rdb.Set(ctx, "bench:par", val, 0).Err()
					} else {
						err = rdb.Get(ctx, "bench:par").Err()
					}
					if err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// BenchmarkMGet100 reads 100 keys of 16-byte values with one MGET: compare
// with redis-benchmark -c 1 running the same MGET on the same server (make
// bench does).
func BenchmarkMGet100(b *testing.B) {
	srv := redistest.Shared(b)
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = fmt.Sprintf("bench:mget:%02d", i)
		if err := rdb.Set(ctx, keys[i], "0123456789abcdef", 0).Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		v, err := rdb.MGet(ctx, keys...).Result()
		if err != nil || len(v) != len(keys) {
			b.Fatal(len(v), err)
		}
	}
}

// BenchmarkLRange1000 reads a list of 1000 16-byte items with LRANGE 0 -1.
func BenchmarkLRange1000(b *testing.B) {
	srv := redistest.Shared(b)
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	const key = "bench:lrange"
	items := make([]any, 1000)
	for i := range items {
		items[i] = fmt.Sprintf("item-%011d", i)
	}
	if err := rdb.Del(ctx, key).Err(); err != nil {
		b.Fatal(err)
	}
	if err := rdb.RPush(ctx, key, items...).Err(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v, err := rdb.LRange(ctx, key, 0, -1).Result()
		if err != nil || len(v) != len(items) {
			b.Fatal(len(v), err)
		}
	}
}
