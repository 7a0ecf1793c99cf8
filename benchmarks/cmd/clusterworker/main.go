// Command clusterworker runs one cluster client on one cluster workload
// against a Redis Cluster that is already loaded (cmd/bench does that with
// BENCH_CLUSTER=1) and prints a workload.Result as JSON, measured as
// cmd/worker measures: warm-up, then a fixed time, counting commands,
// allocations (runtime.MemStats) and CPU time (getrusage).
//
// Clients: duoredis (cluster.Client, default options: auto-pipelining),
// goredis (go-redis v9 ClusterClient, default options plus its dynamic
// command-info resolver, which MGET across slots needs) and rueidis (its
// client given every seed: it detects the cluster). Workloads: get (one
// goroutine), par64 (64 goroutines, GET/SET 50/50, each goroutine's SET key
// its own), pipe100 (50 SET + 50 GET on keys spread over every node) and
// mget100 (MGET of 100 keys in as many slots). By hand:
//
//	go build -o /tmp/cw ./cmd/clusterworker
//	/tmp/cw -addrs 127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002 -client duoredis -workload mget100 -time 5s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/workload"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/pool"
	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

func main() {
	addrs := flag.String("addrs", "127.0.0.1:7000", "seed addresses of the cluster, comma-separated")
	name := flag.String("client", "duoredis", "client: duoredis, goredis or rueidis")
	wl := flag.String("workload", workload.Get, "workload: get, par64, pipe100 or mget100")
	dur := flag.Duration("time", time.Second, "measured time")
	warm := flag.Duration("warmup", 200*time.Millisecond, "warm-up time before measuring")
	flag.Parse()
	if err := run(context.Background(), strings.Split(*addrs, ","), *name, *wl, *dur, *warm); err != nil {
		fmt.Fprintf(os.Stderr, "clusterworker %s/%s: %v\n", *name, *wl, err)
		os.Exit(1)
	}
}

// clusterClient is what the cluster workloads need, each method the
// client's idiomatic call.
type clusterClient interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key string, value []byte) error
	// Pipe sends SET keys[j] value, GET keys[j] for every j in one
	// non-transactional pipeline and checks the GETs.
	Pipe(ctx context.Context, keys []string, value []byte) error
	// MGet returns the number of values of an MGET of keys (in several
	// slots).
	MGet(ctx context.Context, keys []string) (int, error)
	Parser() string
	Close() error
}

func newClient(name string, addrs []string) (clusterClient, error) {
	switch name {
	case "duoredis":
		rdb, err := cluster.New(cluster.Options{Addrs: addrs})
		if err != nil {
			return nil, err
		}
		return &duo{rdb: rdb}, nil
	case "goredis":
		rdb := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs})
		// Without a command-info resolver go-redis sends a cross-slot MGET
		// as is (CROSSSLOT); with it, MGET's request_policy (multi_shard)
		// splits it by slot.
		rdb.SetCommandInfoResolver(rdb.NewDynamicResolver())
		return &goRedis{rdb: rdb}, nil
	case "rueidis":
		c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: addrs})
		if err != nil {
			return nil, err
		}
		return &rue{c: c}, nil
	}
	return nil, fmt.Errorf("unknown client %q (want duoredis, goredis or rueidis)", name)
}

func run(ctx context.Context, addrs []string, name, wl string, dur, warm time.Duration) error {
	c, err := newClient(name, addrs)
	if err != nil {
		return err
	}
	defer c.Close()
	body, err := loopFor(ctx, c, wl)
	if err != nil {
		return err
	}
	if _, err := body(warm); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	runtime.GC()
	var ms0, ms1 runtime.MemStats
	var ru0, ru1 syscall.Rusage
	runtime.ReadMemStats(&ms0)
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru0); err != nil {
		return err
	}
	t0 := time.Now()
	ops, err := body(dur)
	elapsed := time.Since(t0)
	if err2 := syscall.Getrusage(syscall.RUSAGE_SELF, &ru1); err2 != nil && err == nil {
		err = err2
	}
	runtime.ReadMemStats(&ms1)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(workload.Result{
		Client:   name,
		Workload: wl,
		Ops:      ops,
		Seconds:  elapsed.Seconds(),
		Mallocs:  ms1.Mallocs - ms0.Mallocs,
		Bytes:    ms1.TotalAlloc - ms0.TotalAlloc,
		CPU:      cpuSeconds(&ru1) - cpuSeconds(&ru0),
		GC:       ms1.NumGC - ms0.NumGC,
		Parser:   c.Parser(),
		Go:       runtime.Version(),
	})
}

