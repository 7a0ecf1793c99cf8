package pipeline_test

import (
	"strconv"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
)

// pipeBench is the setup of the pipeline benchmarks: a client, 100 keys
// and a 16-byte value.
func pipeBench(b *testing.B) (*client.Client, []string, []byte) {
	srv := redistest.Shared(b)
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rdb.Close() })
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "bench:pipe:" + strconv.Itoa(i)
	}
	return rdb, keys, []byte("0123456789abcdef")
}

// BenchmarkPipeline100 sends 100 SETs then 100 GETs of 16-byte values per
// op, without MULTI/EXEC; compare with
// `redis-benchmark -P 100 -c 1 -t set,get -d 16` in the same run.
func BenchmarkPipeline100(b *testing.B) {
	rdb, keys, val := pipeBench(b)
	p := rdb.PipelineNoTx()
	defer p.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, k := range keys {
			p.Set(ctx, k, val, 0)
		}
		if _, err := p.Exec(ctx); err != nil {
			b.Fatal(err)
		}
		for _, k := range keys {
			p.Get(ctx, k)
		}
		if _, err := p.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*200)/b.Elapsed().Seconds(), "cmds/s")
}

// BenchmarkQueue100 measures the client side of a pipeline alone: queueing
// 100 SETs and 100 GETs of 16-byte values, then discarding them unsent.
func BenchmarkQueue100(b *testing.B) {
	rdb, keys, val := pipeBench(b)
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
