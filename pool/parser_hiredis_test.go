//go:build hiredis && cgo

package pool_test

import (
	"strings"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/cparser"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultParserIsHiredis(t *testing.T) {
	assert.Equal(t, pool.ParserHiredis, pool.DefaultParserName())
	p := pool.DefaultParser()(strings.NewReader("+OK\r\n"), redis.ParserOptions{})
	_, isC := p.(*cparser.Parser)
	assert.True(t, isC, "got %T", p)
	f, err := pool.ParserByName(pool.ParserHiredis)
	require.NoError(t, err)
	var r redis.Reply
	require.NoError(t, f(strings.NewReader("+OK\r\n"), redis.ParserOptions{}).ReadReply(&r))
	assert.Equal(t, "OK", string(r.Str))
}
