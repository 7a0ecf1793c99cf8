package pool_test

import (
	"strings"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParserByName(t *testing.T) {
	f, err := pool.ParserByName(pool.ParserGo)
	require.NoError(t, err)
	p := f(strings.NewReader(":5\r\n"), redis.ParserOptions{})
	_, isGo := p.(*goparser.Parser)
	assert.True(t, isGo)
	var r redis.Reply
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, int64(5), r.Int)

	_, err = pool.ParserByName("java")
	assert.ErrorContains(t, err, "unknown parser")
	def, err := pool.ParserByName("")
	require.NoError(t, err)
	assert.NotNil(t, def)
}
