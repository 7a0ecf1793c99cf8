package pubsub_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/pubsub"
)

// The examples connect to the server named by the REDIS_URL environment
// variable, or to localhost:6379, and use channels under "example:".

// GetMessage polls (timeout 0) or waits up to a timeout, and returns nil,
// nil when nothing came.
func ExamplePubSub_GetMessage() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	ps := rdb.PubSub()
	defer ps.Close()
	if err := ps.Subscribe(ctx, "example:pubsub:news"); err != nil {
		panic(err)
	}
	msg, _ := ps.GetMessage(ctx, time.Second) // the confirmation
	fmt.Println(msg.Type, msg.Channel, msg.Count)

	rdb.Publish(ctx, "example:pubsub:news", "hello")
	msg, _ = ps.GetMessage(ctx, time.Second)
	fmt.Println(msg.Type, msg.Channel, msg.Text())

	msg, err = ps.GetMessage(ctx, 0) // nothing more: a poll returns at once
	fmt.Println(msg, err)
	// Output:
	// subscribe example:pubsub:news 1
	// message example:pubsub:news hello
	// <nil> <nil>
}

// Listen is an iterator over the messages, which reconnects after an error.
func ExamplePubSub_Listen() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	ps, err := rdb.PSubscribe(ctx, "example:pubsub:orders:*")
	if err != nil {
		panic(err)
	}
	defer ps.Close()

	n := 0
	for msg, err := range ps.Listen(ctx) {
		if err != nil {
			panic(err)
		}
		switch msg.Type {
		case "psubscribe": // subscribed: now a publication reaches us
			rdb.Publish(ctx, "example:pubsub:orders:eu", "order 1")
			rdb.Publish(ctx, "example:pubsub:orders:us", "order 2")
		case "pmessage":
			fmt.Println(msg.Pattern, msg.Channel, msg.Text())
			n++
		}
		if n == 2 {
			break
		}
	}
	// Output:
	// example:pubsub:orders:* example:pubsub:orders:eu order 1
	// example:pubsub:orders:* example:pubsub:orders:us order 2
}

// Handlers receive the messages of their subscriptions; RunInBackground
// runs them in a goroutine of its own until stopped. It refuses to start
// while a subscription has no handler.
func ExamplePubSub_RunInBackground() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	ps := rdb.PubSub()
	defer ps.Close()
	got := make(chan string, 1)
	err = ps.PSubscribeFunc(ctx, func(m *pubsub.Message) {
		got <- m.Channel + ": " + m.Text()
	}, "example:pubsub:sensor:*")
	if err != nil {
		panic(err)
	}
	runner, err := ps.RunInBackground(ctx)
	if err != nil {
		panic(err) // a subscription without a handler
	}
	defer runner.Stop()

	// A message reaches the handler once the subscription is in place:
	// publish until a subscriber received it.
	for rdb.Publish(ctx, "example:pubsub:sensor:1", "21.5").Val() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println(<-got)
	// Output: example:pubsub:sensor:1: 21.5
}
