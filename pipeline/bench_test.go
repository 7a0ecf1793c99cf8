package pipeline_test

import (
	"strconv"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pipeline"
)

// pipeBench is the setup of the pipeline benchmarks: a client, 100 keys
// and a 16-byte value. It reports allocations and resets the timer.
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
	b.ReportAllocs()
	b.ResetTimer()
	return rdb, keys, []byte("0123456789abcdef")
}

// BenchmarkPipeline100 sends 100 SETs then 100 GETs of 16-byte values per
// op, without MULTI/EXEC, on one pipeline reused for every batch; compare
// with `redis-benchmark -P 100 -c 1 -t set,get -d 16` in the same run.
func BenchmarkPipeline100(b *testing.B) {
	rdb, keys, val := pipeBench(b)
	p := rdb.PipelineNoTx()
	defer p.Close()
	for i := 0; i < b.N; i++ {
		batch100(b, p, keys, val)
	}
	b.ReportMetric(float64(b.N*200)/b.Elapsed().Seconds(), "cmds/s")
}

// BenchmarkPipeline100PerBatch is BenchmarkPipeline100 the way most code
// writes it: a new pipeline per batch, never closed. Its buffers must not
// be grown anew for every batch.
func BenchmarkPipeline100PerBatch(b *testing.B) {
	rdb, keys, val := pipeBench(b)
	for i := 0; i < b.N; i++ {
		batch100(b, rdb.PipelineNoTx(), keys, val)
	}
	b.ReportMetric(float64(b.N*200)/b.Elapsed().Seconds(), "cmds/s")
}

// batch100 runs 100 SETs, then 100 GETs, on p.
func batch100(b *testing.B, p *pipeline.Pipeline, keys []string, val []byte) {
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

// BenchmarkQueue100 measures the client side of a pipeline alone: queueing
// 100 SETs and 100 GETs of 16-byte values, then discarding them unsent.
func BenchmarkQueue100(b *testing.B) {
	rdb, keys, val := pipeBench(b)
	p := rdb.PipelineNoTx()
	defer p.Close()
	for i := 0; i < b.N; i++ {
		for _, k := range keys {
			p.Set(ctx, k, val, 0)
			p.Get(ctx, k)
		}
		p.Discard()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*200), "ns/cmd")
}
