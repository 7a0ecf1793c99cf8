package client_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bothModes runs fn with auto-pipelining on (the default) and off.
func bothModes(t *testing.T, fn func(t *testing.T, auto bool)) {
	for _, auto := range []bool{true, false} {
		name := "autopipeline"
		if !auto {
			name = "pool"
		}
		t.Run(name, func(t *testing.T) { fn(t, auto) })
	}
}

// Every error that the caller's context caused matches the context's
// error: a deadline that passed just before a write or a read (the
// context's own timer not yet fired) used to come back as a raw socket
// timeout ("raw-read ... i/o timeout") without context.DeadlineExceeded.
func TestContextDeadlineErrorsMatch(t *testing.T) {
	bothModes(t, func(t *testing.T, auto bool) {
		srv := redistest.Shared(t)
		rdb, err := client.New(client.Options{Addr: srv.Addr(), DisableAutoPipeline: !auto})
		require.NoError(t, err)
		defer rdb.Close()
		key := t.Name()
		require.NoError(t, rdb.Set(ctx, key, "v", 0).Err())
		var wg sync.WaitGroup
		var failed, mismatched atomic.Int64
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(1, uint64(g)))
				for i := 0; i < 1000; i++ {
					cctx, cancel := context.WithTimeout(ctx, time.Duration(rng.Int64N(int64(200*time.Microsecond))))
					v, err := rdb.Get(cctx, key).Result()
					cancel()
					if err == nil {
						assert.Equal(t, "v", v)
						continue
					}
					failed.Add(1)
					if !errors.Is(err, context.DeadlineExceeded) && mismatched.Add(1) <= 5 {
						t.Errorf("an error of the context's deadline does not match it: %v", err)
					}
				}
			}()
		}
		wg.Wait()
		t.Logf("%d of 4000 calls ran out of their deadline", failed.Load())
		assert.Zero(t, mismatched.Load())
	})
}
