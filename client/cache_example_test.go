package client_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/duoredis/redis/client"
)

// Client-side caching: reads of a Cached command set are served from the
// client's memory while the server has not invalidated them, for at most
// the TTL given.
func Example_clientSideCaching() {
	ctx := context.Background()
	opts, err := client.ParseURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	opts.CacheSize = 64 << 20 // a 64 MiB cache
	rdb, err := client.New(*opts)
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Set(ctx, "example:cache:greeting", "hello", 0)

	cached := rdb.Cached(time.Minute) // the whole read command set, cached for up to a minute
	r := cached.Get(ctx, "example:cache:greeting")
	fmt.Println(r.Val(), r.IsCacheHit()) // fetched from the server
	for !cached.Get(ctx, "example:cache:greeting").IsCacheHit() {
		time.Sleep(time.Millisecond) // the entry is published once confirmed (one more round trip)
	}
	r = cached.Get(ctx, "example:cache:greeting")
	fmt.Println(r.Val(), r.IsCacheHit(), r.CacheTTL() <= time.Minute)

	rdb.Set(ctx, "example:cache:greeting", "bonjour", 0) // this client's write drops the entry at once
	r = cached.Get(ctx, "example:cache:greeting")
	fmt.Println(r.Val(), r.IsCacheHit())
	// Output:
	// hello false
	// hello true true
	// bonjour false
}
