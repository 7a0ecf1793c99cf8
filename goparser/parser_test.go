package goparser_test

import (
	"testing"

	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
)

func TestCorpus(t *testing.T) {
	resptest.Run(t, goparser.NewParser)
}

func TestLargeBulkSplits(t *testing.T) {
	resptest.RunLargeBulkSplits(t, goparser.NewParser)
}
