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

// A time.Duration passed as a value is a *redis.DataError naming the type
// (it used to be stored as nanoseconds: 5*time.Second as "5000000000"), and
// nothing is written.
func TestDurationValueIsDataError(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		key := k.Key("d")
		for _, err := range []error{
			rdb.Set(ctx, key, 5*time.Second, 0).Err(),
			rdb.SetNX(ctx, key, time.Second, time.Minute).Err(),
			rdb.RPush(ctx, key, time.Millisecond).Err(),
			rdb.Do(ctx, "SET", key, time.Hour).Err(),
		} {
			var de *redis.DataError
			require.True(t, errors.As(err, &de), "got %v", err)
			assert.Equal(t, "time.Duration", de.Type)
			assert.Contains(t, err.Error(), "time.Duration")
		}
		assert.Equal(t, int64(0), rdb.Exists(ctx, key).Val(), "nothing was written")

		p := rdb.Pipeline()
		defer p.Close()
		var de *redis.DataError
		require.ErrorAs(t, p.Set(ctx, key, time.Second, 0).Err(), &de, "in a pipeline")
		assert.Equal(t, "time.Duration", de.Type)
		assert.Equal(t, 0, p.Len(), "nothing queued")
	})
}

// Durations where a parameter is a duration (expirations, blocking
// timeouts, idle times) are converted by the command before encoding, and
// keep working.
func TestDurationParametersStillWork(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		a, l, s := k.Key("a"), k.Key("l"), k.Key("s")
		rdb.Del(ctx, a, l, s, k.Key("r")) // the server outlives a run (-count)
		require.NoError(t, rdb.Set(ctx, a, "v", 90*time.Second).Err())
		assert.InDelta(t, 90, rdb.TTL(ctx, a).Val(), 2)
		require.NoError(t, rdb.Set(ctx, a, "v", 1500*time.Millisecond).Err())
		assert.InDelta(t, 1500, rdb.PTTL(ctx, a).Val(), 500)
		require.NoError(t, rdb.SetWithArgs(ctx, a, "v", client.SetArgs{TTL: time.Minute}).Err())
		assert.InDelta(t, 60, rdb.TTL(ctx, a).Val(), 2)
		require.NoError(t, rdb.SetEx(ctx, a, time.Minute, "v").Err())
		require.NoError(t, rdb.PSetEx(ctx, a, 70*time.Second, "v").Err())
		assert.InDelta(t, 70, rdb.TTL(ctx, a).Val(), 2)
		assert.True(t, rdb.SetXX(ctx, a, "w", time.Minute).Val())
		assert.Equal(t, "w", rdb.GetEx(ctx, a, 80*time.Second).Val())
		assert.InDelta(t, 80, rdb.TTL(ctx, a).Val(), 2)
		assert.True(t, rdb.Expire(ctx, a, 100*time.Second, client.ExpireAlways).Val())
		assert.InDelta(t, 100, rdb.TTL(ctx, a).Val(), 2)
		assert.True(t, rdb.PExpire(ctx, a, 110*time.Second, client.ExpireAlways).Val())
		assert.InDelta(t, 110, rdb.TTL(ctx, a).Val(), 2)
		dump := rdb.Dump(ctx, a).Val()
		require.NoError(t, rdb.Restore(ctx, k.Key("r"), time.Minute, dump, client.RestoreArgs{IdleTime: time.Minute}).Err())
		assert.InDelta(t, 60, rdb.TTL(ctx, k.Key("r")).Val(), 2)

		rdb.RPush(ctx, l, "x", "y", "z", "w")
		assert.Equal(t, "x", rdb.BLPop(ctx, 100*time.Millisecond, l).Val().Value)
		assert.Equal(t, "w", rdb.BRPop(ctx, time.Second, l).Val().Value)
		assert.Equal(t, "y", rdb.BLMove(ctx, l, l, "LEFT", "RIGHT", 1500*time.Millisecond).Val())
		assert.Equal(t, "y", rdb.BRPopLPush(ctx, l, l, time.Second).Val())
		assert.Equal(t, []string{"y"}, rdb.BLMPop(ctx, 250*time.Millisecond, "LEFT", 1, l).Val().Values)
		_, err := rdb.Wait(ctx, 0, 10*time.Millisecond).Result()
		require.NoError(t, err)

		id := rdb.XAdd(ctx, client.XAddArgs{Stream: s, Values: map[string]any{"f": "v"}}).Val()
		require.NotEmpty(t, id)
		got, err := rdb.XRead(ctx, client.XReadArgs{Streams: []string{s}, IDs: []string{"0"}, Block: 10 * time.Millisecond}).Result()
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.NoError(t, rdb.XGroupCreate(ctx, s, "g", "0").Err())
		got, err = rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{s}, Block: 10 * time.Millisecond}).Result()
		require.NoError(t, err)
		require.Len(t, got, 1)
		_, err = rdb.XPendingExt(ctx, client.XPendingExtArgs{Stream: s, Group: "g", Idle: time.Millisecond, Count: 10}).Result()
		require.NoError(t, err)
		_, err = rdb.XClaim(ctx, client.XClaimArgs{Stream: s, Group: "g", Consumer: "c2", MinIdle: time.Millisecond, IDs: []string{id}, Idle: time.Second}).Result()
		require.NoError(t, err)
		_, err = rdb.XAutoClaim(ctx, client.XAutoClaimArgs{Stream: s, Group: "g", Consumer: "c3", MinIdle: time.Millisecond}).Result()
		require.NoError(t, err)
	})
}
