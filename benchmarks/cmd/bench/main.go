// Command bench compares duoredis (pure-Go and hiredis builds) with go-redis
// v9 (plain and AutoPipeline), rueidis and redigo on the same workloads
// against one local redis-server that it starts, with redis-benchmark on the
// same server as the ceiling. `make bench` runs it:
//
//	cd benchmarks && go run ./cmd/bench
//
// It builds cmd/worker twice (without and with -tags hiredis), loads the data,
// calibrates redis-benchmark, then runs rounds: in each round every workload
// runs every client once, in an order that rotates from round to round, each
// client in a fresh worker process (warm-up, then a fixed measured time). So
// machine drift hits all clients alike; it reports medians over the rounds,
// and ratios taken within a round before the median is taken.
//
// It prints the table and writes docs/benchmarks.md, docs/benchmarks.json
// (every sample) and docs/benchmarks.png (bars per workload and client,
// normalised to redis-benchmark = 1).
//
// Every workload is measured in two CPU placements (see pin.go): pinned
// (server and client on one CPU) and unpinned (no affinity), each with a
// redis-server of its own; a round runs both.
//
// Environment overrides: BENCH_ROUNDS (default 5), BENCH_TIME (measured time
// per client, workload, placement and round, default 600ms), BENCH_WORKLOADS,
// BENCH_CLIENTS and BENCH_PLACEMENTS (comma-separated subsets, for a quick
// look; BENCH_PIN=0 is BENCH_PLACEMENTS=unpinned), BENCH_CTX=cancel or timeout
// (the context every call gets: context.Background() by default; a request's
// context is cancellable, and some clients pay for watching it).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/workload"
)

// A row is one client as the table shows it.
type row struct {
	Name   string // as shown
	Build  string // worker build: "go" or "hiredis"; "" for redis-benchmark
	Client string // worker -client
	Peer   bool   // a competitor (go-redis, rueidis, redigo)
}

const rbName = "redis-benchmark"

var rows = []row{
	{Name: "duoredis", Build: "go", Client: "duoredis"},
	{Name: "duoredis+hiredis", Build: "hiredis", Client: "duoredis"},
	{Name: "duoredis pool only", Build: "go", Client: "duoredis-pool"},
	{Name: "go-redis", Build: "go", Client: "goredis", Peer: true},
	{Name: "go-redis AutoPipeline", Build: "go", Client: "goredis-ap", Peer: true},
	{Name: "rueidis", Build: "go", Client: "rueidis", Peer: true},
	{Name: "redigo", Build: "go", Client: "redigo", Peer: true},
	{Name: rbName},
}

type config struct {
	rounds    int
	dur       time.Duration
	warmup    time.Duration
	workloads []string
	clients   []row
	docs      string
	addr      string
	loadOnly  bool
	command   string
	modDir    string // the benchmarks module's directory
	places    []placement
	ctxKind   string // the workers' -ctx
}

