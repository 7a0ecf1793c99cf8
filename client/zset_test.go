package client_test

import (
	"errors"
	"math"
	"sort"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestZSetAddScore(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		z := k.Key("z")
		n, err := rdb.ZAdd(ctx, z, map[string]float64{"a": 1, "b": 2, "c": 3}, client.ZAddArgs{}).Result()
		require.NoError(t, err)
		assert.Equal(t, int64(3), n)
		assert.Equal(t, int64(3), rdb.ZCard(ctx, z).Val())
		assert.Equal(t, int64(0), rdb.ZCard(ctx, k.Key("none")).Val())

		// Flags: NX adds only, XX updates only, GT/LT only in one direction,
		// CH counts updates.
		assert.Equal(t, int64(1), rdb.ZAdd(ctx, z, map[string]float64{"a": 10, "d": 4}, client.ZAddArgs{NX: true}).Val())
		assert.Equal(t, 1.0, rdb.ZScore(ctx, z, "a").Val())
		assert.Equal(t, int64(0), rdb.ZAdd(ctx, z, map[string]float64{"a": 5, "e": 5}, client.ZAddArgs{XX: true}).Val())
		assert.Equal(t, 5.0, rdb.ZScore(ctx, z, "a").Val())
		_, err = rdb.ZScore(ctx, z, "e").Result()
		assert.Equal(t, redis.Nil, err, "XX added nothing")
		assert.Equal(t, int64(1), rdb.ZAdd(ctx, z, map[string]float64{"a": 6, "b": 1}, client.ZAddArgs{GT: true, CH: true}).Val())
		assert.Equal(t, []float64{6, 2}, rdb.ZMScore(ctx, z, "a", "b").Val())
		assert.Equal(t, int64(1), rdb.ZAdd(ctx, z, map[string]float64{"a": 7, "b": 1.5}, client.ZAddArgs{LT: true, CH: true}).Val())
		assert.Equal(t, []float64{6, 1.5}, rdb.ZMScore(ctx, z, "a", "b").Val())

		// INCR returns the new score, and redis.Nil when a flag prevented it.
		s, err := rdb.ZAddIncr(ctx, z, "a", 0.5, client.ZAddArgs{}).Result()
		require.NoError(t, err)
		assert.Equal(t, 6.5, s)
		_, err = rdb.ZAddIncr(ctx, z, "a", 1, client.ZAddArgs{NX: true}).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.ZAddIncr(ctx, z, "new", 1, client.ZAddArgs{XX: true}).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.ZAddIncr(ctx, z, "a", -1, client.ZAddArgs{GT: true}).Result()
		assert.Equal(t, redis.Nil, err)
		assert.Equal(t, 6.5, rdb.ZScore(ctx, z, "a").Val())

		// ZINCRBY: redis-py's order (name, amount, value).
		assert.Equal(t, 9.0, rdb.ZIncrBy(ctx, z, 2.5, "a").Val())
		assert.Equal(t, -1.25, rdb.ZIncrBy(ctx, z, -1.25, "fresh").Val())

		// Scores that are not short decimals, and infinities, read back exactly.
		rdb.ZAdd(ctx, z, map[string]float64{"p": 0.1, "q": 1e20, "r": math.Inf(1), "s": math.Inf(-1), "t": 1.0 / 3}, client.ZAddArgs{})
		ms := rdb.ZMScore(ctx, z, "p", "q", "r", "s", "t", "missing").Val()
		require.Len(t, ms, 6)
		assert.Equal(t, []float64{0.1, 1e20, math.Inf(1), math.Inf(-1), 1.0 / 3}, ms[:5])
		assert.True(t, math.IsNaN(ms[5]), "a missing member's score is NaN, got %v", ms[5])

		// Missing: redis.Nil for one value.
		_, err = rdb.ZScore(ctx, k.Key("none"), "a").Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.ZRank(ctx, z, "missing").Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.ZRevRank(ctx, k.Key("none"), "a").Result()
		assert.Equal(t, redis.Nil, err)

		// Ranks, counts, removal.
		y := k.Key("y")
		rdb.ZAdd(ctx, y, map[string]float64{"a": 1, "b": 2, "c": 3, "d": 4}, client.ZAddArgs{})
		assert.Equal(t, int64(0), rdb.ZRank(ctx, y, "a").Val())
		assert.Equal(t, int64(3), rdb.ZRevRank(ctx, y, "a").Val())
		assert.Equal(t, int64(2), rdb.ZRank(ctx, y, "c").Val())
		assert.Equal(t, int64(2), rdb.ZCount(ctx, y, "(1", "3").Val())
		assert.Equal(t, int64(4), rdb.ZCount(ctx, y, "-inf", "+inf").Val())
		assert.Equal(t, int64(2), rdb.ZRem(ctx, y, "a", "b", "nope").Val())
		assert.Equal(t, []string{"c", "d"}, rdb.ZRange(ctx, y, 0, -1).Val())

		// Same-score sets count lexicographically.
		lex := k.Key("lex")
		rdb.ZAdd(ctx, lex, map[string]float64{"a": 0, "b": 0, "c": 0, "d": 0}, client.ZAddArgs{})
		assert.Equal(t, int64(3), rdb.ZLexCount(ctx, lex, "[b", "+").Val())
		assert.Equal(t, int64(1), rdb.ZLexCount(ctx, lex, "(a", "(c").Val())

		// Errors are typed.
		rdb.Set(ctx, k.Key("str"), "x", 0)
		err = rdb.ZAdd(ctx, k.Key("str"), map[string]float64{"a": 1}, client.ZAddArgs{}).Err()
		var re *redis.Error
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "WRONGTYPE", re.Prefix())
		err = rdb.ZAdd(ctx, z, map[string]float64{"a": 1}, client.ZAddArgs{NX: true, XX: true}).Err()
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "ERR", re.Prefix())
		err = rdb.ZAddIncr(ctx, k.Key("str"), "a", 1, client.ZAddArgs{}).Err()
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "WRONGTYPE", re.Prefix())
	})
}

