package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/workload"
	"github.com/duoredis/redis/client"
)

// server is a redis-server the driver started on a free loopback port, in a
// temp dir of its own, with persistence off.
type server struct {
	addr string
	cmd  *exec.Cmd
	done chan struct{}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startServer(dir, cpus string) (*server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server not found on PATH (make deps installs it)")
	}
	var lastErr error
	for range 5 { // a port taken between freePort and the bind: try another
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		log, err := os.Create(filepath.Join(dir, "redis-"+strconv.Itoa(port)+".log"))
		if err != nil {
			return nil, err
		}
		cmd := command(context.Background(), cpus, bin,
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--protected-mode", "no",
			"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
			"--logfile", "", "--maxclients", "4096")
		cmd.Stdout, cmd.Stderr = log, log
		// A session of its own, as a daemon or a service has: with autogroup
		// scheduling the session is the scheduling group, and a server in
		// its clients' session is scheduled unlike a real one (see the
		// report's method).
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setsid: true}
		if err := cmd.Start(); err != nil {
			log.Close()
			return nil, err
		}
		s := &server{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cmd: cmd, done: make(chan struct{})}
		go func() { cmd.Wait(); log.Close(); close(s.done) }()
		if lastErr = s.waitReady(5 * time.Second); lastErr == nil {
			return s, nil
		}
		s.stop()
	}
	return nil, fmt.Errorf("redis-server did not start: %v (see its log in %s)", lastErr, dir)
}

// waitReady waits until the server answers PING.
func (s *server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ping(s.addr)
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			return errors.New("redis-server exited")
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// load writes every key the workloads wl read (each workload's Spec.Load),
// with this repository's client.
func load(ctx context.Context, addr string, wls []string) error {
	rdb, err := client.New(client.Options{Addr: addr})
	if err != nil {
		return err
	}
	defer rdb.Close()
	for _, wl := range wls {
		s, ok := workload.Lookup(wl)
		if !ok || s.Load == nil {
			continue
		}
		if err := s.Load(ctx, rdb); err != nil {
			return fmt.Errorf("%s: %w", wl, err)
		}
	}
	return nil
}
