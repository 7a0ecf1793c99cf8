package main

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"

	"github.com/duoredis/redis/benchmarks/internal/workload"
)

// placement pins processes to CPUs with taskset. On a small VM, a serial
// round trip between two processes on different vCPUs costs a cross-CPU
// wake-up of the idle vCPU (measured here: 17k GET/s across vCPUs, 122k/s
// on one vCPU, with redis-benchmark itself), and the scheduler moves
// processes between those two cases at random, so unpinned results jump
// between two modes 7x apart. Pinning makes each workload run in one mode:
//
//   - the server always runs on the last CPU;
//   - one-goroutine workloads (serial commands, explicit pipelines, LRANGE,
//     MGET, 1 MiB) run the client on the server's CPU: the measure is then
//     the CPU cost of a round trip, client and server together, which is
//     what a client can improve;
//   - the 64-goroutine workload runs the client on the other CPUs, so client
//     and server each have cores of their own and neither steals the other's.
//
// A pinned Go worker sees only its CPUs (GOMAXPROCS follows the affinity).
type placement struct {
	on     bool
	server string // taskset CPU list
	serial string
	par    string
}

func newPlacement(enabled bool) (placement, string) {
	n := runtime.NumCPU()
	if !enabled {
		return placement{}, "none (BENCH_PIN=0): the scheduler places every process"
	}
	if n < 2 {
		return placement{}, "none: one CPU"
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return placement{}, "none: taskset not found (util-linux)"
	}
	last := strconv.Itoa(n - 1)
	others := "0"
	if n > 2 {
		others = "0-" + strconv.Itoa(n-2)
	}
	p := placement{on: true, server: last, serial: last, par: others}
	desc := fmt.Sprintf("redis-server on CPU %s; one-goroutine workloads (client or redis-benchmark) on the server's CPU %s; "+
		"the 64-goroutine workload on CPU %s (taskset)", p.server, p.serial, p.par)
	return p, desc
}

// cpusFor returns the taskset CPU list of a client running wl.
func (p placement) cpusFor(wl string) string {
	if !p.on {
		return ""
	}
	if wl == workload.Par64 {
		return p.par
	}
	return p.serial
}

// command returns the command for bin, under taskset when cpus is set.
func command(ctx context.Context, cpus, bin string, args ...string) *exec.Cmd {
	if cpus == "" {
		return exec.CommandContext(ctx, bin, args...)
	}
	return exec.CommandContext(ctx, "taskset", append([]string{"-c", cpus, bin}, args...)...)
}
