package command

import (
	"context"
	"time"
)

// Z is a member of a sorted set and its score.
type Z struct {
	Member string
	Score  float64
}

// ZWithKey is the member that BZPOPMIN or BZPOPMAX popped and the sorted set
// it came from.
type ZWithKey struct {
	Key string
	Z
}

// ZMPopResult are the members that ZMPOP or BZMPOP popped and the sorted set
// they came from.
type ZMPopResult struct {
	Key     string
	Members []Z
}

// ZAddArgs are the flags of ZADD (redis-py's nx, xx, gt, lt, ch).
type ZAddArgs struct {
	NX bool // only add new members, never update
	XX bool // only update existing members, never add
	GT bool // only update when the new score is greater (Redis 6.2)
	LT bool // only update when the new score is less (Redis 6.2)
	// CH counts changed members (added or updated), not only added ones.
	CH bool
}

// ZStore are the sources of ZUNION, ZINTER and their STORE forms: the keys,
// their weights (WEIGHTS, one per key; nil for none) and how scores of a
// member found in several sets combine ("SUM", the default, "MIN" or "MAX";
// "" for the default).
type ZStore struct {
	Keys      []string
	Weights   []float64
	Aggregate string
}

// ZRangeArgs are the options of ZRANGE and ZRANGESTORE (Redis 6.2).
//
// Start and Stop are ranks (integers; negative counts from the end) by
// default, scores with ByScore (numbers or strings such as "-inf", "+inf",
// "(1.5" for an exclusive bound), and lexicographic bounds with ByLex ("-",
// "+", "[a", "(a"). A nil Start or Stop means the whole range on that side
// (rank 0 and -1, "-inf" and "+inf", "-" and "+").
//
// With ByScore or ByLex, Start is always the lower bound and Stop the
// upper one, also with Rev (the method sends them in the order REV needs);
// with ranks and Rev, Start and Stop count from the highest score.
type ZRangeArgs struct {
	Start, Stop any
	ByScore     bool
	ByLex       bool
	Rev         bool
	// Offset and Count limit the result (LIMIT, with ByScore or ByLex
	// only); LIMIT is sent when either is non-zero. Count < 0 returns
	// everything after Offset.
	Offset, Count int64
}

// ZRangeBy is a score or lexicographic range for ZRANGEBYSCORE,
// ZRANGEBYLEX and their REV forms: Min and Max as strings ("1", "(1.5",
// "-inf", "+inf"; "[a", "(a", "-", "+"); "" means unbounded on that side.
// Offset and Count limit the result (LIMIT) when either is non-zero.
type ZRangeBy struct {
	Min, Max      string
	Offset, Count int64
}

// Orders of ZMPOP and BZMPOP: pop the lowest or the highest scores (any
// spelling the server accepts will do).
const (
	ZOrderMin = "MIN"
	ZOrderMax = "MAX"
)

// BZMPop is ZMPop that waits up to timeout (0: forever) for a non-empty
// sorted set; redis.Nil when none came.
func (c Cmdable) BZMPop(ctx context.Context, timeout time.Duration, order string, count int64, keys ...string) Result[ZMPopResult] {
	args := make([]any, 0, 6+len(keys))
	args = append(args, "BZMPOP", zsetTimeoutArg(timeout))
	args = zsetMPopArgs(args, order, count, keys)
	return runBlocking(c, ctx, timeout, zsetDecodeMPop, args...)
}

// BZPopMax pops the member with the highest score from the first non-empty
// sorted set of keys, waiting up to timeout (0: forever) for one; redis.Nil
// when none came.
func (c Cmdable) BZPopMax(ctx context.Context, timeout time.Duration, keys ...string) Result[ZWithKey] {
	return runBlocking(c, ctx, timeout, zsetDecodeZWithKey, zsetBlockingArgs("BZPOPMAX", keys, timeout)...)
}

// BZPopMin is BZPopMax for the member with the lowest score.
func (c Cmdable) BZPopMin(ctx context.Context, timeout time.Duration, keys ...string) Result[ZWithKey] {
	return runBlocking(c, ctx, timeout, zsetDecodeZWithKey, zsetBlockingArgs("BZPOPMIN", keys, timeout)...)
}

// ZAdd adds members with their scores to the sorted set at key, or updates
// their scores, as the flags allow. It returns how many members were added
// (with CH: added or updated).
func (c Cmdable) ZAdd(ctx context.Context, key string, members map[string]float64, a ZAddArgs) Result[int64] {
	args := zsetAddArgs(key, a, 2*len(members))
	for m, s := range members {
		args = append(args, s, m)
	}
	return run(c, ctx, decInt, args...)
}

