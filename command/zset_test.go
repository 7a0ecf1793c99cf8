package command

import (
	"math"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func zsetBulk(s string) redis.Reply { return redis.Reply{Kind: redis.KindBulkString, Str: []byte(s)} }

func zsetDouble(f float64, s string) redis.Reply {
	return redis.Reply{Kind: redis.KindDouble, Float: f, Str: []byte(s)}
}

func zsetArr(es ...redis.Reply) redis.Reply { return redis.Reply{Kind: redis.KindArray, Elems: es} }

// Every shape the server uses for members with scores gives the same []Z.
func TestZSetDecodeShapes(t *testing.T) {
	want := []Z{{Member: "a", Score: 1}, {Member: "b", Score: math.Inf(-1)}}
	shapes := map[string]redis.Reply{
		"resp2 flat":   zsetArr(zsetBulk("a"), zsetBulk("1"), zsetBulk("b"), zsetBulk("-inf")),
		"resp3 nested": zsetArr(zsetArr(zsetBulk("a"), zsetDouble(1, "1")), zsetArr(zsetBulk("b"), zsetDouble(math.Inf(-1), "-inf"))),
		"resp3 flat":   zsetArr(zsetBulk("a"), zsetDouble(1, "1"), zsetBulk("b"), zsetDouble(math.Inf(-1), "-inf")),
	}
	for name, r := range shapes {
		got, err := zsetDecodeZs(&r)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	empty := zsetArr()
	got, err := zsetDecodeZs(&empty)
	require.NoError(t, err)
	assert.Equal(t, []Z{}, got)

	// Malformed replies are errors, not panics.
	bad := map[string]redis.Reply{
		"odd":        zsetArr(zsetBulk("a")),
		"short pair": zsetArr(zsetArr(zsetBulk("a"))),
		"bad score":  zsetArr(zsetBulk("a"), zsetBulk("x")),
		"not array":  redis.Reply{Kind: redis.KindInteger, Int: 3},
		"map pair":   zsetArr(redis.Reply{Kind: redis.KindMap, Elems: []redis.Reply{zsetBulk("a"), zsetBulk("1")}}),
	}
	for name, r := range bad {
		_, err := zsetDecodeZs(&r)
		assert.Error(t, err, name)
	}
}

func TestZSetDecodeKeyed(t *testing.T) {
	null := redis.Reply{Kind: redis.KindNull}
	_, err := zsetDecodeZWithKey(&null)
	assert.Equal(t, redis.Nil, err)
	_, err = zsetDecodeMPop(&null)
	assert.Equal(t, redis.Nil, err)

	r := zsetArr(zsetBulk("k"), zsetBulk("m"), zsetDouble(2.5, "2.5"))
	kz, err := zsetDecodeZWithKey(&r)
	require.NoError(t, err)
	assert.Equal(t, ZWithKey{Key: "k", Z: Z{Member: "m", Score: 2.5}}, kz)
	short := zsetArr(zsetBulk("k"))
	_, err = zsetDecodeZWithKey(&short)
	assert.Error(t, err)

	r = zsetArr(zsetBulk("k"), zsetArr(zsetArr(zsetBulk("m"), zsetBulk("3"))))
	mp, err := zsetDecodeMPop(&r)
	require.NoError(t, err)
	assert.Equal(t, ZMPopResult{Key: "k", Members: []Z{{Member: "m", Score: 3}}}, mp)
}

func TestZSetRangeArgs(t *testing.T) {
	cases := []struct {
		a    ZRangeArgs
		want []any
	}{
		{ZRangeArgs{}, []any{"ZRANGE", "k", int64(0), int64(-1)}},
		{ZRangeArgs{Start: 1, Stop: 2, Rev: true}, []any{"ZRANGE", "k", 1, 2, "REV"}},
		{ZRangeArgs{ByScore: true}, []any{"ZRANGE", "k", "-inf", "+inf", "BYSCORE"}},
		{ZRangeArgs{Start: "(1", ByScore: true, Rev: true, Count: 3}, []any{"ZRANGE", "k", "+inf", "(1", "BYSCORE", "REV", "LIMIT", int64(0), int64(3)}},
		{ZRangeArgs{Stop: "[c", ByLex: true}, []any{"ZRANGE", "k", "-", "[c", "BYLEX"}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, zsetRangeArgs("ZRANGE", "", "k", c.a, false), "%+v", c.a)
	}
	assert.Equal(t, []any{"ZRANGESTORE", "d", "k", int64(0), int64(-1), "WITHSCORES"}, zsetRangeArgs("ZRANGESTORE", "d", "k", ZRangeArgs{}, true))
	assert.Equal(t, []any{"ZREVRANGEBYSCORE", "k", "+inf", "2", "WITHSCORES", "LIMIT", int64(1), int64(0)},
		zsetRangeByArgs("ZREVRANGEBYSCORE", "k", ZRangeBy{Min: "2", Offset: 1}, true, false, true))
}

func TestGeoDecodeLocations(t *testing.T) {
	coord := zsetArr(zsetDouble(15.5, "15.5"), zsetBulk("37.25"))
	r := zsetArr(
		zsetBulk("plain"),
		zsetArr(zsetBulk("all"), zsetBulk("1.5"), redis.Reply{Kind: redis.KindInteger, Int: 42}, coord),
		zsetArr(zsetBulk("coord"), coord),
	)
	got, err := geoDecodeLocations(&r)
	require.NoError(t, err)
	assert.Equal(t, []GeoLocation{
		{Name: "plain"},
		{Name: "all", Dist: 1.5, GeoHash: 42, Longitude: 15.5, Latitude: 37.25},
		{Name: "coord", Longitude: 15.5, Latitude: 37.25},
	}, got)
	bad := zsetArr(zsetArr())
	_, err = geoDecodeLocations(&bad)
	assert.Error(t, err)
	bad = zsetArr(zsetArr(zsetBulk("x"), zsetArr(zsetBulk("1"))))
	_, err = geoDecodeLocations(&bad)
	assert.Error(t, err)
}
