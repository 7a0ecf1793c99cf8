package client_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pipeline"
)

// exampleClient connects to the test server; a program would use its own
// address or URL.
func exampleClient() *client.Client {
	rdb, err := client.New(client.Options{Addr: redistest.ForExample().Addr()})
	if err != nil {
		panic(err)
	}
	return rdb
}

func Example() {
	ctx := context.Background()
	rdb := exampleClient()
	defer rdb.Close()

	rdb.Set(ctx, "example:greeting", "hello", time.Minute)
	val, err := rdb.Get(ctx, "example:greeting").Result()
	fmt.Println(val, err)

	_, err = rdb.Get(ctx, "example:missing").Result()
	fmt.Println(errors.Is(err, redis.Nil))
	// Output:
	// hello <nil>
	// true
}

func ExampleClient_MSet() {
	ctx := context.Background()
	rdb := exampleClient()
	defer rdb.Close()

	rdb.MSet(ctx, map[string]any{"example:a": 1, "example:b": 2.5})
	fmt.Println(rdb.MGet(ctx, "example:a", "example:b", "example:none").Val())
	// Output: [1 2.5 <nil>]
}

func ExampleClient_Pipeline() {
	ctx := context.Background()
	rdb := exampleClient()
	defer rdb.Close()
	rdb.Del(ctx, "example:visits")

	p := rdb.Pipeline()
	defer p.Close()
	incr := p.Incr(ctx, "example:visits")
	p.Expire(ctx, "example:visits", time.Hour, client.ExpireAlways)
	cmds, err := p.Exec(ctx)
	fmt.Println(len(cmds), err, incr.Val())
	// Output: 2 <nil> 1
}

func ExampleClient_Transaction() {
	ctx := context.Background()
	rdb := exampleClient()
	defer rdb.Close()
	rdb.Set(ctx, "example:balance", 100, 0)

	_, err := rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
		balance, err := p.Get(ctx, "example:balance").Result() // read at once
		if err != nil {
			return err
		}
		p.Multi()
		p.Set(ctx, "example:balance", balance+"0", 0) // sent in MULTI/EXEC
		return nil
	}, "example:balance")
	fmt.Println(rdb.Get(ctx, "example:balance").Val(), err)
	// Output: 1000 <nil>
}

func ExampleClient_RegisterScript() {
	ctx := context.Background()
	rdb := exampleClient()
	defer rdb.Close()
	rdb.Del(ctx, "example:counter")

	incrBy := rdb.RegisterScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`)
	fmt.Println(incrBy.Run(ctx, []string{"example:counter"}, 5).Val())
	// Output: 5
}

func ExampleClient_Lock() {
	ctx := context.Background()
	rdb := exampleClient()
	defer rdb.Close()

	lock := rdb.Lock("example:lock", client.LockOptions{Timeout: 10 * time.Second})
	err := lock.Do(ctx, func(ctx context.Context) error {
		owned, _ := lock.Owned(ctx)
		fmt.Println("owned:", owned)
		return nil
	})
	locked, _ := lock.Locked(ctx)
	fmt.Println(err, locked)
	// Output:
	// owned: true
	// <nil> false
}

func ExampleClient_ScanIter() {
	ctx := context.Background()
	rdb := exampleClient()
	defer rdb.Close()
	for i := 0; i < 3; i++ {
		rdb.Set(ctx, fmt.Sprintf("example:scan:%d", i), i, 0)
	}
	n := 0
	for _, err := range rdb.ScanIter(ctx, client.ScanArgs{Match: "example:scan:*"}) {
		if err != nil {
			panic(err)
		}
		n++
	}
	fmt.Println(n)
	// Output: 3
}

func ExampleParseURL() {
	o, err := client.ParseURL("redis://app:secret@cache.internal:6380/3?protocol=3&dial_timeout=2s")
	fmt.Println(o.Addr, o.Username, o.DB, o.Protocol, o.DialTimeout, err)
	fmt.Println(strings.Contains(o.String(), "secret"), strings.Contains(o.String(), "[redacted]"))
	// Output:
	// cache.internal:6380 app 3 3 2s <nil>
	// false true
}

func ExampleClient_Conn() {
	ctx := context.Background()
	rdb := exampleClient()
	defer rdb.Close()

	// A connection of one's own keeps its state between commands: here, a
	// second database.
	conn, err := rdb.Conn(ctx)
	if err != nil {
		panic(err)
	}
	defer conn.Close() // closes it, since its database is not the pool's
	conn.Select(ctx, 1)
	conn.Set(ctx, "example:where", "db1", time.Minute)
	fmt.Println(conn.Get(ctx, "example:where").Val())
	fmt.Println(rdb.Exists(ctx, "example:where").Val())
	// Output:
	// db1
	// 0
}