// ZAddIncr is ZADD ... INCR (redis-py's incr=True): it adds increment to the
// score of member, as ZIncrBy does but with the flags, and returns the new
// score; redis.Nil when a flag (NX, XX, GT, LT) prevented the change.
func (c Cmdable) ZAddIncr(ctx context.Context, key string, member string, increment float64, a ZAddArgs) Result[float64] {
	args := zsetAddArgs(key, a, 3)
	args = append(args, "INCR", increment, member)
	return run(c, ctx, decFloat, args...)
}

// ZCard returns the number of members of the sorted set at key (0 if it
// does not exist).
func (c Cmdable) ZCard(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "ZCARD", key)
}

// ZCount returns the number of members with a score between min and max
// ("1", "(1", "-inf", "+inf").
func (c Cmdable) ZCount(ctx context.Context, key, min, max string) Result[int64] {
	return run(c, ctx, decInt, "ZCOUNT", key, min, max)
}

// ZDiff returns the members of the first sorted set that are in none of
// the others.
func (c Cmdable) ZDiff(ctx context.Context, keys ...string) Result[[]string] {
	return run(c, ctx, decStrings, zsetNumKeysArgs("ZDIFF", "", keys, 0)...)
}

// ZDiffWithScores is ZDiff with the scores.
func (c Cmdable) ZDiffWithScores(ctx context.Context, keys ...string) Result[[]Z] {
	args := append(zsetNumKeysArgs("ZDIFF", "", keys, 1), "WITHSCORES")
	return runOpts(c, ctx, zsetWithScores, zsetDecodeZs, args...)
}

// ZDiffStore stores ZDiff's result (with the scores) at destination and
// returns its size.
func (c Cmdable) ZDiffStore(ctx context.Context, destination string, keys ...string) Result[int64] {
	return run(c, ctx, decInt, zsetNumKeysArgs("ZDIFFSTORE", destination, keys, 0)...)
}

// ZIncrBy adds amount to the score of member (redis-py's argument order:
// name, amount, value) and returns the new score.
func (c Cmdable) ZIncrBy(ctx context.Context, key string, amount float64, member any) Result[float64] {
	return run(c, ctx, decFloat, "ZINCRBY", key, amount, member)
}

// ZInter returns the members found in every sorted set of s.Keys.
func (c Cmdable) ZInter(ctx context.Context, s ZStore) Result[[]string] {
	return run(c, ctx, decStrings, zsetStoreArgs("ZINTER", "", s, false)...)
}

// ZInterWithScores is ZInter with the combined scores.
func (c Cmdable) ZInterWithScores(ctx context.Context, s ZStore) Result[[]Z] {
	return runOpts(c, ctx, zsetWithScores, zsetDecodeZs, zsetStoreArgs("ZINTER", "", s, true)...)
}

// ZInterCard returns the size of the intersection of the sorted sets,
// counting up to limit (0: no limit).
func (c Cmdable) ZInterCard(ctx context.Context, limit int64, keys ...string) Result[int64] {
	args := zsetNumKeysArgs("ZINTERCARD", "", keys, 2)
	if limit > 0 {
		args = append(args, "LIMIT", limit)
	}
	return run(c, ctx, decInt, args...)
}

// ZInterStore stores ZInter's result at destination and returns its size.
func (c Cmdable) ZInterStore(ctx context.Context, destination string, s ZStore) Result[int64] {
	return run(c, ctx, decInt, zsetStoreArgs("ZINTERSTORE", destination, s, false)...)
}

// ZLexCount returns the number of members between min and max in
// lexicographic order ("[a", "(a", "-", "+"), for a set whose members all
// have the same score.
func (c Cmdable) ZLexCount(ctx context.Context, key, min, max string) Result[int64] {
	return run(c, ctx, decInt, "ZLEXCOUNT", key, min, max)
}

// ZMPop pops up to count members (count <= 0: one) with the lowest (order
// ZOrderMin) or highest (ZOrderMax) scores from the first non-empty sorted
// set of keys; redis.Nil when they are all empty.
func (c Cmdable) ZMPop(ctx context.Context, order string, count int64, keys ...string) Result[ZMPopResult] {
	args := make([]any, 0, 5+len(keys))
	args = append(args, "ZMPOP")
	return run(c, ctx, zsetDecodeMPop, zsetMPopArgs(args, order, count, keys)...)
}

// ZMScore returns the scores of members, math.NaN() for a member that is
// not in the set (test with math.IsNaN).
func (c Cmdable) ZMScore(ctx context.Context, key string, members ...any) Result[[]float64] {
	return run(c, ctx, decFloats, zsetMembersArgs("ZMSCORE", key, members)...)
}

