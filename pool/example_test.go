package pool_test

import (
	"context"
	"fmt"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// A pool of connections to one server. (Not run as a test: it needs a
// server on localhost:6379.)
func ExamplePool() {
	p := pool.New(pool.Options{Addr: "localhost:6379", PoolSize: 20, HealthCheckInterval: 30 * time.Second})
	defer p.Close()

	ctx := context.Background()
	c, err := p.Get(ctx)
	if err != nil {
		fmt.Println(err) // a *pool.PoolTimeoutError says how busy the pool was
		return
	}
	var r redis.Reply
	err = c.Do(ctx, &r, "SET", "greeting", "hello")
	p.Put(c) // kept for reuse only if Do left it healthy
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := r.Err(); err != nil { // a server error is a reply, not a Go error
		fmt.Println(err)
	}
}

// A connection factory, redis-py's connection_class: every connection of
// the pool is dialed as usual, then set up further.
func ExampleOptions_newConn() {
	p := pool.New(pool.Options{
		Addr:     "localhost:6379",
		Protocol: 3,
		NewConn: func(ctx context.Context, o *pool.Options) (*pool.Conn, error) {
			c, err := pool.Dial(ctx, o)
			if err != nil {
				return nil, err
			}
			if err := c.Do(ctx, c.Reply(), "CLIENT", "NO-EVICT", "on"); err != nil {
				return nil, err
			}
			return c, nil
		},
	})
	defer p.Close()
}

// A pipeline on one connection: commands are buffered, sent in one write,
// and their replies read in order.
func ExampleConn_Flush() {
	ctx := context.Background()
	c, err := pool.Dial(ctx, &pool.Options{Addr: "localhost:6379"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	_ = c.WriteArgs("INCR", "hits")
	_ = c.WriteArgs("EXPIRE", "hits", 60)
	if err := c.Flush(ctx); err != nil {
		fmt.Println(err)
		return
	}
	var r redis.Reply
	for c.Pending() > 0 {
		if err := c.ReadReply(ctx, &r); err != nil {
			fmt.Println(err) // the connection is closed now
			return
		}
		fmt.Println(r.String())
	}
}
