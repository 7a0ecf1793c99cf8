package goparser_test

import (
	"testing"

	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
)

func TestReadBulkSplits(t *testing.T) { resptest.RunBulkDestSplits(t, goparser.NewParser) }
