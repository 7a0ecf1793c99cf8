//go:build hiredis && !cgo

package pool

import redis "github.com/duoredis/redis"

// -tags hiredis needs cgo. This line fails the build with the message below
// instead of letting goparser stand in silently.
var _ int = "duoredis: -tags hiredis needs cgo: build with CGO_ENABLED=1 and a C compiler, or drop the tag (see build_tags.md)"

var (
	defaultParser     redis.NewParserFunc
	defaultParserName = ParserHiredis
	hiredisParser     redis.NewParserFunc
)
