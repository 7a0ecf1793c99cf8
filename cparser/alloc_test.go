//go:build hiredis && cgo && !race

package cparser_test

import (
	"bytes"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/cparser"
	"github.com/duoredis/redis/internal/resptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Once its buffers have grown, the parser reads every workload (+OK,
// integers, 16-byte bulks, a 1000-element array, ...) without allocating.
func TestReadReplyAllocs(t *testing.T) {
	for _, w := range resptest.Workloads {
		p := cparser.New(resptest.Loop(w.Stream, 64<<10), redis.ParserOptions{})
		var r redis.Reply
		for i := 0; i < 3*w.Replies+3; i++ { // warm up: grow buffers and dst
			require.NoError(t, p.ReadReply(&r))
		}
		allocs := testing.AllocsPerRun(200, func() {
			if err := p.ReadReply(&r); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, w.Name)
		p.Close()
	}
}

// Reset keeps the buffers: a reused Parser allocates nothing.
func TestResetAllocs(t *testing.T) {
	in := []byte("+OK\r\n*2\r\n$3\r\nabc\r\n:1\r\n")
	br := bytes.NewReader(in)
	p := cparser.New(br, redis.ParserOptions{})
	defer p.Close()
	var r redis.Reply
	run := func() {
		br.Reset(in)
		p.Reset(br)
		for i := 0; i < 2; i++ {
			if err := p.ReadReply(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	run()
	assert.Zero(t, testing.AllocsPerRun(100, run))
}
