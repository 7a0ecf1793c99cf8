//go:build !race

package redis_test

import (
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/stretchr/testify/assert"
)

func TestAppendCommandAllocs(t *testing.T) {
	buf := make([]byte, 0, 512)
	key, val := "user:1000", []byte("0123456789abcdef")
	allocs := testing.AllocsPerRun(1000, func() {
		var err error
		buf, err = redis.AppendCommand(buf[:0], "SET", key, val, "EX", 3600, 1.5)
		if err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs, "AppendCommand with room in the buffer")
	allocs = testing.AllocsPerRun(1000, func() {
		buf = redis.AppendArrayHeader(buf[:0], 3)
		buf = redis.AppendBulkString(buf, "SET")
		buf = redis.AppendBulkString(buf, key)
		buf = redis.AppendBulk(buf, val)
		buf = redis.AppendBulkInt(buf, -42)
		buf = redis.AppendBulkFloat(buf, 0.25)
	})
	assert.Zero(t, allocs, "Append* with room in the buffer")
}

func BenchmarkAppendCommand(b *testing.B) {
	buf := make([]byte, 0, 512)
	val := []byte("0123456789abcdef")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, _ = redis.AppendCommand(buf[:0], "SET", "user:1000", val)
	}
}
