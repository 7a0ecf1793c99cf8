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

// stat is one row of the table: medians over the rounds.
type stat struct {
	Client      string  `json:"client"`
	Rounds      int     `json:"rounds"`        // rounds that succeeded
	OpsPerSec   float64 `json:"ops_per_sec"`   // median
	AllocsPerOp float64 `json:"allocs_per_op"` // median; NaN for redis-benchmark
	BytesPerOp  float64 `json:"bytes_per_op"`  // median; NaN for redis-benchmark
	CPUPerOp    float64 `json:"cpu_us_per_op"` // median, microseconds of user+system CPU of the client process
	VsBest      float64 `json:"vs_best_peer"`  // median over rounds of ops/s ÷ the best peer's in the same round
	VsRB        float64 `json:"vs_redis_benchmark"`
	BestPeer    bool    `json:"best_peer,omitempty"`
	Err         string  `json:"error,omitempty"`
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

type report struct {
	Date      time.Time                      `json:"date"`
	Command   string                         `json:"command"`
	Machine   machine                        `json:"machine"`
	Rounds    int                            `json:"rounds"`
	Time      string                         `json:"time"`
	Warmup    string                         `json:"warmup"`
	Elapsed   string                         `json:"elapsed"`
	Placement string                         `json:"cpu_placement"`
	Context   string                         `json:"context"`
	Workloads []string                       `json:"workloads"`
	Clients   []string                       `json:"clients"`
	Stats     map[string][]stat              `json:"stats"`
	Targets   []target                       `json:"targets"`
	Samples   map[string]map[string][]sample `json:"samples"`
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
	}{plain(st), num(st.AllocsPerOp), num(st.BytesPerOp), num(st.CPUPerOp), num(st.OpsPerSec), num(st.VsBest), num(st.VsRB)})
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

func buildReport(cfg *config, samples map[string]map[string][]sample) *report {
	rep := &report{
		Command:   cfg.command,
		Rounds:    cfg.rounds,
		Time:      cfg.dur.String(),
		Warmup:    cfg.warmup.String(),
		Placement: cfg.pinDesc,
		Context:   cfg.ctxKind,
		Workloads: cfg.workloads,
		Stats:     map[string][]stat{},
		Samples:   samples,
	}
	for _, c := range cfg.clients {
		rep.Clients = append(rep.Clients, c.Name)
	}
	for _, wl := range cfg.workloads {
		byClient := samples[wl]
		// The best peer: the highest median rate among the competitors.
		best, bestRate := "", 0.0
		for _, c := range cfg.clients {
			if !c.Peer {
				continue
			}
			if r := medianOf(byClient[c.Name], sample.rate); r > bestRate {
				best, bestRate = c.Name, r
			}
		}
		for _, c := range cfg.clients {
			ss := byClient[c.Name]
			st := stat{Client: c.Name, BestPeer: c.Name == best}
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
			if c.Name != rbName {
				st.AllocsPerOp = medianOf(ss, func(s sample) float64 { return float64(s.Mallocs) / float64(s.Ops) })
				st.BytesPerOp = medianOf(ss, func(s sample) float64 { return float64(s.Bytes) / float64(s.Ops) })
			}
			st.VsBest = math.NaN()
			if best != "" {
				st.VsBest = ratio(ss, byClient[best])
			}
			st.VsRB = ratio(ss, byClient[rbName])
			rep.Stats[wl] = append(rep.Stats[wl], st)
		}
	}
	rep.Targets = rep.targets()
	return rep
}

func medianOf(ss []sample, f func(sample) float64) float64 {
	var xs []float64
	for _, s := range ss {
		if s.ok() {
			xs = append(xs, f(s))
		}
	}
	return median(xs)
}

func (rep *report) stat(wl, client string) (stat, bool) {
	for _, s := range rep.Stats[wl] {
		if s.Client == client && s.Rounds > 0 {
			return s, true
		}
	}
	return stat{}, false
}

