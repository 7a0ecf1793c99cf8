package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/command"
)

// tourCluster is the Redis Cluster step: REDIS_CLUSTER_ADDRS (seed nodes,
// comma-separated) when set; otherwise it starts a cluster of 3 masters of
// its own (redis-server --cluster-enabled yes, joined by redis-cli --cluster
// create) and stops it at the end. Without redis-cli it says so and skips.
func tourCluster(ctx context.Context, step func(string, any, error)) error {
	fmt.Println("\n-- Redis Cluster --")
	seeds := os.Getenv("REDIS_CLUSTER_ADDRS")
	if seeds == "" {
		addrs, stop, err := startCluster(ctx)
		if err != nil {
			fmt.Printf("skipped: %v (set REDIS_CLUSTER_ADDRS to use a running cluster)\n", err)
			return nil
		}
		defer stop()
		seeds = strings.Join(addrs, ",")
		fmt.Printf("started a cluster of 3 masters on %s (set REDIS_CLUSTER_ADDRS to use another)\n", seeds)
	}
	rdb, err := cluster.New(cluster.Options{Addrs: strings.Split(seeds, ",")})
	if err != nil {
		return err
	}
	defer rdb.Close()

	shards, err := rdb.Shards()
	step(`Shards(): masters`, len(shards), err)
	v, err := rdb.Set(ctx, "tour:cluster:a", "1", time.Minute).Result()
	step(`Set("tour:cluster:a", "1")`, v, err)
	step(`Slot(a), Slot(b)`, [2]int{command.Slot("tour:cluster:a"), command.Slot("tour:cluster:b")}, nil)
	// Keys in several slots: split by slot, one request per master in
	// parallel, replies in key order; not atomic.
	v, err = rdb.MSet(ctx, map[string]any{"tour:cluster:b": "2", "tour:cluster:c": "3"}).Result()
	step(`MSet(b, c) across slots`, v, err)
	vals, err := rdb.MGet(ctx, "tour:cluster:a", "tour:cluster:b", "tour:cluster:c").Result()
	step(`MGet(a, b, c) across slots`, vals, err)
	// A command whose keys must share a slot is refused before sending.
	_, err = rdb.Rename(ctx, "tour:cluster:a", "tour:cluster:z").Result()
	var cross *redis.CrossSlotError
	step(`Rename(a, z): *redis.CrossSlotError`, errors.As(err, &cross), nil)
	// Hash tags keep keys in one slot: then transactions work.
	p := rdb.Pipeline()
	p.Set(ctx, "{tour:user1}:name", "Ada", time.Minute)
	visits := p.Incr(ctx, "{tour:user1}:visits")
	_, err = p.Exec(ctx)
	p.Close()
	step(`MULTI/EXEC on {tour:user1}:*`, visits.Val(), err)
	n, err := rdb.DBSize(ctx).Result()
	step(`DBSize() (summed over the masters)`, n, err)
	del, err := rdb.Del(ctx, "tour:cluster:a", "tour:cluster:b", "tour:cluster:c", "{tour:user1}:name", "{tour:user1}:visits").Result()
	step(`Del(tour cluster keys)`, del, err)
	return nil
}

// startCluster starts 3 cluster-enabled redis-servers on loopback ports
// whose bus ports (+10000) are free too, and joins them with redis-cli.
func startCluster(ctx context.Context) (addrs []string, stop func(), err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, nil, errors.New("redis-server is not installed")
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, nil, errors.New("redis-cli is not installed (make deps installs redis-tools)")
	}
	dir, err := os.MkdirTemp("", "duoredis-tour-cluster-")
	if err != nil {
		return nil, nil, err
	}
	var cmds []*exec.Cmd
	stop = func() {
		for _, c := range cmds {
			c.Process.Signal(os.Interrupt)
		}
		for _, c := range cmds {
			done := make(chan struct{})
			go func() { c.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				c.Process.Kill()
				<-done
			}
		}
		os.RemoveAll(dir)
	}
	free := func(p int) bool {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		l.Close()
		return true
	}
	for tries := 0; len(addrs) < 3; tries++ {
		if tries == 50 {
			stop()
			return nil, nil, errors.New("could not start 3 cluster nodes")
		}
		port := 12000 + rand.IntN(10000)
		if !free(port) || !free(port+10000) {
			continue
		}
		p := strconv.Itoa(port)
		cmd := exec.Command(bin, "--port", p, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes-"+p+".conf", "--cluster-node-timeout", "5000")
		out, err := cmd.StdoutPipe()
		if err != nil {
			stop()
			return nil, nil, err
		}
		if err := cmd.Start(); err != nil {
			stop()
			return nil, nil, err
		}
		cmds = append(cmds, cmd)
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
			if ok {
				addrs = append(addrs, net.JoinHostPort("127.0.0.1", p))
			}
		case <-time.After(10 * time.Second):
			stop()
			return nil, nil, errors.New("a cluster node did not start within 10s")
		}
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		stop()
		return nil, nil, fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	// Wait until every node has the whole slot map.
	deadline := time.Now().Add(30 * time.Second)
	for _, a := range addrs {
		for {
			out, err := exec.CommandContext(ctx, cli, "-h", "127.0.0.1", "-p", a[strings.LastIndex(a, ":")+1:], "CLUSTER", "INFO").Output()
			if err == nil && strings.Contains(string(out), "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				stop()
				return nil, nil, fmt.Errorf("the cluster is not ok on %s", a)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return addrs, stop, nil
}
