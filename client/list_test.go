package client_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListCommands(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		hlsFresh(t, rdb, k)
		l, l2, none := k.Key("l"), k.Key("l2"), k.Key("none")

		// Pushes and ranges.
		assert.Equal(t, int64(3), rdb.RPush(ctx, l, "a", 2, 3.5).Val())
		assert.Equal(t, int64(5), rdb.LPush(ctx, l, "y", []byte("z")).Val()) // z y a 2 3.5
		assert.Equal(t, []string{"z", "y", "a", "2", "3.5"}, rdb.LRange(ctx, l, 0, -1).Val())
		assert.Equal(t, []string{"a", "2"}, rdb.LRange(ctx, l, 2, -2).Val())
		assert.Equal(t, []string{}, rdb.LRange(ctx, none, 0, -1).Val())
		assert.Equal(t, int64(6), rdb.RPushX(ctx, l, "e").Val())
		assert.Equal(t, int64(7), rdb.LPushX(ctx, l, "s").Val())
		assert.Equal(t, int64(0), rdb.RPushX(ctx, none, "e").Val())
		assert.Equal(t, int64(0), rdb.LPushX(ctx, none, "e").Val())
		assert.Equal(t, int64(0), rdb.Exists(ctx, none).Val())
		assert.Equal(t, int64(7), rdb.LLen(ctx, l).Val())
		assert.Equal(t, int64(0), rdb.LLen(ctx, none).Val())

		// LINDEX / LSET / LINSERT.
		assert.Equal(t, "s", rdb.LIndex(ctx, l, 0).Val())
		assert.Equal(t, "e", rdb.LIndex(ctx, l, -1).Val())
		_, err := rdb.LIndex(ctx, l, 100).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.LIndex(ctx, none, 0).Result()
		assert.Equal(t, redis.Nil, err)
		assert.Equal(t, "OK", rdb.LSet(ctx, l, 1, "Z").Val())
		var re *redis.Error
		require.True(t, errors.As(rdb.LSet(ctx, l, 100, "x").Err(), &re))
		assert.Equal(t, "ERR", re.Prefix())
		require.True(t, errors.As(rdb.LSet(ctx, none, 0, "x").Err(), &re))
		assert.Equal(t, "ERR", re.Prefix())
		assert.Equal(t, int64(8), rdb.LInsert(ctx, l, "BEFORE", "a", "b4a").Val())
		assert.Equal(t, int64(9), rdb.LInsertAfter(ctx, l, "a", "afta").Val())
		assert.Equal(t, int64(10), rdb.LInsertBefore(ctx, l, 2, 1).Val())
		assert.Equal(t, int64(-1), rdb.LInsert(ctx, l, "AFTER", "nothere", "x").Val())
		assert.Equal(t, int64(0), rdb.LInsertAfter(ctx, none, "a", "x").Val())
		assert.Equal(t, []string{"s", "Z", "y", "b4a", "a", "afta", "1", "2", "3.5", "e"}, rdb.LRange(ctx, l, 0, -1).Val())

		// LTRIM.
		assert.Equal(t, "OK", rdb.LTrim(ctx, l, 1, -2).Val())
		assert.Equal(t, []string{"Z", "y", "b4a", "a", "afta", "1", "2", "3.5"}, rdb.LRange(ctx, l, 0, -1).Val())

		// LREM(key, count, value): from the head, from the tail, all.
		rdb.Del(ctx, l)
		rdb.RPush(ctx, l, "x", "a", "x", "b", "x", "c", "x")
		assert.Equal(t, int64(1), rdb.LRem(ctx, l, 1, "x").Val())
		assert.Equal(t, []string{"a", "x", "b", "x", "c", "x"}, rdb.LRange(ctx, l, 0, -1).Val())
		assert.Equal(t, int64(2), rdb.LRem(ctx, l, -2, "x").Val())
		assert.Equal(t, []string{"a", "x", "b", "c"}, rdb.LRange(ctx, l, 0, -1).Val())
		rdb.RPush(ctx, l, "x", "x")
		assert.Equal(t, int64(3), rdb.LRem(ctx, l, 0, "x").Val())
		assert.Equal(t, int64(0), rdb.LRem(ctx, none, 0, "x").Val())

		// LPOS with RANK, COUNT and MAXLEN.
		rdb.Del(ctx, l)
		rdb.RPush(ctx, l, "a", "b", "c", 1, "b", "c", "b") // b at 1, 4, 6
		assert.Equal(t, int64(1), rdb.LPos(ctx, l, "b", client.LPosArgs{}).Val())
		assert.Equal(t, int64(3), rdb.LPos(ctx, l, 1, client.LPosArgs{}).Val())
		assert.Equal(t, int64(4), rdb.LPos(ctx, l, "b", client.LPosArgs{Rank: 2}).Val())
		assert.Equal(t, int64(6), rdb.LPos(ctx, l, "b", client.LPosArgs{Rank: -1}).Val())
		_, err = rdb.LPos(ctx, l, "b", client.LPosArgs{MaxLen: 1}).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.LPos(ctx, l, "zz", client.LPosArgs{}).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.LPos(ctx, none, "b", client.LPosArgs{}).Result()
		assert.Equal(t, redis.Nil, err)
		assert.Equal(t, []int64{1, 4, 6}, rdb.LPosCount(ctx, l, "b", 0, client.LPosArgs{}).Val())
		assert.Equal(t, []int64{1, 4}, rdb.LPosCount(ctx, l, "b", 2, client.LPosArgs{}).Val())
		assert.Equal(t, []int64{6, 4}, rdb.LPosCount(ctx, l, "b", 2, client.LPosArgs{Rank: -1}).Val())
		assert.Equal(t, []int64{4}, rdb.LPosCount(ctx, l, "b", 0, client.LPosArgs{Rank: 2, MaxLen: 5}).Val())
		assert.Equal(t, []int64{}, rdb.LPosCount(ctx, l, "zz", 0, client.LPosArgs{}).Val())
		assert.Equal(t, []int64{}, rdb.LPosCount(ctx, none, "b", 0, client.LPosArgs{}).Val())
		require.True(t, errors.As(rdb.LPos(ctx, l, "b", client.LPosArgs{MaxLen: -1}).Err(), &re))

		// Pops, single and with a count.
		rdb.Del(ctx, l)
		rdb.RPush(ctx, l, "1", "2", "3", "4", "5", "6")
		assert.Equal(t, "1", rdb.LPop(ctx, l).Val())
		assert.Equal(t, "6", rdb.RPop(ctx, l).Val())
		assert.Equal(t, []string{"2", "3"}, rdb.LPopCount(ctx, l, 2).Val())
		assert.Equal(t, []string{"5", "4"}, rdb.RPopCount(ctx, l, 5).Val())
		assert.Equal(t, int64(0), rdb.Exists(ctx, l).Val())
		_, err = rdb.LPop(ctx, none).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.RPop(ctx, none).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.LPopCount(ctx, none, 2).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.RPopCount(ctx, none, 2).Result()
		assert.Equal(t, redis.Nil, err)

		// LMOVE / RPOPLPUSH.
		rdb.RPush(ctx, l, "a", "b", "c")
		assert.Equal(t, "a", rdb.LMove(ctx, l, l2, client.Left, client.Right).Val())
		assert.Equal(t, "c", rdb.LMove(ctx, l, l2, "RIGHT", "LEFT").Val())
		assert.Equal(t, "b", rdb.RPopLPush(ctx, l, l2).Val())
		assert.Equal(t, []string{"b", "c", "a"}, rdb.LRange(ctx, l2, 0, -1).Val())
		_, err = rdb.LMove(ctx, l, l2, client.Left, client.Left).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.RPopLPush(ctx, none, l2).Result()
		assert.Equal(t, redis.Nil, err)
		// Rotation of one list.
		assert.Equal(t, "a", rdb.LMove(ctx, l2, l2, client.Right, client.Left).Val())
		assert.Equal(t, []string{"a", "b", "c"}, rdb.LRange(ctx, l2, 0, -1).Val())

		// LMPOP: the first non-empty list, count, direction.
		kv, err := rdb.LMPop(ctx, client.Left, 2, none, l2).Result()
		require.NoError(t, err)
		assert.Equal(t, client.KeyValues{Key: l2, Values: []string{"a", "b"}}, kv)
		rdb.RPush(ctx, l2, "d", "e")
		assert.Equal(t, client.KeyValues{Key: l2, Values: []string{"e"}}, rdb.LMPop(ctx, client.Right, 0, l2).Val())
		assert.Equal(t, client.KeyValues{Key: l2, Values: []string{"c", "d"}}, rdb.LMPop(ctx, client.Left, 10, l2).Val())
		_, err = rdb.LMPop(ctx, client.Left, 1, none, l2).Result()
		assert.Equal(t, redis.Nil, err)
		require.True(t, errors.As(rdb.LMPop(ctx, "UP", 1, l2).Err(), &re))
		assert.Equal(t, "ERR", re.Prefix())

		// WRONGTYPE.
		s := k.Key("str")
		rdb.Set(ctx, s, "x", 0)
		for _, err := range []error{
			rdb.LPush(ctx, s, 1).Err(), rdb.LRange(ctx, s, 0, -1).Err(), rdb.LPopCount(ctx, s, 1).Err(),
			rdb.LMPop(ctx, client.Left, 1, s).Err(), rdb.BLPop(ctx, time.Second, s).Err(),
		} {
			require.True(t, errors.As(err, &re), "%v", err)
			assert.Equal(t, "WRONGTYPE", re.Prefix())
		}
	})
}

