package pipeline_test

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

func TestMain(m *testing.M) { redistest.Main(m, redistest.URLEnv) }

var ctx = context.Background()

func newClient(t *testing.T, proto int) *client.Client {
	t.Helper()
	srv := redistest.Shared(t)
	rdb, err := client.New(client.Options{Addr: srv.Addr(), Protocol: proto, PoolSize: 4})
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func protocols(t *testing.T, fn func(t *testing.T, rdb *client.Client, prefix string)) {
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			fn(t, newClient(t, proto), t.Name()+":")
		})
	}
}

func TestPipelineBuffersAndExecs(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k string) {
		for _, tx := range []bool{true, false} {
			var p *pipeline.Pipeline
			if tx {
				p = rdb.Pipeline()
			} else {
				p = rdb.PipelineNoTx()
			}
			set := p.Set(ctx, k+"a", "1", 0)
			incr := p.Incr(ctx, k+"a")
			get := p.Get(ctx, k+"a")
			missing := p.Get(ctx, k+"missing")
			assert.Equal(t, 4, p.Len())
			assert.ErrorIs(t, get.Err(), client.ErrPending)
			assert.Equal(t, "", rdb.Get(ctx, k+"a").Val(), "nothing sent before Exec")

			res, err := p.Exec(ctx)
			require.NoError(t, err, "redis.Nil is not an error of the batch")
			require.Len(t, res, 4)
			assert.Equal(t, "OK", res[0].Value())
			assert.Equal(t, "SET", res[0].Name())
			assert.Equal(t, int64(2), res[1].Value())
			assert.Equal(t, "2", res[2].Value())
			assert.Equal(t, redis.Nil, res[3].Err())
			assert.Nil(t, res[3].Value())
			assert.Equal(t, "OK", set.Val())
			assert.Equal(t, int64(2), incr.Val())
			assert.Equal(t, "2", get.Val())
			assert.Equal(t, redis.Nil, missing.Err())
			assert.Equal(t, 0, p.Len())
			require.NoError(t, p.Close())
			rdb.Del(ctx, k+"a")
		}
		assert.Equal(t, rdb.PoolStats().TotalConns, rdb.PoolStats().IdleConns, "every connection went back")
	})
}

func TestPipelineErrorDoesNotHideOthers(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k string) {
		rdb.Do(ctx, "LPUSH", k+"list", "x")
		for _, tx := range []bool{true, false} {
			p := rdb.PipelineNoTx()
			if tx {
				p = rdb.Pipeline()
			}
			p.Set(ctx, k+"s", "v", 0)
			bad := p.Incr(ctx, k+"list") // WRONGTYPE at run time
			p.Get(ctx, k+"s")
			res, err := p.Exec(ctx)
			var re *redis.Error
			require.True(t, errors.As(err, &re), "first error: %v", err)
			assert.Equal(t, "WRONGTYPE", re.Prefix())
			require.Len(t, res, 3)
			assert.Equal(t, "OK", res[0].Value())
			assert.Equal(t, "v", res[2].Value())
			assert.ErrorAs(t, res[1].Err(), &re)
			assert.ErrorAs(t, bad.Err(), &re)

			// A DataError is reported at once and nothing is queued.
			dataErr := p.Set(ctx, k+"s", struct{}{}, 0)
			var de *redis.DataError
			assert.ErrorAs(t, dataErr.Err(), &de)
			assert.Equal(t, 0, p.Len())
			p.Close()
		}
	})
}

func TestTransactionQueueErrorAborts(t *testing.T) {
	rdb := newClient(t, 2)
	p := rdb.Pipeline()
	defer p.Close()
	k := t.Name()
	p.Set(ctx, k, "1", 0)
	p.Do(ctx, "NOSUCHCOMMAND")
	res, err := p.Exec(ctx)
	require.Error(t, err)
	assert.Len(t, res, 2)
	assert.Equal(t, "", rdb.Get(ctx, k).Val(), "the transaction was discarded")
}

