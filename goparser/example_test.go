package goparser_test

import (
	"fmt"
	"strings"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/goparser"
)

func ExampleParser_ReadReply() {
	stream := "*2\r\n$5\r\nhello\r\n:42\r\n%1\r\n+key\r\n,1.5\r\n"
	p := goparser.New(strings.NewReader(stream), redis.ParserOptions{})
	var r redis.Reply
	for p.ReadReply(&r) == nil {
		fmt.Println(r.Kind, r)
	}
	// Output:
	// array ["hello" 42]
	// map {+"key": (double 1.5)}
}
