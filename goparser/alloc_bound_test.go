package goparser_test

import (
	"testing"

	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
)

// A header that announces a huge bulk, followed by a few bytes, makes the
// parser allocate about what arrived, not what was announced: before,
// "$536870912\r\n" allocated 1 GiB at once (issue 9, item 7).
func TestHugeHeaderBoundedAllocation(t *testing.T) {
	resptest.RunAllocationBound(t, goparser.NewParser, 3<<20)
}
