package goparser_test

import (
	"bytes"
	"testing"
	"testing/iotest"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
)

// FuzzGoParser checks that goparser never panics and that the replies and
// the final error class do not depend on how the stream is split into reads.
// The differential target against hiredis is FuzzParsers in cparser/.
func FuzzGoParser(f *testing.F) {
	for _, c := range resptest.Cases {
		f.Add([]byte(c.In), uint16(len(c.In)/2))
	}
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		opts := redis.ParserOptions{MaxBulkLen: 1 << 16, MaxAggregateLen: 1 << 12, MaxDepth: 16}
		whole, errWhole := resptest.Collect(goparser.New(bytes.NewReader(in), opts))
		cut := int(split) % (len(in) + 1)
		parts, errParts := resptest.Collect(goparser.New(resptest.Chunks(in[:cut], in[cut:]), opts))
		bytewise, errBytes := resptest.Collect(goparser.New(iotest.OneByteReader(bytes.NewReader(in)), opts))
		if !resptest.EqualAll(whole, parts) || resptest.Classify(errWhole) != resptest.Classify(errParts) {
			t.Fatalf("split at %d changed the result: %v %v vs %v %v", cut, whole, errWhole, parts, errParts)
		}
		if !resptest.EqualAll(whole, bytewise) || resptest.Classify(errWhole) != resptest.Classify(errBytes) {
			t.Fatalf("byte-wise reads changed the result: %v %v vs %v %v", whole, errWhole, bytewise, errBytes)
		}
		if resptest.Classify(errWhole) == resptest.Other {
			t.Fatalf("unexpected error class: %v", errWhole)
		}
	})
}
