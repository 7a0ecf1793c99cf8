//go:build hiredis && cgo

package pool

import "github.com/duoredis/redis/cparser"

// With -tags hiredis, cparser (hiredis's C reader) is the default.
var (
	defaultParser     = cparser.NewParser
	defaultParserName = ParserHiredis
	hiredisParser     = cparser.NewParser
)
