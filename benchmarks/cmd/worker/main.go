// Command worker runs one client on one workload against a Redis server that
// is already loaded (cmd/bench does that) and prints a workload.Result as
// JSON: it warms up, then measures for a fixed time, counting commands,
// allocations (runtime.MemStats) and CPU time (getrusage).
//
// cmd/bench builds it twice, without and with -tags hiredis, and runs it as
// a subprocess per client, workload and round. It can be run by hand for
// profiling:
//
//	go build -o /tmp/worker ./cmd/worker
//	/tmp/worker -addr 127.0.0.1:6379 -client duoredis -workload get -time 5s -cpuprofile cpu.prof
//
// (the server must hold the data: `go run ./cmd/bench -load-only -addr ...`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/measure"
	"github.com/duoredis/redis/benchmarks/internal/workload"
)

func main() {
	var (
		addr       = flag.String("addr", "127.0.0.1:6379", "Redis server address")
		clientName = flag.String("client", "duoredis", "client: "+clientNames())
		wl         = flag.String("workload", workload.Get, "workload: one of "+strings.Join(workload.All, ", "))
		dur        = flag.Duration("time", time.Second, "measured time")
		warm       = flag.Duration("warmup", 200*time.Millisecond, "warm-up time before measuring")
		parser     = flag.String("parser", "", `duoredis parser: "go", "hiredis" or "" for the build's default`)
		poolSize   = flag.Int("poolsize", 0, "connection pool size for pooled clients (0: the client's default; redigo: MaxIdle 64)")
		cpuProf    = flag.String("cpuprofile", "", "write a CPU profile of the measured part to this file")
		memProf    = flag.String("memprofile", "", "write an allocation profile of the measured part to this file")
		memRate    = flag.Int("memprofilerate", 0, "runtime.MemProfileRate while measuring, with -memprofile (0: Go's default)")
		ctxKind    = flag.String("ctx", "background", "the context of every call: background, cancel (context.WithCancel, as a request's) or timeout (WithTimeout 1h)")
	)
	flag.Parse()
	ctx := context.Background()
	switch *ctxKind {
	case "background":
	case "cancel":
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
	case "timeout":
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Hour)
		defer cancel()
	default:
		fmt.Fprintf(os.Stderr, "worker: -ctx %q: want background, cancel or timeout\n", *ctxKind)
		os.Exit(2)
	}
	if err := run(ctx, *addr, *clientName, *wl, *dur, *warm, *parser, *poolSize, *cpuProf, *memProf, *memRate); err != nil {
		fmt.Fprintf(os.Stderr, "worker %s/%s: %v\n", *clientName, *wl, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr, clientName, wl string, dur, warm time.Duration, parser string, poolSize int,
	cpuProf, memProf string, memRate int) error {
	c, err := newClient(clientName, addr, parser, poolSize)
	if err != nil {
		return err
	}
	defer c.Close()
	body, err := loopFor(ctx, c, wl)
	if errors.Is(err, workload.ErrSkip) {
		return measure.Print(measure.Skipped(clientName, wl, c.Parser()))
	}
	if err != nil {
		return err
	}
	if err := measure.WarmUp(body, warm); err != nil {
		return err
	}

	if memProf != "" && memRate > 0 {
		runtime.MemProfileRate = memRate
	}
	if cpuProf != "" {
		f, err := os.Create(cpuProf)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer f.Close()
	}
	m, err := measure.Measure(body, dur)
	if cpuProf != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	if memProf != "" {
		f, err := os.Create(memProf)
		if err != nil {
			return err
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return measure.Print(m.Result(clientName, wl, c.Parser()))
}

// A loop runs until d has passed and returns the number of commands it ran.
type loop = measure.Loop

// loops makes each workload's loop for a client. A workload added in a file
// of its own adds its entry from an init (and registers its workload.Spec
// in internal/workload). A loop maker returns workload.ErrSkip for a client
// that cannot run the workload (a duoredis-only API, say): the worker then
// reports a skipped result.
var loops = map[string]func(ctx context.Context, c Client) (loop, error){
	workload.Get: func(ctx context.Context, c Client) (loop, error) {
		return measure.Serial(func() error { return workload.CheckLen(c.Get(ctx, workload.KeyGet)) }), nil
	},
	workload.Set: func(ctx context.Context, c Client) (loop, error) {
		return measure.Serial(func() error { return c.Set(ctx, workload.KeySet, workload.Value) }), nil
	},
	workload.Pipe100: func(ctx context.Context, c Client) (loop, error) {
		keys := workload.PipeKeys()
		return measure.Batched(workload.PipeLen, func() error { return c.Pipe(ctx, keys, workload.Value) }), nil
	},
	workload.LRange: func(ctx context.Context, c Client) (loop, error) {
		return measure.Serial(func() error {
			n, err := c.LRange(ctx, workload.KeyList)
			return workload.CheckCount(n, err, workload.ListLen)
		}), nil
	},
	workload.MGet: func(ctx context.Context, c Client) (loop, error) {
		keys := workload.MGetKeyList()
		return measure.Serial(func() error {
			n, err := c.MGet(ctx, keys)
			return workload.CheckCount(n, err, workload.MGetKeys)
		}), nil
	},
	workload.Get1M: func(ctx context.Context, c Client) (loop, error) {
		return measure.Serial(func() error {
			n, err := c.GetBytes(ctx, workload.Key1M)
			return workload.CheckCount(n, err, workload.Size1M)
		}), nil
	},
	workload.Par64: func(ctx context.Context, c Client) (loop, error) {
		return measure.Par64(ctx, c), nil
	},
}

// loopFor returns the workload's loop for c.
func loopFor(ctx context.Context, c Client, wl string) (loop, error) {
	mk, ok := loops[wl]
	if !ok {
		return nil, fmt.Errorf("unknown workload %q", wl)
	}
	return mk(ctx, c)
}