func cpuSeconds(ru *syscall.Rusage) float64 {
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// loopFor returns the workload's loop: it runs until d has passed and
// returns the number of commands it ran.
func loopFor(ctx context.Context, c clusterClient, wl string) (func(d time.Duration) (int64, error), error) {
	switch wl {
	case workload.Get:
		return batched(1, func() error { return checkLen(c.Get(ctx, workload.KeyGet)) }), nil
	case workload.Pipe100:
		keys := workload.PipeKeys()
		return batched(workload.PipeLen, func() error { return c.Pipe(ctx, keys, workload.Value) }), nil
	case workload.MGet:
		keys := workload.MGetKeyList()
		return batched(1, func() error {
			n, err := c.MGet(ctx, keys)
			if err == nil && n != len(keys) {
				err = fmt.Errorf("MGET gave %d values, want %d", n, len(keys))
			}
			return err
		}), nil
	case workload.Par64:
		return parallel(ctx, c), nil
	}
	return nil, fmt.Errorf("unknown cluster workload %q (want get, par64, pipe100 or mget100)", wl)
}

func checkLen(v string, err error) error {
	if err != nil {
		return err
	}
	if len(v) != workload.ValueLen {
		return fmt.Errorf("got a value of %d bytes, want %d", len(v), workload.ValueLen)
	}
	return nil
}

func stopAfter(d time.Duration) *atomic.Bool {
	var stop atomic.Bool
	time.AfterFunc(d, func() { stop.Store(true) })
	return &stop
}

func batched(per int64, op func() error) func(time.Duration) (int64, error) {
	return func(d time.Duration) (int64, error) {
		stop := stopAfter(d)
		var n int64
		for !stop.Load() {
			if err := op(); err != nil {
				return n, err
			}
			n += per
		}
		return n, nil
	}
}

// parallel runs workload.Workers goroutines on the one client c, each
// alternating GET of the shared key and SET of a key of its own (the keys
// spread over the nodes).
func parallel(ctx context.Context, c clusterClient) func(time.Duration) (int64, error) {
	setKeys := workload.ParKeys()
	return func(d time.Duration) (int64, error) {
		stop := stopAfter(d)
		var total atomic.Int64
		var wg sync.WaitGroup
		errs := make([]error, workload.Workers)
		for g := range workload.Workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var n int64
				for !stop.Load() {
					var err error
					if n&1 == 0 {
						err = checkLen(c.Get(ctx, workload.KeyGet))
					} else {
						err = c.Set(ctx, setKeys[g], workload.Value)
					}
					if err != nil {
						errs[g] = err
						stop.Store(true)
						break
					}
					n++
				}
				total.Add(n)
			}()
		}
		wg.Wait()
		return total.Load(), errors.Join(errs...)
	}
}

// duoredis: cluster.Client with default options.

type duo struct {
	rdb  *cluster.Client
	gets []client.Result[string]
}

func (d *duo) Get(ctx context.Context, key string) (string, error) {
	return d.rdb.Get(ctx, key).Result()
}

func (d *duo) Set(ctx context.Context, key string, value []byte) error {
	return d.rdb.Set(ctx, key, value, 0).Err()
}

func (d *duo) Pipe(ctx context.Context, keys []string, value []byte) error {
	p := d.rdb.PipelineNoTx()
	defer p.Close()
	d.gets = d.gets[:0]
	for _, k := range keys {
		p.Set(ctx, k, value, 0)
		d.gets = append(d.gets, p.Get(ctx, k))
	}
	if _, err := p.Exec(ctx); err != nil {
		return err
	}
	for _, g := range d.gets {
		if err := checkLen(g.Result()); err != nil {
			return err
		}
	}
	return nil
}

func (d *duo) MGet(ctx context.Context, keys []string) (int, error) {
	v, err := d.rdb.MGet(ctx, keys...).Result()
	return len(v), err
}

func (d *duo) Parser() string { return pool.DefaultParserName() }
func (d *duo) Close() error   { return d.rdb.Close() }

// go-redis v9: ClusterClient with default options, and its command-info
// resolver (opt-in) so that an MGET across slots is split.

type goRedis struct {
	rdb  *goredis.ClusterClient
	gets []*goredis.StringCmd
}

func (g *goRedis) Get(ctx context.Context, key string) (string, error) {
	return g.rdb.Get(ctx, key).Result()
}

func (g *goRedis) Set(ctx context.Context, key string, value []byte) error {
	return g.rdb.Set(ctx, key, value, 0).Err()
}

func (g *goRedis) Pipe(ctx context.Context, keys []string, value []byte) error {
	p := g.rdb.Pipeline()
	g.gets = g.gets[:0]
	for _, k := range keys {
		p.Set(ctx, k, value, 0)
		g.gets = append(g.gets, p.Get(ctx, k))
	}
	if _, err := p.Exec(ctx); err != nil {
		return err
	}
	for _, c := range g.gets {
		if err := checkLen(c.Result()); err != nil {
			return err
		}
	}
	return nil
}

func (g *goRedis) MGet(ctx context.Context, keys []string) (int, error) {
	v, err := g.rdb.MGet(ctx, keys...).Result()
	return len(v), err
}

func (g *goRedis) Parser() string { return "" }
func (g *goRedis) Close() error   { return g.rdb.Close() }

// rueidis: its client over the cluster. A cross-slot MGET through Do is
// refused by rueidis, so MGET goes through rueidis.MGet, its helper that
// splits the keys by slot (and returns a map).

type rue struct {
	c    rueidis.Client
	cmds rueidis.Commands
}

func (r *rue) Get(ctx context.Context, key string) (string, error) {
	return r.c.Do(ctx, r.c.B().Get().Key(key).Build()).ToString()
}

func (r *rue) Set(ctx context.Context, key string, value []byte) error {
	return r.c.Do(ctx, r.c.B().Set().Key(key).Value(rueidis.BinaryString(value)).Build()).Error()
}

func (r *rue) Pipe(ctx context.Context, keys []string, value []byte) error {
	r.cmds = r.cmds[:0]
	for _, k := range keys {
		r.cmds = append(r.cmds,
			r.c.B().Set().Key(k).Value(rueidis.BinaryString(value)).Build(),
			r.c.B().Get().Key(k).Build())
	}
	res := r.c.DoMulti(ctx, r.cmds...)
	for i := 0; i < len(res); i += 2 {
		if err := res[i].Error(); err != nil {
			return err
		}
		if err := checkLen(res[i+1].ToString()); err != nil {
			return err
		}
	}
	return nil
}

func (r *rue) MGet(ctx context.Context, keys []string) (int, error) {
	m, err := rueidis.MGet(r.c, ctx, keys)
	return len(m), err
}

func (r *rue) Parser() string { return "" }
func (r *rue) Close() error   { r.c.Close(); return nil }
