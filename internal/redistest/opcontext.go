package redistest

import (
	"context"
	"math/rand/v2"
	"time"
)

// OpContext returns the context of one operation of a fault test: half the
// time context.Background, otherwise one that a timer cancels within max/4
// or one whose deadline comes within max, so that operations end at any
// point of their exchange with the server.
func OpContext(rng *rand.Rand, max time.Duration) (context.Context, context.CancelFunc) {
	switch n := rng.IntN(10); {
	case n < 5:
		return context.Background(), func() {}
	case n < 8:
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Duration(rng.Int64N(int64(max)/4+1)), cancel)
		return ctx, cancel
	default:
		return context.WithTimeout(context.Background(), time.Duration(rng.Int64N(int64(max))+1))
	}
}
