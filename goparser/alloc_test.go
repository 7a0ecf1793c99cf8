//go:build !race

package goparser_test

import (
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
	"github.com/stretchr/testify/assert"
)

// Once its buffers have grown, the parser reads every workload without
// allocating.
func TestReadReplyAllocs(t *testing.T) {
	for _, w := range resptest.Workloads {
		p := goparser.New(resptest.Loop(w.Stream, 64<<10), redis.ParserOptions{})
		var r redis.Reply
		for i := 0; i < 3*w.Replies+3; i++ { // warm up: grow buffers and dst
			if err := p.ReadReply(&r); err != nil {
				t.Fatal(err)
			}
		}
		allocs := testing.AllocsPerRun(200, func() {
			if err := p.ReadReply(&r); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, w.Name)
	}
}
