package goparser_test

import (
	"testing"

	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
)

// BenchmarkReader runs the shared parser workloads on goparser alone; the
// side-by-side comparison with cparser is BenchmarkParse in cparser/.
func BenchmarkReader(b *testing.B) {
	for _, w := range resptest.Workloads {
		b.Run(w.Name, func(b *testing.B) { resptest.Bench(b, w, goparser.NewParser) })
	}
}
