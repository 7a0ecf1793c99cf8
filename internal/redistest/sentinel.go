package redistest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
)

// SentinelOptions describes a topology for [StartSentinels]: a master, its
// replicas and the sentinels that watch it, all on free loopback ports.
type SentinelOptions struct {
	// Name is the name the sentinels monitor the master under.
	// default: "mymaster"
	Name string
	// Replicas is the number of replicas (--replicaof the master).
	// default: 0
	Replicas int
	// Sentinels is the number of redis-sentinel processes.
	// default: 1
	Sentinels int
	// Quorum is the number of sentinels that must agree the master is down.
	// default: a majority of Sentinels
	Quorum int
	// DownAfter is the sentinels' down-after-milliseconds.
	// default: 500 milliseconds
	DownAfter time.Duration
	// FailoverTimeout is the sentinels' failover-timeout.
	// default: 2 seconds
	FailoverTimeout time.Duration
	// Password makes the master and replicas require it (requirepass and
	// masterauth), and the sentinels authenticate with it (auth-pass).
	// default: none
	Password string
	// SentinelPassword makes the sentinels themselves require a password.
	// default: none
	SentinelPassword string
}

// SentinelTopology is a running master, its replicas and its sentinels,
// stopped when the test ends. The sentinels are [Server]s too: Addr, Do,
// Exec, Stop and Log work on them (Restart does not: it would start a
// redis-server).
type SentinelTopology struct {
	Name      string
	Master    *Server
	Replicas  []*Server
	Sentinels []*Server
}

// SentinelAddrs returns the sentinels' addresses.
func (tp *SentinelTopology) SentinelAddrs() []string {
	addrs := make([]string, len(tp.Sentinels))
	for i, s := range tp.Sentinels {
		addrs[i] = s.Addr()
	}
	return addrs
}

// ServerAt returns the data node (master or replica) listening on addr,
// or nil.
func (tp *SentinelTopology) ServerAt(addr string) *Server {
	if tp.Master.Addr() == addr {
		return tp.Master
	}
	for _, r := range tp.Replicas {
		if r.Addr() == addr {
			return r
		}
	}
	return nil
}

// StartSentinels starts the topology o describes and waits until every
// replica is in sync and every sentinel knows the master, its replicas and
// the other sentinels. It skips the test when redis-sentinel is not
// installed (fails it when CI is set; REDISTEST_SENTINEL names another
// binary), and fails it if a process does not come up.
func StartSentinels(t testing.TB, o SentinelOptions) *SentinelTopology {
	t.Helper()
	sbin := sentinelBinary(t)
	o.defaults()
	// Full syncs start at once: Redis waits 5 seconds by default, for
	// other replicas to share a diskless transfer. DEBUG (SLEEP) is
	// allowed, to freeze a server in tests.
	opts := []Option{Args("--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes")}
	if o.Password != "" {
		opts = append(opts, RequirePass(o.Password), Args("--masterauth", o.Password))
	}
	tp := &SentinelTopology{Name: o.Name}
	tp.Master = Start(t, opts...)
	host, port := "127.0.0.1", strconv.Itoa(tp.Master.Port())
	for i := 0; i < o.Replicas; i++ {
		ropts := append(append([]Option(nil), opts...), Args("--replicaof", host, port))
		tp.Replicas = append(tp.Replicas, Start(t, ropts...))
	}
	for _, r := range tp.Replicas {
		waitReplicaSync(t, r)
	}
	for i := 0; i < o.Sentinels; i++ {
		tp.Sentinels = append(tp.Sentinels, startSentinel(t, sbin, &o, tp.Master.Port()))
	}
	for _, s := range tp.Sentinels {
		waitSentinelReady(t, s, &o)
	}
	return tp
}

func (o *SentinelOptions) defaults() {
	if o.Name == "" {
		o.Name = "mymaster"
	}
	if o.Sentinels <= 0 {
		o.Sentinels = 1
	}
	if o.Quorum <= 0 {
		o.Quorum = o.Sentinels/2 + 1
	}
	if o.DownAfter <= 0 {
		o.DownAfter = 500 * time.Millisecond
	}
	if o.FailoverTimeout <= 0 {
		o.FailoverTimeout = 2 * time.Second
	}
}

