package client_test

import (
	"context"
	"fmt"
)

func ExampleClient_Subscribe() {
	ctx := context.Background()
	rdb := exampleClient()
	defer rdb.Close()

	ps, err := rdb.Subscribe(ctx, "example:chat")
	if err != nil {
		panic(err)
	}
	defer ps.Close()
	confirmation, _ := ps.Receive(ctx) // the server has subscribed us
	fmt.Println(confirmation)

	fmt.Println(rdb.Publish(ctx, "example:chat", "hi there").Val(), "receiver")
	msg, _ := ps.Receive(ctx)
	fmt.Println(msg.Channel, msg.Text())
	// Output:
	// subscribe "example:chat" 1
	// 1 receiver
	// example:chat hi there
}
