//go:build !hiredis

package pool

import "github.com/duoredis/redis/goparser"

// Without -tags hiredis, goparser is the default and cparser is not built.
var (
	defaultParser     = goparser.NewParser
	defaultParserName = ParserGo
	hiredisParser     = nilParser
)
