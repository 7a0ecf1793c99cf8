package cluster_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/pipeline"
)

// The examples read seed nodes of a Redis Cluster (3 masters, each with a
// replica) from REDIS_CLUSTER_ADDRS, host:port separated by commas; any one
// node would do.
func seeds() []string {
	return strings.Split(cmp.Or(os.Getenv("REDIS_CLUSTER_ADDRS"), "localhost:7000"), ",")
}

func Example() {
	ctx := context.Background()
	rdb, err := cluster.New(cluster.Options{Addrs: seeds()})
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	// Each command goes to the master of its key's hash slot.
	fmt.Println(rdb.Set(ctx, "example:cluster:a", "1", time.Minute).Err())
	fmt.Println(rdb.Get(ctx, "example:cluster:a").Val())
	// Keys in several slots: MSET and MGET are split by slot, sent to
	// their masters in parallel, and the replies come back in key order
	// (not atomic: another client may see some keys set and not others).
	rdb.MSet(ctx, map[string]any{"example:cluster:b": "2", "example:cluster:c": "3"})
	fmt.Println(rdb.MGet(ctx, "example:cluster:a", "example:cluster:b", "example:cluster:c", "example:cluster:none").Val())
	// A hash tag, the part between { and }, puts keys in one slot.
	fmt.Println(command.Slot("{user1}:name") == command.Slot("{user1}:mail"))
	// Output:
	// <nil>
	// 1
	// [1 2 3 <nil>]
	// true
}

func ExampleNewFromURL() {
	ctx := context.Background()
	s := seeds()
	// The URL's host is the first seed; more come as addr options.
	url := "redis://" + s[0]
	for i, a := range s[1:] {
		url += map[bool]string{true: "?", false: "&"}[i == 0] + "addr=" + a
	}
	rdb, err := cluster.NewFromURL(url)
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	fmt.Println(len(rdb.Options().Addrs) == len(s), rdb.Ping(ctx).Val())
	// Output: true PONG
}

func ExampleClient_PipelineNoTx() {
	ctx := context.Background()
	rdb, err := cluster.New(cluster.Options{Addrs: seeds()})
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	// The commands are grouped by node: one round trip per node, the
	// nodes in parallel; each command has its own result, in the order
	// queued. A node that fails fails its own commands only.
	p := rdb.PipelineNoTx()
	defer p.Close()
	var incrs []client.Result[int64]
	for i := range 5 {
		key := "example:cluster:counter:" + strconv.Itoa(i) // in 5 slots
		p.Set(ctx, key, i, time.Minute)
		incrs = append(incrs, p.IncrBy(ctx, key, 10))
	}
	if _, err := p.Exec(ctx); err != nil {
		panic(err)
	}
	for _, r := range incrs {
		fmt.Print(r.Val(), " ")
	}
	fmt.Println()
	// Output: 10 11 12 13 14
}

func ExampleClient_Transaction() {
	ctx := context.Background()
	rdb, err := cluster.New(cluster.Options{Addrs: seeds()})
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	// A transaction's keys must share a slot: a hash tag does it.
	rdb.Set(ctx, "{example:acct}:a", 100, time.Minute)
	rdb.Set(ctx, "{example:acct}:b", 0, time.Minute)
	_, err = rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
		v, err := p.Get(ctx, "{example:acct}:a").Result() // read at once, under WATCH
		if err != nil {
			return err
		}
		a, err := strconv.Atoi(v)
		if err != nil {
			return err
		}
		p.Multi()
		p.Set(ctx, "{example:acct}:a", a-30, time.Minute) // sent in MULTI/EXEC
		p.IncrBy(ctx, "{example:acct}:b", 30)
		return nil
	}, "{example:acct}:a", "{example:acct}:b")
	fmt.Println(err, rdb.MGet(ctx, "{example:acct}:a", "{example:acct}:b").Val())

	// Keys in several slots are refused before anything is sent.
	_, err = rdb.Transaction(ctx, func(p *pipeline.Pipeline) error { return nil }, "example:x", "example:y")
	var cross *redis.CrossSlotError
	fmt.Println(errors.As(err, &cross))
	// Output:
	// <nil> [70 30]
	// true
}

func ExampleOptions_readOnly() {
	ctx := context.Background()
	// ReadOnly sends read-only commands to a replica of the slot (READONLY
	// on every replica connection), the master when none is usable.
	rdb, err := cluster.New(cluster.Options{Addrs: seeds(), ReadOnly: true})
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	// Replicas lag behind their master: WAIT, on the key's master,
	// returns once the replica has the write.
	master, err := rdb.MasterForKey("example:cluster:replicated")
	if err != nil {
		panic(err)
	}
	master.Set(ctx, "example:cluster:replicated", "yes", time.Minute)
	fmt.Println(master.Wait(ctx, 1, time.Second).Val())
	fmt.Println(rdb.Get(ctx, "example:cluster:replicated").Val())
	// Output:
	// 1
	// yes
}

func ExampleClient_ForEachMaster() {
	ctx := context.Background()
	rdb, err := cluster.New(cluster.Options{Addrs: seeds()})
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	// fn runs on every master, in parallel; here, each node's role.
	roles := make(chan string, 16)
	err = rdb.ForEachMaster(ctx, func(ctx context.Context, master *client.Client) error {
		role, err := master.Role(ctx).Result()
		roles <- role.Role
		return err
	})
	close(roles)
	n := 0
	for r := range roles {
		if r == "master" {
			n++
		}
	}
	fmt.Println(err, n)
	// Output: <nil> 3
}

// Client-side caching on a cluster: each master's cache serves the reads of
// its slots; an MGET across slots is split by slot, and answered from
// memory once its values are cached.
func ExampleClient_Cached() {
	ctx := context.Background()
	o := cluster.Options{Addrs: seeds()}
	o.CacheSize = 16 << 20 // per master
	rdb, err := cluster.New(o)
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	keys := []string{"example:cc:a", "example:cc:b", "example:cc:c"}
	for i, k := range keys {
		rdb.Set(ctx, k, strconv.Itoa(i), time.Minute)
	}
	cached := rdb.Cached(time.Minute)
	fmt.Println(cached.MGet(ctx, keys...).Val())
	// A value is cached once its read is confirmed (a PING on its tracked
	// connection comes back without an invalidation of it).
	for i := 0; i < 2000 && !cached.MGet(ctx, keys...).IsCacheHit(); i++ {
		time.Sleep(time.Millisecond)
	}
	fmt.Println(cached.Get(ctx, keys[1]).IsCacheHit())
	// This client's writes drop what they change, on every node.
	rdb.Set(ctx, keys[1], "changed", time.Minute)
	r := cached.Get(ctx, keys[1])
	fmt.Println(r.Val(), r.IsCacheHit())
	// Output:
	// [0 1 2]
	// true
	// changed false
}
