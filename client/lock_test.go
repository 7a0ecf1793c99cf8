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
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// N goroutines on two clients increment a counter with GET and SET under
// the lock: no update is lost.
func TestLockMutualExclusion(t *testing.T) {
	srv := redistest.Shared(t)
	a, b := newTestClient(t, srv.Addr()), newTestClient(t, srv.Addr())
	name, counter := t.Name()+":lock", t.Name()+":n"
	a.Del(ctx, name, counter)
	const workers, each = 6, 15
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		rdb := a
		if w%2 == 1 {
			rdb = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				l := rdb.Lock(name, client.LockOptions{Timeout: 5 * time.Second, Sleep: time.Millisecond})
				err := l.Do(ctx, func(ctx context.Context) error {
					s, err := rdb.Get(ctx, counter).Result()
					if err != nil && err != redis.Nil {
						return err
					}
					n, _ := strconv.Atoi(s)
					return rdb.Set(ctx, counter, n+1, 0).Err()
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, strconv.Itoa(workers*each), a.Get(ctx, counter).Val())
	assert.Equal(t, int64(0), a.Exists(ctx, name).Val(), "released")
}

func TestLockExpiryExtendRelease(t *testing.T) {
	rdb := newTestClient(t, redistest.Shared(t).Addr())
	name := t.Name()
	l1 := rdb.Lock(name, client.LockOptions{Timeout: 200 * time.Millisecond})
	require.NoError(t, l1.Acquire(ctx))
	owned, err := l1.Owned(ctx)
	require.NoError(t, err)
	assert.True(t, owned)
	locked, _ := l1.Locked(ctx)
	assert.True(t, locked)

	// Non-blocking and bounded waits fail with LockError while it is held.
	l2 := rdb.Lock(name, client.LockOptions{NonBlocking: true})
	var le *redis.LockError
	require.ErrorAs(t, l2.Acquire(ctx), &le)
	l3 := rdb.Lock(name, client.LockOptions{BlockingTimeout: 50 * time.Millisecond, Sleep: 10 * time.Millisecond})
	require.ErrorAs(t, l3.Acquire(ctx), &le)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	require.ErrorAs(t, rdb.Lock(name, client.LockOptions{}).Acquire(cctx), &le)
	cancel()

	// Extend keeps it past its first expiry.
	require.NoError(t, l1.Extend(ctx, 400*time.Millisecond, false))
	pttl := rdb.PTTL(ctx, name).Val()
	assert.Greater(t, pttl, int64(400))
	require.NoError(t, l1.Extend(ctx, 300*time.Millisecond, true))
	assert.LessOrEqual(t, rdb.PTTL(ctx, name).Val(), int64(300))
	require.NoError(t, l1.Reacquire(ctx))
	assert.LessOrEqual(t, rdb.PTTL(ctx, name).Val(), int64(200))

	// Expiry frees it: another owner takes it, and the first one's
	// release is LockNotOwnedError.
	time.Sleep(250 * time.Millisecond)
	l4 := rdb.Lock(name, client.LockOptions{Timeout: time.Second})
	require.NoError(t, l4.Acquire(ctx))
	err = l1.Release(ctx)
	var lno *redis.LockNotOwnedError
	require.ErrorAs(t, err, &lno)
	assert.ErrorAs(t, err, &le, "a LockNotOwnedError is a LockError")
	assert.ErrorAs(t, l1.Extend(ctx, time.Second, false), &lno)
	require.NoError(t, l4.Release(ctx))
	assert.ErrorAs(t, l4.Release(ctx), &lno, "release twice")
}

func TestLockBlockingWaitsForRelease(t *testing.T) {
	rdb := newTestClient(t, redistest.Shared(t).Addr())
	name := t.Name()
	l1 := rdb.Lock(name, client.LockOptions{Timeout: 5 * time.Second})
	require.NoError(t, l1.Acquire(ctx))
	go func() {
		time.Sleep(100 * time.Millisecond)
		l1.Release(ctx)
	}()
	l2 := rdb.Lock(name, client.LockOptions{Timeout: 5 * time.Second, Sleep: 10 * time.Millisecond, BlockingTimeout: 3 * time.Second})
	start := time.Now()
	require.NoError(t, l2.Acquire(ctx))
	assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond)
	require.NoError(t, l2.Release(ctx))
}

func TestLockDoReleasesOnError(t *testing.T) {
	rdb := newTestClient(t, redistest.Shared(t).Addr())
	name := t.Name()
	boom := errors.New("boom")
	err := rdb.Lock(name, client.LockOptions{Timeout: time.Minute}).Do(ctx, func(context.Context) error { return boom })
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, int64(0), rdb.Exists(ctx, name).Val())

	// A lock without expiry cannot be extended.
	l := rdb.Lock(name, client.LockOptions{Token: "fixed"})
	require.NoError(t, l.Acquire(ctx))
	assert.Equal(t, "fixed", rdb.Get(ctx, name).Val())
	var le *redis.LockError
	assert.ErrorAs(t, l.Extend(ctx, time.Second, false), &le)
	require.NoError(t, l.Release(ctx))
}
