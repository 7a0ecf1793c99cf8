package resptest

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"

	redis "github.com/duoredis/redis"
)

// HostileHeaders are streams whose length headers announce far more than
// the bytes that follow them before the stream ends.
var HostileHeaders = []struct {
	Name string
	In   string
}{
	{"bulk 512 MiB", "$536870912\r\nabc"},
	{"bulk 100 MB", "$100000000\r\n" + strings.Repeat("x", 1000)},
	{"nested bulk 512 MiB", "*1\r\n$536870912\r\nabc"},
	{"bulk in a map 512 MiB", "%1\r\n+k\r\n$536870912\r\nabc"},
	{"verbatim 512 MiB", "=536870912\r\ntxt:abc"},
	{"bulk error 512 MiB", "!536870912\r\nabc"},
	{"bulk 512 MiB after a reply", "+OK\r\n$536870912\r\nabc"},
	{"bulk 512 MiB, 3 MiB sent", "$536870912\r\n" + strings.Repeat("y", 3<<20)},
	{"nested bulk 512 MiB, 3 MiB sent", "*2\r\n:1\r\n$536870912\r\n" + strings.Repeat("y", 3<<20)},
}

// RunAllocationBound reads every stream of HostileHeaders to its end, with
// the defaults and with the pool's options, and fails if reading one made
// the Go heap allocate more than limit plus four times the bytes sent (a
// buffer grown step by step as data arrives, up to twice what arrived, in
// all). Go's
// allocations are counted (runtime.MemStats.TotalAlloc), not C's; the test
// must not run in parallel with others.
func RunAllocationBound(t *testing.T, newParser redis.NewParserFunc, limit uint64) {
	for _, h := range HostileHeaders {
		for _, opts := range []redis.ParserOptions{{}, PoolOptions(redis.ParserOptions{})} {
			in := bytes.NewReader([]byte(h.In))
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			p := newParser(in, opts)
			got, err := Collect(p)
			runtime.ReadMemStats(&after)
			if c, ok := p.(io.Closer); ok {
				c.Close()
			}
			if Classify(err) != UnexpectedEOF {
				t.Errorf("%s (OwnLargeBulks=%v): %d replies then %v, want io.ErrUnexpectedEOF", h.Name, opts.OwnLargeBulks, len(got), err)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			bound := 4*uint64(len(h.In)) + limit
			t.Logf("%s (OwnLargeBulks=%v): %d bytes sent, %d bytes allocated", h.Name, opts.OwnLargeBulks, len(h.In), alloc)
			if alloc > bound {
				t.Errorf("%s (OwnLargeBulks=%v): %d bytes sent made the parser allocate %d bytes (more than %d)",
					h.Name, opts.OwnLargeBulks, len(h.In), alloc, bound)
			}
		}
	}
}