func TestZSetRange(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		z := k.Key("z")
		rdb.ZAdd(ctx, z, map[string]float64{"a": 1, "b": 2, "c": 3.5, "d": 4, "e": math.Inf(1)}, client.ZAddArgs{})
		all := []client.Z{{Member: "a", Score: 1}, {Member: "b", Score: 2}, {Member: "c", Score: 3.5}, {Member: "d", Score: 4}, {Member: "e", Score: math.Inf(1)}}

		assert.Equal(t, []string{"a", "b", "c", "d", "e"}, rdb.ZRange(ctx, z, 0, -1).Val())
		assert.Equal(t, []string{"b", "c"}, rdb.ZRange(ctx, z, 1, 2).Val())
		assert.Equal(t, all, rdb.ZRangeWithScores(ctx, z, 0, -1).Val())
		assert.Equal(t, []string{"e", "d"}, rdb.ZRevRange(ctx, z, 0, 1).Val())
		assert.Equal(t, []client.Z{all[4], all[3]}, rdb.ZRevRangeWithScores(ctx, z, 0, 1).Val())
		// Missing key: an empty, non-nil slice under both protocols.
		assert.Equal(t, []string{}, rdb.ZRange(ctx, k.Key("none"), 0, -1).Val())
		assert.Equal(t, []client.Z{}, rdb.ZRangeWithScores(ctx, k.Key("none"), 0, -1).Val())

		// ZRANGE with options.
		assert.Equal(t, []string{"a", "b", "c", "d", "e"}, rdb.ZRangeWithArgs(ctx, z, client.ZRangeArgs{}).Val(), "nil bounds: all")
		assert.Equal(t, []string{"b", "c"}, rdb.ZRangeWithArgs(ctx, z, client.ZRangeArgs{Start: "(1", Stop: 3.5, ByScore: true}).Val())
		assert.Equal(t, []string{"c", "b"}, rdb.ZRangeWithArgs(ctx, z, client.ZRangeArgs{Start: "(1", Stop: 3.5, ByScore: true, Rev: true}).Val(),
			"Start is the lower bound also with REV")
		assert.Equal(t, []string{"d", "e"}, rdb.ZRangeWithArgs(ctx, z, client.ZRangeArgs{Start: 4, ByScore: true}).Val())
		assert.Equal(t, []string{"e", "d"}, rdb.ZRangeWithArgs(ctx, z, client.ZRangeArgs{Start: 0, Stop: 1, Rev: true}).Val())
		assert.Equal(t, []string{"b", "c"}, rdb.ZRangeWithArgs(ctx, z, client.ZRangeArgs{ByScore: true, Offset: 1, Count: 2}).Val())
		assert.Equal(t, []string{"d", "c"}, rdb.ZRangeWithArgs(ctx, z, client.ZRangeArgs{Stop: "+inf", ByScore: true, Rev: true, Offset: 1, Count: 2}).Val())
		assert.Equal(t, []string{"c", "d", "e"}, rdb.ZRangeWithArgs(ctx, z, client.ZRangeArgs{ByScore: true, Offset: 2, Count: -1}).Val())
		assert.Equal(t, []client.Z{all[1], all[2]},
			rdb.ZRangeWithArgsWithScores(ctx, z, client.ZRangeArgs{Start: 2, Stop: "(4", ByScore: true}).Val())
		assert.Equal(t, []client.Z{all[4], all[3]},
			rdb.ZRangeWithArgsWithScores(ctx, z, client.ZRangeArgs{Start: "-inf", Stop: "+inf", ByScore: true, Rev: true, Count: 2}).Val())

		// The old range commands.
		assert.Equal(t, []string{"a", "b"}, rdb.ZRangeByScore(ctx, z, client.ZRangeBy{Max: "2"}).Val())
		assert.Equal(t, []string{"c", "d"}, rdb.ZRangeByScore(ctx, z, client.ZRangeBy{Min: "(2", Max: "+inf", Count: 2}).Val())
		assert.Equal(t, []client.Z{all[3], all[4]}, rdb.ZRangeByScoreWithScores(ctx, z, client.ZRangeBy{Min: "4"}).Val())
		assert.Equal(t, []string{"b", "a"}, rdb.ZRevRangeByScore(ctx, z, client.ZRangeBy{Max: "2"}).Val())
		assert.Equal(t, []string{"d"}, rdb.ZRevRangeByScore(ctx, z, client.ZRangeBy{Min: "2", Max: "(5", Offset: 0, Count: 1}).Val())
		assert.Equal(t, []client.Z{all[4], all[3]}, rdb.ZRevRangeByScoreWithScores(ctx, z, client.ZRangeBy{Min: "(3.5"}).Val())

		lex := k.Key("lex")
		rdb.ZAdd(ctx, lex, map[string]float64{"a": 0, "b": 0, "c": 0, "d": 0}, client.ZAddArgs{})
		assert.Equal(t, []string{"a", "b", "c", "d"}, rdb.ZRangeByLex(ctx, lex, client.ZRangeBy{}).Val())
		assert.Equal(t, []string{"b", "c"}, rdb.ZRangeByLex(ctx, lex, client.ZRangeBy{Min: "(a", Max: "[c"}).Val())
		assert.Equal(t, []string{"c"}, rdb.ZRangeByLex(ctx, lex, client.ZRangeBy{Min: "[b", Offset: 1, Count: 1}).Val())
		assert.Equal(t, []string{"c", "b"}, rdb.ZRevRangeByLex(ctx, lex, client.ZRangeBy{Min: "(a", Max: "[c"}).Val())
		assert.Equal(t, []string{"b", "a"}, rdb.ZRangeWithArgs(ctx, lex, client.ZRangeArgs{Stop: "(c", ByLex: true, Rev: true}).Val())
		assert.Equal(t, []string{"c", "d"}, rdb.ZRangeWithArgs(ctx, lex, client.ZRangeArgs{Start: "[c", ByLex: true}).Val())

		// ZRANGESTORE keeps the scores.
		dst := k.Key("dst")
		assert.Equal(t, int64(2), rdb.ZRangeStore(ctx, dst, z, client.ZRangeArgs{Start: 2, Stop: 4, ByScore: true, Rev: true, Count: 2, Offset: 0}).Val())
		assert.Equal(t, []client.Z{all[2], all[3]}, rdb.ZRangeWithScores(ctx, dst, 0, -1).Val())
		assert.Equal(t, int64(0), rdb.ZRangeStore(ctx, dst, k.Key("none"), client.ZRangeArgs{}).Val())

		// Errors: LIMIT without BYSCORE/BYLEX.
		err := rdb.ZRangeWithArgs(ctx, z, client.ZRangeArgs{Count: 1}).Err()
		var re *redis.Error
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "ERR", re.Prefix())
	})
}

