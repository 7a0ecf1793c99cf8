// Package redistest starts real redis-server processes for tests.
//
// Start gives a test its own server on a free loopback port, in a temporary
// directory, stopped when the test ends:
//
//	srv := redistest.Start(t, redistest.RequirePass("secret"), redistest.UnixSocket())
//	opts := pool.Options{Addr: srv.Addr(), Password: "secret"}
//
// Shared gives every test of a package one server, started on first use and
// stopped when the test binary exits; the package's TestMain must call Main:
//
//	func TestMain(m *testing.M) { redistest.Main(m) }
//
// A machine without redis-server skips the tests that need one, unless the
// environment variable CI is set (as CI services set it to "true"): there
// the missing server is a test failure. REDISTEST_SERVER names another
// binary (for example valkey-server) instead of redis-server on PATH.
package redistest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/goparser"
)

const (
	// startTimeout bounds the wait for a started server to accept commands.
	startTimeout = 10 * time.Second
	// stopTimeout is how long a server may take to exit after SIGTERM
	// before it is killed.
	stopTimeout = 5 * time.Second
	// maxLog is how much of a server's output is kept for error messages.
	maxLog = 16 << 10
	// readyLine is what redis-server logs once it accepts connections.
	readyLine = "Ready to accept connections"
)

// Option configures a server started by [Start] or [Shared].
type Option func(*config)

type config struct {
	args     []string
	password string
	unix     bool
	tls      bool
	tlsAuth  string
}

// Args appends raw redis-server arguments, one directive and its values as
// separate strings, as on the command line: Args("--maxclients", "50"). An
// empty value is an empty string: Args("--rename-command", "HELLO", "")
// disables HELLO.
func Args(args ...string) Option {
	return func(c *config) { c.args = append(c.args, args...) }
}

// RequirePass makes the server require a password (--requirepass). Exec and
// Do authenticate with it.
func RequirePass(password string) Option {
	return func(c *config) { c.password = password }
}

// UnixSocket makes the server listen on a unix socket as well, with mode
// 700; Socket returns its path.
func UnixSocket() Option {
	return func(c *config) { c.unix = true }
}

// Server is a running redis-server process. Its methods are safe for
// concurrent use.
type Server struct {
	cfg      config
	bin      string
	dir      string
	socket   string
	sockDir  string // a short temp dir holding the socket, removed at cleanup, or ""
	port     int
	tlsPort  int
	tlsFiles *tlsFiles // with TLS: the certificates, made once

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one run of redis-server.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	log    *logBuffer
}

// Start starts a redis-server for the calling test and stops it in
// t.Cleanup. It skips the test (fails it when CI is set) if redis-server is
// not installed, and fails it if the server does not come up.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	bin := binary(t)
	s := newServer(bin, t.TempDir(), opts)
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
		if s.sockDir != "" {
			_ = os.RemoveAll(s.sockDir)
		}
	})
	if err := s.startFree(); err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return s
}

func newServer(bin, dir string, opts []Option) *Server {
	s := &Server{bin: bin, dir: dir}
	for _, o := range opts {
		o(&s.cfg)
	}
	if s.cfg.unix {
		s.socket = filepath.Join(dir, "redis.sock")
		// sun_path holds 108 bytes on Linux, 104 on the BSDs.
		if len(s.socket) > 100 {
			if d, err := os.MkdirTemp("", "rt"); err == nil {
				s.socket = filepath.Join(d, "redis.sock")
				s.sockDir = d
			}
		}
	}
	return s
}

