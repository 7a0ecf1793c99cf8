// Package measure is the harness the workers (cmd/worker and
// cmd/clusterworker) share: the timed loops that run a workload's
// operation (serially, in batches or on many goroutines), the warm-up and
// the measured run (commands, wall time, runtime.MemStats allocations and
// getrusage CPU time), and the JSON result on standard output.
package measure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/workload"
)

// A Loop runs until d has passed and returns the number of commands it ran.
type Loop func(d time.Duration) (int64, error)

// StopAfter returns a flag that turns true after d.
func StopAfter(d time.Duration) *atomic.Bool {
	var stop atomic.Bool
	time.AfterFunc(d, func() { stop.Store(true) })
	return &stop
}

// Serial runs op (one command) until the time is up.
func Serial(op func() error) Loop {
	return Batched(1, op)
}

// Batched runs op (which runs per commands) until the time is up.
func Batched(per int64, op func() error) Loop {
	return func(d time.Duration) (int64, error) {
		stop := StopAfter(d)
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

// Parallel runs workers goroutines until the time is up, goroutine g
// calling step(g, n) for its n-th command (n from 0). The first error
// stops every goroutine; the loop returns the commands of all of them and
// their errors.
func Parallel(workers int, step func(g int, n int64) error) Loop {
	return func(d time.Duration) (int64, error) {
		stop := StopAfter(d)
		var total atomic.Int64
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for g := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var n int64
				for !stop.Load() {
					if err := step(g, n); err != nil {
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

// WarmUp runs body for d (connections, buffers, pools, and a check of
// every reply), then collects the garbage it left.
func WarmUp(body Loop, d time.Duration) error {
	if _, err := body(d); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	runtime.GC()
	return nil
}

// A Measurement is what one measured run of a loop took.
type Measurement struct {
	Ops     int64         // commands
	Elapsed time.Duration // wall time
	Mallocs uint64        // runtime.MemStats.Mallocs delta
	Bytes   uint64        // runtime.MemStats.TotalAlloc delta
	CPU     float64       // user+system seconds (getrusage RUSAGE_SELF delta)
	GC      uint32        // GC cycles
}

// Measure runs body for d and measures it.
func Measure(body Loop, d time.Duration) (Measurement, error) {
	var ms0, ms1 runtime.MemStats
	var ru0, ru1 syscall.Rusage
	runtime.ReadMemStats(&ms0)
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru0); err != nil {
		return Measurement{}, err
	}
	t0 := time.Now()
	ops, err := body(d)
	elapsed := time.Since(t0)
	if err2 := syscall.Getrusage(syscall.RUSAGE_SELF, &ru1); err2 != nil && err == nil {
		err = err2
	}
	runtime.ReadMemStats(&ms1)
	return Measurement{
		Ops:     ops,
		Elapsed: elapsed,
		Mallocs: ms1.Mallocs - ms0.Mallocs,
		Bytes:   ms1.TotalAlloc - ms0.TotalAlloc,
		CPU:     cpuSeconds(&ru1) - cpuSeconds(&ru0),
		GC:      ms1.NumGC - ms0.NumGC,
	}, err
}

func cpuSeconds(ru *syscall.Rusage) float64 {
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// Result is m as a worker reports it.
func (m Measurement) Result(client, wl, parser string) workload.Result {
	return workload.Result{
		Client:   client,
		Workload: wl,
		Ops:      m.Ops,
		Seconds:  m.Elapsed.Seconds(),
		Mallocs:  m.Mallocs,
		Bytes:    m.Bytes,
		CPU:      m.CPU,
		GC:       m.GC,
		Parser:   parser,
		Go:       runtime.Version(),
	}
}

// Print writes res as JSON on standard output, as the driver reads it.
func Print(res workload.Result) error {
	return json.NewEncoder(os.Stdout).Encode(res)
}

// Skipped is the result of a client that cannot run the workload.
func Skipped(client, wl, parser string) workload.Result {
	return workload.Result{Client: client, Workload: wl, Skipped: true, Parser: parser, Go: runtime.Version()}
}

// GetSetter is what the 64-goroutine workload needs of a client.
type GetSetter interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key string, value []byte) error
}

// Par64 is the loop of workload.Par64: workload.Workers goroutines on the
// one client c, each alternating GET of the shared key and SET of a key of
// its own.
func Par64(ctx context.Context, c GetSetter) Loop {
	setKeys := workload.ParKeys()
	return Parallel(workload.Workers, func(g int, n int64) error {
		if n&1 == 0 {
			return workload.CheckLen(c.Get(ctx, workload.KeyGet))
		}
		return c.Set(ctx, setKeys[g], workload.Value)
	})
}
