package otel_test

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests start their own redis-server (a module cannot use the core's
// internal/redistest). Without the binary they skip, except in CI
// (CI=true), where that fails them.

// server is a redis-server that a test started.
type server struct {
	cmd    *exec.Cmd
	addr   string
	port   int
	dir    string
	exited chan struct{}
	once   sync.Once
}

var shared struct {
	once sync.Once
	srv  *server
	err  error
	all  []*server // stopped by TestMain
	mu   sync.Mutex
}

func TestMain(m *testing.M) {
	flag.Parse()
	// The examples read REDIS_URL: point it at the shared server when the
	// run includes them and the user named none.
	if os.Getenv("REDIS_URL") == "" && examplesWillRun() {
		if s, err := sharedServer(); err == nil {
			os.Setenv("REDIS_URL", "redis://"+s.addr)
		} else {
			fmt.Fprintln(os.Stderr, "starting the examples' redis-server:", err)
		}
	}
	code := m.Run()
	shared.mu.Lock()
	for _, s := range shared.all {
		s.stop()
	}
	shared.mu.Unlock()
	os.Exit(code)
}

// examplesWillRun reports whether -run lets an Example run.
func examplesWillRun() bool {
	f := flag.Lookup("test.run")
	return f == nil || f.Value.String() == "" || strings.Contains(f.Value.String(), "Example")
}

func sharedServer() (*server, error) {
	shared.once.Do(func() { shared.srv, shared.err = startServer() })
	return shared.srv, shared.err
}

// sharedTB returns the package's shared server, starting it on first use;
// tests that share it use keys of their own.
func sharedTB(t testing.TB) *server {
	t.Helper()
	requireBinary(t)
	s, err := sharedServer()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ownServer starts a server for the test alone, with extra arguments.
func ownServer(t testing.TB, args ...string) *server {
	t.Helper()
	requireBinary(t)
	s, err := startServer(args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	return s
}

func requireBinary(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not on PATH (CI=true: the tests must run)")
		}
		t.Skip("redis-server is not on PATH")
	}
}

// startServer starts redis-server on a free port of 127.0.0.1, without
// persistence, in a directory of its own, and waits until it answers.
func startServer(args ...string) (*server, error) {
	dir, err := os.MkdirTemp("", "otel-redis-")
	if err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		argv := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--logfile", ""}, args...)
		cmd := exec.Command("redis-server", argv...)
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		s := &server{cmd: cmd, addr: "127.0.0.1:" + strconv.Itoa(port), port: port, exited: exited}
		if err := s.waitReady(exited); err != nil {
			s.stop()
			if errors.Is(err, errExited) {
				continue // the port was taken meanwhile
			}
			return nil, err
		}
		s.dir = dir
		shared.mu.Lock()
		shared.all = append(shared.all, s)
		shared.mu.Unlock()
		return s, nil
	}
	os.RemoveAll(dir)
	return nil, errors.New("redis-server would not start")
}

var errExited = errors.New("redis-server exited")

// waitReady waits until the server answers PING (with PONG, or NOAUTH when
// it has a password).
func (s *server) waitReady(exited chan struct{}) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errExited
		default:
		}
		nc, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			nc.SetDeadline(time.Now().Add(time.Second))
			_, err = nc.Write([]byte("PING\r\n"))
			var line string
			if err == nil {
				line, err = bufio.NewReader(nc).ReadString('\n')
			}
			nc.Close()
			if err == nil && (strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH")) {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("redis-server on %s did not answer PING", s.addr)
}

// stop kills the server and removes its directory; it may be called more
// than once.
func (s *server) stop() {
	s.once.Do(func() {
		s.cmd.Process.Kill()
		<-s.exited
		if s.dir != "" {
			os.RemoveAll(s.dir)
		}
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
