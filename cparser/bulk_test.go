//go:build hiredis && cgo

package cparser_test

import (
	"testing"

	"github.com/duoredis/redis/cparser"
	"github.com/duoredis/redis/internal/resptest"
)

func TestReadBulkSplits(t *testing.T) { resptest.RunBulkDestSplits(t, cparser.NewParser) }