func TestWatchImmediateModeAndWatchError(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k string) {
		key := k + "w"
		rdb.Set(ctx, key, "1", 0)
		p := rdb.Pipeline()
		defer p.Close()
		require.NoError(t, p.Watch(ctx, key))
		assert.True(t, p.Immediate())
		assert.Equal(t, "1", p.Get(ctx, key).Val(), "immediate mode returns values at once")
		p.Multi()
		set := p.Set(ctx, key, "2", 0)
		assert.Equal(t, 1, p.Len())

		// Another client changes the key: EXEC is discarded.
		require.NoError(t, rdb.Set(ctx, key, "other", 0).Err())
		_, err := p.Exec(ctx)
		var we *redis.WatchError
		require.ErrorAs(t, err, &we)
		assert.ErrorAs(t, set.Err(), &we)
		assert.Equal(t, "other", rdb.Get(ctx, key).Val())

		// Without interference the transaction goes through.
		require.NoError(t, p.Watch(ctx, key))
		p.Multi()
		p.Set(ctx, key, "3", 0)
		_, err = p.Exec(ctx)
		require.NoError(t, err)
		assert.Equal(t, "3", rdb.Get(ctx, key).Val())

		// WATCH after buffered commands is refused.
		p.Set(ctx, key, "4", 0)
		assert.ErrorIs(t, p.Watch(ctx, key), pipeline.ErrWatchAfterCommands)
		p.Reset()
		assert.Equal(t, 0, p.Len())
	})
}

func TestResetUnwatchesAndReturnsConn(t *testing.T) {
	rdb := newClient(t, 2)
	key := t.Name()
	p := rdb.Pipeline()
	require.NoError(t, p.Watch(ctx, key))
	assert.Equal(t, 1, rdb.PoolStats().TotalConns-rdb.PoolStats().IdleConns, "the pipeline holds a connection")
	p.Reset()
	assert.Equal(t, rdb.PoolStats().TotalConns, rdb.PoolStats().IdleConns)
	// The connection went back unwatched: a change to the key does not
	// abort a later transaction on it.
	p2 := rdb.Pipeline()
	defer p2.Close()
	rdb.Set(ctx, key, "x", 0)
	p2.Set(ctx, key, "y", 0)
	_, err := p2.Exec(ctx)
	require.NoError(t, err)
}

// Many goroutines increment one key through GET + MULTI/SET: optimistic
// locking loses no update.
func TestTransactionNoLostUpdates(t *testing.T) {
	srv := redistest.Shared(t)
	rdb, err := client.New(client.Options{Addr: srv.Addr(), PoolSize: 8, MaxTransactionRetries: 1000})
	require.NoError(t, err)
	defer rdb.Close()
	key := t.Name()
	rdb.Del(ctx, key)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				_, err := rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
					s, err := p.Get(ctx, key).Result()
					if err != nil && err != redis.Nil {
						return err
					}
					n, _ := strconv.Atoi(s)
					p.Multi()
					p.Set(ctx, key, n+1, 0)
					return nil
				}, key)
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, strconv.Itoa(workers*each), rdb.Get(ctx, key).Val())
	assert.Equal(t, rdb.PoolStats().TotalConns, rdb.PoolStats().IdleConns)
}

func TestTransactionFnErrorStops(t *testing.T) {
	rdb := newClient(t, 2)
	boom := errors.New("boom")
	calls := 0
	_, err := rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
		calls++
		return boom
	}, t.Name())
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, 1, calls)
}

func TestTransactionRetriesBounded(t *testing.T) {
	clienttest.RunTransactionRetryCap(t, redistest.Shared(t).Addr(), 2)
}

func TestPipelineBlockingCommand(t *testing.T) {
	rdb := newClient(t, 2)
	p := rdb.PipelineNoTx()
	defer p.Close()
	// A blocking command with a server-side timeout longer than nothing
	// still returns: its wait extends the read deadline.
	r := p.Do(ctx, "BLPOP", t.Name(), "1")
	start := time.Now()
	_, err := p.Exec(ctx)
	assert.NoError(t, err)
	assert.Nil(t, r.Val())
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond)
}
