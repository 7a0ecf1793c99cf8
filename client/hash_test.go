package client_test

import (
	"errors"
	"sort"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashCommands(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		hlsFresh(t, rdb, k)
		h, none := k.Key("h"), k.Key("none")

		// HSET with a map and with pairs; updated fields do not count.
		n, err := rdb.HSet(ctx, h, map[string]any{"a": "1", "b": 2, "c": 3.5}).Result()
		require.NoError(t, err)
		assert.Equal(t, int64(3), n)
		assert.Equal(t, int64(1), rdb.HSetPairs(ctx, h, "a", "one", "d", []byte("four")).Val())
		assert.Equal(t, map[string]string{"a": "one", "b": "2", "c": "3.5", "d": "four"}, rdb.HGetAll(ctx, h).Val())
		assert.Equal(t, map[string]string{}, rdb.HGetAll(ctx, none).Val())

		// Pairs with a missing value or a non-string field: nothing is sent.
		err = rdb.HSetPairs(ctx, h, "a", "x", "b").Err()
		var de *redis.DataError
		require.True(t, errors.As(err, &de), "%v", err)
		assert.Equal(t, 5, de.Pos)
		err = rdb.HSetPairs(ctx, h, "a", "x", 7, "y").Err()
		require.True(t, errors.As(err, &de), "%v", err)
		assert.Equal(t, 4, de.Pos)
		assert.Equal(t, "int", de.Type)
		assert.Equal(t, "one", rdb.HGet(ctx, h, "a").Val())
		// A value of a type that cannot be sent is the encoder's DataError.
		err = rdb.HSet(ctx, h, map[string]any{"a": true}).Err()
		require.True(t, errors.As(err, &de), "%v", err)
		// HSET without fields is a server error.
		var re *redis.Error
		require.True(t, errors.As(rdb.HSetPairs(ctx, h).Err(), &re))
		assert.Equal(t, "ERR", re.Prefix())

		// HGET / HEXISTS / HSTRLEN / HLEN, present and missing.
		assert.Equal(t, "2", rdb.HGet(ctx, h, "b").Val())
		_, err = rdb.HGet(ctx, h, "zz").Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.HGet(ctx, none, "a").Result()
		assert.Equal(t, redis.Nil, err)
		assert.True(t, rdb.HExists(ctx, h, "a").Val())
		assert.False(t, rdb.HExists(ctx, h, "zz").Val())
		assert.False(t, rdb.HExists(ctx, none, "a").Val())
		assert.Equal(t, int64(3), rdb.HStrLen(ctx, h, "a").Val())
		assert.Equal(t, int64(0), rdb.HStrLen(ctx, h, "zz").Val())
		assert.Equal(t, int64(4), rdb.HLen(ctx, h).Val())
		assert.Equal(t, int64(0), rdb.HLen(ctx, none).Val())

		// HKEYS / HVALS / HMGET.
		keys := rdb.HKeys(ctx, h).Val()
		sort.Strings(keys)
		assert.Equal(t, []string{"a", "b", "c", "d"}, keys)
		vals := rdb.HVals(ctx, h).Val()
		sort.Strings(vals)
		assert.Equal(t, []string{"2", "3.5", "four", "one"}, vals)
		assert.Equal(t, []string{}, rdb.HKeys(ctx, none).Val())
		assert.Equal(t, []any{"one", nil, "2"}, rdb.HMGet(ctx, h, "a", "zz", "b").Val())
		assert.Equal(t, []any{nil}, rdb.HMGet(ctx, none, "a").Val())

		// HSETNX / HMSET.
		assert.False(t, rdb.HSetNX(ctx, h, "a", "x").Val())
		assert.True(t, rdb.HSetNX(ctx, h, "e", "five").Val())
		ok, err := rdb.HMSet(ctx, h, map[string]any{"e": "FIVE", "f": 6}).Result()
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, []any{"FIVE", "6"}, rdb.HMGet(ctx, h, "e", "f").Val())

		// HINCRBY / HINCRBYFLOAT.
		assert.Equal(t, int64(12), rdb.HIncrBy(ctx, h, "f", 6).Val())
		assert.Equal(t, int64(-3), rdb.HIncrBy(ctx, h, "new", -3).Val())
		assert.Equal(t, 5.0, rdb.HIncrByFloat(ctx, h, "c", 1.5).Val())
		assert.Equal(t, 0.25, rdb.HIncrByFloat(ctx, h, "newf", 0.25).Val())
		require.True(t, errors.As(rdb.HIncrBy(ctx, h, "a", 1).Err(), &re))
		assert.Equal(t, "ERR", re.Prefix())

		// HDEL.
		assert.Equal(t, int64(2), rdb.HDel(ctx, h, "new", "newf", "zz").Val())
		assert.Equal(t, int64(0), rdb.HDel(ctx, none, "a").Val())

		// HRANDFIELD: one, N distinct, -N with repeats, with values.
		all := rdb.HGetAll(ctx, h).Val()
		f, err := rdb.HRandField(ctx, h).Result()
		require.NoError(t, err)
		assert.Contains(t, all, f)
		_, err = rdb.HRandField(ctx, none).Result()
		assert.Equal(t, redis.Nil, err)
		fs := rdb.HRandFieldN(ctx, h, 3).Val()
		assert.Len(t, fs, 3)
		assert.Len(t, hlsDistinct(fs), 3)
		fs = rdb.HRandFieldN(ctx, h, -20).Val()
		assert.Len(t, fs, 20)
		for _, f := range fs {
			assert.Contains(t, all, f)
		}
		assert.Len(t, rdb.HRandFieldN(ctx, h, 100).Val(), len(all))
		assert.Equal(t, []string{}, rdb.HRandFieldN(ctx, none, 2).Val())
		pairs, err := rdb.HRandFieldWithValues(ctx, h, 100).Result()
		require.NoError(t, err)
		got := map[string]string{}
		for _, p := range pairs {
			got[p.Field] = p.Value
		}
		assert.Equal(t, all, got)
		pairs = rdb.HRandFieldWithValues(ctx, h, -10).Val()
		assert.Len(t, pairs, 10)
		for _, p := range pairs {
			assert.Equal(t, all[p.Field], p.Value)
		}
		assert.Equal(t, []client.HashField{}, rdb.HRandFieldWithValues(ctx, none, 3).Val())

		// HSCAN, one page (a small hash comes whole).
		page, err := rdb.HScan(ctx, h, 0, client.ScanArgs{Match: "[ab]"}).Result()
		require.NoError(t, err)
		assert.Equal(t, uint64(0), page.Cursor)
		assert.ElementsMatch(t, []string{"a", "one", "b", "2"}, page.Keys)

		// WRONGTYPE.
		s := k.Key("str")
		rdb.Set(ctx, s, "x", 0)
		for _, err := range []error{
			rdb.HGet(ctx, s, "a").Err(), rdb.HSet(ctx, s, map[string]any{"a": 1}).Err(),
			rdb.HGetAll(ctx, s).Err(), rdb.HRandFieldWithValues(ctx, s, 1).Err(),
		} {
			require.True(t, errors.As(err, &re), "%v", err)
			assert.Equal(t, "WRONGTYPE", re.Prefix())
		}
	})
}

