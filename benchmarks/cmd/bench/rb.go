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

// rbPart is one redis-benchmark run; a workload that mixes commands (GET and
// SET) runs one part per command, and their times add up.
type rbPart struct {
	clients  int // -c
	pipeline int // -P
	args     []string
	calN     int // requests of the calibration run
}

// rbParts gives the redis-benchmark runs that are the ceiling of a workload:
// the same commands on the same keys, with as many connections as the Go
// workload has goroutines and the same pipeline depth.
func rbParts(wl string) []rbPart {
	val := string(workload.Value)
	get := []string{"GET", workload.KeyGet}
	set := []string{"SET", workload.KeySet, val}
	switch wl {
	case workload.Get:
		return []rbPart{{1, 1, get, 20000}}
	case workload.Set:
		return []rbPart{{1, 1, set, 20000}}
	case workload.Par64:
		return []rbPart{{workload.Workers, 1, get, 50000}, {workload.Workers, 1, set, 50000}}
	case workload.Pipe100:
		k := workload.PipeKeys()[0]
		return []rbPart{
			{1, workload.PipeLen, []string{"SET", k, val}, 300000},
			{1, workload.PipeLen, []string{"GET", k}, 300000},
		}
	case workload.LRange:
		return []rbPart{{1, 1, []string{"LRANGE", workload.KeyList, "0", "-1"}, 2000}}
	case workload.MGet:
		return []rbPart{{1, 1, append([]string{"MGET"}, workload.MGetKeyList()...), 5000}}
	case workload.Get1M:
		return []rbPart{{1, 1, []string{"GET", workload.Key1M}, 300}}
	}
	panic("no redis-benchmark parts for " + wl)
}

// rbRunner runs redis-benchmark, sizing each part's -n to take about the
// target time at the rate it last measured.
type rbRunner struct {
	bin  string
	addr string
	pin  placement
	rate map[string]float64 // part key -> last requests/s
}

func partKey(wl string, i int) string { return wl + "/" + strconv.Itoa(i) }

// calibrate measures each part's rate with its small calibration run.
func (r *rbRunner) calibrate(ctx context.Context, wl string) error {
	for i, p := range rbParts(wl) {
		rps, _, err := r.runPart(ctx, wl, p, p.calN)
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
	for i, p := range parts {
		k := partKey(wl, i)
		n := int(r.rate[k] * d.Seconds() / float64(len(parts)))
		n = max(n-n%p.pipeline, 100*p.pipeline, 4*p.clients)
		rps, cpu, err := r.runPart(ctx, wl, p, n)
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
func (r *rbRunner) runPart(ctx context.Context, wl string, p rbPart, n int) (float64, float64, error) {
	host, port, _ := net.SplitHostPort(r.addr)
	args := []string{"-h", host, "-p", port, "-c", strconv.Itoa(p.clients), "-n", strconv.Itoa(n),
		"-P", strconv.Itoa(p.pipeline), "--csv"}
	args = append(args, p.args...)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := command(ctx, r.pin.cpusFor(wl), r.bin, args...)
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