// sentinelBinary returns the path of redis-sentinel (or
// REDISTEST_SENTINEL), or skips the test (fails it in CI).
func sentinelBinary(t testing.TB) string {
	t.Helper()
	name := os.Getenv("REDISTEST_SENTINEL")
	if name == "" {
		name = "redis-sentinel"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		err = fmt.Errorf("redistest: %s is not installed (%v): install it (Debian: apt-get install redis-sentinel) to run this test", name, err)
		if inCI() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return path
}

// waitReplicaSync waits until the replica's link to its master is up.
func waitReplicaSync(t testing.TB, r *Server) {
	t.Helper()
	ok := WaitFor(startTimeout, func() bool {
		reply, err := r.Do("INFO", "replication")
		return err == nil && strings.Contains(string(reply.Str), "master_link_status:up")
	})
	if !ok {
		t.Fatalf("redistest: replica on port %d did not sync with its master:\n%s", r.Port(), r.Log())
	}
}

// startSentinel writes a config file in a temp dir of its own (sentinel
// rewrites it, so it must be writable) and starts a sentinel on a free
// port.
func startSentinel(t testing.TB, bin string, o *SentinelOptions, masterPort int) *Server {
	t.Helper()
	s := newServer(bin, t.TempDir(), nil)
	s.cfg.password = o.SentinelPassword
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	})
	var err error
	for try := 0; try < 5; try++ {
		if s.port, err = freePort(); err != nil {
			break
		}
		var conf string
		if conf, err = writeSentinelConf(s, o, masterPort); err != nil {
			break
		}
		if err = s.startSentinel(conf); err == nil || !strings.Contains(err.Error(), "in use") {
			break
		}
	}
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return s
}

func writeSentinelConf(s *Server, o *SentinelOptions, masterPort int) (string, error) {
	var b strings.Builder
	line := func(f string, a ...any) { fmt.Fprintf(&b, f+"\n", a...) }
	line("port %d", s.port)
	line("bind 127.0.0.1")
	line("daemonize no")
	line(`logfile ""`)
	line("dir %s", strconv.Quote(s.dir))
	if o.SentinelPassword != "" {
		line("requirepass %s", strconv.Quote(o.SentinelPassword))
	}
	line("sentinel monitor %s 127.0.0.1 %d %d", o.Name, masterPort, o.Quorum)
	line("sentinel down-after-milliseconds %s %d", o.Name, o.DownAfter.Milliseconds())
	line("sentinel failover-timeout %s %d", o.Name, o.FailoverTimeout.Milliseconds())
	line("sentinel parallel-syncs %s 1", o.Name)
	if o.Password != "" {
		line("sentinel auth-pass %s %s", o.Name, strconv.Quote(o.Password))
	}
	conf := filepath.Join(s.dir, "sentinel.conf")
	return conf, os.WriteFile(conf, []byte(b.String()), 0o600)
}

// startSentinel runs the sentinel binary on conf and waits until it
// answers PING.
func (s *Server) startSentinel(conf string) error {
	p, _, err := s.spawn([]string{conf}, "")
	if err != nil {
		return err
	}
	return s.waitPing(p, "redis-sentinel")
}

