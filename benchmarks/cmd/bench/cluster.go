// The cluster benchmark: BENCH_CLUSTER=1 (make bench-cluster) makes this
// program start a Redis Cluster of 3 masters (no replicas) on loopback,
// load the workloads' keys (they hash to slots on every master), and
// compare duoredis's cluster.Client (pure-Go and hiredis builds) with
// go-redis's ClusterClient and rueidis on four workloads: one goroutine
// GET, 64 goroutines GET/SET, a pipeline of 100 over every node and an
// MGET of 100 keys in as many slots. The method is the single-server one:
// rounds, each running every client once per workload in a rotating order,
// each in a fresh process (cmd/clusterworker), medians over the rounds and
// ratios taken within a round. No CPU pinning: three servers and the
// client share the machine's cores. It writes the table into
// docs/benchmarks.md and README.md between the cluster markers, and every
// sample to docs/benchmarks-cluster.json.
//
// Environment: BENCH_ROUNDS (default 5), BENCH_TIME (default 600ms),
// BENCH_CLUSTER_ADDRS (a running cluster's seeds, comma-separated: start
// none; its data is overwritten), BENCH_COMMAND (the command line to
// record), BENCH_DOCS=0 (write no file).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
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
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/cluster"
)

func init() {
	// Before main and its flags: the cluster benchmark is a program of its
	// own inside this one.
	if v := os.Getenv("BENCH_CLUSTER"); v != "" && v != "0" {
		if err := clusterMain(); err != nil {
			fmt.Fprintln(os.Stderr, "bench (cluster):", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// clusterRows are the clients of the cluster table (Build: the
// clusterworker build; Client: its -client).
var clusterRows = []row{
	{Name: "duoredis", Build: "go", Client: "duoredis"},
	{Name: "duoredis+hiredis", Build: "hiredis", Client: "duoredis"},
	{Name: "go-redis", Build: "go", Client: "goredis", Peer: true},
	{Name: "rueidis", Build: "go", Client: "rueidis", Peer: true},
}

var clusterWorkloads = []string{workload.Get, workload.Par64, workload.Pipe100, workload.MGet}

var clusterTitles = map[string]string{
	workload.Get:     "GET serial",
	workload.Par64:   "64 goroutines GET/SET",
	workload.Pipe100: "pipeline 100 across nodes",
	workload.MGet:    "MGET 100 across slots",
}

// clusterStat is one row of the cluster table.
type clusterStat struct{ core }

func (st clusterStat) cells() []string {
	return st.core.cells(func(v float64) string { return fmtNum(v, 0) })
}

type clusterReport struct {
	runInfo
	Cluster   string                         `json:"cluster"`
	Stats     map[string][]clusterStat       `json:"stats"`
	Samples   map[string]map[string][]sample `json:"samples"`
	Workloads []string                       `json:"workloads"`
}

func clusterMain() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	rounds, err := strconv.Atoi(envOr("BENCH_ROUNDS", "5"))
	if err != nil || rounds < 1 {
		return fmt.Errorf("BENCH_ROUNDS=%q: want a positive number", os.Getenv("BENCH_ROUNDS"))
	}
	dur, err := time.ParseDuration(envOr("BENCH_TIME", "600ms"))
	if err != nil || dur <= 0 {
		return fmt.Errorf("BENCH_TIME=%q: want a duration", os.Getenv("BENCH_TIME"))
	}
	warm := min(dur/4, 200*time.Millisecond)
	mod, err := moduleDir()
	if err != nil {
		return err
	}
	command := envOr("BENCH_COMMAND", "cd benchmarks && BENCH_CLUSTER=1 go run ./cmd/bench")
	tmp, err := os.MkdirTemp("", "duoredis-bench-cluster-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	mach := machineInfo(ctx, mod)
	rows := slices.Clone(clusterRows)
	bins := map[string]string{}
	for _, build := range []string{"go", "hiredis"} {
		out, b, err := buildWorker(ctx, tmp, mod, "./cmd/clusterworker", build)
		if err != nil {
			if build == "hiredis" {
				fmt.Fprintf(os.Stderr, "warning: the hiredis build failed, its row is left out:\n%s\n", b)
				rows = slices.DeleteFunc(rows, func(r row) bool { return r.Build == "hiredis" })
				continue
			}
			return fmt.Errorf("go build ./cmd/clusterworker: %v\n%s", err, b)
		}
		bins[build] = out
	}

	seeds := os.Getenv("BENCH_CLUSTER_ADDRS")
	desc := "a running cluster (BENCH_CLUSTER_ADDRS)"
	if seeds == "" {
		nodes, err := startBenchCluster(ctx, tmp, 3)
		if err != nil {
			return err
		}
		defer func() {
			for _, n := range nodes {
				n.stop()
			}
		}()
		var addrs []string
		for _, n := range nodes {
			addrs = append(addrs, n.addr)
		}
		seeds = strings.Join(addrs, ",")
		desc = "3 masters, no replicas, on loopback; each redis-server in a session of its own, persistence off; no CPU pinning"
	}
	if err := loadCluster(ctx, strings.Split(seeds, ",")); err != nil {
		return fmt.Errorf("loading data: %w", err)
	}
	fmt.Printf("cluster %s; %d rounds of %v per client and workload (warm-up %v)\n", seeds, rounds, dur, warm)

	samples := map[string]map[string][]sample{}
	for _, wl := range clusterWorkloads {
		samples[wl] = map[string][]sample{}
	}
	for r := range rounds {
		fmt.Printf("round %d/%d ", r+1, rounds)
		for wi, wl := range clusterWorkloads {
			for _, c := range rotate(rows, r+wi) {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				res, err := runClusterWorker(ctx, bins[c.Build], seeds, c, wl, dur, warm)
				s := sample{Round: r, Result: res}
				if err != nil {
					s.Err = err.Error()
					fmt.Printf("\n  %s %s: %v\n", wl, c.Name, err)
				}
				samples[wl][c.Name] = append(samples[wl][c.Name], s)
			}
			fmt.Print(".")
		}
		fmt.Printf(" %v\n", time.Since(start).Round(time.Second))
	}
	rep := &clusterReport{
		runInfo: runInfo{Date: time.Now().UTC(), Command: command, Machine: mach, Rounds: rounds,
			Time: dur.String(), Warmup: warm.String(), Elapsed: time.Since(start).Round(time.Second).String()},
		Cluster: desc, Samples: samples, Workloads: clusterWorkloads, Stats: map[string][]clusterStat{},
	}
	rep.build(rows)
	fmt.Println()
	fmt.Print(rep.text())
	if os.Getenv("BENCH_DOCS") == "0" {
		return nil
	}
	docs := filepath.Join(filepath.Dir(mod), "docs")
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(docs, "benchmarks-cluster.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	md := rep.markdown()
	if err := replaceSection(filepath.Join(docs, "benchmarks.md"), md, true); err != nil {
		return err
	}
	if err := replaceSection(filepath.Join(filepath.Dir(mod), "README.md"), rep.readme(), false); err != nil {
		return err
	}
	fmt.Printf("wrote docs/benchmarks-cluster.json and the cluster sections of docs/benchmarks.md and README.md\n")
	return nil
}

func runClusterWorker(ctx context.Context, bin, seeds string, c row, wl string, dur, warm time.Duration) (workload.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*(dur+warm)+time.Minute)
	defer cancel()
	return workerResult(exec.CommandContext(ctx, bin, "-addrs", seeds, "-client", c.Client, "-workload", wl,
		"-time", dur.String(), "-warmup", warm.String()))
}

// loadCluster writes the keys of the cluster workloads.
func loadCluster(ctx context.Context, seeds []string) error {
	rdb, err := cluster.New(cluster.Options{Addrs: seeds})
	if err != nil {
		return err
	}
	defer rdb.Close()
	keys := append([]string{workload.KeyGet}, workload.ParKeys()...)
	keys = append(keys, workload.PipeKeys()...)
	keys = append(keys, workload.MGetKeyList()...)
	values := map[string]any{}
	for _, k := range keys {
		values[k] = workload.Value
	}
	// MSET across slots: split by slot, one MSET per slot.
	if err := rdb.MSet(ctx, values).Err(); err != nil {
		return err
	}
	vals, err := rdb.MGet(ctx, workload.MGetKeyList()...).Result()
	if err != nil {
		return err
	}
	for i, v := range vals {
		if s, _ := v.(string); s != string(workload.Value) {
			return fmt.Errorf("%s holds %v after loading", workload.MGetKeyList()[i], v)
		}
	}
	return nil
}

// benchNode is a cluster node this program started.
type benchNode struct {
	addr string
	cmd  *exec.Cmd
	done chan struct{}
}

func (n *benchNode) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(5 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
}

// startBenchCluster starts n redis-server --cluster-enabled yes on
// loopback ports whose bus ports (+10000) are free too, each in a session
// of its own as the single-server benchmark starts its server, and joins
// them with redis-cli --cluster create.
func startBenchCluster(ctx context.Context, dir string, n int) ([]*benchNode, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server not found on PATH (make deps installs it)")
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, errors.New("redis-cli not found on PATH (make deps installs redis-tools)")
	}
	var nodes []*benchNode
	fail := func(err error) ([]*benchNode, error) {
		for _, nd := range nodes {
			nd.stop()
		}
		return nil, err
	}
	used := map[int]bool{}
	for len(nodes) < n {
		port, err := clusterPort(used)
		if err != nil {
			return fail(err)
		}
		used[port] = true
		p := strconv.Itoa(port)
		log, err := os.Create(filepath.Join(dir, "redis-"+p+".log"))
		if err != nil {
			return fail(err)
		}
		cmd := exec.Command(bin, "--port", p, "--bind", "127.0.0.1", "--protected-mode", "no",
			"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--logfile", "",
			"--maxclients", "4096", "--cluster-enabled", "yes", "--cluster-config-file", "nodes-"+p+".conf",
			"--cluster-node-timeout", "5000")
		cmd.Stdout, cmd.Stderr = log, log
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setsid: true}
		if err := cmd.Start(); err != nil {
			log.Close()
			return fail(err)
		}
		nd := &benchNode{addr: net.JoinHostPort("127.0.0.1", p), cmd: cmd, done: make(chan struct{})}
		go func() { _ = cmd.Wait(); log.Close(); close(nd.done) }()
		s := &server{addr: nd.addr, cmd: cmd, done: nd.done}
		if err := s.waitReady(5 * time.Second); err != nil {
			nd.stop()
			continue // the port was taken meanwhile: another
		}
		nodes = append(nodes, nd)
	}
	args := []string{"--cluster", "create"}
	for _, nd := range nodes {
		args = append(args, nd.addr)
	}
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		return fail(fmt.Errorf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out))
	}
	// Every node must report cluster_state:ok and a full slot map.
	deadline := time.Now().Add(30 * time.Second)
	for _, nd := range nodes {
		rdb, err := client.New(client.Options{Addr: nd.addr})
		if err != nil {
			return fail(err)
		}
		for {
			v, err := rdb.Do(ctx, "CLUSTER", "INFO").Result()
			info, _ := v.(string)
			if b, ok := v.([]byte); ok {
				info = string(b)
			}
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_slots_ok:16384") {
				break
			}
			if time.Now().After(deadline) {
				rdb.Close()
				return fail(fmt.Errorf("the cluster is not ok on %s: %v %s", nd.addr, err, info))
			}
			time.Sleep(100 * time.Millisecond)
		}
		rdb.Close()
	}
	return nodes, nil
}

