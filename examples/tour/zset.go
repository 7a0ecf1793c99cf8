package main

import (
	"context"

	"github.com/duoredis/redis/client"
)

// tourSortedSet shows ZADD (a map of member to score, as in redis-py 3) and
// ranged reads.
func tourSortedSet(ctx context.Context, rdb *client.Client, step func(string, any, error)) {
	n, err := rdb.ZAdd(ctx, "tour:scores", map[string]float64{"alice": 1, "bob": 2, "carol": 3}, client.ZAddArgs{}).Result()
	step(`ZAdd(scores, {alice: 1, bob: 2, carol: 3})`, n, err)
	s, err := rdb.ZIncrBy(ctx, "tour:scores", 2.5, "alice").Result()
	step(`ZIncrBy(scores, 2.5, alice)`, s, err)
	z, err := rdb.ZRangeWithScores(ctx, "tour:scores", 0, -1).Result()
	step(`ZRangeWithScores(scores, 0, -1)`, z, err)
}
