package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/workload"
)

// sample is one measurement: one client, one workload, one round.
type sample struct {
	Round int    `json:"round"`
	Err   string `json:"error,omitempty"`
	workload.Result
}

func (s sample) ok() bool      { return s.Err == "" && s.Ops > 0 && s.Seconds > 0 }
func (s sample) rate() float64 { return float64(s.Ops) / s.Seconds }

// core is a row of a table, single-server or cluster: medians over the
// rounds.
type core struct {
	Client      string  `json:"client"`
	Rounds      int     `json:"rounds"`        // rounds that succeeded
	OpsPerSec   float64 `json:"ops_per_sec"`   // median
	AllocsPerOp float64 `json:"allocs_per_op"` // median; NaN for redis-benchmark
	BytesPerOp  float64 `json:"bytes_per_op"`  // median; NaN for redis-benchmark
	CPUPerOp    float64 `json:"cpu_us_per_op"` // median, microseconds of user+system CPU of the client process
	VsBest      float64 `json:"vs_best_peer"`  // median over rounds of ops/s ÷ the best peer's in the same round
	BestPeer    bool    `json:"best_peer,omitempty"`
	Err         string  `json:"error,omitempty"`
}

// stat is one row of the single-server table.
type stat struct {
	core
	VsRB   float64 `json:"vs_redis_benchmark"`
	VsPure float64 `json:"vs_duoredis"` // median over rounds of ops/s ÷ duoredis's (pure build) in the same round
}

type machine struct {
	CPUs        int               `json:"cpus"`
	CPUModel    string            `json:"cpu_model"`
	Kernel      string            `json:"kernel"`
	Go          string            `json:"go"`
	RedisServer string            `json:"redis_server"`
	Hiredis     string            `json:"hiredis"`
	Commit      string            `json:"duoredis_commit"` // the library measured; "+changes" if its tree differs from it
	Modules     map[string]string `json:"modules"`
}

type target struct {
	What string `json:"what"`
	Got  string `json:"got"`
	Pass bool   `json:"pass"`
}

// runInfo is what a report, single-server or cluster, says of its run.
type runInfo struct {
	Date    time.Time `json:"date"`
	Command string    `json:"command"`
	Machine machine   `json:"machine"`
	Rounds  int       `json:"rounds"`
	Time    string    `json:"time"`
	Warmup  string    `json:"warmup"`
	Elapsed string    `json:"elapsed"`
}

type report struct {
	runInfo
	Placements []placement `json:"placements"`
	Context    string      `json:"context"`
	Workloads  []string    `json:"workloads"`
	Clients    []string    `json:"clients"`
	// Stats: placement -> workload -> one row per client that ran it.
	Stats   map[string]map[string][]stat `json:"stats"`
	Targets []target                     `json:"targets"`
	// Samples: placement -> workload -> client -> one per round.
	Samples map[string]map[string]map[string][]sample `json:"samples"`
}

