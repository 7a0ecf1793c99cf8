package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/pipeline"
)

// tourMore shows the other groups of commands, pipelines, transactions,
// scripts and locks.
func tourMore(ctx context.Context, rdb *client.Client, step func(string, any, error)) {
	// Hashes and lists.
	n, err := rdb.HSet(ctx, "tour:user", map[string]any{"name": "Ada", "born": 1815}).Result()
	step(`HSet(user, {name, born})`, n, err)
	h, err := rdb.HGetAll(ctx, "tour:user").Result()
	step(`HGetAll(user)`, h, err)
	rdb.RPush(ctx, "tour:queue", "a", "b", "c")
	l, err := rdb.LRange(ctx, "tour:queue", 0, -1).Result()
	step(`RPush(queue, a, b, c); LRange(0, -1)`, l, err)

	tourSortedSet(ctx, rdb, step)

	// A scan: a Go iterator over the keys, page by page.
	var keys []string
	for key, err := range rdb.ScanIter(ctx, client.ScanArgs{Match: "tour:*", Count: 100}) {
		if err != nil {
			step(`ScanIter("tour:*")`, nil, err)
			break
		}
		keys = append(keys, key)
	}
	sort.Strings(keys)
	step(`ScanIter(match "tour:*")`, keys, nil)

	// A pipeline: one round trip, MULTI/EXEC by default.
	p := rdb.Pipeline()
	incr := p.Incr(ctx, "tour:visits")
	p.Expire(ctx, "tour:visits", time.Hour, client.ExpireAlways)
	get := p.Get(ctx, "tour:visits")
	cmds, err := p.Exec(ctx)
	p.Close()
	step(`Pipeline: Incr, Expire, Get -> Exec`, fmt.Sprintf("%d commands", len(cmds)), err)
	step(`  Incr handle`, incr.Val(), incr.Err())
	step(`  Get handle`, get.Val(), get.Err())

	// A WATCH transaction: read, then write only if nobody changed the key.
	res, err := rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
		s, err := p.Get(ctx, "tour:visits").Result() // immediate mode
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		v, _ := strconv.Atoi(s)
		p.Multi()
		p.Set(ctx, "tour:visits", v*10, 0)
		return nil
	}, "tour:visits")
	if err == nil {
		step(`Transaction(watch visits; set visits*10)`, res[0].Value(), nil)
	} else {
		step(`Transaction`, nil, err)
	}

	// A Lua script: EVALSHA, loaded on NOSCRIPT.
	script := rdb.RegisterScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`)
	v, err := script.Run(ctx, []string{"tour:visits"}, 5).Result()
	step(`Script INCRBY visits 5 (sha `+script.SHA()[:8]+`...)`, v, err)

	// A lock: SET NX PX with an owner token; release checks the token.
	lock := rdb.Lock("tour:lock", client.LockOptions{Timeout: 10 * time.Second})
	err = lock.Do(ctx, func(ctx context.Context) error {
		held, err := lock.Owned(ctx)
		step(`  inside Lock.Do: Owned()`, held, err)
		return nil
	})
	step(`Lock("tour:lock").Do(...)`, "released", err)

	// A connection of one's own, for connection state: here database 1.
	if conn, err := rdb.Conn(ctx); err != nil {
		step(`Conn()`, nil, err)
	} else {
		err = conn.Select(ctx, 1)
		step(`Conn().Select(1)`, conn.ClientInfo(ctx).Val().DB, err)
		conn.Set(ctx, "tour:db1", "only here", time.Minute)
		n, err := rdb.Exists(ctx, "tour:db1").Result()
		step(`  Exists("tour:db1") on the client's db 0`, n, err)
		conn.Del(ctx, "tour:db1")
		conn.Close() // closes it: its database is not the pool's
	}

	rdb.Del(ctx, "tour:user", "tour:queue", "tour:visits", "tour:scores")
}
