package main

import (
	"fmt"
	"math"

	"github.com/duoredis/redis/benchmarks/internal/workload"
)

// The targets of issue 13 for large values: GET 1 MiB into a reused buffer
// at ≥ 0.95× redis-benchmark with no allocation, in both placements; plain
// GET 1 MiB at ≥ 1.1× the best peer unpinned.
func init() {
	targetRules = append(targetRules, largeTargets)
}

func largeTargets(rep *report, pl string) []target {
	var out []target
	for _, ours := range []string{ourPure, ourHiredis} {
		if st, ok := rep.stat(pl, workload.GetInto1M, ours); ok && !math.IsNaN(st.VsRB) {
			out = append(out, target{
				What: fmt.Sprintf("%s %s, %s: ≥ 0.95× redis-benchmark, 0 allocs/op", ours, workload.Titles[workload.GetInto1M], pl),
				Got:  fmt.Sprintf("%.2f×, %.2f allocs/op", st.VsRB, st.AllocsPerOp),
				// The worker counts every allocation of the process
				// (runtime.MemStats), the runtime's own included.
				Pass: st.VsRB >= 0.95 && st.AllocsPerOp < 0.01,
			})
		}
		if pl != "unpinned" {
			continue
		}
		if st, ok := rep.stat(pl, workload.Get1M, ours); ok && !math.IsNaN(st.VsBest) {
			out = append(out, target{
				What: fmt.Sprintf("%s %s, %s: ≥ 1.10× best peer", ours, workload.Titles[workload.Get1M], pl),
				Got:  fmt.Sprintf("%.2f×", st.VsBest),
				Pass: st.VsBest >= 1.1,
			})
		}
	}
	return out
}
