package pipeline_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/pipeline"
)

// The examples connect to the server named by the REDIS_URL environment
// variable, or to localhost:6379, and use keys under "example:".

// A pipeline buffers commands and sends them in one round trip, as a
// MULTI/EXEC transaction; each command's result is filled by Exec.
func ExamplePipeline_Exec() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Del(ctx, "example:pipeline:hits")

	p := rdb.Pipeline()
	defer p.Close()
	incr := p.IncrBy(ctx, "example:pipeline:hits", 10)
	p.Expire(ctx, "example:pipeline:hits", time.Minute, client.ExpireAlways)
	get := p.Get(ctx, "example:pipeline:hits")
	fmt.Println(p.Len(), get.Err()) // queued, not run yet

	cmds, err := p.Exec(ctx)
	fmt.Println(len(cmds), err)
	fmt.Println(incr.Val(), get.Val())
	// Output:
	// 3 redis: result read before the pipeline was executed
	// 3 <nil>
	// 10 10
}

// WATCH puts a pipeline in immediate mode: commands run at once, so the code
// can read what it will change. Multi goes back to buffering, and Exec
// fails with a *redis.WatchError when a watched key changed in between.
func ExamplePipeline_Watch() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	rdb.Set(ctx, "example:pipeline:stock", 5, time.Minute)

	p := rdb.Pipeline()
	defer p.Close() // unwatches and gives the connection back
	if err := p.Watch(ctx, "example:pipeline:stock"); err != nil {
		panic(err)
	}
	fmt.Println(p.Immediate(), p.Get(ctx, "example:pipeline:stock").Val())

	rdb.Decr(ctx, "example:pipeline:stock") // another client changes the key

	p.Multi()
	p.Decr(ctx, "example:pipeline:stock")
	_, err = p.Exec(ctx)
	var watchErr *redis.WatchError
	fmt.Println(errors.As(err, &watchErr))
	fmt.Println(rdb.Get(ctx, "example:pipeline:stock").Val())
	// Output:
	// true 5
	// true
	// 4
}

// New makes a pipeline over any client's engine (Client.Pipeline and
// PipelineNoTx call it); false sends the batch without MULTI/EXEC.
func ExampleNew() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	p := pipeline.New(rdb.Engine(), false)
	defer p.Close()
	p.Set(ctx, "example:pipeline:new", "v", time.Minute)
	get := p.Get(ctx, "example:pipeline:new")
	_, err = p.Exec(ctx)
	fmt.Println(get.Val(), err, p.Transactional())
	// Output:
	// v <nil> false
}