func TestZSetRemRange(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		z := k.Key("z")
		reset := func() {
			rdb.Del(ctx, z)
			rdb.ZAdd(ctx, z, map[string]float64{"a": 1, "b": 2, "c": 3, "d": 4}, client.ZAddArgs{})
		}
		reset()
		assert.Equal(t, int64(2), rdb.ZRemRangeByRank(ctx, z, 0, 1).Val())
		assert.Equal(t, []string{"c", "d"}, rdb.ZRange(ctx, z, 0, -1).Val())
		reset()
		assert.Equal(t, int64(2), rdb.ZRemRangeByScore(ctx, z, "(1", "3").Val())
		assert.Equal(t, []string{"a", "d"}, rdb.ZRange(ctx, z, 0, -1).Val())
		reset()
		assert.Equal(t, int64(4), rdb.ZRemRangeByScore(ctx, z, "-inf", "+inf").Val())
		assert.Equal(t, int64(0), rdb.Exists(ctx, z).Val())

		lex := k.Key("lex")
		rdb.ZAdd(ctx, lex, map[string]float64{"a": 0, "b": 0, "c": 0, "d": 0}, client.ZAddArgs{})
		assert.Equal(t, int64(2), rdb.ZRemRangeByLex(ctx, lex, "[b", "(d").Val())
		assert.Equal(t, []string{"a", "d"}, rdb.ZRange(ctx, lex, 0, -1).Val())
		assert.Equal(t, int64(0), rdb.ZRemRangeByLex(ctx, k.Key("none"), "-", "+").Val())
	})
}

