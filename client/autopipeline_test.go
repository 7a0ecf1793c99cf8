package client_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With auto-pipelining, many goroutines share a few connections and their
// replies are matched by order alone. Through a proxy that delays, cuts and
// truncates traffic, with random cancellations and short timeouts, every
// reply must still reach the caller that asked for it.
func TestAutoPipelineFaultStress(t *testing.T) {
	const goroutines = 32
	ops := 150
	if testing.Short() {
		ops = 40
	}
	// A few delays outlast ReadTimeout: the commands in flight on that
	// connection time out and are sent again.
	storm := redistest.Shared(t).FaultStorm(t, faultproxy.Faults{DelayProb: 0.02, MaxDelay: 60 * time.Millisecond, CutProb: 0.005, TruncateProb: 0.01})
	rdb, err := client.New(client.Options{Addr: storm.Proxy.Addr(), AutoPipelineConns: 2,
		ReadTimeout: 50 * time.Millisecond, DialTimeout: time.Second, PoolSize: 4, RetryOnTimeout: true})
	require.NoError(t, err)

	var failures, wrong atomic.Int64
	storm.Run(goroutines, func(g int, rng *rand.Rand) {
		key := t.Name() + ":" + strconv.Itoa(g)
		prefix := fmt.Sprintf("g%02d-", g)
		for i := 0; i < ops; i++ {
			val := fmt.Sprintf("%s%04d", prefix, i)
			ctx, cancel := redistest.OpContext(rng, 2*time.Millisecond)
			if s, err := rdb.Set(ctx, key, val, 0).Result(); err != nil {
				failures.Add(1)
			} else if s != "OK" {
				wrong.Add(1)
				t.Errorf("SET %s got %q", val, s)
			}
			if got, err := rdb.Get(ctx, key).Result(); err != nil {
				failures.Add(1)
			} else if !strings.HasPrefix(got, prefix) {
				wrong.Add(1)
				t.Errorf("GET of goroutine %d got %q", g, got)
			}
			nonce := val + "-nonce"
			if got, err := rdb.Do(ctx, "ECHO", nonce).Result(); err != nil {
				failures.Add(1)
			} else if string(got.([]byte)) != nonce {
				wrong.Add(1)
				t.Errorf("ECHO %s got %q", nonce, got)
			}
			cancel()
		}
	})
	st := storm.Proxy.Stats()
	t.Logf("%d of %d operations failed; proxy: %+v", failures.Load(), goroutines*ops*3, st)
	assert.Zero(t, wrong.Load())
	assert.Greater(t, failures.Load(), int64(0), "the faults did hit")
	assert.Less(t, failures.Load(), int64(goroutines*ops*3), "some operations succeeded")

	// After the storm the client works normally again.
	storm.Calm(t, func() bool { return rdb.Set(context.Background(), t.Name(), "ok", 0).Err() == nil })
	assert.Equal(t, "ok", rdb.Get(context.Background(), t.Name()).Val())

	require.NoError(t, rdb.Close())
	storm.End(t)
}

// A cancelled command on a shared connection does not break it: its reply
// is dropped and the next commands get their own.
func TestAutoPipelineCancelKeepsConnection(t *testing.T) {
	srv := redistest.Shared(t)
	rdb, err := client.New(client.Options{Addr: srv.Addr(), AutoPipelineConns: 1})
	require.NoError(t, err)
	defer rdb.Close()
	rdb.Engine().Mux().ShareAlways(true) // one goroutine: share anyway
	key := t.Name()
	rdb.Set(ctx, key, "v", 0)
	for i := 0; i < 50; i++ {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		assert.ErrorIs(t, rdb.Get(cctx, key).Err(), context.Canceled)
		tctx, cancel2 := context.WithTimeout(ctx, time.Duration(i)*time.Microsecond)
		rdb.Get(tctx, key) // may or may not finish in time
		cancel2()
		assert.Equal(t, "v", rdb.Get(ctx, key).Val())
		assert.Equal(t, "n"+strconv.Itoa(i), string(rdb.Do(ctx, "ECHO", "n"+strconv.Itoa(i)).Val().([]byte)))
	}
	// Blocking commands bypass the shared connections.
	start := time.Now()
	_, err = rdb.BLPop(ctx, 200*time.Millisecond, key+":list").Result()
	assert.Error(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
}

// A command alone takes the pool's direct path (no hand-over cost); under
// concurrency commands share the Mux's connections.
func TestAutoPipelineAdaptive(t *testing.T) {
	srv := redistest.Shared(t)
	rdb, err := client.New(client.Options{Addr: srv.Addr(), AutoPipelineConns: 1, PoolSize: 16})
	require.NoError(t, err)
	defer rdb.Close()
	for i := 0; i < 100; i++ {
		require.NoError(t, rdb.Set(ctx, t.Name(), i, 0).Err())
	}
	assert.Equal(t, 1, rdb.PoolStats().TotalConns, "serial commands use one pooled connection")
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if err := rdb.Get(ctx, t.Name()).Err(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// Only a command that found no other in flight used the pool, so it
	// never needed a second connection: the rest shared the Mux's. (The
	// Mux may have taken the pool's idle connection as its shared one
	// when it dialed, leaving the pool none if no command was alone
	// afterwards.)
	st := rdb.PoolStats()
	assert.LessOrEqual(t, st.TotalConns-st.SharedConns, 1, "concurrent commands went through the shared connection, not the pool")
	assert.Equal(t, 1, st.SharedConns)
}
