package client_test

import (
	"io"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
)

// BenchmarkLarge1MiB measures one goroutine's GET and SET of a 1 MiB value
// on a pooled connection: plain Get (a fresh allocation per value) and
// GetBytes; GetInto into a reused buffer (0 allocs, the value read from the
// socket straight into it); GetTo(io.Discard) (streamed through the
// parser's buffer); SET (written by writev from the caller's memory).
func BenchmarkLarge1MiB(b *testing.B) {
	srv := redistest.Shared(b)
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	const key = "bench:large"
	val := make([]byte, 1<<20)
	for i := range val {
		val[i] = byte('a' + i%26)
	}
	if err := rdb.Set(ctx, key, val, 0).Err(); err != nil {
		b.Fatal(err)
	}
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(val)))
		for b.Loop() {
			if err := rdb.Get(ctx, key).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetBytes", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(val)))
		for b.Loop() {
			if err := rdb.GetBytes(ctx, key).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	benchLargeNew(b, rdb, key, len(val))
	b.Run("Set", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(val)))
		for b.Loop() {
			if err := rdb.Set(ctx, key, val, 0).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchLargeNew is BenchmarkLarge1MiB's part for GetInto and GetTo.
func benchLargeNew(b *testing.B, rdb *client.Client, key string, n int) {
	b.Run("GetInto", func(b *testing.B) {
		buf := make([]byte, 0, n)
		b.ReportAllocs()
		b.SetBytes(int64(n))
		for b.Loop() {
			v, err := rdb.GetInto(ctx, key, buf).Result()
			if err != nil || len(v) != n {
				b.Fatal(len(v), err)
			}
		}
	})
	b.Run("GetTo", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(n))
		for b.Loop() {
			if err := rdb.GetTo(ctx, key, io.Discard).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
