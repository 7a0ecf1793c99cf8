package pipeline_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPipelineFaultStress runs pipelines and transactions from many
// goroutines through a proxy that delays, cuts and truncates traffic, with
// random cancellations, short timeouts and retry on timeout. Whatever
// fails, a command that reports no error must hold its own reply: never one
// of another batch, of another goroutine, or of an earlier try.
func TestPipelineFaultStress(t *testing.T) {
	const goroutines = 8
	batches := 120
	if testing.Short() {
		batches = 30
	}
	srv := redistest.Shared(t)
	// Some delays outlast ReadTimeout: those batches time out and are
	// sent again.
	storm := srv.FaultStorm(t, faultproxy.Faults{DelayProb: 0.03, MaxDelay: 40 * time.Millisecond, CutProb: 0.005, TruncateProb: 0.01})
	rdb, err := client.New(client.Options{Addr: storm.Proxy.Addr(), PoolSize: 4, ReadTimeout: 30 * time.Millisecond,
		DialTimeout: time.Second, RetryOnTimeout: true})
	require.NoError(t, err)

	var ok, failed, wrong atomic.Int64
	storm.Run(goroutines, func(g int, rng *rand.Rand) {
		for b := range batches {
			ctx, cancel := redistest.OpContext(rng, 3*time.Millisecond)
			p := rdb.PipelineNoTx()
			if b%2 == 0 {
				p = rdb.Pipeline()
			}
			key := fmt.Sprintf("%s:%d", t.Name(), g)
			n := 1 + rng.IntN(20)
			type check struct {
				get  func() (string, error)
				want string
			}
			checks := make([]check, 0, 3*n)
			for i := range n {
				val := fmt.Sprintf("g%d-b%d-i%d", g, b, i)
				set := p.Set(ctx, key, val, 0)
				get := p.Get(ctx, key)
				echo := p.Do(ctx, "ECHO", val+"-echo")
				checks = append(checks,
					check{set.Result, "OK"},
					check{get.Result, val},
					check{func() (string, error) {
						v, err := echo.Result()
						if err != nil {
							return "", err
						}
						return string(v.([]byte)), nil
					}, val + "-echo"})
			}
			_, err := p.Exec(ctx)
			if err != nil {
				failed.Add(1)
			} else {
				ok.Add(1)
			}
			for _, c := range checks {
				got, cerr := c.get()
				if cerr == nil && got != c.want {
					wrong.Add(1)
					t.Errorf("goroutine %d batch %d: got %q, want %q (batch error: %v)", g, b, got, c.want, err)
				}
				if err == nil && cerr != nil {
					t.Errorf("goroutine %d batch %d: a command failed (%v) but Exec did not", g, b, cerr)
				}
			}
			p.Close()
			cancel()
		}
	})
	t.Logf("%d batches ran, %d failed; proxy: %+v", ok.Load(), failed.Load(), storm.Proxy.Stats())
	assert.Zero(t, wrong.Load())
	assert.Positive(t, failed.Load(), "the faults did hit")
	assert.Positive(t, ok.Load(), "some batches ran")

	// After the storm, pipelines work normally again.
	storm.Calm(t, func() bool {
		p := rdb.Pipeline()
		defer p.Close()
		incr := p.Incr(context.Background(), t.Name()+":after")
		_, err := p.Exec(context.Background())
		return err == nil && incr.Val() > 0
	})
	n, err := strconv.Atoi(srv.Exec(t, "GET", t.Name()+":after"))
	require.NoError(t, err)
	assert.Positive(t, n)

	require.NoError(t, rdb.Close())
	storm.End(t)
}
