package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/workload"
)

// rbParts gives the redis-benchmark runs that are the ceiling of a workload
// (registered with it: workload.Spec.RedisBenchmark): the same commands on
// the same keys, with as many connections as the Go workload has
// goroutines and the same pipeline depth. nil: the workload has none.
func rbParts(wl string) []workload.RBPart {
	if s, ok := workload.Lookup(wl); ok && s.RedisBenchmark != nil {
		return s.RedisBenchmark()
	}
	return nil
}

// rbRunner runs redis-benchmark in one placement, against that placement's
// server, sizing each part's -n to take about the target time at the rate
// it last measured.
type rbRunner struct {
	bin  string
	addr string
	pl   placement
	rate map[string]float64 // part key -> last requests/s
}

func partKey(wl string, i int) string { return wl + "/" + strconv.Itoa(i) }

// calibrate measures each part's rate with its small calibration run.
func (r *rbRunner) calibrate(ctx context.Context, wl string) error {
	for i, p := range rbParts(wl) {
		rps, _, err := r.runPart(ctx, p, p.CalN)
		if err != nil {
			return err
		}
		r.rate[partKey(wl, i)] = rps
	}
	return nil
}

// run runs the workload's parts for about d in all and returns a result as
// a worker would (no allocation counts: it is a C program).
func (r *rbRunner) run(ctx context.Context, wl string, d time.Duration) (workload.Result, error) {
	parts := rbParts(wl)
	res := workload.Result{Client: "redis-benchmark", Workload: wl}
	if len(parts) == 0 {
		res.Skipped = true
		return res, nil
	}
	for i, p := range parts {
		k := partKey(wl, i)
		n := int(r.rate[k] * d.Seconds() / float64(len(parts)))
		n = max(n-n%p.Pipeline, 100*p.Pipeline, 4*p.Clients)
		rps, cpu, err := r.runPart(ctx, p, n)
		if err != nil {
			return res, err
		}
		r.rate[k] = rps
		res.Ops += int64(n)
		res.Seconds += float64(n) / rps
		res.CPU += cpu
	}
	return res, nil
}

// runPart runs redis-benchmark once and returns its requests/s and its CPU
// time (user+system, from the process's rusage).
func (r *rbRunner) runPart(ctx context.Context, p workload.RBPart, n int) (float64, float64, error) {
	host, port, _ := net.SplitHostPort(r.addr)
	args := []string{"-h", host, "-p", port, "-c", strconv.Itoa(p.Clients), "-n", strconv.Itoa(n),
		"-P", strconv.Itoa(p.Pipeline), "--csv"}
	args = append(args, p.Flags...)
	args = append(args, p.Args...)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := command(ctx, r.pl.CPUs, r.bin, args...)
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("redis-benchmark %s: %v\n%s", strings.Join(args[6:], " "), err, exitText(err))
	}
	rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil || len(rows) < 2 || len(rows[len(rows)-1]) < 2 {
		return 0, 0, fmt.Errorf("redis-benchmark: unexpected output %q", out)
	}
	rps, err := strconv.ParseFloat(rows[len(rows)-1][1], 64)
	if err != nil || rps <= 0 {
		return 0, 0, fmt.Errorf("redis-benchmark: no rate in %q", out)
	}
	st := cmd.ProcessState
	cpu := (st.UserTime() + st.SystemTime()).Seconds()
	return rps, cpu, nil
}

func exitText(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
