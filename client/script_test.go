package client_test

import (
	"errors"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const incrByScript = `return redis.call('INCRBY', KEYS[1], ARGV[1])`

func TestScriptRunLoadsOnNoScript(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		s := rdb.RegisterScript(incrByScript)
		rdb.Del(ctx, k.Key("n"))
		assert.Len(t, s.SHA(), 40)
		require.NoError(t, rdb.Do(ctx, "SCRIPT", "FLUSH").Err())
		n, err := s.Run(ctx, []string{k.Key("n")}, 5).Result()
		require.NoError(t, err)
		assert.Equal(t, int64(5), n)

		// Flushed between calls: loaded again, transparently.
		require.NoError(t, rdb.Do(ctx, "SCRIPT", "FLUSH").Err())
		n, err = s.Run(ctx, []string{k.Key("n")}, 2).Result()
		require.NoError(t, err)
		assert.Equal(t, int64(7), n)

		// A script error is a server error, not retried.
		bad := rdb.RegisterScript(`return redis.error_reply('NOPE this fails')`)
		err = bad.Run(ctx, nil).Err()
		var re *redis.Error
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "NOPE", re.Prefix())

		// Values come back as Do gives them.
		echo := rdb.RegisterScript(`return {ARGV[1], tonumber(ARGV[2]), {1, 'x'}}`)
		v, err := echo.Run(ctx, nil, "a", 3).Result()
		require.NoError(t, err)
		assert.Equal(t, []any{[]byte("a"), int64(3), []any{int64(1), []byte("x")}}, v)
	})
}

func TestScriptOnAnotherServer(t *testing.T) {
	rdb := newTestClient(t, redistest.Shared(t).Addr())
	other := newTestClient(t, redistest.Start(t).Addr())
	s := rdb.RegisterScript(incrByScript)
	key := t.Name()
	n, err := s.RunOn(ctx, other, []string{key}, 3).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(3), n)
	assert.Equal(t, "3", other.Get(ctx, key).Val())
	assert.Equal(t, int64(0), rdb.Exists(ctx, key).Val(), "ran on the other server only")

	unbound := client.NewScript(incrByScript)
	assert.Error(t, unbound.Run(ctx, []string{key}, 1).Err())
}

func TestScriptInPipelineOnFreshServer(t *testing.T) {
	for _, tx := range []bool{true, false} {
		rdb := newTestClient(t, redistest.Start(t).Addr()) // knows no script
		s := client.NewScript(incrByScript)
		p := rdb.Pipeline()
		if !tx {
			p = rdb.PipelineNoTx()
		}
		r1 := s.RunOn(ctx, p, []string{"a"}, 1)
		r2 := s.RunOn(ctx, p, []string{"a"}, 10)
		p.Get(ctx, "a")
		res, err := p.Exec(ctx)
		require.NoError(t, err, "EVALSHA must not fail inside the pipeline")
		assert.Equal(t, int64(1), r1.Val())
		assert.Equal(t, int64(11), r2.Val())
		assert.Equal(t, "11", res[2].Value())

		// Flushed: the next pipeline loads it again.
		require.NoError(t, rdb.Do(ctx, "SCRIPT", "FLUSH").Err())
		r3 := s.RunOn(ctx, p, []string{"a"}, 1)
		_, err = p.Exec(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(12), r3.Val())
		p.Close()
	}
}

func TestNoScriptErrorTyped(t *testing.T) {
	rdb := newTestClient(t, redistest.Shared(t).Addr())
	err := rdb.Do(ctx, "EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", 0).Err()
	var ns *redis.NoScriptError
	assert.True(t, errors.As(err, &ns), "%v", err)
}

func newTestClient(t *testing.T, addr string) *client.Client {
	t.Helper()
	rdb, err := client.New(client.Options{Addr: addr})
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}