// clusterPort picks a random port in 12000-21999 that is free, with its
// bus port (+10000, below the ephemeral range) free too.
func clusterPort(used map[int]bool) (int, error) {
	free := func(p int) bool {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		l.Close()
		return true
	}
	for range 200 {
		p := 12000 + rand.IntN(10000)
		if !used[p] && free(p) && free(p+10000) {
			return p, nil
		}
	}
	return 0, errors.New("no free port pair (port, port+10000) in 12000-21999")
}

// build computes the medians, and each row's ratio to the best peer: the
// median over rounds of the ratio within a round.
func (rep *clusterReport) build(rows []row) {
	for _, wl := range rep.Workloads {
		by := rep.Samples[wl]
		best := bestPeer(rows, by)
		for _, c := range rows {
			rep.Stats[wl] = append(rep.Stats[wl], clusterStat{newCore(c.Name, by, best, true)})
		}
	}
}

var clusterHeader = []string{"ops/s", "allocs/op", "B/op", "CPU µs/op", "× best peer"}

// lines are the lines of the table.
func (rep *clusterReport) lines() [][]tableLine {
	return tableLines(rep.Workloads, clusterTitles, func(wl string) []clusterStat { return rep.Stats[wl] })
}

func (rep *clusterReport) summary() string {
	m := rep.Machine
	return fmt.Sprintf("%s; duoredis %s; %d CPUs, %s; Linux %s; %s; redis-server %s; hiredis %s; go-redis %s; rueidis %s",
		rep.Date.Format("2006-01-02 15:04 MST"), m.Commit, m.CPUs, m.CPUModel, m.Kernel, m.Go, m.RedisServer, m.Hiredis,
		m.Modules["github.com/redis/go-redis/v9"], m.Modules["github.com/redis/rueidis"])
}

