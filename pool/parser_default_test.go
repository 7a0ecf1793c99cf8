//go:build !hiredis

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

func TestDefaultParserIsGo(t *testing.T) {
	assert.Equal(t, pool.ParserGo, pool.DefaultParserName())
	p := pool.DefaultParser()(strings.NewReader("+OK\r\n"), redis.ParserOptions{})
	_, isGo := p.(*goparser.Parser)
	assert.True(t, isGo, "got %T", p)
	_, err := pool.ParserByName(pool.ParserHiredis)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-tags hiredis")
}
