package sentinel_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/sentinel"
)

// exampleSentinels returns the addresses of the test sentinels, which
// watch a master named "mymaster" with one replica; a program would list
// its own sentinels.
func exampleSentinels() []string {
	return redistest.SentinelsForExample(redistest.SentinelOptions{Replicas: 1}).SentinelAddrs()
}

func Example() {
	ctx := context.Background()
	s, err := sentinel.New(exampleSentinels(), sentinel.Options{
		// Client holds the options of the data-node clients.
		Client: client.Options{DialTimeout: time.Second},
	})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	master, err := s.MasterFor("mymaster", nil)
	if err != nil {
		panic(err)
	}
	defer master.Close()
	replica, err := s.ReplicaFor("mymaster", nil)
	if err != nil {
		panic(err)
	}
	defer replica.Close()

	fmt.Println(master.Set(ctx, "example:greeting", "hello", time.Minute).Err())
	// Wait until the replica has the write, then read it there.
	fmt.Println(master.Wait(ctx, 1, time.Second).Val())
	fmt.Println(replica.Get(ctx, "example:greeting").Val())
	fmt.Println(replica.Role(ctx).Val().Role)
	// Output:
	// <nil>
	// 1
	// hello
	// slave
}

func ExampleSentinel_DiscoverMaster() {
	ctx := context.Background()
	s, err := sentinel.New(exampleSentinels(), sentinel.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	addr, err := s.DiscoverMaster(ctx, "mymaster")
	fmt.Println(addr != "", err)
	replicas, err := s.DiscoverReplicas(ctx, "mymaster")
	fmt.Println(len(replicas), err)

	_, err = s.DiscoverMaster(ctx, "unknown")
	var notFound *redis.MasterNotFoundError
	fmt.Println(errors.As(err, &notFound))
	// Output:
	// true <nil>
	// 1 <nil>
	// true
}