// ZPopMax pops up to count members (count <= 0: one) with the highest
// scores, highest first; an empty slice when the set is empty.
func (c Cmdable) ZPopMax(ctx context.Context, key string, count int64) Result[[]Z] {
	if count > 0 {
		return run(c, ctx, zsetDecodeZs, "ZPOPMAX", key, count)
	}
	return run(c, ctx, zsetDecodeZs, "ZPOPMAX", key)
}

// ZPopMin is ZPopMax for the lowest scores, lowest first.
func (c Cmdable) ZPopMin(ctx context.Context, key string, count int64) Result[[]Z] {
	if count > 0 {
		return run(c, ctx, zsetDecodeZs, "ZPOPMIN", key, count)
	}
	return run(c, ctx, zsetDecodeZs, "ZPOPMIN", key)
}

// ZRandMember returns count distinct random members (count < 0: -count
// members that may repeat); an empty slice when the key does not exist.
func (c Cmdable) ZRandMember(ctx context.Context, key string, count int64) Result[[]string] {
	return run(c, ctx, decStrings, "ZRANDMEMBER", key, count)
}

// ZRandMemberOne returns one random member; redis.Nil when the key does
// not exist.
func (c Cmdable) ZRandMemberOne(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decString, "ZRANDMEMBER", key)
}

// ZRandMemberWithScores is ZRandMember with the scores.
func (c Cmdable) ZRandMemberWithScores(ctx context.Context, key string, count int64) Result[[]Z] {
	return runOpts(c, ctx, zsetWithScores, zsetDecodeZs, "ZRANDMEMBER", key, count, "WITHSCORES")
}

// ZRange returns the members from rank start to rank stop (inclusive;
// negative ranks count from the end), lowest score first.
func (c Cmdable) ZRange(ctx context.Context, key string, start, stop int64) Result[[]string] {
	return run(c, ctx, decStrings, "ZRANGE", key, start, stop)
}

// ZRangeWithScores is ZRange with the scores.
func (c Cmdable) ZRangeWithScores(ctx context.Context, key string, start, stop int64) Result[[]Z] {
	return runOpts(c, ctx, zsetWithScores, zsetDecodeZs, "ZRANGE", key, start, stop, "WITHSCORES")
}

// ZRangeWithArgs is ZRANGE with all its options (BYSCORE, BYLEX, REV,
// LIMIT); see ZRangeArgs.
func (c Cmdable) ZRangeWithArgs(ctx context.Context, key string, a ZRangeArgs) Result[[]string] {
	return run(c, ctx, decStrings, zsetRangeArgs("ZRANGE", "", key, a, false)...)
}

// ZRangeWithArgsWithScores is ZRangeWithArgs with the scores.
func (c Cmdable) ZRangeWithArgsWithScores(ctx context.Context, key string, a ZRangeArgs) Result[[]Z] {
	return runOpts(c, ctx, zsetWithScores, zsetDecodeZs, zsetRangeArgs("ZRANGE", "", key, a, true)...)
}

// ZRangeByLex returns the members between r.Min and r.Max in lexicographic
// order (ZRANGEBYLEX).
func (c Cmdable) ZRangeByLex(ctx context.Context, key string, r ZRangeBy) Result[[]string] {
	return run(c, ctx, decStrings, zsetRangeByArgs("ZRANGEBYLEX", key, r, false, true, false)...)
}

// ZRangeByScore returns the members with a score between r.Min and r.Max,
// lowest first (ZRANGEBYSCORE).
func (c Cmdable) ZRangeByScore(ctx context.Context, key string, r ZRangeBy) Result[[]string] {
	return run(c, ctx, decStrings, zsetRangeByArgs("ZRANGEBYSCORE", key, r, false, false, false)...)
}

// ZRangeByScoreWithScores is ZRangeByScore with the scores.
func (c Cmdable) ZRangeByScoreWithScores(ctx context.Context, key string, r ZRangeBy) Result[[]Z] {
	args := zsetRangeByArgs("ZRANGEBYSCORE", key, r, false, false, true)
	return runOpts(c, ctx, zsetWithScores, zsetDecodeZs, args...)
}

// ZRangeStore stores the members that ZRangeWithArgs(src, a) would return
// (with their scores) at dst, and returns how many.
func (c Cmdable) ZRangeStore(ctx context.Context, dst, src string, a ZRangeArgs) Result[int64] {
	return run(c, ctx, decInt, zsetRangeArgs("ZRANGESTORE", dst, src, a, false)...)
}

