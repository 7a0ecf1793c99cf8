package pool_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFaultProxyStress runs many goroutines that SET and GET values of
// their own through a proxy that delays, cuts and truncates traffic, with
// random cancellations and short timeouts. Whatever fails, no caller may
// ever receive a reply meant for another caller or for an earlier command:
// a connection that saw an error mid-reply must never be reused. And no
// connection or goroutine may leak.
func TestFaultProxyStress(t *testing.T) {
	const (
		goroutines = 16
		poolSize   = 8
	)
	ops := 300
	if testing.Short() {
		ops = 60
	}

	srv := redistest.Shared(t)
	base := runtime.NumGoroutine()
	px, seed := srv.FaultProxy(t, faultproxy.Faults{
		DelayProb:    0.05,
		MaxDelay:     3 * time.Millisecond,
		CutProb:      0.005,
		TruncateProb: 0.01,
	})
	p := pool.New(pool.Options{
		Addr:        px.Addr(),
		PoolSize:    poolSize,
		ReadTimeout: 50 * time.Millisecond, // a delayed reply often misses it
		PoolTimeout: 5 * time.Second,
		DialTimeout: time.Second,
	})

	var (
		broken   sync.Map // *pool.Conn that saw an error -> true
		reused   atomic.Int64
		failures atomic.Int64
		wg       sync.WaitGroup
	)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(g)))
			key := "stress:" + strconv.Itoa(g)
			prefix := fmt.Sprintf("g%02d-", g)
			// Values whose SET failed may still have reached the server
			// (and may even be applied late): a GET may return them.
			uncertain := map[string]bool{}
			last := "" // the last value known to be set
			var r redis.Reply
			// op runs one SET and GET; false means a check failed.
			op := func(i int) bool {
				val := fmt.Sprintf("%s%04d-%016x", prefix, i, rng.Uint64())
				ctx, cancel := redistest.OpContext(rng, 2*time.Millisecond)
				defer cancel()
				c, err := p.Get(ctx)
				if err != nil {
					failures.Add(1)
					return true
				}
				defer p.Put(c)
				if _, bad := broken.Load(c); bad {
					reused.Add(1)
				}
				// Each op ends with an ECHO of a nonce of its own: a reply
				// left over from an earlier op (the bug this test hunts)
				// shifts the replies, and the ECHO gets an old nonce.
				nonce := "n-" + val
				setOK, got := false, ""
				checkSet := func() bool {
					setOK = assert.Equal(t, `+"OK"`, r.String(), "SET of %s answered with another reply", val)
					return setOK
				}
				checkGet := func() bool {
					if !assert.Equal(t, redis.KindBulkString, r.Kind, "GET answered with %s", r.String()) {
						return false
					}
					got = string(r.Str)
					return true
				}
				if rng.IntN(2) == 0 {
					// One command at a time.
					if err = c.Do(ctx, &r, "SET", key, val); err == nil {
						if !checkSet() {
							return false
						}
						if err = c.Do(ctx, &r, "GET", key); err == nil {
							if !checkGet() {
								return false
							}
							err = c.Do(ctx, &r, "ECHO", nonce)
						}
					}
				} else {
					// All three in one write, as a pipeline.
					_ = c.WriteArgs("SET", key, val)
					_ = c.WriteArgs("GET", key)
					_ = c.WriteArgs("ECHO", nonce)
					if err = c.Flush(ctx); err == nil {
						if err = c.ReadReply(ctx, &r); err == nil {
							if !checkSet() {
								return false
							}
							if err = c.ReadReply(ctx, &r); err == nil {
								if !checkGet() {
									return false
								}
								err = c.ReadReply(ctx, &r)
							}
						}
					}
				}
				if setOK {
					last = val
				} else {
					uncertain[val] = true
				}
				if err != nil {
					failures.Add(1)
					// The connection is either broken (closed at once) or
					// left with a reply pending (a context that ended before
					// the read began), or nothing was sent (it ended before
					// the write): Put closes the first two.
					if c.Err() != nil || c.Pending() > 0 {
						broken.Store(c, true)
					}
					return true
				}
				if !assert.Equal(t, nonce, string(r.Str), "ECHO answered with another reply") {
					return false
				}
				if !assert.True(t, strings.HasPrefix(got, prefix), "goroutine %d got another caller's value %q", g, got) {
					return false
				}
				// Only a SET that failed, applied late, may stand in for
				// the one just acknowledged.
				return got == val || assert.True(t, uncertain[got],
					"goroutine %d op %d: GET returned %q, want %q (last %q)", g, i, got, val, last)
			}
			for i := 0; i < ops && op(i); i++ {
			}
		}()
	}
	// Cut every link now and then, idle ones included: Get must notice.
	stopCuts := make(chan struct{})
	cutsDone := make(chan struct{})
	go func() {
		defer close(cutsDone)
		tk := time.NewTicker(30 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stopCuts:
				return
			case <-tk.C:
				px.Cut()
			}
		}
	}()
	wg.Wait()
	close(stopCuts)
	<-cutsDone

	st := px.Stats()
	ps := p.Stats()
	t.Logf("proxy: %+v", st)
	t.Logf("pool: %+v; failed ops %d of %d", ps, failures.Load(), goroutines*ops)
	assert.Zero(t, reused.Load(), "a broken connection was handed out again")
	assert.LessOrEqual(t, p.Len(), poolSize)
	assert.Equal(t, p.Len(), p.IdleLen(), "every connection came back")
	assert.NotZero(t, failures.Load(), "the faults caused no failure: the test tests nothing")
	assert.NotZero(t, st.Cuts+st.Truncations)

	require.NoError(t, p.Close())
	assert.Zero(t, p.Len())
	require.NoError(t, px.Close())
	checkGoroutines(t, base, 2)
}
