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

// hlsSorted returns ss sorted, for comparing set members.
func hlsSorted(ss []string) []string {
	ss = append([]string(nil), ss...)
	sort.Strings(ss)
	return ss
}

func TestSetCommands(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		hlsFresh(t, rdb, k)
		s1, s2, s3, dst, none := k.Key("s1"), k.Key("s2"), k.Key("s3"), k.Key("dst"), k.Key("none")

		// SADD / SCARD / SMEMBERS / SREM.
		assert.Equal(t, int64(4), rdb.SAdd(ctx, s1, "a", "b", 1, []byte("c")).Val())
		assert.Equal(t, int64(1), rdb.SAdd(ctx, s1, "a", "d").Val())
		assert.Equal(t, int64(5), rdb.SCard(ctx, s1).Val())
		assert.Equal(t, int64(0), rdb.SCard(ctx, none).Val())
		assert.Equal(t, []string{"1", "a", "b", "c", "d"}, hlsSorted(rdb.SMembers(ctx, s1).Val()))
		assert.Equal(t, []string{}, rdb.SMembers(ctx, none).Val())
		assert.Equal(t, map[string]struct{}{"1": {}, "a": {}, "b": {}, "c": {}, "d": {}}, rdb.SMembersMap(ctx, s1).Val())
		assert.Equal(t, map[string]struct{}{}, rdb.SMembersMap(ctx, none).Val())
		assert.Equal(t, int64(2), rdb.SRem(ctx, s1, 1, "d", "zz").Val())
		assert.Equal(t, int64(0), rdb.SRem(ctx, none, "a").Val())

		// SISMEMBER / SMISMEMBER.
		assert.True(t, rdb.SIsMember(ctx, s1, "a").Val())
		assert.False(t, rdb.SIsMember(ctx, s1, "zz").Val())
		assert.False(t, rdb.SIsMember(ctx, none, "a").Val())
		assert.Equal(t, []bool{true, false, true}, rdb.SMIsMember(ctx, s1, "a", "zz", "c").Val())
		assert.Equal(t, []bool{false}, rdb.SMIsMember(ctx, none, "a").Val())

		// Algebra: s1 = {a b c}, s2 = {b c d}, s3 = {c e}.
		rdb.SAdd(ctx, s2, "b", "c", "d")
		rdb.SAdd(ctx, s3, "c", "e")
		assert.Equal(t, []string{"a"}, hlsSorted(rdb.SDiff(ctx, s1, s2).Val()))
		assert.Equal(t, []string{"a", "b", "c"}, hlsSorted(rdb.SDiff(ctx, s1, none).Val()))
		assert.Equal(t, []string{}, rdb.SDiff(ctx, none, s1).Val())
		assert.Equal(t, []string{"c"}, rdb.SInter(ctx, s1, s2, s3).Val())
		assert.Equal(t, []string{}, rdb.SInter(ctx, s1, none).Val())
		assert.Equal(t, []string{"a", "b", "c", "d", "e"}, hlsSorted(rdb.SUnion(ctx, s1, s2, s3).Val()))
		assert.Equal(t, int64(1), rdb.SDiffStore(ctx, dst, s1, s2).Val())
		assert.Equal(t, []string{"a"}, rdb.SMembers(ctx, dst).Val())
		assert.Equal(t, int64(2), rdb.SInterStore(ctx, dst, s1, s2).Val())
		assert.Equal(t, []string{"b", "c"}, hlsSorted(rdb.SMembers(ctx, dst).Val()))
		assert.Equal(t, int64(5), rdb.SUnionStore(ctx, dst, s1, s2, s3).Val())
		assert.Equal(t, int64(5), rdb.SCard(ctx, dst).Val())
		assert.Equal(t, int64(0), rdb.SInterStore(ctx, dst, s1, none).Val())
		assert.Equal(t, int64(0), rdb.Exists(ctx, dst).Val())

		// SINTERCARD with and without LIMIT.
		assert.Equal(t, int64(2), rdb.SInterCard(ctx, 0, s1, s2).Val())
		assert.Equal(t, int64(1), rdb.SInterCard(ctx, 1, s1, s2).Val())
		assert.Equal(t, int64(1), rdb.SInterCard(ctx, 0, s1, s2, s3).Val())
		assert.Equal(t, int64(0), rdb.SInterCard(ctx, 0, s1, none).Val())
		var re *redis.Error
		require.True(t, errors.As(rdb.SInterCard(ctx, -1, s1).Err(), &re))
		assert.Equal(t, "ERR", re.Prefix())

		// SMOVE.
		assert.True(t, rdb.SMove(ctx, s1, s3, "a").Val())
		assert.False(t, rdb.SMove(ctx, s1, s3, "a").Val())
		assert.False(t, rdb.SMove(ctx, none, s3, "a").Val())
		assert.Equal(t, []string{"a", "c", "e"}, hlsSorted(rdb.SMembers(ctx, s3).Val()))

		// SRANDMEMBER: one, N distinct, -N with repeats.
		members := map[string]bool{"a": true, "c": true, "e": true}
		m, err := rdb.SRandMember(ctx, s3).Result()
		require.NoError(t, err)
		assert.True(t, members[m], m)
		_, err = rdb.SRandMember(ctx, none).Result()
		assert.Equal(t, redis.Nil, err)
		assert.Equal(t, []string{"a", "c", "e"}, hlsSorted(rdb.SRandMemberN(ctx, s3, 10).Val()))
		assert.Len(t, hlsDistinct(rdb.SRandMemberN(ctx, s3, 2).Val()), 2)
		rep := rdb.SRandMemberN(ctx, s3, -12).Val()
		assert.Len(t, rep, 12)
		for _, m := range rep {
			assert.True(t, members[m], m)
		}
		assert.Equal(t, []string{}, rdb.SRandMemberN(ctx, none, 3).Val())
		assert.Equal(t, int64(3), rdb.SCard(ctx, s3).Val())

		// SPOP: one, N, and what is left.
		p, err := rdb.SPop(ctx, s3).Result()
		require.NoError(t, err)
		assert.True(t, members[p], p)
		ps := rdb.SPopN(ctx, s3, 5).Val()
		assert.Len(t, ps, 2)
		assert.Equal(t, []string{"a", "c", "e"}, hlsSorted(append(ps, p)))
		assert.Equal(t, int64(0), rdb.Exists(ctx, s3).Val())
		_, err = rdb.SPop(ctx, none).Result()
		assert.Equal(t, redis.Nil, err)
		assert.Equal(t, []string{}, rdb.SPopN(ctx, none, 2).Val())

		// SSCAN, one page.
		page, err := rdb.SScan(ctx, s2, 0, client.ScanArgs{Match: "[bd]"}).Result()
		require.NoError(t, err)
		assert.Equal(t, uint64(0), page.Cursor)
		assert.Equal(t, []string{"b", "d"}, hlsSorted(page.Keys))

		// WRONGTYPE.
		str := k.Key("str")
		rdb.Set(ctx, str, "x", 0)
		for _, err := range []error{
			rdb.SAdd(ctx, str, 1).Err(), rdb.SMembers(ctx, str).Err(), rdb.SInter(ctx, s1, str).Err(),
			rdb.SPopN(ctx, str, 1).Err(), rdb.SMIsMember(ctx, str, "a").Err(),
		} {
			require.True(t, errors.As(err, &re), "%v", err)
			assert.Equal(t, "WRONGTYPE", re.Prefix())
		}
	})
}

// TestSetDo checks Do's default callbacks for set commands: the same values
// under both protocols, although RESP3 answers with sets.
func TestSetDo(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		hlsFresh(t, rdb, k)
		s1, s2 := k.Key("s1"), k.Key("s2")
		rdb.SAdd(ctx, s1, "a", "b")
		rdb.SAdd(ctx, s2, "b")
		assert.Equal(t, []string{"b"}, rdb.Do(ctx, "SINTER", s1, s2).Val())
		assert.Equal(t, []string{"a"}, rdb.Do(ctx, "SDIFF", s1, s2).Val())
		assert.Len(t, rdb.Do(ctx, "SUNION", s1, s2).Val(), 2)
		assert.Len(t, rdb.Do(ctx, "SMEMBERS", s1).Val(), 2)
		assert.Equal(t, true, rdb.Do(ctx, "SISMEMBER", s1, "a").Val())
		assert.Equal(t, []bool{true, false}, rdb.Do(ctx, "SMISMEMBER", s1, "a", "z").Val())
		assert.Equal(t, true, rdb.Do(ctx, "SMOVE", s1, s2, "a").Val())
		assert.Equal(t, []any{[]byte("b")}, rdb.Do(ctx, "SPOP", s1, 5).Val())
	})
}
