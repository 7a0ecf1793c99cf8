// Command cachemem measures the memory a client-side cache entry costs:
// duoredis (Options.CacheSize, Cached GET) against rueidis (DoCache GET),
// each filling its cache with -n distinct keys of 16-byte values and
// reporting the live heap's growth per entry (after a GC), and for
// duoredis also what its byte budget counts per entry.
//
//	redis-server --port 6390 --save '' --appendonly no &
//	go run ./cmd/cachemem -addr 127.0.0.1:6390 -n 100000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/workload"
	"github.com/duoredis/redis/client"
	"github.com/redis/rueidis"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "Redis server address")
	n := flag.Int("n", 100000, "distinct keys (entries)")
	flag.Parse()
	ctx := context.Background()
	if err := run(ctx, *addr, *n); err != nil {
		fmt.Fprintln(os.Stderr, "cachemem:", err)
		os.Exit(1)
	}
}

func key(i int) string { return fmt.Sprintf("bench:cm:%07d", i) }

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func run(ctx context.Context, addr string, n int) error {
	loader, err := client.New(client.Options{Addr: addr})
	if err != nil {
		return err
	}
	defer loader.Close()
	p := loader.PipelineNoTx()
	for i := 0; i < n; i++ {
		p.Set(ctx, key(i), workload.Value, 0)
		if i%1000 == 999 || i == n-1 {
			if _, err := p.Exec(ctx); err != nil {
				return err
			}
			p = loader.PipelineNoTx()
		}
	}
	keys := make([]string, n) // the keys live in both measures: not counted
	for i := range keys {
		keys[i] = key(i)
	}

	// duoredis
	rdb, err := client.New(client.Options{Addr: addr, CacheSize: 1 << 30})
	if err != nil {
		return err
	}
	c := rdb.Cached(time.Hour)
	if err := c.Get(ctx, keys[0]).Err(); err != nil { // connections, buffers
		return err
	}
	before := heap()
	for _, k := range keys {
		if err := c.Get(ctx, k).Err(); err != nil {
			return err
		}
	}
	for deadline := time.Now().Add(10 * time.Second); rdb.CacheStats().Entries < n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	after := heap()
	st := rdb.CacheStats()
	// The budget also counts the ghost list, reserved up front: Size/512
	// slots of 32 bytes.
	ghost := st.Budget / 512 * 32
	fmt.Printf("duoredis: %d entries, %.0f B/entry live heap, %.0f B/entry counted by the budget besides the ghost list's %d MiB (key %d B, value %d B)\n",
		st.Entries, float64(after-before)/float64(st.Entries), float64(st.Bytes-ghost)/float64(st.Entries), ghost>>20, len(keys[0]), workload.ValueLen)
	rdb.Close()
	runtime.KeepAlive(c)

	// rueidis
	rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	if err != nil {
		return err
	}
	if err := rc.DoCache(ctx, rc.B().Get().Key(keys[0]).Cache(), time.Hour).Error(); err != nil {
		return err
	}
	before = heap()
	for _, k := range keys {
		if err := rc.DoCache(ctx, rc.B().Get().Key(k).Cache(), time.Hour).Error(); err != nil {
			return err
		}
	}
	hits := 0
	for _, k := range keys {
		if rc.DoCache(ctx, rc.B().Get().Key(k).Cache(), time.Hour).IsCacheHit() {
			hits++
		}
	}
	after = heap()
	fmt.Printf("rueidis:  %d entries (hits on a second pass), %.0f B/entry live heap\n", hits, float64(after-before)/float64(n))
	runtime.KeepAlive(rc)
	rc.Close()
	return nil
}