// MarshalJSON writes NaN (no value) as null: encoding/json refuses NaN.
func (st stat) MarshalJSON() ([]byte, error) {
	type plain stat
	num := func(v float64) any {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	}
	return json.Marshal(struct {
		plain
		AllocsPerOp any `json:"allocs_per_op"`
		BytesPerOp  any `json:"bytes_per_op"`
		CPUPerOp    any `json:"cpu_us_per_op"`
		OpsPerSec   any `json:"ops_per_sec"`
		VsBest      any `json:"vs_best_peer"`
		VsRB        any `json:"vs_redis_benchmark"`
		VsPure      any `json:"vs_duoredis"`
	}{plain(st), num(st.AllocsPerOp), num(st.BytesPerOp), num(st.CPUPerOp), num(st.OpsPerSec), num(st.VsBest), num(st.VsRB), num(st.VsPure)})
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// ratio is the median over rounds of a's rate ÷ b's rate in the same round.
func ratio(a, b []sample) float64 {
	var rs []float64
	for _, x := range a {
		for _, y := range b {
			if x.Round == y.Round && x.ok() && y.ok() {
				rs = append(rs, x.rate()/y.rate())
			}
		}
	}
	return median(rs)
}

func buildReport(cfg *config, samples map[string]map[string]map[string][]sample) *report {
	rep := &report{
		runInfo:    runInfo{Command: cfg.command, Rounds: cfg.rounds, Time: cfg.dur.String(), Warmup: cfg.warmup.String()},
		Placements: cfg.places,
		Context:    cfg.ctxKind,
		Workloads:  cfg.workloads,
		Stats:      map[string]map[string][]stat{},
		Samples:    samples,
	}
	for _, c := range cfg.clients {
		rep.Clients = append(rep.Clients, c.Name)
	}
	for _, pl := range cfg.places {
		rep.Stats[pl.Name] = map[string][]stat{}
		for _, wl := range cfg.workloads {
			rep.Stats[pl.Name][wl] = workloadStats(cfg.clients, samples[pl.Name][wl])
		}
	}
	for _, rule := range targetRules {
		for _, pl := range cfg.places {
			rep.Targets = append(rep.Targets, rule(rep, pl.Name)...)
		}
	}
	return rep
}

// workloadStats makes the rows of one workload in one placement. A client
// whose every sample was skipped (it cannot run the workload) has no row.
func workloadStats(clients []row, byClient map[string][]sample) []stat {
	best := bestPeer(clients, byClient)
	var out []stat
	for _, c := range clients {
		ss := byClient[c.Name]
		if !slices.ContainsFunc(ss, func(s sample) bool { return !s.Skipped }) {
			continue
		}
		out = append(out, stat{
			core:   newCore(c.Name, byClient, best, c.Name != rbName),
			VsRB:   ratio(ss, byClient[rbName]),
			VsPure: ratio(ss, byClient[ourPure]),
		})
	}
	return out
}

// bestPeer returns the best peer: the highest median rate among the
// competitors ("" if none ran).
func bestPeer(clients []row, byClient map[string][]sample) string {
	best, bestRate := "", 0.0
	for _, c := range clients {
		if !c.Peer {
			continue
		}
		if r := medianOf(byClient[c.Name], sample.rate); r > bestRate {
			best, bestRate = c.Name, r
		}
	}
	return best
}

// newCore makes the row of client name: its medians (allocations too if
// mem) and its ratio to best.
func newCore(name string, byClient map[string][]sample, best string, mem bool) core {
	ss := byClient[name]
	st := core{Client: name, BestPeer: name == best}
	for _, s := range ss {
		if s.ok() {
			st.Rounds++
		} else if st.Err == "" {
			st.Err = s.Err
		}
	}
	st.OpsPerSec = medianOf(ss, sample.rate)
	st.CPUPerOp = medianOf(ss, func(s sample) float64 { return s.CPU / float64(s.Ops) * 1e6 })
	st.AllocsPerOp, st.BytesPerOp = math.NaN(), math.NaN()
	if mem {
		st.AllocsPerOp = medianOf(ss, func(s sample) float64 { return float64(s.Mallocs) / float64(s.Ops) })
		st.BytesPerOp = medianOf(ss, func(s sample) float64 { return float64(s.Bytes) / float64(s.Ops) })
	}
	st.VsBest = math.NaN()
	if best != "" {
		st.VsBest = ratio(ss, byClient[best])
	}
	return st
}

// The rows of this client's two builds.
const (
	ourPure    = "duoredis"
	ourHiredis = "duoredis+hiredis"
)

func medianOf(ss []sample, f func(sample) float64) float64 {
	var xs []float64
	for _, s := range ss {
		if s.ok() {
			xs = append(xs, f(s))
		}
	}
	return median(xs)
}

func (rep *report) stat(pl, wl, client string) (stat, bool) {
	for _, s := range rep.Stats[pl][wl] {
		if s.Client == client && s.Rounds > 0 {
			return s, true
		}
	}
	return stat{}, false
}

// targetRules check the issues' targets in one placement each. A workload
// added in a file of its own may append its rule here from an init.
var targetRules = []func(rep *report, pl string) []target{vsBestTargets, ceilingTargets, buildTargets}

// vsBestTargets: this client against the best peer, in both builds.
func vsBestTargets(rep *report, pl string) []target {
	var out []target
	for _, ours := range []string{ourPure, ourHiredis} {
		vsBest := func(wl string, min float64, maxAllocs float64) {
			st, ok := rep.stat(pl, wl, ours)
			if !ok || math.IsNaN(st.VsBest) {
				return
			}
			t := target{
				What: fmt.Sprintf("%s %s, %s: ≥ %.2f× best peer", ours, workload.Titles[wl], pl, min),
				Got:  fmt.Sprintf("%.2f×", st.VsBest),
				Pass: st.VsBest >= min,
			}
			if maxAllocs > 0 {
				t.What += fmt.Sprintf(", ≤ %g allocs/op", maxAllocs)
				t.Got += fmt.Sprintf(", %.2f allocs/op", st.AllocsPerOp)
				t.Pass = t.Pass && st.AllocsPerOp <= maxAllocs+0.005
			}
			out = append(out, t)
		}
		vsBest(workload.Get, 1.05, 1)
		vsBest(workload.Par64, 1.1, 0)
		vsBest(workload.Pipe100, 1.1, 0)
		vsBest(workload.LRange, 1.1, 4)
		vsBest(workload.MGet, 1.1, 4)
	}
	return out
}

// ceilingTargets: this client against redis-benchmark.
func ceilingTargets(rep *report, pl string) []target {
	var out []target
	for _, ours := range []string{ourPure, ourHiredis} {
		vsRB := func(wl string, min float64) {
			if st, ok := rep.stat(pl, wl, ours); ok && !math.IsNaN(st.VsRB) {
				out = append(out, target{
					What: fmt.Sprintf("%s %s, %s: ≥ %.2f× redis-benchmark", ours, workload.Titles[wl], pl, min),
					Got:  fmt.Sprintf("%.2f×", st.VsRB),
					Pass: st.VsRB >= min,
				})
			}
		}
		if pl == "pinned" {
			vsRB(workload.MGet, 1.0)
		}
		st, ok1 := rep.stat(pl, workload.Get, ours)
		rb, ok2 := rep.stat(pl, workload.Get, rbName)
		if ok1 && ok2 {
			out = append(out, target{
				What: fmt.Sprintf("%s %s, %s: CPU/op ≤ redis-benchmark's", ours, workload.Titles[workload.Get], pl),
				Got:  fmt.Sprintf("%.2f µs vs %.2f µs", st.CPUPerOp, rb.CPUPerOp),
				Pass: st.CPUPerOp <= rb.CPUPerOp,
			})
		}
	}
	return out
}

// buildTargets: the hiredis build against the pure build, workload by
// workload.
func buildTargets(rep *report, pl string) []target {
	var out []target
	for _, wl := range rep.Workloads {
		if st, ok := rep.stat(pl, wl, ourHiredis); ok && !math.IsNaN(st.VsPure) {
			out = append(out, target{
				What: fmt.Sprintf("%s %s, %s: ≥ 0.95× the pure build", ourHiredis, workload.Titles[wl], pl),
				Got:  fmt.Sprintf("%.2f×", st.VsPure),
				Pass: st.VsPure >= 0.95,
			})
		}
	}
	return out
}

func fmtRate(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func fmtNum(v float64, prec int) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

func fmtBytes(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v >= 1<<20:
		return fmt.Sprintf("%.2f MiB", v/(1<<20))
	case v >= 10<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f", v)
}

func fmtRatio(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.2f×", v)
}

// cells are a row's columns, shared by the text and the Markdown tables.
func (st stat) cells() []string { return st.core.cells(fmtBytes, st.VsRB, st.VsPure) }

// cells are the columns of a row: ops/s, allocs/op, B/op (as bytes writes
// it), CPU µs/op, × best peer, then the ratios more.
func (st core) cells(bytes func(float64) string, more ...float64) []string {
	if st.Rounds == 0 {
		return append([]string{"error: " + firstLine(st.Err)}, make([]string, 4+len(more))...)
	}
	out := []string{fmtRate(st.OpsPerSec), fmtNum(st.AllocsPerOp, 2), bytes(st.BytesPerOp),
		fmtNum(st.CPUPerOp, 2), fmtRatio(st.VsBest)}
	for _, v := range more {
		out = append(out, fmtRatio(v))
	}
	return out
}

// tableLine is a line of a table: the workload's title on its first line.
type tableLine struct {
	title, client string
	best          bool
	cells         []string
}

// tableRow is a row of a table, single-server or cluster.
type tableRow interface {
	base() core
	cells() []string
}

func (st core) base() core { return st }

// tableLines returns the lines of a table, by workload.
func tableLines[S tableRow](wls []string, titles map[string]string, stats func(wl string) []S) [][]tableLine {
	var out [][]tableLine
	for _, wl := range wls {
		var ls []tableLine
		for i, st := range stats(wl) {
			l := tableLine{client: st.base().Client, best: st.base().BestPeer, cells: st.cells()}
			if i == 0 {
				l.title = titles[wl]
			}
			ls = append(ls, l)
		}
		out = append(out, ls)
	}
	return out
}

// writeText writes a text table (the best peer marked *), with an empty
// line after each workload's if gap.
func writeText(b *strings.Builder, header []string, lines [][]tableLine, gap bool) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "workload\tclient\t%s\t\n", strings.Join(header, "\t"))
	for _, ls := range lines {
		for _, l := range ls {
			name := l.client
			if l.best {
				name += " *"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", l.title, name, strings.Join(l.cells, "\t"))
		}
		if gap {
			fmt.Fprintln(tw, strings.Repeat("\t", len(header)+2))
		}
	}
	tw.Flush()
}

// writeMarkdown writes a Markdown table (the best peer in bold).
func writeMarkdown(b *strings.Builder, header []string, lines [][]tableLine) {
	fmt.Fprintf(b, "| workload | client | %s |\n|---|---|%s\n", strings.Join(header, " | "), strings.Repeat("---:|", len(header)))
	for _, ls := range lines {
		for _, l := range ls {
			name := l.client
			if l.best {
				name = "**" + name + "**"
			}
			fmt.Fprintf(b, "| %s | %s | %s |\n", l.title, name, strings.Join(l.cells, " | "))
		}
	}
}

// lines are the lines of placement pl's table.
func (rep *report) lines(pl string) [][]tableLine {
	return tableLines(rep.Workloads, workload.Titles, func(wl string) []stat { return rep.Stats[pl][wl] })
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

var header = []string{"ops/s", "allocs/op", "B/op", "CPU µs/op", "× best peer", "× redis-benchmark", "× duoredis"}

func (rep *report) summary() string {
	m := rep.Machine
	return fmt.Sprintf("%s; duoredis %s; %d CPUs, %s; Linux %s; %s; redis-server %s; hiredis %s",
		rep.Date.Format("2006-01-02 15:04 MST"), m.Commit, m.CPUs, m.CPUModel, m.Kernel, m.Go, m.RedisServer, m.Hiredis)
}

func (rep *report) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%d rounds × %s per client, workload and placement; medians; context %s\n\n",
		rep.summary(), rep.Rounds, rep.Time, ctxText(rep.Context))
	for _, pl := range rep.Placements {
		fmt.Fprintf(&b, "placement %s: %s\n", pl.Name, pl.Desc)
		writeText(&b, header, rep.lines(pl.Name), true)
	}
	b.WriteString("* best peer (highest median ops/s among go-redis, go-redis AutoPipeline, rueidis, redigo)\n\n")
	if len(rep.Targets) > 0 {
		b.WriteString("targets:\n")
		for _, t := range rep.Targets {
			fmt.Fprintf(&b, "  %s  %s: %s\n", passText(t.Pass), t.What, t.Got)
		}
	}
	return b.String()
}

