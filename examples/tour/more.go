package main

import (
	"context"

	"github.com/duoredis/redis/client"
)

// tourMore shows the commands of the other groups.
func tourMore(ctx context.Context, rdb *client.Client, step func(string, any, error)) {
}