func TestZSetPop(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		z := k.Key("z")
		rdb.ZAdd(ctx, z, map[string]float64{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, client.ZAddArgs{})

		// Without a count RESP3 sends a flat [member, score]; with one,
		// nested pairs: both come out as []Z.
		assert.Equal(t, []client.Z{{Member: "a", Score: 1}}, rdb.ZPopMin(ctx, z, 0).Val())
		assert.Equal(t, []client.Z{{Member: "e", Score: 5}}, rdb.ZPopMax(ctx, z, 0).Val())
		assert.Equal(t, []client.Z{{Member: "b", Score: 2}}, rdb.ZPopMin(ctx, z, 1).Val())
		assert.Equal(t, []client.Z{{Member: "d", Score: 4}, {Member: "c", Score: 3}}, rdb.ZPopMax(ctx, z, 5).Val())
		assert.Equal(t, []client.Z{}, rdb.ZPopMin(ctx, z, 0).Val(), "empty set")
		assert.Equal(t, []client.Z{}, rdb.ZPopMax(ctx, k.Key("none"), 3).Val())

		// ZMPOP: the first non-empty set, redis.Nil when none.
		z2 := k.Key("z2")
		rdb.ZAdd(ctx, z2, map[string]float64{"x": 1, "y": 2, "w": 3}, client.ZAddArgs{})
		res, err := rdb.ZMPop(ctx, client.ZOrderMin, 2, z, z2).Result()
		require.NoError(t, err)
		assert.Equal(t, client.ZMPopResult{Key: z2, Members: []client.Z{{Member: "x", Score: 1}, {Member: "y", Score: 2}}}, res)
		res, err = rdb.ZMPop(ctx, client.ZOrderMax, 0, z2).Result()
		require.NoError(t, err)
		assert.Equal(t, client.ZMPopResult{Key: z2, Members: []client.Z{{Member: "w", Score: 3}}}, res)
		_, err = rdb.ZMPop(ctx, client.ZOrderMax, 1, z, z2).Result()
		assert.Equal(t, redis.Nil, err)

		// ZRANDMEMBER.
		r := k.Key("r")
		members := map[string]float64{"a": 1, "b": 2, "c": 3}
		rdb.ZAdd(ctx, r, members, client.ZAddArgs{})
		got := rdb.ZRandMember(ctx, r, 5).Val()
		sort.Strings(got)
		assert.Equal(t, []string{"a", "b", "c"}, got, "positive count: distinct, at most the set")
		assert.Len(t, rdb.ZRandMember(ctx, r, -7).Val(), 7, "negative count: repeats")
		one, err := rdb.ZRandMemberOne(ctx, r).Result()
		require.NoError(t, err)
		assert.Contains(t, members, one)
		_, err = rdb.ZRandMemberOne(ctx, k.Key("none")).Result()
		assert.Equal(t, redis.Nil, err)
		assert.Equal(t, []string{}, rdb.ZRandMember(ctx, k.Key("none"), 2).Val())
		zs := rdb.ZRandMemberWithScores(ctx, r, 3).Val()
		require.Len(t, zs, 3)
		for _, z := range zs {
			assert.Equal(t, members[z.Member], z.Score, "score of %s", z.Member)
		}
		assert.Len(t, rdb.ZRandMemberWithScores(ctx, r, -4).Val(), 4)
		assert.Equal(t, []client.Z{}, rdb.ZRandMemberWithScores(ctx, k.Key("none"), 2).Val())
	})
}

