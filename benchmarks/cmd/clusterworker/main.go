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
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/clients"
	"github.com/duoredis/redis/benchmarks/internal/measure"
	"github.com/duoredis/redis/benchmarks/internal/workload"
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
		return &clients.Duo{C: rdb, ParserName: pool.DefaultParserName(), ClosePipe: true}, nil
	case "goredis":
		rdb := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs})
		// Without a command-info resolver go-redis sends a cross-slot MGET
		// as is (CROSSSLOT); with it, MGET's request_policy (multi_shard)
		// splits it by slot.
		rdb.SetCommandInfoResolver(rdb.NewDynamicResolver())
		return &goRedis{GoRedis: clients.GoRedis{C: rdb}, rdb: rdb}, nil
	case "rueidis":
		c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: addrs})
		if err != nil {
			return nil, err
		}
		return &rue{clients.Rue{C: c}}, nil
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
	if err := measure.WarmUp(body, warm); err != nil {
		return err
	}
	m, err := measure.Measure(body, dur)
	if err != nil {
		return err
	}
	return measure.Print(m.Result(name, wl, c.Parser()))
}

// loopFor returns the workload's loop: it runs until d has passed and
// returns the number of commands it ran.
func loopFor(ctx context.Context, c clusterClient, wl string) (measure.Loop, error) {
	switch wl {
	case workload.Get:
		return measure.Batched(1, func() error { return workload.CheckLen(c.Get(ctx, workload.KeyGet)) }), nil
	case workload.Pipe100:
		keys := workload.PipeKeys()
		return measure.Batched(workload.PipeLen, func() error { return c.Pipe(ctx, keys, workload.Value) }), nil
	case workload.MGet:
		keys := workload.MGetKeyList()
		return measure.Batched(1, func() error {
			n, err := c.MGet(ctx, keys)
			if err == nil && n != len(keys) {
				err = fmt.Errorf("MGET gave %d values, want %d", n, len(keys))
			}
			return err
		}), nil
	case workload.Par64:
		return measure.Par64(ctx, c), nil
	}
	return nil, fmt.Errorf("unknown cluster workload %q (want get, par64, pipe100 or mget100)", wl)
}

// duoredis: cluster.Client with default options (clients.Duo).

// go-redis v9: ClusterClient with default options, and its command-info
// resolver (opt-in) so that an MGET across slots is split.

type goRedis struct {
	clients.GoRedis
	rdb *goredis.ClusterClient
}

func (g *goRedis) Close() error { return g.rdb.Close() }

// rueidis: its client over the cluster. A cross-slot MGET through Do is
// refused by rueidis, so MGET goes through rueidis.MGet, its helper that
// splits the keys by slot (and returns a map).

type rue struct {
	clients.Rue
}

func (r *rue) MGet(ctx context.Context, keys []string) (int, error) {
	m, err := rueidis.MGet(r.C, ctx, keys)
	return len(m), err
}
