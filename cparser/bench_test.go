//go:build hiredis && cgo

package cparser_test

import (
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/cparser"
	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
)

// BenchmarkParse runs every parser workload on both parsers side by side;
// `make bench-parsers` turns its output into a benchstat table with one
// column per parser. One op is one reply.
func BenchmarkParse(b *testing.B) {
	parsers := []struct {
		name string
		new  redis.NewParserFunc
	}{
		{"go", goparser.NewParser},
		{"hiredis", cparser.NewParser},
	}
	for _, w := range resptest.Workloads {
		for _, p := range parsers {
			b.Run(w.Name+"/parser="+p.name, func(b *testing.B) { resptest.Bench(b, w, p.new) })
		}
	}
}
