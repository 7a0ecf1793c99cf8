package client_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/clienttest"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pipeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// incr is a read-modify-write of key inside a transaction: GET, then SET
// to one more, which fails with a WatchError whenever another contender
// wrote in between. The work between the read and the write takes a
// millisecond, as an application's would (over loopback, a transaction
// is otherwise so short that contenders rarely meet).
func incr(key string) func(p *pipeline.Pipeline) error {
	return func(p *pipeline.Pipeline) error {
		s, err := p.Get(ctx, key).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		time.Sleep(time.Millisecond)
		n, _ := strconv.Atoi(s)
		p.Multi()
		p.Set(ctx, key, n+1, 0)
		return nil
	}
}

// Under ordinary contention no transaction gives up: 20 goroutines each
// increment one key 10 times through Transaction (on the client, and on a
// Client.Conn of their own), with the default options. With a default cap
// of 100 retries, some of the 200 used to fail with ErrTooManyRetries.
func TestTransactionContentionNeverGivesUp(t *testing.T) {
	const workers, each = 20, 10
	for _, onConn := range []bool{false, true} {
		for _, auto := range []bool{false, true} {
			name := "client"
			if onConn {
				name = "conn"
			}
			if auto {
				name += "-autopipeline"
			}
			t.Run(name, func(t *testing.T) {
				rdb, err := client.New(client.Options{Addr: redistest.Shared(t).Addr(), PoolSize: workers, DisableAutoPipeline: !auto})
				require.NoError(t, err)
				defer rdb.Close()
				key := t.Name()
				rdb.Del(ctx, key)
				var wg sync.WaitGroup
				errs := make(chan error, workers*each)
				for range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						tx := rdb.Transaction
						if onConn {
							k, err := rdb.Conn(ctx)
							if err != nil {
								errs <- err
								return
							}
							defer k.Close()
							tx = k.Transaction
						}
						for range each {
							if _, err := tx(ctx, incr(key), key); err != nil {
								errs <- err
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				failed := 0
				for err := range errs {
					if failed++; failed <= 3 {
						t.Error(err)
					}
				}
				assert.Zero(t, failed, "transactions that failed")
				assert.Equal(t, strconv.Itoa(workers*each), rdb.Get(ctx, key).Val())
			})
		}
	}
}

// MaxTransactionRetries still caps the retries when set: ErrTooManyRetries,
// wrapping the last WatchError, after the first try and that many retries.
func TestTransactionRetryCap(t *testing.T) {
	clienttest.RunTransactionRetryCap(t, redistest.Shared(t).Addr(), 3)
}

// Without a cap, a transaction that can never succeed retries until its
// context ends, and then returns the context's error.
func TestTransactionStopsWhenContextEnds(t *testing.T) {
	rdb, err := client.New(client.Options{Addr: redistest.Shared(t).Addr()})
	require.NoError(t, err)
	defer rdb.Close()
	key := t.Name()
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancel", func() (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 300*time.Millisecond) }, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tctx, cancel := tc.ctx()
			defer cancel()
			calls := 0
			_, err := rdb.Transaction(tctx, func(p *pipeline.Pipeline) error {
				calls++
				rdb.Incr(ctx, key) // every attempt changes the watched key
				if calls == 150 && tc.want == context.Canceled {
					cancel()
				}
				p.Multi()
				p.Set(ctx, key, "x", 0)
				return nil
			}, key)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.NotErrorIs(t, err, client.ErrTooManyRetries)
			if tc.want == context.Canceled {
				assert.GreaterOrEqual(t, calls, 150, "retried past the old cap of 100")
			}
		})
	}
}

// The same holds on a Client.Conn.
func TestConnTransactionStopsWhenContextEnds(t *testing.T) {
	rdb, err := client.New(client.Options{Addr: redistest.Shared(t).Addr()})
	require.NoError(t, err)
	defer rdb.Close()
	key := t.Name()
	k, err := rdb.Conn(ctx)
	require.NoError(t, err)
	defer k.Close()
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	calls := 0
	_, err = k.Transaction(tctx, func(p *pipeline.Pipeline) error {
		calls++
		rdb.Incr(ctx, key)
		if calls == 150 {
			cancel()
		}
		p.Multi()
		p.Set(ctx, key, "x", 0)
		return nil
	}, key)
	assert.ErrorIs(t, err, context.Canceled)
	assert.GreaterOrEqual(t, calls, 150)
}
