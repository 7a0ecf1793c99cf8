package command_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
)

// The examples connect to the server named by the REDIS_URL environment
// variable, or to localhost:6379, and use keys under "example:". The
// methods are those of every client.Client, client.Conn and
// pipeline.Pipeline.

func ExampleCmdable_Set() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:command:set")

	fmt.Println(rdb.Set(ctx, "example:command:set", "v1", time.Minute).Val())
	fmt.Println(rdb.Set(ctx, "example:command:set", "v2", command.KeepTTL).Val()) // keeps the minute
	fmt.Println(rdb.Get(ctx, "example:command:set").Val(), rdb.TTL(ctx, "example:command:set").Val())
	// Output:
	// OK
	// OK
	// v2 60
}

// MSet takes a map, as redis-py 3's mset does.
func ExampleCmdable_MSet() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:command:mset:none")

	rdb.MSet(ctx, map[string]any{"example:command:mset:a": 1, "example:command:mset:b": 2.5})
	fmt.Println(rdb.MGet(ctx, "example:command:mset:a", "example:command:mset:b", "example:command:mset:none").Val())
	// Output: [1 2.5 <nil>]
}

// ZAdd takes a map of members to scores, as redis-py 3's zadd does, and
// its flags (NX, XX, GT, LT, CH) in ZAddArgs.
func ExampleCmdable_ZAdd() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:command:scores")

	fmt.Println(rdb.ZAdd(ctx, "example:command:scores", map[string]float64{"alice": 3, "bob": 1.5}, command.ZAddArgs{}).Val())
	// GT: update only to a higher score; CH: count the changed members.
	fmt.Println(rdb.ZAdd(ctx, "example:command:scores", map[string]float64{"alice": 2, "bob": 4}, command.ZAddArgs{GT: true, CH: true}).Val())
	fmt.Println(rdb.ZIncrBy(ctx, "example:command:scores", 0.5, "alice").Val()) // name, amount, member
	fmt.Println(rdb.ZRangeWithScores(ctx, "example:command:scores", 0, -1).Val())
	// Output:
	// 2
	// 1
	// 3.5
	// [{alice 3.5} {bob 4}]
}

// SetEx takes the expiration before the value, as redis-py's setex does.
func ExampleCmdable_SetEx() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	fmt.Println(rdb.SetEx(ctx, "example:command:setex", 90*time.Second, "soon gone").Val())
	fmt.Println(rdb.TTL(ctx, "example:command:setex").Val())
	// Output:
	// OK
	// 90
}

// LRem takes the count before the value, as redis-py 3's lrem does: a
// positive count removes from the head, a negative one from the tail, 0
// every match.
func ExampleCmdable_LRem() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:command:lrem")
	rdb.RPush(ctx, "example:command:lrem", "a", "x", "b", "x", "c", "x")

	fmt.Println(rdb.LRem(ctx, "example:command:lrem", -2, "x").Val())
	fmt.Println(rdb.LRange(ctx, "example:command:lrem", 0, -1).Val())
	// Output:
	// 2
	// [a x b c]
}

// TTL is an integer: -1 when the key has no expiry, -2 when there is no
// key (PTTL alike, in milliseconds).
func ExampleCmdable_TTL() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:command:ttl", "example:command:ttl:none")
	rdb.Set(ctx, "example:command:ttl", "forever", 0)

	fmt.Println(rdb.TTL(ctx, "example:command:ttl").Val())
	fmt.Println(rdb.TTL(ctx, "example:command:ttl:none").Val())
	rdb.Expire(ctx, "example:command:ttl", time.Hour, command.ExpireAlways)
	fmt.Println(rdb.TTL(ctx, "example:command:ttl").Val())
	// Output:
	// -1
	// -2
	// 3600
}

// Values are bytes, strings or numbers; anything else is a
// *redis.DataError, and nothing is sent.
func ExampleCmdable_Set_dataError() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	err = rdb.Set(ctx, "example:command:flag", true, 0).Err()
	var dataErr *redis.DataError
	fmt.Println(errors.As(err, &dataErr), dataErr.Type)
	fmt.Println(rdb.Exists(ctx, "example:command:flag").Val())
	// Output:
	// true bool
	// 0
}

// Do runs any command, here one with no method of its own, and returns
// plain Go values: []byte for strings, or string with DecodeResponses.
func ExampleCmdable_Do() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:command:do")

	fmt.Println(rdb.Do(ctx, "RPUSH", "example:command:do", "a", "b").Val())
	v, err := rdb.Do(ctx, "LRANGE", "example:command:do", 0, -1).Result()
	fmt.Printf("%q %v\n", v, err)
	_, err = rdb.Do(ctx, "GET", "example:command:missing").Result()
	fmt.Println(errors.Is(err, redis.Nil))
	// Output:
	// 2
	// ["a" "b"] <nil>
	// true
}