func (rep *clusterReport) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\ncluster: %s\n%d rounds × %s per client and workload; medians\n\n", rep.summary(), rep.Cluster, rep.Rounds, rep.Time)
	writeText(&b, clusterHeader, rep.lines(), false)
	b.WriteString("* best peer (highest median ops/s of go-redis and rueidis)\n")
	return b.String()
}

func (rep *clusterReport) table() string {
	var b strings.Builder
	writeMarkdown(&b, clusterHeader, rep.lines())
	return b.String()
}

func (rep *clusterReport) markdown() string {
	var b strings.Builder
	b.WriteString("## Redis Cluster\n\n")
	b.WriteString("duoredis's `cluster.Client` (pure-Go, and hiredis with `-tags hiredis`) against go-redis v9's\n")
	b.WriteString("`ClusterClient` and rueidis, all with default options, on a local cluster. Generated by\n")
	b.WriteString("`benchmarks/cmd/bench` with `BENCH_CLUSTER=1` (`make bench-cluster`); do not edit by hand.\n\n")
	rep.Machine.writeMarkdown(&b, rep.Date, []string{"github.com/redis/go-redis/v9", "github.com/redis/rueidis"})
	fmt.Fprintf(&b, "- command: `%s` (%d rounds, %s measured per client, workload and round after %s of warm-up; %s in all)\n",
		rep.Command, rep.Rounds, rep.Time, rep.Warmup, rep.Elapsed)
	fmt.Fprintf(&b, "- cluster: %s\n\n", rep.Cluster)
	b.WriteString(rep.table())
	b.WriteString("\nBold: the best peer of the workload. Every sample: `docs/benchmarks-cluster.json`.\n\n")
	b.WriteString("Method: as above (rounds in a rotating order, a fresh worker process per client, workload and\n")
	b.WriteString("round, medians, ratios within a round), with `benchmarks/cmd/clusterworker` as the worker. The\n")
	b.WriteString("keys are the single-server workloads' (`bench:k16`, `bench:par:*`, `bench:pipe:*`, `bench:mget:*`):\n")
	b.WriteString("their slots are on all three masters, so the pipeline of 100 goes to every node and the MGET of\n")
	b.WriteString("100 keys is split by slot. go-redis sends a cross-slot MGET as is (CROSSSLOT) unless given its\n")
	b.WriteString("command-info resolver (`SetCommandInfoResolver(NewDynamicResolver())`, set for its row); rueidis refuses it\n")
	b.WriteString("through `Do`, so its row uses `rueidis.MGet`, its helper that splits by slot (and returns a map).\n")
	b.WriteString("No CPU pinning: three servers and the client share the machine's cores, so the figures are\n")
	b.WriteString("noisier than the single-server ones; compare the ratios.\n")
	return b.String()
}

