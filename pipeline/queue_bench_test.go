package pipeline_test

import (
	"strconv"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
)

// BenchmarkQueue100 measures the client side of a pipeline: queueing 100
// SETs and 100 GETs of 16-byte values, then discarding them unsent.
func BenchmarkQueue100(b *testing.B) {
	srv := redistest.Shared(b)
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "bench:pipe:" + strconv.Itoa(i)
	}
	val := []byte("0123456789abcdef")
	p := rdb.PipelineNoTx()
	defer p.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, k := range keys {
			p.Set(ctx, k, val, 0)
			p.Get(ctx, k)
		}
		p.Discard()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*200), "ns/cmd")
}
