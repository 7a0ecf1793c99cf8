//go:build hiredis && cgo

package cparser_test

import (
	"testing"

	"github.com/duoredis/redis/cparser"
	"github.com/duoredis/redis/internal/resptest"
)

// A header that announces a huge bulk, followed by a few bytes, makes the
// parser allocate about what arrived, not what was announced: with
// OwnLargeBulks, "$536870912\r\n" allocated 512 MiB at once (issue 9, item
// 7). This counts Go's heap; hiredis's C memory is measured in package
// hiredis (TestHugeHeaderCMemory).
func TestHugeHeaderBoundedAllocation(t *testing.T) {
	resptest.RunAllocationBound(t, cparser.NewParser, 3<<20)
}
