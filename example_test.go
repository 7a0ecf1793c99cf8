package redis_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
)

func ExampleAppendCommand() {
	buf, err := redis.AppendCommand(nil, "SET", "counter", 42)
	fmt.Printf("%q %v\n", buf, err)

	_, err = redis.AppendCommand(nil, "SET", "flag", true)
	var de *redis.DataError
	fmt.Println(errors.As(err, &de), de.Pos, de.Type)
	// Output:
	// "*3\r\n$3\r\nSET\r\n$7\r\ncounter\r\n$2\r\n42\r\n" <nil>
	// true 2 bool
}

func ExampleParseServerError() {
	err := redis.ParseServerError("NOSCRIPT No matching script. Please use EVAL.")
	var e *redis.Error
	if errors.As(err, &e) {
		fmt.Println(e.Prefix())
	}
	var ns *redis.NoScriptError
	fmt.Println(errors.As(err, &ns))
	// Output:
	// NOSCRIPT
	// true
}

// A command's value of a type that cannot be sent (anything but []byte,
// string, integers and floats, as in redis-py 3) is a *DataError, and
// nothing is sent. The examples connect to the server named by the
// REDIS_URL environment variable, or to localhost:6379.
func ExampleDataError() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	err = rdb.HSet(ctx, "example:root:user", map[string]any{"name": "ada", "admin": true}).Err()
	var dataErr *redis.DataError
	if errors.As(err, &dataErr) {
		fmt.Println(dataErr.Type)
	}
	fmt.Println(rdb.Exists(ctx, "example:root:user").Val())

	err = rdb.RPush(ctx, "example:root:list", nil).Err()
	fmt.Println(errors.As(err, &dataErr), err)
	// Output:
	// bool
	// 0
	// true redis: invalid argument 2 of type nil: only []byte, string, integers and floats can be sent
}