// binary returns the path of the server binary, or skips (fails in CI).
func binary(t testing.TB) string {
	t.Helper()
	path, err := lookBinary()
	if err != nil {
		if inCI() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return path
}

// lookBinary finds redis-server (or REDISTEST_SERVER) on PATH.
func lookBinary() (string, error) {
	name := os.Getenv("REDISTEST_SERVER")
	if name == "" {
		name = "redis-server"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("redistest: %s is not installed (%v): install redis-server (Debian: apt-get install redis-server) to run this test", name, err)
	}
	return path, nil
}

func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// Addr returns the server's TCP address, "127.0.0.1:port".
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Port returns the server's TCP port.
func (s *Server) Port() int { return s.port }

// Socket returns the path of the server's unix socket, or "" when it was
// started without [UnixSocket].
func (s *Server) Socket() string { return s.socket }

// Password returns the password given with [RequirePass], if any.
func (s *Server) Password() string { return s.cfg.password }

// Log returns the tail of the server's output, for test failure messages.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return ""
	}
	return s.proc.log.String()
}

// startFree starts the server on a free port, trying again with another
// port when the chosen one was taken in the meantime.
func (s *Server) startFree() error {
	var err error
	for try := 0; try < 5; try++ {
		var port int
		if port, err = freePort(); err != nil {
			return err
		}
		s.port = port
		if s.cfg.tls {
			if s.tlsPort, err = freePort(); err != nil {
				return err
			}
			if s.tlsFiles == nil {
				if s.tlsFiles, err = makeTLS(s.dir); err != nil {
					return fmt.Errorf("making TLS certificates: %w", err)
				}
			}
		}
		if err = s.start(); err == nil || !strings.Contains(err.Error(), "in use") {
			return err
		}
	}
	return err
}

// freePort asks the kernel for a free loopback port. The port is released
// before the server binds it, so another process may take it first; the
// caller retries then.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("looking for a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	return port, ln.Close()
}

// start starts the process on s.port and waits until it answers PING.
func (s *Server) start() error {
	args := []string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--logfile", "",
		"--daemonize", "no",
	}
	if s.cfg.unix {
		args = append(args, "--unixsocket", s.socket, "--unixsocketperm", "700")
	}
	if s.cfg.password != "" {
		args = append(args, "--requirepass", s.cfg.password)
	}
	if f := s.tlsFiles; f != nil {
		auth := s.cfg.tlsAuth
		if auth == "" {
			auth = "no"
		}
		args = append(args, "--tls-port", strconv.Itoa(s.tlsPort), "--tls-cert-file", f.certFile,
			"--tls-key-file", f.keyFile, "--tls-ca-cert-file", f.caFile, "--tls-auth-clients", auth)
	}
	args = append(args, s.cfg.args...)

	p, ready, err := s.spawn(args, readyLine)
	if err != nil {
		return err
	}
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-ready:
	case <-p.exited:
		s.mu.Lock()
		s.proc = nil
		s.mu.Unlock()
		return fmt.Errorf("redis-server on port %d exited at start: %s\n%s", s.port, p.cmd.ProcessState, p.log.String())
	case <-timer.C:
		_ = s.Stop()
		return fmt.Errorf("redis-server on port %d not ready after %v:\n%s", s.port, startTimeout, p.log.String())
	}
	// The log line comes just before the accept loop; PING to be sure.
	return s.waitPing(p, "redis-server")
}

