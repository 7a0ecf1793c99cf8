//go:build !hiredis

package pool

import (
	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/goparser"
)

// Without -tags hiredis, goparser is the default and cparser is not built.
var (
	defaultParser     = goparser.NewParser
	defaultParserName = ParserGo
	hiredisParser     redis.NewParserFunc // nil: not built in
)
