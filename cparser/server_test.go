//go:build hiredis && cgo

package cparser_test

import (
	"testing"

	"github.com/duoredis/redis/cparser"
	"github.com/duoredis/redis/internal/resptest"
)

// Pipelines of values of 200 KB and 256 KiB from a real redis-server, read
// by hiredis with the pool's options, as the socket gives them and with reads
// cut just after a CR: no spurious ProtocolError on a healthy connection
// (issue 9, item 5).
func TestServerPipelinesOfBigValues(t *testing.T) {
	resptest.RunServerBigValuePipelines(t, cparser.NewParser)
}