func TestZSetBlocking(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		a, b := k.Key("a"), k.Key("b")

		// Timeouts give redis.Nil.
		start := time.Now()
		_, err := rdb.BZPopMin(ctx, 50*time.Millisecond, a, b).Result()
		assert.Equal(t, redis.Nil, err)
		assert.GreaterOrEqual(t, time.Since(start), 45*time.Millisecond)
		_, err = rdb.BZPopMax(ctx, 50*time.Millisecond, a).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.BZMPop(ctx, 50*time.Millisecond, client.ZOrderMin, 2, a, b).Result()
		assert.Equal(t, redis.Nil, err)

		// Values present: no wait.
		rdb.ZAdd(ctx, b, map[string]float64{"x": 1, "y": 2, "z": 3}, client.ZAddArgs{})
		kz, err := rdb.BZPopMin(ctx, time.Second, a, b).Result()
		require.NoError(t, err)
		assert.Equal(t, client.ZWithKey{Key: b, Z: client.Z{Member: "x", Score: 1}}, kz)
		kz, err = rdb.BZPopMax(ctx, time.Second, a, b).Result()
		require.NoError(t, err)
		assert.Equal(t, client.ZWithKey{Key: b, Z: client.Z{Member: "z", Score: 3}}, kz)
		mp, err := rdb.BZMPop(ctx, time.Second, client.ZOrderMax, 5, a, b).Result()
		require.NoError(t, err)
		assert.Equal(t, client.ZMPopResult{Key: b, Members: []client.Z{{Member: "y", Score: 2}}}, mp)

		// A value arriving from another goroutine wakes the waiter.
		later := func(key string, m string, s float64) {
			go func() {
				time.Sleep(30 * time.Millisecond)
				rdb.ZAdd(ctx, key, map[string]float64{m: s}, client.ZAddArgs{})
			}()
		}
		later(a, "late", 7.5)
		kz, err = rdb.BZPopMax(ctx, 5*time.Second, a, b).Result()
		require.NoError(t, err)
		assert.Equal(t, client.ZWithKey{Key: a, Z: client.Z{Member: "late", Score: 7.5}}, kz)
		later(b, "late2", -1)
		kz, err = rdb.BZPopMin(ctx, 0, a, b).Result() // 0: wait forever
		require.NoError(t, err)
		assert.Equal(t, client.ZWithKey{Key: b, Z: client.Z{Member: "late2", Score: -1}}, kz)
		later(a, "late3", 2)
		mp, err = rdb.BZMPop(ctx, 5*time.Second, client.ZOrderMin, 1, b, a).Result()
		require.NoError(t, err)
		assert.Equal(t, client.ZMPopResult{Key: a, Members: []client.Z{{Member: "late3", Score: 2}}}, mp)
	})
}

