package client_test

import (
	"errors"
	"strings"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResponseCallbacks(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		key := k.Key("h")
		rdb.HSet(ctx, key, map[string]any{"a": "1", "b": "2"})

		// The default table shapes Do's value as the typed method does.
		v, err := rdb.Do(ctx, "HGETALL", key).Result()
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"a": "1", "b": "2"}, v)

		// An override on one client changes that client only.
		other := newTestClient(t, redistest.Shared(t).Addr())
		rdb.SetResponseCallback("hgetall", func(r *redis.Reply, o client.CallbackOptions) (any, error) {
			assert.Equal(t, "HGETALL", o.Command)
			return map[string]string{"fields": string(rune('0' + len(r.Elems)/2))}, nil
		})
		assert.Equal(t, map[string]string{"fields": "2"}, rdb.HGetAll(ctx, key).Val(), "typed method uses the override")
		v, _ = rdb.Do(ctx, "HGETALL", key).Result()
		assert.Equal(t, map[string]string{"fields": "2"}, v)
		assert.Equal(t, map[string]string{"a": "1", "b": "2"}, other.HGetAll(ctx, key).Val(), "other clients keep the default")

		// A callback of another type: Do returns it, the typed method says why it cannot.
		rdb.SetResponseCallback("GET", func(r *redis.Reply, _ client.CallbackOptions) (any, error) {
			return len(r.Str), nil
		})
		rdb.Set(ctx, k.Key("s"), "hello", 0)
		v, _ = rdb.Do(ctx, "GET", k.Key("s")).Result()
		assert.Equal(t, 5, v)
		err = rdb.Get(ctx, k.Key("s")).Err()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "use Do")

		// Callbacks see errors never: a server error stays an error.
		rdb.SetResponseCallback("GET", func(r *redis.Reply, _ client.CallbackOptions) (any, error) {
			return strings.ToUpper(string(r.Str)), nil
		})
		assert.Equal(t, "HELLO", rdb.Get(ctx, k.Key("s")).Val())
		var re *redis.Error
		assert.True(t, errors.As(rdb.Get(ctx, key).Err(), &re), "WRONGTYPE bypasses the callback")

		// nil restores the default.
		rdb.SetResponseCallback("GET", nil)
		rdb.SetResponseCallback("HGETALL", nil)
		assert.Equal(t, "hello", rdb.Get(ctx, k.Key("s")).Val())
		assert.Equal(t, map[string]string{"a": "1", "b": "2"}, rdb.HGetAll(ctx, key).Val())

		// Pipelines of the client use its callbacks too.
		rdb.SetResponseCallback("GET", func(r *redis.Reply, _ client.CallbackOptions) (any, error) {
			return "piped:" + string(r.Str), nil
		})
		p := rdb.PipelineNoTx()
		g := p.Get(ctx, k.Key("s"))
		_, err = p.Exec(ctx)
		require.NoError(t, err)
		assert.Equal(t, "piped:hello", g.Val())
		p.Close()
		rdb.SetResponseCallback("GET", nil)
	})
}