// TestHashDo checks Do's default callbacks for hash commands: the same
// values under both protocols.
func TestHashDo(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		hlsFresh(t, rdb, k)
		h := k.Key("h")
		rdb.HSet(ctx, h, map[string]any{"a": "1"})
		assert.Equal(t, map[string]string{"a": "1"}, rdb.Do(ctx, "HGETALL", h).Val())
		assert.Equal(t, true, rdb.Do(ctx, "HEXISTS", h, "a").Val())
		assert.Equal(t, false, rdb.Do(ctx, "HSETNX", h, "a", "2").Val())
		assert.Equal(t, true, rdb.Do(ctx, "HMSET", h, "b", "2").Val())
		assert.Equal(t, 1.5, rdb.Do(ctx, "HINCRBYFLOAT", h, "c", 1.5).Val())
		rdb.HDel(ctx, h, "b", "c")
		assert.Equal(t, []any{[]byte("a"), []byte("1")}, rdb.Do(ctx, "HRANDFIELD", h, 1, "WITHVALUES").Val())
		assert.Equal(t, []any{[]byte("a")}, rdb.Do(ctx, "HRANDFIELD", h, 1).Val())
		assert.Equal(t, []byte("a"), rdb.Do(ctx, "HRANDFIELD", h).Val())
		assert.Nil(t, rdb.Do(ctx, "HRANDFIELD", k.Key("none")).Val())
	})
}

func hlsDistinct(ss []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range ss {
		m[s] = true
	}
	return m
}
