package client_test

import (
	"errors"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStringCommands(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		a, b := k.Key("a"), k.Key("b")
		_, err := rdb.Get(ctx, a).Result()
		assert.True(t, errors.Is(err, redis.Nil), "missing key gives redis.Nil, got %v", err)

		require.Equal(t, "OK", rdb.Set(ctx, a, "hello", 0).Val())
		assert.Equal(t, "hello", rdb.Get(ctx, a).Val())
		assert.Equal(t, []byte("hello"), rdb.GetBytes(ctx, a).Val())
		assert.Equal(t, int64(11), rdb.Append(ctx, a, " world").Val())
		assert.Equal(t, "world", rdb.GetRange(ctx, a, 6, -1).Val())
		assert.Equal(t, int64(11), rdb.StrLen(ctx, a).Val())
		assert.Equal(t, int64(11), rdb.SetRange(ctx, a, 0, "HELLO").Val())
		assert.Equal(t, "HELLO world", rdb.GetSet(ctx, a, "x").Val())
		assert.Equal(t, "x", rdb.GetDel(ctx, a).Val())
		assert.Equal(t, int64(0), rdb.Exists(ctx, a).Val())

		assert.Equal(t, int64(1), rdb.Incr(ctx, b).Val())
		assert.Equal(t, int64(11), rdb.IncrBy(ctx, b, 10).Val())
		assert.Equal(t, int64(10), rdb.Decr(ctx, b).Val())
		assert.Equal(t, int64(5), rdb.DecrBy(ctx, b, 5).Val())
		assert.Equal(t, 6.5, rdb.IncrByFloat(ctx, b, 1.5).Val())

		// Numbers, floats and bytes as values.
		rdb.Set(ctx, a, 42, 0)
		assert.Equal(t, "42", rdb.Get(ctx, a).Val())
		rdb.Set(ctx, a, 0.1, 0)
		assert.Equal(t, "0.1", rdb.Get(ctx, a).Val())
		rdb.Set(ctx, a, []byte{0, 1, 2, '\r', '\n'}, 0)
		assert.Equal(t, "\x00\x01\x02\r\n", rdb.Get(ctx, a).Val())

		// DataError: nothing is sent and the client keeps working.
		err = rdb.Set(ctx, a, true, 0).Err()
		var de *redis.DataError
		require.True(t, errors.As(err, &de), "%v", err)
		assert.Equal(t, 2, de.Pos)
		assert.Equal(t, "\x00\x01\x02\r\n", rdb.Get(ctx, a).Val())

		// Server errors are typed.
		rdb.Del(ctx, a)
		rdb.Do(ctx, "LPUSH", a, "x")
		err = rdb.Get(ctx, a).Err()
		var re *redis.Error
		require.True(t, errors.As(err, &re))
		assert.Equal(t, "WRONGTYPE", re.Prefix())

		// Expirations.
		rdb.Del(ctx, a)
		require.NoError(t, rdb.Set(ctx, a, "v", 100*time.Second).Err())
		assert.InDelta(t, 100, rdb.TTL(ctx, a).Val(), 1)
		require.NoError(t, rdb.Set(ctx, a, "v", 1500*time.Millisecond).Err())
		assert.InDelta(t, 1500, rdb.PTTL(ctx, a).Val(), 100)
		require.NoError(t, rdb.Set(ctx, a, "w", client.KeepTTL).Err())
		assert.Greater(t, rdb.PTTL(ctx, a).Val(), int64(0))
		require.NoError(t, rdb.SetEx(ctx, a, 50*time.Second, "v").Err())
		assert.InDelta(t, 50, rdb.TTL(ctx, a).Val(), 1)
		require.NoError(t, rdb.PSetEx(ctx, a, 5000*time.Millisecond, "v").Err())
		assert.InDelta(t, 5000, rdb.PTTL(ctx, a).Val(), 200)
		assert.Equal(t, "v", rdb.GetEx(ctx, a, client.Persist).Val())
		assert.Equal(t, int64(-1), rdb.TTL(ctx, a).Val())
		assert.Equal(t, int64(-2), rdb.TTL(ctx, k.Key("none")).Val())

		// NX / XX.
		rdb.Del(ctx, a)
		assert.True(t, rdb.SetNX(ctx, a, "1", 0).Val())
		assert.False(t, rdb.SetNX(ctx, a, "2", 0).Val())
		assert.False(t, rdb.SetNX(ctx, a, "2", time.Minute).Val())
		assert.True(t, rdb.SetXX(ctx, a, "3", 0).Val())
		assert.False(t, rdb.SetXX(ctx, k.Key("none"), "3", 0).Val())
		old, err := rdb.SetWithArgs(ctx, a, "4", client.SetArgs{Get: true, TTL: time.Minute}).Result()
		require.NoError(t, err)
		assert.Equal(t, "3", old)
		_, err = rdb.SetWithArgs(ctx, a, "5", client.SetArgs{Mode: "NX"}).Result()
		assert.Equal(t, redis.Nil, err)

		// MSET takes a map; MGET gives nil for missing keys.
		require.NoError(t, rdb.MSet(ctx, map[string]any{a: "A", b: 2}).Err())
		assert.Equal(t, []any{"A", "2", nil}, rdb.MGet(ctx, a, b, k.Key("none")).Val())
		assert.False(t, rdb.MSetNX(ctx, map[string]any{a: "x", k.Key("c"): "y"}).Val())

		rdb.MSet(ctx, map[string]any{a: "ohmytext", b: "mynewtext"})
		assert.Equal(t, "mytext", rdb.LCS(ctx, a, b).Val())
		assert.Equal(t, int64(6), rdb.LCSLen(ctx, a, b).Val())
		assert.Equal(t, "oh", rdb.SubStr(ctx, a, 0, 1).Val())
	})
}
