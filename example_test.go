package redis_test

import (
	"errors"
	"fmt"

	redis "github.com/duoredis/redis"
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
