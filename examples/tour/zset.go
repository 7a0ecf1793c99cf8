package main

import (
	"context"

	"github.com/duoredis/redis/client"
)

// tourSortedSet shows ZADD and a ranged read.
func tourSortedSet(ctx context.Context, rdb *client.Client, step func(string, any, error)) {
	n, err := rdb.Do(ctx, "ZADD", "tour:scores", 3, "carol", 1, "alice", 2, "bob").Result()
	step(`ZADD scores {alice: 1, bob: 2, carol: 3}`, n, err)
	r, err := rdb.Do(ctx, "ZRANGE", "tour:scores", 0, -1).Result()
	step(`ZRANGE scores 0 -1`, r, err)
}
