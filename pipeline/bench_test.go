package pipeline_test

import (
	"strconv"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
)

// BenchmarkPipeline100 sends 100 SETs then 100 GETs of 16-byte values per
// op, without MULTI/EXEC; compare with
// `redis-benchmark -P 100 -c 1 -t set,get -d 16` in the same run.
func BenchmarkPipeline100(b *testing.B) {
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