func TestZSetAlgebra(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		a, b, c, dst := k.Key("a"), k.Key("b"), k.Key("c"), k.Key("dst")
		rdb.ZAdd(ctx, a, map[string]float64{"x": 1, "y": 2, "z": 3}, client.ZAddArgs{})
		rdb.ZAdd(ctx, b, map[string]float64{"y": 10, "z": 20, "w": 30}, client.ZAddArgs{})
		rdb.ZAdd(ctx, c, map[string]float64{"z": 100}, client.ZAddArgs{})

		assert.Equal(t, []string{"x"}, rdb.ZDiff(ctx, a, b).Val())
		assert.Equal(t, []client.Z{{Member: "x", Score: 1}, {Member: "y", Score: 2}}, rdb.ZDiffWithScores(ctx, a, c).Val())
		assert.Equal(t, []string{"x", "y", "z"}, rdb.ZDiff(ctx, a, k.Key("none")).Val())
		assert.Equal(t, int64(1), rdb.ZDiffStore(ctx, dst, b, a).Val())
		assert.Equal(t, []client.Z{{Member: "w", Score: 30}}, rdb.ZRangeWithScores(ctx, dst, 0, -1).Val())

		assert.Equal(t, []string{"y", "z"}, rdb.ZInter(ctx, client.ZStore{Keys: []string{a, b}}).Val())
		assert.Equal(t, []client.Z{{Member: "y", Score: 12}, {Member: "z", Score: 23}},
			rdb.ZInterWithScores(ctx, client.ZStore{Keys: []string{a, b}}).Val())
		assert.Equal(t, []client.Z{{Member: "y", Score: 2}, {Member: "z", Score: 3}},
			rdb.ZInterWithScores(ctx, client.ZStore{Keys: []string{a, b}, Aggregate: "MIN"}).Val())
		assert.Equal(t, []client.Z{{Member: "y", Score: 4 + 5}, {Member: "z", Score: 6 + 10}},
			rdb.ZInterWithScores(ctx, client.ZStore{Keys: []string{a, b}, Weights: []float64{2, 0.5}}).Val())
		assert.Equal(t, int64(2), rdb.ZInterCard(ctx, 0, a, b).Val())
		assert.Equal(t, int64(1), rdb.ZInterCard(ctx, 1, a, b).Val())
		assert.Equal(t, int64(1), rdb.ZInterCard(ctx, 0, a, b, c).Val())
		assert.Equal(t, int64(1), rdb.ZInterStore(ctx, dst, client.ZStore{Keys: []string{a, b, c}, Aggregate: "MAX"}).Val())
		assert.Equal(t, []client.Z{{Member: "z", Score: 100}}, rdb.ZRangeWithScores(ctx, dst, 0, -1).Val())

		assert.Equal(t, []string{"x", "y", "z", "w"}, rdb.ZUnion(ctx, client.ZStore{Keys: []string{a, b}}).Val())
		assert.Equal(t, []client.Z{{Member: "x", Score: 1}, {Member: "y", Score: 10}, {Member: "w", Score: 30}, {Member: "z", Score: 100}},
			rdb.ZUnionWithScores(ctx, client.ZStore{Keys: []string{a, b, c}, Aggregate: "MAX"}).Val())
		assert.Equal(t, int64(4), rdb.ZUnionStore(ctx, dst, client.ZStore{Keys: []string{a, b}, Weights: []float64{1, -1}}).Val())
		assert.Equal(t, []client.Z{{Member: "w", Score: -30}, {Member: "z", Score: -17}, {Member: "y", Score: -8}, {Member: "x", Score: 1}},
			rdb.ZRangeWithScores(ctx, dst, 0, -1).Val())
		assert.Equal(t, []string{}, rdb.ZUnion(ctx, client.ZStore{Keys: []string{k.Key("none")}}).Val())

		// Errors: a weight per key.
		err := rdb.ZUnion(ctx, client.ZStore{Keys: []string{a, b}, Weights: []float64{1}}).Err()
		var re *redis.Error
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "ERR", re.Prefix())
	})
}