// targets checks the targets for each build of this client.
func (rep *report) targets() []target {
	var out []target
	for _, ours := range []string{"duoredis", "duoredis+hiredis"} {
		vsBest := func(wl string, min float64, maxAllocs float64) {
			st, ok := rep.stat(wl, ours)
			if !ok || math.IsNaN(st.VsBest) {
				return
			}
			t := target{
				What: fmt.Sprintf("%s %s: ≥ %.2f× best peer", ours, workload.Titles[wl], min),
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
		if st, ok := rep.stat(workload.Get1M, ours); ok && !math.IsNaN(st.VsRB) {
			out = append(out, target{
				What: fmt.Sprintf("%s %s: ≥ 0.95× redis-benchmark", ours, workload.Titles[workload.Get1M]),
				Got:  fmt.Sprintf("%.2f×", st.VsRB),
				Pass: st.VsRB >= 0.95,
			})
		}
		st, ok1 := rep.stat(workload.Get, ours)
		rb, ok2 := rep.stat(workload.Get, rbName)
		if ok1 && ok2 {
			out = append(out, target{
				What: fmt.Sprintf("%s %s: CPU/op ≤ redis-benchmark's", ours, workload.Titles[workload.Get]),
				Got:  fmt.Sprintf("%.2f µs vs %.2f µs", st.CPUPerOp, rb.CPUPerOp),
				Pass: st.CPUPerOp <= rb.CPUPerOp,
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
func (st stat) cells() []string {
	if st.Rounds == 0 {
		return []string{"error: " + firstLine(st.Err), "", "", "", "", ""}
	}
	return []string{fmtRate(st.OpsPerSec), fmtNum(st.AllocsPerOp, 2), fmtBytes(st.BytesPerOp),
		fmtNum(st.CPUPerOp, 2), fmtRatio(st.VsBest), fmtRatio(st.VsRB)}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

var header = []string{"ops/s", "allocs/op", "B/op", "CPU µs/op", "× best peer", "× redis-benchmark"}

func (rep *report) summary() string {
	m := rep.Machine
	return fmt.Sprintf("%s; duoredis %s; %d CPUs, %s; Linux %s; %s; redis-server %s; hiredis %s",
		rep.Date.Format("2006-01-02 15:04 MST"), m.Commit, m.CPUs, m.CPUModel, m.Kernel, m.Go, m.RedisServer, m.Hiredis)
}

func (rep *report) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%d rounds × %s per client and workload; medians; context %s\nCPU placement: %s\n\n",
		rep.summary(), rep.Rounds, rep.Time, ctxText(rep.Context), rep.Placement)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "workload\tclient\t%s\t\n", strings.Join(header, "\t"))
	for _, wl := range rep.Workloads {
		for i, st := range rep.Stats[wl] {
			title := ""
			if i == 0 {
				title = workload.Titles[wl]
			}
			name := st.Client
			if st.BestPeer {
				name += " *"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", title, name, strings.Join(st.cells(), "\t"))
		}
		fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t")
	}
	tw.Flush()
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
	b.WriteString("on the same server as the ceiling. Generated by `benchmarks/cmd/bench`; do not edit by hand.\n\n")
	fmt.Fprintf(&b, "- date: %s\n", rep.Date.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- machine: %d CPUs (`nproc`), %s, Linux %s\n", m.CPUs, m.CPUModel, m.Kernel)
	fmt.Fprintf(&b, "- software: duoredis %s, %s, redis-server %s, hiredis %s", m.Commit, m.Go, m.RedisServer, m.Hiredis)
	for _, k := range sortedKeys(m.Modules) {
		fmt.Fprintf(&b, ", %s %s", k, m.Modules[k])
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "- command: `%s` (%d rounds, %s measured per client, workload and round after %s of warm-up; %s in all)\n",
		rep.Command, rep.Rounds, rep.Time, rep.Warmup, rep.Elapsed)
	fmt.Fprintf(&b, "- CPU placement: %s\n", rep.Placement)
	fmt.Fprintf(&b, "- context of every call: %s\n\n", ctxText(rep.Context))

	fmt.Fprintf(&b, "| workload | client | %s |\n|---|---|%s\n", strings.Join(header, " | "), strings.Repeat("---:|", len(header)))
	for _, wl := range rep.Workloads {
		for i, st := range rep.Stats[wl] {
			title := ""
			if i == 0 {
				title = workload.Titles[wl]
			}
			name := st.Client
			if st.BestPeer {
				name = "**" + name + "**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", title, name, strings.Join(st.cells(), " | "))
		}
	}
	b.WriteString("\nBold: the best peer of the workload (highest median ops/s among go-redis, go-redis\n")
	b.WriteString("AutoPipeline, rueidis and redigo).\n\n")
	b.WriteString("![ops/s relative to redis-benchmark](benchmarks.png)\n\n")

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
- **CPU placement**: on a small VM a serial round trip between processes on two vCPUs pays a
  cross-CPU wake-up (here 17k GET/s across vCPUs against 122k/s on one, with redis-benchmark
  itself), and an unpinned process moves between those cases at random. So the server is pinned
  to one CPU, one-goroutine workloads run the client (or redis-benchmark) on the server's CPU,
  which makes them measure the CPU cost of a round trip, and the 64-goroutine workload runs the
  client on the other CPU(s), one core each for client and server (see the line above; a pinned
  Go process has GOMAXPROCS = its CPUs). ` + "`BENCH_PIN=0`" + ` turns pinning off.
- **Server session**: redis-server runs in a session of its own (setsid), as a daemon or a
  service does. With the kernel's autogroup scheduling (on here), the session is the scheduling
  group: a server started in the clients' own session (as a plain child process) cost every Go
  client about 5% on the serial workloads, and the two builds of this client differed by 7%,
  while redis-benchmark did not change.
- **Rounds**: each round runs every workload with every client, in an order that rotates from round
  to round and from workload to workload; each Go client runs in a fresh worker process (warm-up,
  then a fixed measured time). The machine's speed drifts (up to 2× within minutes here), so the
  ratios are taken within a round (this client's ops/s ÷ the best peer's, or ÷ redis-benchmark's, in
  the same round) and their median is reported: compare ratios, not ops/s across runs.
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