// waitSentinelReady waits until the sentinel sees the master up, every
// replica and every other sentinel.
func waitSentinelReady(t testing.TB, s *Server, o *SentinelOptions) {
	t.Helper()
	var last map[string]string
	ok := WaitFor(startTimeout, func() bool {
		r, err := s.Do("SENTINEL", "MASTER", o.Name)
		if err != nil {
			return false
		}
		last = ReplyFields(&r)
		if last["flags"] != "master" || last["num-slaves"] != strconv.Itoa(o.Replicas) ||
			last["num-other-sentinels"] != strconv.Itoa(o.Sentinels-1) {
			return false
		}
		// The sentinel learns of the replicas from the master, then
		// connects to each: wait until it sees them connected and in sync.
		if r, err = s.Do("SENTINEL", "REPLICAS", o.Name); err != nil {
			return false
		}
		for i := range r.Elems {
			f := ReplyFields(&r.Elems[i])
			if f["flags"] != "slave" || f["master-link-status"] != "ok" {
				last = f
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("redistest: sentinel on port %d not ready for %s: %v\n%s", s.Port(), o.Name, last, s.Log())
	}
}

// ReplyFields turns a sentinel's description of a server (SENTINEL
// MASTER's reply: a flat array of names and values in RESP2, a map in
// RESP3) into a map.
func ReplyFields(r *redis.Reply) map[string]string {
	m := make(map[string]string, len(r.Elems)/2)
	for i := 0; i+1 < len(r.Elems); i += 2 {
		m[string(r.Elems[i].Str)] = Text(&r.Elems[i+1])
	}
	return m
}

// sharedSentinels is StartSentinels for the examples' environment
// (SentinelEnv), which has no testing.TB: it starts one topology per o, the
// first time o is asked for, and Main stops it when the test binary exits.
// It returns an error where StartSentinels would fail or skip the test.
func sharedSentinels(o SentinelOptions) (*SentinelTopology, error) {
	key := fmt.Sprintf("%+v", o)
	exampleTopologies.mu.Lock()
	defer exampleTopologies.mu.Unlock()
	if tp := exampleTopologies.m[key]; tp != nil {
		return tp, nil
	}
	tb := &exampleTB{}
	var tp *SentinelTopology
	done := make(chan struct{})
	go func() {
		// Fatal and Skip end the goroutine, as in a test.
		defer close(done)
		tp = StartSentinels(tb, o)
	}()
	<-done
	if tp == nil {
		for i := len(tb.cleanups) - 1; i >= 0; i-- {
			tb.cleanups[i]()
		}
		for _, d := range tb.dirs {
			_ = os.RemoveAll(d)
		}
		return nil, errors.New(tb.msg)
	}
	// Main stops the servers and removes the directories.
	shared.mu.Lock()
	if shared.servers == nil {
		shared.servers = make(map[string]*Server)
	}
	for _, s := range append(append([]*Server{tp.Master}, tp.Replicas...), tp.Sentinels...) {
		shared.servers[fmt.Sprintf("sentinel-example-%p", s)] = s
	}
	shared.dirs = append(shared.dirs, tb.dirs...)
	shared.mu.Unlock()
	if exampleTopologies.m == nil {
		exampleTopologies.m = make(map[string]*SentinelTopology)
	}
	exampleTopologies.m[key] = tp
	return tp, nil
}

var exampleTopologies struct {
	mu sync.Mutex
	m  map[string]*SentinelTopology
}

// exampleTB is the testing.TB of sharedSentinels. Its cleanups run
// only when the start fails: otherwise Main stops the servers.
type exampleTB struct {
	testing.TB // only to have the unexported method; never called
	dirs       []string
	cleanups   []func()
	msg        string
}

func (tb *exampleTB) Helper()                      {}
func (tb *exampleTB) Cleanup(f func())             { tb.cleanups = append(tb.cleanups, f) }
func (tb *exampleTB) Error(args ...any)            { tb.msg = fmt.Sprint(args...) }
func (tb *exampleTB) Errorf(f string, args ...any) { tb.msg = fmt.Sprintf(f, args...) }
func (tb *exampleTB) Fatal(args ...any)            { tb.msg = fmt.Sprint(args...); runtime.Goexit() }
func (tb *exampleTB) Fatalf(f string, args ...any) {
	tb.msg = fmt.Sprintf(f, args...)
	runtime.Goexit()
}
func (tb *exampleTB) Skip(args ...any) { tb.msg = fmt.Sprint(args...); runtime.Goexit() }

func (tb *exampleTB) TempDir() string {
	d, err := os.MkdirTemp("", "redistest")
	if err != nil {
		tb.Fatal(err)
	}
	tb.dirs = append(tb.dirs, d)
	return d
}

// Kill ends the server at once with SIGKILL (kill -9), as a crash would:
// no shutdown, no goodbye to its clients or replicas. Restart starts it
// again. Killing a stopped server does nothing.
func (s *Server) Kill() error {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.exited:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("redistest: pid %d does not exit after SIGKILL", p.cmd.Process.Pid)
	}
}