func TestZSetCallbacks(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		z := k.Key("z")
		rdb.ZAdd(ctx, z, map[string]float64{"a": 1, "b": 2.5}, client.ZAddArgs{})

		// Do's default callbacks give the same values under both protocols.
		assert.Equal(t, 2.5, rdb.Do(ctx, "ZSCORE", z, "b").Val())
		assert.Equal(t, 3.5, rdb.Do(ctx, "ZINCRBY", z, 1, "b").Val())
		assert.Equal(t, int64(1), rdb.Do(ctx, "ZADD", z, 2.5, "c").Val())
		assert.Equal(t, 3.0, rdb.Do(ctx, "ZADD", z, "INCR", 0.5, "c").Val())
		_, err := rdb.Do(ctx, "ZADD", z, "NX", "INCR", 1, "c").Result()
		assert.Equal(t, redis.Nil, err)
		ms := rdb.Do(ctx, "ZMSCORE", z, "a", "none").Val().([]float64)
		assert.Equal(t, 1.0, ms[0])
		assert.True(t, math.IsNaN(ms[1]))
		assert.Equal(t, []any{[]byte("a"), []byte("c"), []byte("b")}, rdb.Do(ctx, "ZRANGE", z, 0, -1).Val())
		assert.Equal(t, []client.Z{{Member: "a", Score: 1}, {Member: "c", Score: 3}, {Member: "b", Score: 3.5}},
			rdb.Do(ctx, "ZRANGE", z, 0, -1, "WITHSCORES").Val(), "Do sees WITHSCORES among the arguments")
		assert.Equal(t, []client.Z{{Member: "a", Score: 1}}, rdb.Do(ctx, "ZPOPMIN", z).Val())
		assert.Equal(t, client.ZWithKey{Key: z, Z: client.Z{Member: "b", Score: 3.5}}, rdb.Do(ctx, "BZPOPMAX", z, 1).Val())
		assert.Equal(t, client.ZMPopResult{Key: z, Members: []client.Z{{Member: "c", Score: 3}}}, rdb.Do(ctx, "ZMPOP", 1, z, "MIN").Val())

		// A client's callback sees WithScores where the method asks for
		// scores, and its value is the method's value when the types fit.
		rdb.ZAdd(ctx, z, map[string]float64{"a": 1, "b": 2}, client.ZAddArgs{})
		var seen []client.CallbackOptions
		rdb.SetResponseCallback("ZRANGE", func(r *redis.Reply, o client.CallbackOptions) (any, error) {
			seen = append(seen, o)
			if o.WithScores {
				return []client.Z{{Member: "from-callback", Score: 42}}, nil
			}
			return []string{"from-callback"}, nil
		})
		assert.Equal(t, []client.Z{{Member: "from-callback", Score: 42}}, rdb.ZRangeWithScores(ctx, z, 0, -1).Val())
		assert.Equal(t, []string{"from-callback"}, rdb.ZRange(ctx, z, 0, -1).Val())
		assert.Equal(t, []client.Z{{Member: "from-callback", Score: 42}},
			rdb.ZRangeWithArgsWithScores(ctx, z, client.ZRangeArgs{ByScore: true}).Val())
		require.Len(t, seen, 3)
		assert.True(t, seen[0].WithScores)
		assert.False(t, seen[1].WithScores)
		assert.True(t, seen[2].WithScores)
		assert.Equal(t, "ZRANGE", seen[0].Command)
		// Other commands keep their decoders.
		assert.Equal(t, []client.Z{{Member: "b", Score: 2}}, rdb.ZRevRangeWithScores(ctx, z, 0, 0).Val())
		rdb.SetResponseCallback("ZRANGE", nil)
		assert.Equal(t, []client.Z{{Member: "a", Score: 1}, {Member: "b", Score: 2}}, rdb.ZRangeWithScores(ctx, z, 0, -1).Val())
	})
}
