package sentinel_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/sentinel"
)

// The examples read the sentinels' addresses from REDIS_SENTINEL_ADDRS
// (host:port, separated by commas) and the name of the master they watch,
// which has one replica, from REDIS_SENTINEL_MASTER.

func Example() {
	ctx := context.Background()
	addrs := strings.Split(os.Getenv("REDIS_SENTINEL_ADDRS"), ",")
	name := os.Getenv("REDIS_SENTINEL_MASTER")
	s, err := sentinel.New(addrs, sentinel.Options{
		// Client holds the options of the data-node clients.
		Client: client.Options{DialTimeout: time.Second},
	})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	master, err := s.MasterFor(name, nil)
	if err != nil {
		panic(err)
	}
	defer master.Close()
	replica, err := s.ReplicaFor(name, nil)
	if err != nil {
		panic(err)
	}
	defer replica.Close()

	fmt.Println(master.Set(ctx, "example:sentinel:greeting", "hello", time.Minute).Err())
	// Wait until the replica has the write, then read it there.
	fmt.Println(master.Wait(ctx, 1, time.Second).Val())
	fmt.Println(replica.Get(ctx, "example:sentinel:greeting").Val())
	fmt.Println(master.Role(ctx).Val().Role, replica.Role(ctx).Val().Role)
	// Output:
	// <nil>
	// 1
	// hello
	// master slave
}

func ExampleSentinel_DiscoverMaster() {
	ctx := context.Background()
	addrs := strings.Split(os.Getenv("REDIS_SENTINEL_ADDRS"), ",")
	name := os.Getenv("REDIS_SENTINEL_MASTER")
	s, err := sentinel.New(addrs, sentinel.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	addr, err := s.DiscoverMaster(ctx, name)
	fmt.Println(addr != "", err)
	replicas, err := s.DiscoverReplicas(ctx, name)
	fmt.Println(len(replicas), err)

	// An unknown master is a *redis.MasterNotFoundError, which is a
	// connection error.
	_, err = s.DiscoverMaster(ctx, "example-unknown")
	var notFound *redis.MasterNotFoundError
	var connErr *redis.ConnectionError
	fmt.Println(errors.As(err, &notFound), errors.As(err, &connErr))
	// Output:
	// true <nil>
	// 1 <nil>
	// true true
}
