package pubsub_test

import (
	"context"
	"fmt"
	"time"

	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/duoredis/redis/pubsub"
)

// examplePublish publishes through a connection of its own; a program
// would use a client's Publish.
func examplePublish(channel, data string) {
	if _, err := redistest.ForExample().Do("PUBLISH", channel, data); err != nil {
		panic(err)
	}
}

func ExamplePubSub_GetMessage() {
	ctx := context.Background()
	ps := pubsub.New(pubsub.Options{Conn: pool.Options{Addr: redistest.ForExample().Addr()}, DecodeResponses: true})
	defer ps.Close()

	if err := ps.Subscribe(ctx, "example:news"); err != nil {
		panic(err)
	}
	msg, _ := ps.GetMessage(ctx, time.Second) // the confirmation
	fmt.Println(msg.Type, msg.Channel, msg.Count)

	examplePublish("example:news", "hello")
	msg, _ = ps.GetMessage(ctx, time.Second)
	fmt.Println(msg.Type, msg.Channel, msg.Data)

	msg, err := ps.GetMessage(ctx, 0) // nothing more: a poll returns at once
	fmt.Println(msg, err)
	// Output:
	// subscribe example:news 1
	// message example:news hello
	// <nil> <nil>
}

func ExamplePubSub_RunInBackground() {
	ctx := context.Background()
	ps := pubsub.New(pubsub.Options{Conn: pool.Options{Addr: redistest.ForExample().Addr(), Protocol: 3}})
	defer ps.Close()

	got := make(chan string)
	err := ps.PSubscribeFunc(ctx, func(m *pubsub.Message) {
		got <- m.Channel + ": " + m.Text()
	}, "example:sensor:*")
	if err != nil {
		panic(err)
	}
	runner, err := ps.RunInBackground(ctx)
	if err != nil {
		panic(err) // a subscription without a handler
	}
	defer runner.Stop()

	waitPatternSubscribed()
	examplePublish("example:sensor:1", "21.5")
	fmt.Println(<-got)
	// Output: example:sensor:1: 21.5
}

// waitPatternSubscribed waits until the server counts a pattern
// subscription: a message published before would not be received.
func waitPatternSubscribed() {
	redistest.WaitFor(5*time.Second, func() bool {
		r, err := redistest.ForExample().Do("PUBSUB", "NUMPAT")
		return err == nil && r.Int > 0
	})
}