func (rep *clusterReport) readme() string {
	return fmt.Sprintf("%s (`%s`, %d rounds; %s):\n\n%s",
		rep.Date.Format("2006-01-02"), rep.Command, rep.Rounds, rep.summary(), rep.table())
}

const (
	clusterBegin = "<!-- cluster-bench:begin -->"
	clusterEnd   = "<!-- cluster-bench:end -->"
)

// replaceSection puts text between the cluster markers of the file at
// path; when the file has none and add is set, it appends them with text.
func replaceSection(path, text string, add bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		if add && errors.Is(err, os.ErrNotExist) {
			b = nil
		} else if errors.Is(err, os.ErrNotExist) {
			return nil
		} else {
			return err
		}
	}
	s := string(b)
	i, j := strings.Index(s, clusterBegin), strings.Index(s, clusterEnd)
	switch {
	case i >= 0 && j > i:
		s = s[:i+len(clusterBegin)] + "\n" + text + s[j:]
	case add:
		s = strings.TrimRight(s, "\n") + "\n\n" + clusterBegin + "\n" + text + clusterEnd + "\n"
	default:
		fmt.Fprintf(os.Stderr, "note: %s has no %q line: its cluster table is not updated\n", path, clusterBegin)
		return nil
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

// keepClusterSection returns md, the single-server report, followed by the
// cluster section of the file at path, if it has one: make bench rewrites
// docs/benchmarks.md and keeps the table of make bench-cluster.
func keepClusterSection(path, md string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return md
	}
	s := string(b)
	i, j := strings.Index(s, clusterBegin), strings.Index(s, clusterEnd)
	if i < 0 || j < i {
		return md
	}
	return strings.TrimRight(md, "\n") + "\n\n" + s[i:j+len(clusterEnd)] + "\n"
}
