package client_test

import (
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
