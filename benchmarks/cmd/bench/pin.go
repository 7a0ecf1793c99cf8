package main

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// A placement says where the server and the clients run. make bench
// measures every workload in two, since they rank clients differently
// (most on large values):
//
//   - pinned: the server and the client (a Go worker or redis-benchmark)
//     share one CPU (taskset -c on both). Every reply then costs the sum of
//     the client's and the server's CPU time, and no cross-CPU wake-up:
//     the measure is the CPU cost of a round trip, which is what a client
//     can improve. A pinned Go worker has GOMAXPROCS 1.
//   - unpinned: no affinity; the scheduler places the server and the
//     client on the machine's cores as it likes (here 2, shared with
//     whatever else runs). A serial round trip between two vCPUs pays a
//     wake-up of the idle one (on this VM 17k GET/s across vCPUs against
//     122k/s on one, with redis-benchmark itself), and the scheduler moves
//     processes between the two cases at random, so unpinned samples
//     spread more: compare the medians of the per-round ratios.
//
// Each placement has a redis-server of its own (started with its affinity),
// so that no affinity is changed during the run.
type placement struct {
	Name string `json:"name"`
	CPUs string `json:"cpus"` // taskset CPU list of the server and every client; "" for none
	Desc string `json:"description"`
}

// placementNames are the placements in display order.
var placementNames = []string{"pinned", "unpinned"}

// newPlacement returns the placement named name, or an error when it
// cannot be had on this machine.
func newPlacement(name string) (placement, error) {
	switch name {
	case "unpinned":
		return placement{Name: name, Desc: fmt.Sprintf("no CPU affinity: server and client share the %d CPUs as the scheduler places them", runtime.NumCPU())}, nil
	case "pinned":
		if _, err := exec.LookPath("taskset"); err != nil {
			return placement{}, fmt.Errorf("placement pinned: taskset not found (util-linux)")
		}
		cpu := strconv.Itoa(runtime.NumCPU() - 1)
		return placement{Name: name, CPUs: cpu, Desc: "server and client on CPU " + cpu + " (taskset -c " + cpu + " for both)"}, nil
	}
	return placement{}, fmt.Errorf("unknown placement %q (want some of %s)", name, strings.Join(placementNames, ","))
}

// command returns the command for bin, under taskset when cpus is set.
func command(ctx context.Context, cpus, bin string, args ...string) *exec.Cmd {
	if cpus == "" {
		return exec.CommandContext(ctx, bin, args...)
	}
	return exec.CommandContext(ctx, "taskset", append([]string{"-c", cpus, bin}, args...)...)
}
