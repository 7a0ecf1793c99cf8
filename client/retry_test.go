package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With RetryOnTimeout, a command whose reply comes too late is sent once
// more on another connection, as with redis-py's retry_on_timeout. The
// proxy holds back one reply: the server ran the command, so an INCR that
// is retried counts twice, which the option's documentation warns of.
func TestRetryOnTimeout(t *testing.T) {
	srv := redistest.Shared(t)
	px, err := faultproxy.New(srv.Addr())
	require.NoError(t, err)
	defer px.Close()
	for _, auto := range []bool{false, true} {
		name := "pool"
		if auto {
			name = "autopipeline"
		}
		t.Run(name, func(t *testing.T) {
			k := keyspace(strings.ReplaceAll(t.Name(), "/", ":") + ":")
			srv.Exec(t, "DEL", k.Key("n"), k.Key("ctx"), k.Key("plain"))
			newClient := func(retry bool) *client.Client {
				rdb, err := client.New(client.Options{Addr: px.Addr(), ReadTimeout: 200 * time.Millisecond,
					RetryOnTimeout: retry, DisableAutoPipeline: !auto})
				require.NoError(t, err)
				if auto {
					rdb.Engine().Mux().ShareAlways(true)
				}
				t.Cleanup(func() { rdb.Close() })
				return rdb
			}
			rdb := newClient(true)
			require.NoError(t, rdb.Set(ctx, k.Key("v"), "x", 0).Err())

			px.DelayNext(time.Hour)
			v, err := rdb.Get(ctx, k.Key("v")).Result()
			require.NoError(t, err)
			assert.Equal(t, "x", v)

			px.DelayNext(time.Hour)
			n, err := rdb.Incr(ctx, k.Key("n")).Result()
			require.NoError(t, err)
			assert.EqualValues(t, 2, n, "the first try ran too")

			// Once only: a second timeout is returned.
			px.DelayNext(time.Hour)
			px.DelayNext(time.Hour)
			err = rdb.Get(ctx, k.Key("v")).Err()
			var te *redis.TimeoutError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "read", te.Op)

			// A pipeline's batch is sent again whole: MULTI/EXEC ...
			px.DelayNext(time.Hour)
			p := rdb.Pipeline()
			incr := p.Incr(ctx, k.Key("n"))
			get := p.Get(ctx, k.Key("v"))
			_, err = p.Exec(ctx)
			require.NoError(t, err)
			assert.EqualValues(t, 4, incr.Val())
			assert.Equal(t, "x", get.Val())
			// ... or not.
			px.DelayNext(time.Hour)
			p = rdb.PipelineNoTx()
			incr = p.Incr(ctx, k.Key("n"))
			get = p.Get(ctx, k.Key("v"))
			_, err = p.Exec(ctx)
			require.NoError(t, err)
			assert.EqualValues(t, 6, incr.Val())
			assert.Equal(t, "x", get.Val())

			// A context's deadline is final.
			c, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			px.DelayNext(time.Hour)
			err = rdb.Incr(c, k.Key("ctx")).Err()
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, "1", srv.Exec(t, "GET", k.Key("ctx")), "not sent again")

			// Without the option, the timeout is returned at once.
			plain := newClient(false)
			px.DelayNext(time.Hour)
			err = plain.Incr(ctx, k.Key("plain")).Err()
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "1", srv.Exec(t, "GET", k.Key("plain")))
			px.DelayNext(time.Hour)
			p = plain.Pipeline()
			p.Incr(ctx, k.Key("plain"))
			_, err = p.Exec(ctx)
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "2", srv.Exec(t, "GET", k.Key("plain")))
		})
	}
}

// A pipeline in WATCH mode is never retried: its WATCH ended with the
// connection, and a retry on another one would run the transaction
// unguarded.
func TestRetryOnTimeoutNotWhileWatching(t *testing.T) {
	srv := redistest.Shared(t)
	px, err := faultproxy.New(srv.Addr())
	require.NoError(t, err)
	defer px.Close()
	rdb, err := client.New(client.Options{Addr: px.Addr(), ReadTimeout: 200 * time.Millisecond, RetryOnTimeout: true})
	require.NoError(t, err)
	defer rdb.Close()
	key := t.Name()
	srv.Exec(t, "DEL", key)

	p := rdb.Pipeline()
	defer p.Close()
	require.NoError(t, p.Watch(ctx, key))
	require.ErrorIs(t, p.Get(ctx, key).Err(), redis.Nil)
	p.Multi()
	p.Incr(ctx, key)
	px.DelayNext(time.Hour)
	_, err = p.Exec(ctx)
	var te *redis.TimeoutError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "1", srv.Exec(t, "GET", key), "run once")

	// Nor is a command run at once on the watched connection.
	p.Reset()
	require.NoError(t, p.Watch(ctx, key))
	px.DelayNext(time.Hour)
	err = p.Get(ctx, key).Err()
	require.ErrorAs(t, err, &te)
}
