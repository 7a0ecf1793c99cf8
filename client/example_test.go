package client_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/pipeline"
)

// The examples connect to the server named by the REDIS_URL environment
// variable, or to localhost:6379, and use keys under "example:".

func Example() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	rdb.Set(ctx, "example:client:greeting", "hello", time.Minute)
	val, err := rdb.Get(ctx, "example:client:greeting").Result()
	fmt.Println(val, err)

	_, err = rdb.Get(ctx, "example:client:missing").Result()
	fmt.Println(errors.Is(err, redis.Nil))
	// Output:
	// hello <nil>
	// true
}

// A client from Options: here read from a URL, then changed.
func ExampleNew() {
	ctx := context.Background()
	opts, err := client.ParseURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	opts.ClientName = "example-app"
	opts.DecodeResponses = true // Do returns strings, not []byte
	rdb, err := client.New(*opts)
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	fmt.Println(rdb.ClientGetName(ctx).Val())
	fmt.Printf("%q\n", rdb.Do(ctx, "ECHO", "hello").Val())
	// Output:
	// example-app
	// "hello"
}

func ExampleNewFromURL() {
	ctx := context.Background()
	// For example redis://user:secret@localhost:6379/0?protocol=3
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	fmt.Println(rdb.Ping(ctx).Val())
	// Output: PONG
}

// A TLS connection: REDIS_TLS_URL is a rediss:// URL such as
// rediss://redis.example.com:6380?ssl_ca_certs=/etc/ssl/redis-ca.pem (the
// CA that signed the server's certificate; the system's CAs without it).
// Certificates and the host name are verified.
func ExampleNewFromURL_tls() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(os.Getenv("REDIS_TLS_URL"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	fmt.Println(rdb.Set(ctx, "example:client:tls", "secret", time.Minute).Err())
	fmt.Println(rdb.Get(ctx, "example:client:tls").Val())
	// Output:
	// <nil>
	// secret
}

func ExampleParseURL() {
	o, err := client.ParseURL("redis://app:secret@cache.internal:6380/3?protocol=3&dial_timeout=2s")
	fmt.Println(o.Addr, o.Username, o.DB, o.Protocol, o.DialTimeout, err)
	fmt.Println(strings.Contains(o.String(), "secret"), strings.Contains(o.String(), "[redacted]"))
	// Output:
	// cache.internal:6380 app 3 3 2s <nil>
	// false true
}

// Two clients on one pool: the second takes the first's pool in its
// Options (and ignores its connection options), and does not close it.
func ExampleClient_Pool() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close() // closes the pool, after the other client

	decoding, err := client.New(client.Options{Pool: rdb.Pool(), DecodeResponses: true})
	if err != nil {
		panic(err)
	}
	defer decoding.Close()

	rdb.Set(ctx, "example:client:pool", "shared", time.Minute)
	fmt.Printf("%q\n", rdb.Do(ctx, "GET", "example:client:pool").Val())
	fmt.Printf("%q\n", decoding.Do(ctx, "GET", "example:client:pool").Val())
	fmt.Println(decoding.Pool() == rdb.Pool())
	// Output:
	// "shared"
	// "shared"
	// true
}

// A response callback replaces how one client decodes a command's reply,
// for the typed method and for Do alike (redis-py's
// set_response_callback).
func ExampleClient_SetResponseCallback() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Set(ctx, "example:client:callback", "hello", time.Minute)

	rdb.SetResponseCallback("GET", func(r *redis.Reply, o client.CallbackOptions) (any, error) {
		return strings.ToUpper(string(r.Str)), nil
	})
	fmt.Println(rdb.Get(ctx, "example:client:callback").Val())
	fmt.Println(rdb.Do(ctx, "GET", "example:client:callback").Val())

	rdb.SetResponseCallback("GET", nil) // back to the default
	fmt.Println(rdb.Get(ctx, "example:client:callback").Val())
	// Output:
	// HELLO
	// HELLO
	// hello
}

func ExampleClient_ScanIter() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	for i := range 3 {
		rdb.Set(ctx, fmt.Sprintf("example:client:scan:%d", i), i, time.Minute)
	}

	var keys []string
	for key, err := range rdb.ScanIter(ctx, client.ScanArgs{Match: "example:client:scan:*", Count: 100}) {
		if err != nil {
			panic(err)
		}
		keys = append(keys, key)
	}
	slices.Sort(keys) // SCAN returns keys in no particular order
	fmt.Println(keys)
	// Output: [example:client:scan:0 example:client:scan:1 example:client:scan:2]
}

func ExampleClient_HScanIter() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:client:hscan")
	rdb.HSet(ctx, "example:client:hscan", map[string]any{"name": "ada", "lang": "go", "year": 2009})

	fields := map[string]string{}
	for f, err := range rdb.HScanIter(ctx, "example:client:hscan", client.ScanArgs{}) {
		if err != nil {
			panic(err)
		}
		fields[f.Field] = f.Value
	}
	fmt.Println(fields)
	// Output: map[lang:go name:ada year:2009]
}

// A pipeline sends its commands in one round trip, as a MULTI/EXEC
// transaction.
func ExampleClient_Pipeline() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:client:visits")

	p := rdb.Pipeline()
	defer p.Close()
	incr := p.Incr(ctx, "example:client:visits")
	p.Expire(ctx, "example:client:visits", time.Hour, client.ExpireAlways)
	ttl := p.TTL(ctx, "example:client:visits")
	cmds, err := p.Exec(ctx)
	fmt.Println(len(cmds), err)
	fmt.Println(incr.Val(), ttl.Val())
	// Output:
	// 3 <nil>
	// 1 3600
}