// ZRank returns the rank of member, lowest score first (from 0); redis.Nil
// when the member or the key does not exist.
func (c Cmdable) ZRank(ctx context.Context, key string, member any) Result[int64] {
	return run(c, ctx, decInt, "ZRANK", key, member)
}

// ZRem removes members and returns how many were there.
func (c Cmdable) ZRem(ctx context.Context, key string, members ...any) Result[int64] {
	return run(c, ctx, decInt, zsetMembersArgs("ZREM", key, members)...)
}

// ZRemRangeByLex removes the members between min and max in lexicographic
// order and returns how many.
func (c Cmdable) ZRemRangeByLex(ctx context.Context, key, min, max string) Result[int64] {
	return run(c, ctx, decInt, "ZREMRANGEBYLEX", key, min, max)
}

// ZRemRangeByRank removes the members from rank start to rank stop
// (inclusive) and returns how many.
func (c Cmdable) ZRemRangeByRank(ctx context.Context, key string, start, stop int64) Result[int64] {
	return run(c, ctx, decInt, "ZREMRANGEBYRANK", key, start, stop)
}

// ZRemRangeByScore removes the members with a score between min and max
// ("1", "(1", "-inf", "+inf") and returns how many.
func (c Cmdable) ZRemRangeByScore(ctx context.Context, key, min, max string) Result[int64] {
	return run(c, ctx, decInt, "ZREMRANGEBYSCORE", key, min, max)
}

// ZRevRange returns the members from rank start to rank stop counted from
// the highest score, highest first (ZREVRANGE).
func (c Cmdable) ZRevRange(ctx context.Context, key string, start, stop int64) Result[[]string] {
	return run(c, ctx, decStrings, "ZREVRANGE", key, start, stop)
}

// ZRevRangeWithScores is ZRevRange with the scores.
func (c Cmdable) ZRevRangeWithScores(ctx context.Context, key string, start, stop int64) Result[[]Z] {
	return runOpts(c, ctx, zsetWithScores, zsetDecodeZs, "ZREVRANGE", key, start, stop, "WITHSCORES")
}

// ZRevRangeByLex is ZRangeByLex in reverse order (ZREVRANGEBYLEX; r.Min
// and r.Max keep their meaning).
func (c Cmdable) ZRevRangeByLex(ctx context.Context, key string, r ZRangeBy) Result[[]string] {
	return run(c, ctx, decStrings, zsetRangeByArgs("ZREVRANGEBYLEX", key, r, true, true, false)...)
}

// ZRevRangeByScore is ZRangeByScore highest first (ZREVRANGEBYSCORE; r.Min
// and r.Max keep their meaning).
func (c Cmdable) ZRevRangeByScore(ctx context.Context, key string, r ZRangeBy) Result[[]string] {
	return run(c, ctx, decStrings, zsetRangeByArgs("ZREVRANGEBYSCORE", key, r, true, false, false)...)
}

// ZRevRangeByScoreWithScores is ZRevRangeByScore with the scores.
func (c Cmdable) ZRevRangeByScoreWithScores(ctx context.Context, key string, r ZRangeBy) Result[[]Z] {
	args := zsetRangeByArgs("ZREVRANGEBYSCORE", key, r, true, false, true)
	return runOpts(c, ctx, zsetWithScores, zsetDecodeZs, args...)
}

// ZRevRank returns the rank of member counted from the highest score;
// redis.Nil when the member or the key does not exist.
func (c Cmdable) ZRevRank(ctx context.Context, key string, member any) Result[int64] {
	return run(c, ctx, decInt, "ZREVRANK", key, member)
}

// ZScore returns the score of member; redis.Nil when the member or the key
// does not exist.
func (c Cmdable) ZScore(ctx context.Context, key string, member any) Result[float64] {
	return run(c, ctx, decFloat, "ZSCORE", key, member)
}

// ZUnion returns the members found in any sorted set of s.Keys.
func (c Cmdable) ZUnion(ctx context.Context, s ZStore) Result[[]string] {
	return run(c, ctx, decStrings, zsetStoreArgs("ZUNION", "", s, false)...)
}

// ZUnionWithScores is ZUnion with the combined scores.
func (c Cmdable) ZUnionWithScores(ctx context.Context, s ZStore) Result[[]Z] {
	return runOpts(c, ctx, zsetWithScores, zsetDecodeZs, zsetStoreArgs("ZUNION", "", s, true)...)
}

// ZUnionStore stores ZUnion's result at destination and returns its size.
func (c Cmdable) ZUnionStore(ctx context.Context, destination string, s ZStore) Result[int64] {
	return run(c, ctx, decInt, zsetStoreArgs("ZUNIONSTORE", destination, s, false)...)
}
