package client_test

import (
	"cmp"
	"context"
	"fmt"
	"os"

	"github.com/duoredis/redis/client"
)

func ExampleClient_Subscribe() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	ps, err := rdb.Subscribe(ctx, "example:client:chat")
	if err != nil {
		panic(err)
	}
	defer ps.Close()
	confirmation, _ := ps.Receive(ctx) // the server has subscribed us
	fmt.Println(confirmation)

	fmt.Println(rdb.Publish(ctx, "example:client:chat", "hi there").Val(), "receiver")
	msg, _ := ps.Receive(ctx)
	fmt.Println(msg.Channel, msg.Text())
	// Output:
	// subscribe "example:client:chat" 1
	// 1 receiver
	// example:client:chat hi there
}
