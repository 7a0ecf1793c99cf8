//go:build hiredis && cgo

package hiredis_test

import (
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/hiredis"
	"github.com/duoredis/redis/internal/resptest"
)

// Neither hiredis nor the glue allocates C memory for what a header
// announces: only for what was fed (issue 9, item 7). hiredis appends each
// feed to its buffer and waits for the whole payload without reserving it.
func TestHugeHeaderCMemory(t *testing.T) {
	if hiredis.CHeapBytes() < 0 {
		t.Skip("C heap statistics need glibc 2.33 or later")
	}
	for _, h := range resptest.HostileHeaders {
		r := hiredis.NewReader(redis.ParserOptions{})
		before := hiredis.CHeapBytes()
		in := []byte(h.In)
		// The header alone, then the rest in reads of 64 KiB, as a socket
		// would give them.
		feeds := [][]byte{in[:min(len(in), 16)]}
		for rest := in[min(len(in), 16):]; len(rest) > 0; {
			k := min(len(rest), 64<<10)
			feeds, rest = append(feeds, rest[:k]), rest[k:]
		}
		peak := before
		for _, f := range feeds {
			if b := r.Feed(f); b.Err != nil {
				t.Fatalf("%s: %v", h.Name, b.Err)
			}
			peak = max(peak, hiredis.CHeapBytes())
		}
		r.Free()
		grew := peak - before
		t.Logf("%s: %d bytes fed, C heap grew by %d bytes at most", h.Name, len(in), grew)
		if bound := int64(4*len(in) + 3<<20); grew > bound {
			t.Errorf("%s: %d bytes fed made the C heap grow by %d bytes (more than %d)", h.Name, len(in), grew, bound)
		}
	}
}