func ctxText(kind string) string {
	switch kind {
	case "cancel":
		return "context.WithCancel (BENCH_CTX=cancel)"
	case "timeout":
		return "context.WithTimeout of 1 hour (BENCH_CTX=timeout)"
	}
	return "context.Background()"
}

func passText(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func (rep *report) markdown() string {
	var b strings.Builder
	m := rep.Machine
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("duoredis (pure-Go parser, and hiredis with `-tags hiredis`) against go-redis v9 (plain and\n")
	b.WriteString("with its AutoPipeline), rueidis and redigo, on one local redis-server, with redis-benchmark\n")
	b.WriteString("on the same server as the ceiling, in two CPU placements. Generated by `benchmarks/cmd/bench`;\n")
	b.WriteString("do not edit by hand.\n\n")
	m.writeMarkdown(&b, rep.Date, sortedKeys(m.Modules))
	fmt.Fprintf(&b, "- command: `%s` (%d rounds, %s measured per client, workload, placement and round after %s of warm-up; %s in all)\n",
		rep.Command, rep.Rounds, rep.Time, rep.Warmup, rep.Elapsed)
	for _, pl := range rep.Placements {
		fmt.Fprintf(&b, "- placement **%s**: %s\n", pl.Name, pl.Desc)
	}
	fmt.Fprintf(&b, "- context of every call: %s\n\n", ctxText(rep.Context))

	b.WriteString("## Summary\n\n")
	b.WriteString(rep.summaryTable())
	b.WriteString("\n![ops/s relative to redis-benchmark](benchmarks.png)\n\n")

	for _, pl := range rep.Placements {
		fmt.Fprintf(&b, "## %s\n\n%s.\n\n", pl.Name, upperFirst(pl.Desc))
		writeMarkdown(&b, header, rep.lines(pl.Name))
		b.WriteString("\n")
	}
	b.WriteString("Bold: the best peer of the workload (highest median ops/s among go-redis, go-redis\n")
	b.WriteString("AutoPipeline, rueidis and redigo). The × columns are medians of the ratios taken within each round.\n\n")

	if len(rep.Targets) > 0 {
		b.WriteString("## Targets\n\n| target | measured | |\n|---|---|---|\n")
		for _, t := range rep.Targets {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", t.What, t.Got, passText(t.Pass))
		}
		b.WriteString("\n")
	}
	b.WriteString(methodText)
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// summaryTable is this client's line per workload and placement: both
// builds, the best peer, and the ratios. The README shows it too.
func (rep *report) summaryTable() string {
	var b strings.Builder
	b.WriteString("| workload | placement | duoredis | duoredis `-tags hiredis` (× pure) | best peer | vs best peer | vs redis-benchmark |\n")
	b.WriteString("|---|---|---:|---:|---|---:|---:|\n")
	for _, wl := range rep.Workloads {
		for _, pl := range rep.Placements {
			pure, ok := rep.stat(pl.Name, wl, ourPure)
			if !ok {
				continue
			}
			ours := fmtRate(pure.OpsPerSec)
			if !math.IsNaN(pure.AllocsPerOp) {
				ours += fmt.Sprintf(" (%s)", allocsText(pure.AllocsPerOp))
			}
			hir := "-"
			if h, ok := rep.stat(pl.Name, wl, ourHiredis); ok {
				hir = fmt.Sprintf("%s (%s)", fmtRate(h.OpsPerSec), fmtRatio(h.VsPure))
			}
			best := "-"
			for _, st := range rep.Stats[pl.Name][wl] {
				if st.BestPeer && st.Rounds > 0 {
					best = st.Client + " " + fmtRate(st.OpsPerSec)
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", workload.Titles[wl], pl.Name, ours, hir, best,
				fmtRatio(pure.VsBest), fmtRatio(pure.VsRB))
		}
	}
	return b.String()
}

func allocsText(v float64) string {
	switch {
	case v == 0:
		return "0 allocs"
	case v == 1:
		return "1 alloc"
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f allocs", v)
	}
	return fmt.Sprintf("%.2f allocs", v)
}

// readmeTable is the README's section on the latest run: when, where, how,
// and the summary table.
func (rep *report) readmeTable() string {
	m := rep.Machine
	var b strings.Builder
	fmt.Fprintf(&b, "Latest run (%s, %d CPUs %s, Linux %s, %s, redis-server %s, hiredis %s, duoredis %s;\n",
		rep.Date.Format("2006-01-02 15:04 MST"), m.CPUs, m.CPUModel, m.Kernel, m.Go, m.RedisServer, m.Hiredis, m.Commit)
	fmt.Fprintf(&b, "`%s`: %d rounds of %s per client, workload and placement, medians of the per-round ratios).\n",
		rep.Command, rep.Rounds, rep.Time)
	var pls []string
	for _, pl := range rep.Placements {
		pls = append(pls, "**"+pl.Name+"**: "+pl.Desc)
	}
	fmt.Fprintf(&b, "Placements: %s. ops/s:\n\n", strings.Join(pls, "; "))
	b.WriteString(rep.summaryTable())
	return b.String()
}

// The README's generated section lies between these lines.
const (
	readmeBegin = "<!-- benchmarks: generated by make bench (benchmarks/cmd/bench); do not edit by hand -->"
	readmeEnd   = "<!-- end of benchmarks -->"
)

// updateReadme replaces the generated section of the README, if it has
// one, with text.
func updateReadme(path, text string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil // no README: nothing to update
	}
	s := string(b)
	i := strings.Index(s, readmeBegin)
	j := strings.Index(s, readmeEnd)
	if i < 0 || j < i {
		fmt.Fprintf(os.Stderr, "note: %s has no %q line: its table is not updated\n", path, readmeBegin)
		return nil
	}
	s = s[:i+len(readmeBegin)] + "\n" + text + s[j:]
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		return err
	}
	fmt.Printf("updated the table of %s\n", path)
	return nil
}

const methodText = `## Method

- **Workloads** (16-byte values unless said otherwise): serial GET and SET on one goroutine; 64
  goroutines sharing one client, each alternating GET and SET (50/50); explicit non-transactional
  pipelines of 100 commands (50 SET + 50 GET, each GET's value read back); LRANGE 0 -1 of a
  1000-item list; MGET of 100 keys; serial GET of a 1 MiB value (as []byte). Each client uses its
  idiomatic calls, returning strings (bytes for 1 MiB), and every reply is checked.
- **Clients**: duoredis with its default options (pure-Go parser; and a second binary built with
  ` + "`-tags hiredis`" + `, whose default parser is hiredis's reader), and without auto-pipelining (` + "`Options.DisableAutoPipeline`" + `)
  (pure-Go build); go-redis v9 with default options,
  and through ` + "`Client.AutoPipeline()`" + ` (its blocking autopipeliner, default options); rueidis's
  normal client (it pipelines concurrent commands by itself); redigo through a Pool with MaxIdle 64.
- **redis-benchmark** (the ceiling) runs the same commands on the same keys, with ` + "`-c`" + ` equal to the
  number of goroutines and ` + "`-P`" + ` equal to the pipeline depth; the mixed GET/SET workloads run one
  redis-benchmark per command (half the requests each) and add their times.
- **CPU placements**: every workload runs in two, since they rank clients differently (most
  on large values). **pinned**: the server and the client (or redis-benchmark) share one CPU
  (taskset -c on both; a pinned Go worker has GOMAXPROCS 1): each reply costs the client's and
  the server's CPU time together, with no cross-CPU wake-up, so this measures the CPU cost of a
  round trip. **unpinned**: no affinity; the scheduler places server and client on the
  machine's cores, shared with whatever else runs. On a small VM a serial round trip across two
  vCPUs pays a wake-up of the idle one (17k GET/s across vCPUs against 122k/s on one, with
  redis-benchmark itself), and the scheduler moves processes between those cases at random, so
  unpinned samples spread more. Each placement has a redis-server of its own, started with its
  affinity; a round runs both placements of a workload one after the other, in an order that
  alternates. ` + "`BENCH_PLACEMENTS=pinned`" + ` (or ` + "`unpinned`" + `) runs one.
- **Server session**: redis-server runs in a session of its own (setsid), as a daemon or a
  service does. With the kernel's autogroup scheduling (on here), the session is the scheduling
  group: a server started in the clients' own session (as a plain child process) cost every Go
  client about 5% on the serial workloads, and the two builds of this client differed by 7%,
  while redis-benchmark did not change.
- **Rounds**: each round runs every workload with every client in both placements, in an order
  that rotates from round to round and from workload to workload; each Go client runs in a fresh worker process (warm-up,
  then a fixed measured time). The machine's speed drifts (up to 2× within minutes here), so the
  ratios are taken within a round and placement (a client's ops/s ÷ the best peer's, ÷
  redis-benchmark's, or ÷ the pure build of duoredis's, in the same round) and their median is
  reported: compare ratios, not ops/s across runs.
- **ops/s** counts commands (replies), so a pipeline of 100 is 100 ops. **allocs/op** and **B/op**
  are runtime.MemStats deltas (Mallocs, TotalAlloc) over the measured time ÷ ops, for the whole
  worker process (background goroutines included). **CPU µs/op** is user + system CPU time from
  getrusage (RUSAGE_SELF for a worker over the measured time; the child's rusage for
  redis-benchmark, whole run) ÷ ops.
`

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// writeMarkdown writes the report's date, machine and software lines (with
// the versions of modules).
func (m machine) writeMarkdown(b *strings.Builder, date time.Time, modules []string) {
	fmt.Fprintf(b, "- date: %s\n", date.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(b, "- machine: %d CPUs (`nproc`), %s, Linux %s\n", m.CPUs, m.CPUModel, m.Kernel)
	fmt.Fprintf(b, "- software: duoredis %s, %s, redis-server %s, hiredis %s", m.Commit, m.Go, m.RedisServer, m.Hiredis)
	for _, k := range modules {
		fmt.Fprintf(b, ", %s %s", k, m.Modules[k])
	}
	b.WriteString("\n")
}

func machineInfo(ctx context.Context, modDir string) machine {
	m := machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), Modules: map[string]string{}}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, "redis-server", "--version").Output(); err == nil {
		// "Redis server v=7.0.15 sha=... malloc=jemalloc-5.3.0 bits=64 build=..."
		for _, f := range strings.Fields(string(out)) {
			if v, ok := strings.CutPrefix(f, "v="); ok {
				m.RedisServer = v
			}
		}
	}
	cmd := exec.CommandContext(ctx, "pkg-config", "--modversion", "hiredis")
	cmd.Env = append(os.Environ(), "PKG_CONFIG_PATH="+hiredisPkgConfigPath(modDir))
	if out, err := cmd.Output(); err == nil {
		m.Hiredis = strings.TrimSpace(string(out))
	}
	root := filepath.Dir(modDir)
	if out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		// Changes outside benchmarks/ and docs/ are changes to the library.
		st, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no",
			"--", ".", ":!benchmarks", ":!docs").Output()
		if err == nil && len(strings.TrimSpace(string(st))) > 0 {
			m.Commit += "+changes"
		}
	}
	cmd = exec.CommandContext(ctx, goTool(), "list", "-m", "-f", "{{.Path}} {{.Version}}",
		"github.com/redis/go-redis/v9", "github.com/redis/rueidis", "github.com/gomodule/redigo")
	cmd.Dir = modDir
	if out, err := cmd.Output(); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if p, v, ok := strings.Cut(line, " "); ok {
				m.Modules[p] = v
			}
		}
	}
	return m
}
