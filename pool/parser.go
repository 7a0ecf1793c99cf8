package pool

import (
	"fmt"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/goparser"
)

// Parser names accepted by ParserByName.
const (
	ParserGo      = "go"
	ParserHiredis = "hiredis"
)

// DefaultParser returns the constructor of the parser that connections use
// unless told otherwise: cparser when built with -tags hiredis, goparser
// otherwise.
func DefaultParser() redis.NewParserFunc { return defaultParser }

// DefaultParserName returns ParserGo or ParserHiredis, whichever
// DefaultParser returns.
func DefaultParserName() string { return defaultParserName }

// ParserByName returns the constructor of the named parser: ParserGo is
// always built in, ParserHiredis only with -tags hiredis (and cgo). An empty
// name means the default.
func ParserByName(name string) (redis.NewParserFunc, error) {
	switch name {
	case "":
		return defaultParser, nil
	case ParserGo:
		return goparser.NewParser, nil
	case ParserHiredis:
		if hiredisParser == nil {
			return nil, fmt.Errorf("redis: parser %q is not built in: build with -tags hiredis (and CGO_ENABLED=1); see build_tags.md", name)
		}
		return hiredisParser, nil
	}
	return nil, fmt.Errorf("redis: unknown parser %q (want %q or %q)", name, ParserGo, ParserHiredis)
}