// spawn starts s.bin with args in s.dir and makes it s's process. A
// goroutine reads its output until the pipe closes (so that it never
// blocks on a full pipe) into the process's log; ready is closed when a
// line contains readyLine (never, for "").
func (s *Server) spawn(args []string, readyLine string) (p *process, ready chan struct{}, err error) {
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	setProcAttr(cmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting %s: %w", s.bin, err)
	}
	p = &process{cmd: cmd, exited: make(chan struct{}), log: &logBuffer{}}
	ready = make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		once := false
		for sc.Scan() {
			line := sc.Text()
			p.log.WriteLine(line)
			if !once && readyLine != "" && strings.Contains(line, readyLine) {
				once = true
				close(ready)
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		close(p.exited)
	}()
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	return p, ready, nil
}

// waitPing waits until s, whose process p was just started, answers PING;
// what names the program in errors.
func (s *Server) waitPing(p *process, what string) error {
	deadline := time.Now().Add(startTimeout)
	for {
		_, err := s.Do("PING")
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			s.mu.Lock()
			s.proc = nil
			s.mu.Unlock()
			return fmt.Errorf("%s on port %d exited at start: %s\n%s", what, s.port, p.cmd.ProcessState, p.log.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = s.Stop()
			return fmt.Errorf("%s on port %d does not answer PING: %v\n%s", what, s.port, err, p.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop stops the server: SIGTERM, then SIGKILL if it has not exited within
// a few seconds. Stopping a stopped server does nothing. It returns an
// error only if the process could not be stopped.
func (s *Server) Stop() error {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-p.exited:
		return nil
	case <-timer.C:
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.exited:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("redistest: redis-server (pid %d) does not exit", p.cmd.Process.Pid)
	}
}

// Restart stops the server and starts it again on the same port, with the
// same options and an empty dataset (nothing is saved). Clients connected
// before lose their connections.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	// The port was just freed; a client of the test may not have noticed,
	// but redis-server binds with SO_REUSEADDR, so TIME_WAIT is no obstacle.
	var err error
	for try := 0; try < 20; try++ {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redistest: restart: %v", err)
}

// Do sends one command over a new TCP connection (authenticated with the
// server's password, if any) and returns the reply, which owns its memory.
// A server error reply is returned as its typed error (see
// [redis.ParseServerError]), with the reply.
func (s *Server) Do(args ...string) (redis.Reply, error) {
	nc, err := net.DialTimeout("tcp", s.Addr(), 2*time.Second)
	if err != nil {
		return redis.Reply{}, err
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	p := goparser.New(nc, redis.ParserOptions{})
	var r redis.Reply
	if s.cfg.password != "" {
		if err := roundTrip(nc, p, &r, "AUTH", s.cfg.password); err != nil {
			return redis.Reply{}, err
		}
		if err := r.Err(); err != nil {
			return redis.Reply{}, err
		}
	}
	if err := roundTrip(nc, p, &r, args...); err != nil {
		return redis.Reply{}, err
	}
	return r.Clone(), r.Err()
}

func roundTrip(nc net.Conn, p *goparser.Parser, r *redis.Reply, args ...string) error {
	buf := redis.AppendArrayHeader(nil, len(args))
	for _, a := range args {
		buf = redis.AppendBulkString(buf, a)
	}
	if _, err := nc.Write(buf); err != nil {
		return err
	}
	return p.ReadReply(r)
}

// Exec runs one command for test setup and returns its reply as text: the
// string of a string reply, the decimal form of an integer, "" for a null,
// and Reply.String's rendering for the rest. Any error fails the test.
func (s *Server) Exec(t testing.TB, args ...string) string {
	t.Helper()
	r, err := s.Do(args...)
	if err != nil {
		t.Fatalf("redistest: %s: %v", strings.Join(args, " "), err)
	}
	return Text(&r)
}

// Text renders a reply the way Exec returns it.
func Text(r *redis.Reply) string {
	switch r.Kind {
	case redis.KindSimpleString, redis.KindBulkString, redis.KindVerbatim, redis.KindBigNumber,
		redis.KindDouble, redis.KindError, redis.KindBulkError:
		return string(r.Str)
	case redis.KindInteger, redis.KindBoolean:
		return strconv.FormatInt(r.Int, 10)
	case redis.KindNull:
		return ""
	}
	return r.String()
}

// WaitFor polls cond every 10ms until it holds or d has passed, and reports
// whether it held.
func WaitFor(d time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return cond()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// logBuffer keeps the last maxLog bytes of a server's output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) WriteLine(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(line)
	b.buf.WriteByte('\n')
	if b.buf.Len() > 2*maxLog {
		tail := append([]byte(nil), b.buf.Bytes()[b.buf.Len()-maxLog:]...)
		b.buf.Reset()
		b.buf.Write(tail)
	}
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > maxLog {
		s = s[len(s)-maxLog:]
	}
	return s
}

// errNoMain is the failure of Shared without Main.
var errNoMain = errors.New("redistest.Shared needs the package's TestMain to call redistest.Main(m), which stops the shared server at exit")
