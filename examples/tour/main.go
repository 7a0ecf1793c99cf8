// Command tour walks through duoredis against a Redis server and prints what
// each step returns. It uses REDIS_URL when set (for example
// redis://localhost:6379/0); otherwise it starts a redis-server of its own on
// a free loopback port, in a temporary directory, and stops it on exit.
//
//	go run ./examples/tour
//	REDIS_URL=redis://localhost:6379/15 go run ./examples/tour
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/pool"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		addr, stop, err := startServer()
		if err != nil {
			return err
		}
		defer stop()
		url = "redis://" + addr + "/0"
		fmt.Printf("started redis-server on %s (set REDIS_URL to use another server)\n", addr)
	}
	opts, err := client.ParseURL(url)
	if err != nil {
		return err
	}
	rdb, err := client.New(*opts)
	if err != nil {
		return err
	}
	defer rdb.Close()
	fmt.Printf("client: %v, parser: %s\n\n", rdb, parserName(opts.Parser))

	step := func(what string, v any, err error) {
		if err != nil {
			fmt.Printf("%-44s error: %v\n", what, err)
			return
		}
		fmt.Printf("%-44s %#v\n", what, v)
	}

	// Strings.
	v, err := rdb.Set(ctx, "tour:greeting", "hello", 0).Result()
	step(`Set("tour:greeting", "hello")`, v, err)
	s, err := rdb.Get(ctx, "tour:greeting").Result()
	step(`Get("tour:greeting")`, s, err)
	_, err = rdb.Get(ctx, "tour:missing").Result()
	step(`Get("tour:missing") == redis.Nil`, errors.Is(err, redis.Nil), nil)
	n, err := rdb.Incr(ctx, "tour:counter").Result()
	step(`Incr("tour:counter")`, n, err)
	v, err = rdb.Set(ctx, "tour:session", "abc", 90*time.Second).Result()
	step(`Set("tour:session", "abc", 90s)`, v, err)
	ttl, err := rdb.TTL(ctx, "tour:session").Result()
	step(`TTL("tour:session")`, ttl, err)
	err = rdb.Set(ctx, "tour:flag", true, 0).Err()
	step(`Set("tour:flag", true) (a bool: DataError)`, nil, err)

	// MSET takes a map, as in redis-py 3; MGET gives nil for missing keys.
	v, err = rdb.MSet(ctx, map[string]any{"tour:a": 1, "tour:b": 2.5, "tour:c": []byte("bytes")}).Result()
	step(`MSet({a: 1, b: 2.5, c: []byte})`, v, err)
	vals, err := rdb.MGet(ctx, "tour:a", "tour:b", "tour:c", "tour:none").Result()
	step(`MGet(a, b, c, none)`, vals, err)

	// Do runs any command; DecodeResponses picks string or []byte results.
	raw, err := rdb.Do(ctx, "GET", "tour:greeting").Result()
	step(`Do("GET") without DecodeResponses`, raw, err)
	dopts := *opts
	dopts.DecodeResponses = true
	drdb, err := client.New(dopts)
	if err != nil {
		return err
	}
	defer drdb.Close()
	raw, err = drdb.Do(ctx, "GET", "tour:greeting").Result()
	step(`Do("GET") with DecodeResponses`, raw, err)

	// Server errors are typed.
	rdb.Do(ctx, "LPUSH", "tour:list", "x")
	_, err = rdb.Get(ctx, "tour:list").Result()
	var rerr *redis.Error
	if errors.As(err, &rerr) {
		step(`Get(a list): *redis.Error prefix`, rerr.Prefix(), nil)
	}

	tourMore(ctx, rdb, step)
	tourPubSub(ctx, rdb, step)
	if err := tourCluster(ctx, step); err != nil {
		return err
	}

	del, err := rdb.Del(ctx, "tour:greeting", "tour:counter", "tour:session", "tour:a", "tour:b", "tour:c", "tour:list").Result()
	step(`Del(tour keys)`, del, err)
	return nil
}

func parserName(name string) string {
	if name == "" {
		return pool.DefaultParserName() + " (the build's default)"
	}
	return name
}

// startServer starts redis-server on a free loopback port in a temporary
// directory; stop ends it and removes the directory.
func startServer() (addr string, stop func(), err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", nil, errors.New("redis-server is not installed (make deps installs it) and REDIS_URL is not set")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "duoredis-tour-")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(dir)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		ok := false
		for sc.Scan() {
			if !ok && strings.Contains(sc.Text(), "Ready to accept connections") {
				ok = true
				ready <- true
			}
		}
		if !ok {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			stop()
			return "", nil, errors.New("redis-server exited before it was ready")
		}
	case <-time.After(10 * time.Second):
		stop()
		return "", nil, errors.New("redis-server did not start within 10s")
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), stop, nil
}