func main() {
	cfg, err := parseConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func parseConfig() (*config, error) {
	cfg := &config{}
	rounds := flag.Int("rounds", 0, "rounds (default $BENCH_ROUNDS or 5; at least 5 for a published table)")
	dur := flag.String("time", "", "measured time per client, workload and round (default $BENCH_TIME or 600ms)")
	flag.DurationVar(&cfg.warmup, "warmup", 0, "warm-up per worker run (default a quarter of -time, at most 200ms)")
	wls := flag.String("workloads", envOr("BENCH_WORKLOADS", ""), "comma-separated workloads (default all: "+strings.Join(workload.All, ",")+")")
	cls := flag.String("clients", envOr("BENCH_CLIENTS", ""), "comma-separated clients (default all: "+rowNames()+")")
	flag.StringVar(&cfg.docs, "docs", "auto", `directory for benchmarks.md, .json and .png ("auto": docs/ of the repository; "" to write none)`)
	flag.StringVar(&cfg.addr, "addr", "", "use this running server instead of starting one")
	flag.BoolVar(&cfg.loadOnly, "load-only", false, "load the workloads' data into -addr and exit (for running cmd/worker by hand)")
	flag.StringVar(&cfg.command, "command", envOr("BENCH_COMMAND", ""), "the command line to record in the report (default this program's)")
	flag.Parse()

	var err error
	cfg.rounds = *rounds
	if cfg.rounds == 0 {
		if cfg.rounds, err = strconv.Atoi(envOr("BENCH_ROUNDS", "5")); err != nil || cfg.rounds < 1 {
			return nil, fmt.Errorf("BENCH_ROUNDS=%q: want a positive number", os.Getenv("BENCH_ROUNDS"))
		}
	}
	if *dur == "" {
		*dur = envOr("BENCH_TIME", "600ms")
	}
	if cfg.dur, err = time.ParseDuration(*dur); err != nil || cfg.dur <= 0 {
		return nil, fmt.Errorf("BENCH_TIME/-time %q: want a duration such as 600ms or 2s", *dur)
	}
	if cfg.warmup == 0 {
		cfg.warmup = min(cfg.dur/4, 200*time.Millisecond)
	}
	cfg.workloads = workload.All
	if *wls != "" {
		cfg.workloads = nil
		for _, w := range strings.Split(*wls, ",") {
			if !slices.Contains(workload.All, w) {
				return nil, fmt.Errorf("unknown workload %q (want some of %s)", w, strings.Join(workload.All, ","))
			}
			cfg.workloads = append(cfg.workloads, w)
		}
	}
	cfg.clients = rows
	if *cls != "" {
		cfg.clients = nil
		for _, name := range strings.Split(*cls, ",") {
			i := slices.IndexFunc(rows, func(r row) bool { return r.Name == name })
			if i < 0 {
				return nil, fmt.Errorf("unknown client %q (want some of %s)", name, rowNames())
			}
			cfg.clients = append(cfg.clients, rows[i])
		}
	}
	cfg.ctxKind = envOr("BENCH_CTX", "background")
	if !slices.Contains([]string{"background", "cancel", "timeout"}, cfg.ctxKind) {
		return nil, fmt.Errorf("BENCH_CTX=%q: want background, cancel or timeout", cfg.ctxKind)
	}
	pls := envOr("BENCH_PLACEMENTS", strings.Join(placementNames, ","))
	switch v := envOr("BENCH_PIN", "1"); v {
	case "0", "false", "no", "off":
		pls = "unpinned"
	case "1", "true", "yes", "on":
	default:
		return nil, fmt.Errorf("BENCH_PIN=%q: want 1 or 0", v)
	}
	for _, name := range strings.Split(pls, ",") {
		pl, err := newPlacement(name)
		if err != nil {
			return nil, fmt.Errorf("BENCH_PLACEMENTS: %w", err)
		}
		cfg.places = append(cfg.places, pl)
	}
	mod, err := moduleDir()
	if err != nil {
		return nil, err
	}
	cfg.modDir = mod
	if cfg.docs == "auto" {
		cfg.docs = filepath.Join(filepath.Dir(mod), "docs")
	}
	if cfg.command == "" {
		cfg.command = "cd benchmarks && go run ./cmd/bench " + strings.Join(os.Args[1:], " ")
	}
	return cfg, nil
}

func rowNames() string {
	var s []string
	for _, r := range rows {
		s = append(s, r.Name)
	}
	return strings.Join(s, ",")
}

func run(ctx context.Context, cfg *config) error {
	start := time.Now()
	if cfg.loadOnly {
		if cfg.addr == "" {
			return errors.New("-load-only needs -addr")
		}
		return load(ctx, cfg.addr, workload.All)
	}
	tmp, err := os.MkdirTemp("", "duoredis-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// Before the build, so that the commit is the one measured.
	mach := machineInfo(ctx, cfg.modDir)
	bins, err := buildWorkers(ctx, tmp, cfg)
	if err != nil {
		return err
	}
	fmt.Printf("%d rounds of %v per client, workload and placement (warm-up %v)\n", cfg.rounds, cfg.dur, cfg.warmup)
	addrs := map[string]string{} // placement -> server
	rbs := map[string]*rbRunner{}
	rbBin := ""
	if slices.ContainsFunc(cfg.clients, func(r row) bool { return r.Name == rbName }) {
		if rbBin, err = exec.LookPath("redis-benchmark"); err != nil {
			return errors.New("redis-benchmark not found on PATH (make deps installs redis-tools)")
		}
	}
	for i, pl := range cfg.places {
		addr := cfg.addr
		if addr == "" {
			srv, err := startServer(tmp, pl.CPUs)
			if err != nil {
				return err
			}
			defer srv.stop()
			addr = srv.addr
		} else {
			pl.Desc += " (server at -addr: not placed by this program)"
			cfg.places[i] = pl
		}
		if err := load(ctx, addr, cfg.workloads); err != nil {
			return fmt.Errorf("loading data: %w", err)
		}
		addrs[pl.Name] = addr
		fmt.Printf("placement %s: server %s; %s\n", pl.Name, addr, pl.Desc)
		if rbBin != "" {
			rb := &rbRunner{bin: rbBin, addr: addr, pl: pl, rate: map[string]float64{}}
			for _, wl := range cfg.workloads {
				if err := rb.calibrate(ctx, wl); err != nil {
					return err
				}
			}
			rbs[pl.Name] = rb
		}
	}

	// placement -> workload -> row -> one sample per round
	samples := map[string]map[string]map[string][]sample{}
	for _, pl := range cfg.places {
		samples[pl.Name] = map[string]map[string][]sample{}
		for _, wl := range cfg.workloads {
			samples[pl.Name][wl] = map[string][]sample{}
		}
	}
	for r := range cfg.rounds {
		fmt.Printf("round %d/%d ", r+1, cfg.rounds)
		for wi, wl := range cfg.workloads {
			// Both placements of a workload in the same stretch of time,
			// in an order that alternates from round to round.
			for pi := range cfg.places {
				pl := cfg.places[(pi+r)%len(cfg.places)]
				for _, c := range rotate(cfg.clients, r+wi+pi) {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					var res workload.Result
					var err error
					if c.Name == rbName {
						res, err = rbs[pl.Name].run(ctx, wl, cfg.dur)
					} else {
						res, err = runWorker(ctx, bins[c.Build], addrs[pl.Name], pl, c, wl, cfg)
					}
					s := sample{Round: r, Result: res}
					if err != nil {
						s.Err = err.Error()
						fmt.Printf("\n  %s %s %s: %v\n", pl.Name, wl, c.Name, err)
					}
					samples[pl.Name][wl][c.Name] = append(samples[pl.Name][wl][c.Name], s)
				}
			}
			fmt.Print(".")
		}
		fmt.Printf(" %v\n", time.Since(start).Round(time.Second))
	}

	rep := buildReport(cfg, samples)
	rep.Machine = mach
	rep.Date = time.Now().UTC()
	rep.Elapsed = time.Since(start).Round(time.Second).String()
	fmt.Println()
	fmt.Print(rep.text())
	if cfg.docs == "" {
		return nil
	}
	if err := os.MkdirAll(cfg.docs, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.docs, "benchmarks.md"), []byte(keepClusterSection(filepath.Join(cfg.docs, "benchmarks.md"), rep.markdown())), 0o644); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.docs, "benchmarks.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	if err := rep.chart(filepath.Join(cfg.docs, "benchmarks.png")); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	fmt.Printf("wrote %s/benchmarks.{md,json,png}\n", cfg.docs)
	if err := updateReadme(filepath.Join(filepath.Dir(cfg.docs), "README.md"), rep.readmeTable()); err != nil {
		return err
	}
	return nil
}

// rotate returns rs turned left by k places.
func rotate(rs []row, k int) []row {
	k %= len(rs)
	return append(slices.Clone(rs[k:]), rs[:k]...)
}

// buildWorkers builds cmd/worker without and with -tags hiredis, as the
// rows need. A hiredis build that fails drops its rows with a warning.
func buildWorkers(ctx context.Context, dir string, cfg *config) (map[string]string, error) {
	need := map[string]bool{}
	for _, c := range cfg.clients {
		if c.Build != "" {
			need[c.Build] = true
		}
	}
	bins := map[string]string{}
	for _, build := range []string{"go", "hiredis"} {
		if !need[build] {
			continue
		}
		out, b, err := buildWorker(ctx, dir, cfg.modDir, "./cmd/worker", build)
		if err != nil {
			if build == "hiredis" {
				fmt.Fprintf(os.Stderr, "warning: the hiredis build failed, its rows are left out (make deps brings hiredis 1.x):\n%s\n", b)
				cfg.clients = slices.DeleteFunc(cfg.clients, func(r row) bool { return r.Build == "hiredis" })
				continue
			}
			return nil, fmt.Errorf("go build ./cmd/worker: %v\n%s", err, b)
		}
		bins[build] = out
	}
	return bins, nil
}

// buildWorker builds the worker package pkg (./cmd/worker or
// ./cmd/clusterworker) of the module at modDir into dir, pure Go (build
// "go") or with -tags hiredis (build "hiredis"); it returns the binary and
// the go command's output.
func buildWorker(ctx context.Context, dir, modDir, pkg, build string) (string, []byte, error) {
	out := filepath.Join(dir, filepath.Base(pkg)+"-"+build)
	args := []string{"build", "-o", out}
	env := append(os.Environ(), "CGO_ENABLED=0")
	if build == "hiredis" {
		args = append(args, "-tags", "hiredis")
		env = append(os.Environ(), "CGO_ENABLED=1", "PKG_CONFIG_PATH="+hiredisPkgConfigPath(modDir))
	}
	cmd := exec.CommandContext(ctx, goTool(), append(args, pkg)...)
	cmd.Dir = modDir
	cmd.Env = env
	b, err := cmd.CombinedOutput()
	return out, b, err
}

// hiredisPkgConfigPath puts the repository's hiredis prefix first on
// PKG_CONFIG_PATH, as the Makefile does.
func hiredisPkgConfigPath(modDir string) string {
	p := os.Getenv("PKG_CONFIG_PATH")
	dir := filepath.Join(filepath.Dir(modDir), "hiredis", ".prefix", "lib", "pkgconfig")
	if strings.Contains(p, dir) {
		return p
	}
	if p == "" {
		return dir
	}
	return dir + ":" + p
}

// goTool returns the go command: $GO (the Makefile passes its own), or go
// from PATH.
func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

// moduleDir returns the directory of the benchmarks module (go.mod's), so
// that the driver works from any directory inside it.
func moduleDir() (string, error) {
	out, err := exec.Command(goTool(), "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if !strings.HasSuffix(gomod, filepath.Join("benchmarks", "go.mod")) {
		return "", fmt.Errorf("run me inside the benchmarks module (go env GOMOD says %q)", gomod)
	}
	return filepath.Dir(gomod), nil
}

// runWorker runs one worker process and decodes its result.
func runWorker(ctx context.Context, bin, addr string, pl placement, c row, wl string, cfg *config) (workload.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*(cfg.dur+cfg.warmup)+time.Minute)
	defer cancel()
	return workerResult(command(ctx, pl.CPUs, bin, "-addr", addr, "-client", c.Client, "-workload", wl,
		"-time", cfg.dur.String(), "-warmup", cfg.warmup.String(), "-ctx", cfg.ctxKind))
}

// workerResult runs a worker process and decodes its result.
func workerResult(cmd *exec.Cmd) (workload.Result, error) {
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return workload.Result{}, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var res workload.Result
	if err := json.Unmarshal(out, &res); err != nil {
		return res, fmt.Errorf("worker output %q: %v", out, err)
	}
	if res.Ops == 0 && !res.Skipped {
		return res, errors.New("worker ran no command")
	}
	return res, nil
}