func TestListBlocking(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		hlsFresh(t, rdb, k)
		l, l2, none := k.Key("l"), k.Key("l2"), k.Key("none")
		const short = 100 * time.Millisecond

		// Timeouts give redis.Nil. (Whole-second timeouts, sent as integers,
		// are used below where data is there.)
		// They run side by side: the server ends a wait only at its next
		// timer tick (every 100ms).
		start := time.Now()
		timeouts := []func() error{
			func() error { return rdb.BLPop(ctx, short, none, k.Key("none2")).Err() },
			func() error { return rdb.BRPop(ctx, short, none).Err() },
			func() error { return rdb.BLMove(ctx, none, l2, client.Left, client.Right, short).Err() },
			func() error { return rdb.BRPopLPush(ctx, none, l2, short).Err() },
			func() error { return rdb.BLMPop(ctx, short, client.Left, 2, none).Err() },
		}
		errs := make([]error, len(timeouts))
		var wg sync.WaitGroup
		for i, f := range timeouts {
			wg.Go(func() { errs[i] = f() })
		}
		wg.Wait()
		for i, err := range errs {
			assert.Equal(t, redis.Nil, err, "timeout case %d", i)
		}
		assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond)

		// Data already there: no wait.
		rdb.RPush(ctx, l, "a", "b", "c", "d", "e")
		assert.Equal(t, client.KeyValue{Key: l, Value: "a"}, rdb.BLPop(ctx, time.Second, none, l).Val())
		assert.Equal(t, client.KeyValue{Key: l, Value: "e"}, rdb.BRPop(ctx, time.Second, l).Val())
		assert.Equal(t, "b", rdb.BLMove(ctx, l, l2, client.Left, client.Left, time.Second).Val())
		assert.Equal(t, "d", rdb.BRPopLPush(ctx, l, l2, time.Second).Val())
		assert.Equal(t, client.KeyValues{Key: l, Values: []string{"c"}}, rdb.BLMPop(ctx, time.Second, client.Right, 5, none, l).Val())
		assert.Equal(t, []string{"d", "b"}, rdb.LRange(ctx, l2, 0, -1).Val())

		// A value that arrives from another goroutine wakes each of them,
		// also with no timeout (0: wait forever).
		cases := []struct {
			name string
			pop  func() (any, error)
			want any
		}{
			{"BLPOP forever", func() (any, error) { return rdb.BLPop(ctx, 0, none, l).Result() }, client.KeyValue{Key: l, Value: "v"}},
			{"BRPOP", func() (any, error) { return rdb.BRPop(ctx, 5*time.Second, l).Result() }, client.KeyValue{Key: l, Value: "v"}},
			{"BLMOVE", func() (any, error) { return rdb.BLMove(ctx, l, l2, client.Right, client.Left, 5*time.Second).Result() }, "v"},
			{"BRPOPLPUSH", func() (any, error) { return rdb.BRPopLPush(ctx, l, l2, 2500*time.Millisecond).Result() }, "v"},
			{"BLMPOP forever", func() (any, error) { return rdb.BLMPop(ctx, 0, client.Left, 3, l).Result() }, client.KeyValues{Key: l, Values: []string{"v"}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				done := make(chan struct{})
				go func() {
					defer close(done)
					time.Sleep(50 * time.Millisecond)
					rdb.RPush(ctx, l, "v")
				}()
				got, err := c.pop()
				<-done
				require.NoError(t, err)
				assert.Equal(t, c.want, got)
			})
		}

		// A cancelled context ends a wait with no timeout.
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start = time.Now()
		err := rdb.BLPop(cctx, 0, none).Err()
		require.Error(t, err)
		assert.Less(t, time.Since(start), 3*time.Second)
		// The client keeps working.
		rdb.RPush(ctx, l, "after")
		assert.Equal(t, "after", rdb.LPop(ctx, l).Val())
	})
}

// TestListDo checks Do on list commands: the same values under both
// protocols.
func TestListDo(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		hlsFresh(t, rdb, k)
		l := k.Key("l")
		rdb.RPush(ctx, l, "a", "b")
		assert.Equal(t, []any{[]byte(l), []byte("a")}, rdb.Do(ctx, "BLPOP", l, 1).Val())
		assert.Equal(t, []any{[]byte(l), []any{[]byte("b")}}, rdb.Do(ctx, "LMPOP", 1, l, "LEFT").Val())
		assert.Nil(t, rdb.Do(ctx, "BLPOP", l, 0.05).Val())
		assert.Nil(t, rdb.Do(ctx, "LPOP", l, 2).Val())
	})
}