// Without MULTI/EXEC, a pipeline's commands still go in one round trip, and
// each has its own result: one failing does not stop the others.
func ExampleClient_PipelineNoTx() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:client:notx:list", "example:client:notx:n")

	p := rdb.PipelineNoTx()
	defer p.Close()
	p.RPush(ctx, "example:client:notx:list", "a", "b")
	bad := p.Incr(ctx, "example:client:notx:list") // WRONGTYPE
	n := p.IncrBy(ctx, "example:client:notx:n", 5)
	_, err = p.Exec(ctx) // the first error, if any
	var serverErr *redis.Error
	fmt.Println(errors.As(err, &serverErr), serverErr.Prefix())
	fmt.Println(errors.As(bad.Err(), &serverErr), n.Val())
	// Output:
	// true WRONGTYPE
	// true 5
}

// Transaction is optimistic locking: it WATCHes the keys, runs fn (which
// reads at once, then queues its writes after Multi) and retries when a
// watched key changed before EXEC.
func ExampleClient_Transaction() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Set(ctx, "example:client:balance", 100, time.Minute)

	_, err = rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
		val, err := p.Get(ctx, "example:client:balance").Result() // read at once
		if err != nil {
			return err
		}
		balance, err := strconv.Atoi(val)
		if err != nil {
			return err
		}
		p.Multi()
		p.Set(ctx, "example:client:balance", balance*2, time.Minute) // sent in MULTI/EXEC
		return nil
	}, "example:client:balance")
	fmt.Println(rdb.Get(ctx, "example:client:balance").Val(), err)
	// Output: 200 <nil>
}

func ExampleClient_RegisterScript() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:client:counter")

	incrBy := rdb.RegisterScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`)
	fmt.Println(incrBy.Run(ctx, []string{"example:client:counter"}, 5).Val())
	fmt.Println(incrBy.Run(ctx, []string{"example:client:counter"}, 2).Val())
	// Output:
	// 5
	// 7
}

// A script in a pipeline: it is loaded (SCRIPT LOAD) just before the
// pipeline runs, and runs by EVALSHA inside it.
func ExampleScript_RunOn() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:client:piped")

	appendLen := client.NewScript(`return redis.call('APPEND', KEYS[1], ARGV[1])`)
	p := rdb.Pipeline()
	defer p.Close()
	first := appendLen.RunOn(ctx, p, []string{"example:client:piped"}, "abc")
	second := appendLen.RunOn(ctx, p, []string{"example:client:piped"}, "de")
	_, err = p.Exec(ctx)
	fmt.Println(first.Val(), second.Val(), err)
	// Output: 3 5 <nil>
}

// Lock.Do holds the lock while fn runs, and releases it after.
func ExampleClient_Lock() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	lock := rdb.Lock("example:client:lock", client.LockOptions{Timeout: 10 * time.Second})
	err = lock.Do(ctx, func(ctx context.Context) error {
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

// A second owner blocks until the lock is free, or until its
// BlockingTimeout: then Acquire returns a *redis.LockError.
func ExampleLock_Acquire() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:client:lock:acquire")

	first := rdb.Lock("example:client:lock:acquire", client.LockOptions{Timeout: time.Minute})
	fmt.Println(first.Acquire(ctx))

	second := rdb.Lock("example:client:lock:acquire", client.LockOptions{
		Timeout:         time.Minute,
		BlockingTimeout: 200 * time.Millisecond, // try for this long
		Sleep:           50 * time.Millisecond,  // between tries
	})
	err = second.Acquire(ctx)
	var lockErr *redis.LockError
	fmt.Println(errors.As(err, &lockErr))

	fmt.Println(first.Release(ctx))
	fmt.Println(second.Acquire(ctx), second.Release(ctx))
	// Output:
	// <nil>
	// true
	// <nil>
	// <nil> <nil>
}

// Extend adds time to a lock its owner holds; Release by an owner whose
// lock expired (and may have been taken by another) is a
// *redis.LockNotOwnedError.
func ExampleLock_Extend() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:client:lock:extend")

	lock := rdb.Lock("example:client:lock:extend", client.LockOptions{Timeout: 200 * time.Millisecond})
	if err := lock.Acquire(ctx); err != nil {
		panic(err)
	}
	fmt.Println(lock.Extend(ctx, time.Minute, true)) // now a minute from now
	ttl := rdb.PTTL(ctx, "example:client:lock:extend").Val()
	fmt.Println(ttl > 50_000) // milliseconds

	fmt.Println(lock.Release(ctx))

	expiring := rdb.Lock("example:client:lock:extend", client.LockOptions{Timeout: 100 * time.Millisecond})
	if err := expiring.Acquire(ctx); err != nil {
		panic(err)
	}
	time.Sleep(300 * time.Millisecond) // it expires
	var notOwned *redis.LockNotOwnedError
	fmt.Println(errors.As(expiring.Release(ctx), &notOwned))
	// Output:
	// <nil>
	// true
	// <nil>
	// true
}

func ExampleClient_Conn() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	// A connection of one's own keeps its state between commands: here, a
	// second database.
	conn, err := rdb.Conn(ctx)
	if err != nil {
		panic(err)
	}
	defer conn.Close() // closes it, since its database is not the pool's
	conn.Select(ctx, 1)
	conn.Set(ctx, "example:client:where", "db1", time.Minute)
	fmt.Println(conn.Get(ctx, "example:client:where").Val())
	fmt.Println(rdb.Exists(ctx, "example:client:where").Val())
	// Output:
	// db1
	// 0
}
