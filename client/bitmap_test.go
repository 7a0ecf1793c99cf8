package client_test

import (
	"errors"
	"strconv"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBitmapBits(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		b := k.Key("b")
		assert.Equal(t, int64(0), rdb.SetBit(ctx, b, 7, 1).Val(), "old value")
		assert.Equal(t, int64(1), rdb.SetBit(ctx, b, 7, 0).Val())
		assert.Equal(t, int64(0), rdb.SetBit(ctx, b, 7, 1).Val())
		assert.Equal(t, int64(1), rdb.GetBit(ctx, b, 7).Val())
		assert.Equal(t, int64(0), rdb.GetBit(ctx, b, 6).Val())
		assert.Equal(t, int64(0), rdb.GetBit(ctx, b, 1000).Val(), "past the end")
		assert.Equal(t, int64(0), rdb.GetBit(ctx, k.Key("none"), 3).Val())

		// "\xff\xf0\x00" = 1111 1111 1111 0000 0000 0000
		s := k.Key("s")
		rdb.Set(ctx, s, []byte{0xff, 0xf0, 0x00}, 0)
		assert.Equal(t, int64(12), rdb.BitCount(ctx, s).Val())
		assert.Equal(t, int64(0), rdb.BitCount(ctx, k.Key("none")).Val())
		assert.Equal(t, int64(4), rdb.BitCountRange(ctx, s, 1, 1, "").Val())
		assert.Equal(t, int64(4), rdb.BitCountRange(ctx, s, -2, -1, "BYTE").Val())
		assert.Equal(t, int64(3), rdb.BitCountRange(ctx, s, 9, 14, "BIT").Val())

		assert.Equal(t, int64(12), rdb.BitPos(ctx, s, 0).Val())
		assert.Equal(t, int64(0), rdb.BitPos(ctx, s, 1).Val())
		assert.Equal(t, int64(8), rdb.BitPos(ctx, s, 1, 1).Val())
		assert.Equal(t, int64(-1), rdb.BitPos(ctx, s, 1, 2, -1).Val())
		assert.Equal(t, int64(-1), rdb.BitPos(ctx, k.Key("none"), 1).Val())
		ones := k.Key("ones")
		rdb.Set(ctx, ones, []byte{0xff}, 0)
		assert.Equal(t, int64(8), rdb.BitPos(ctx, ones, 0).Val(), "no end: the bit after the string")
		assert.Equal(t, int64(-1), rdb.BitPos(ctx, ones, 0, 0, 0).Val(), "with an end: none")
		assert.Equal(t, int64(12), rdb.BitPosSpan(ctx, s, 0, 0, -1, "").Val())
		assert.Equal(t, int64(5), rdb.BitPosSpan(ctx, s, 1, 5, 20, "BIT").Val())
		assert.Equal(t, int64(13), rdb.BitPosSpan(ctx, s, 0, 13, 20, "BIT").Val())
		assert.Equal(t, int64(16), rdb.BitPosSpan(ctx, s, 0, 2, 2, "BYTE").Val())

		// BITOP.
		x, y, dst := k.Key("x"), k.Key("y"), k.Key("dst")
		rdb.Set(ctx, x, []byte{0b1100_1010, 0xff}, 0)
		rdb.Set(ctx, y, []byte{0b1010_0110}, 0)
		assert.Equal(t, int64(2), rdb.BitOpAnd(ctx, dst, x, y).Val())
		assert.Equal(t, "\x82\x00", rdb.Get(ctx, dst).Val())
		assert.Equal(t, int64(2), rdb.BitOpOr(ctx, dst, x, y).Val())
		assert.Equal(t, "\xee\xff", rdb.Get(ctx, dst).Val())
		assert.Equal(t, int64(2), rdb.BitOpXor(ctx, dst, x, y).Val())
		assert.Equal(t, "\x6c\xff", rdb.Get(ctx, dst).Val())
		assert.Equal(t, int64(1), rdb.BitOpNot(ctx, dst, y).Val())
		assert.Equal(t, "\x59", rdb.Get(ctx, dst).Val())

		// Errors.
		var re *redis.Error
		err := rdb.SetBit(ctx, b, 0, 2).Err()
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "ERR", re.Prefix())
		rdb.Do(ctx, "LPUSH", k.Key("list"), "x")
		err = rdb.BitCount(ctx, k.Key("list")).Err()
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "WRONGTYPE", re.Prefix())
	})
}

func bitInt(n int64) *int64 { return &n }

func TestBitmapBitField(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		f := k.Key("f")
		ops := client.BitFieldOps{}.
			Set("u8", 0, 200).      // old value 0
			Get("u8", 0).           // 200
			IncrBy("u8", 0, 100).   // wraps: 44
			Overflow("SAT").        // no result
			IncrBy("u8", 0, 250).   // saturates: 255
			Overflow("FAIL").       // no result
			IncrBy("u8", 0, 1).     // fails: nil
			Set("i16", "#1", -300). // bits 16..31, old 0
			Get("i16", "#1")        // -300
		got, err := rdb.BitField(ctx, f, ops).Result()
		require.NoError(t, err)
		assert.Equal(t, []*int64{bitInt(0), bitInt(200), bitInt(44), bitInt(255), nil, bitInt(0), bitInt(-300)}, got)
		assert.Equal(t, "\xff\x00\xfe\xd4", rdb.Get(ctx, f).Val())

		ro, err := rdb.BitFieldRO(ctx, f, client.BitFieldOps{}.Get("u8", 0).Get("i16", 16).Get("u4", 8)).Result()
		require.NoError(t, err)
		assert.Equal(t, []*int64{bitInt(255), bitInt(-300), bitInt(0)}, ro)
		assert.Equal(t, []*int64{}, rdb.BitField(ctx, f, nil).Val(), "no operations")
		assert.Equal(t, []*int64{bitInt(0)}, rdb.BitFieldRO(ctx, k.Key("none"), client.BitFieldOps{}.Get("u8", 0)).Val())

		// Do gives the same values under both protocols.
		assert.Equal(t, []any{int64(255), nil}, rdb.Do(ctx, "BITFIELD", f, "OVERFLOW", "FAIL", "GET", "u8", 0, "INCRBY", "u8", 0, 1).Val())

		// Errors: BITFIELD_RO takes only GET; a bad type.
		var re *redis.Error
		err = rdb.BitFieldRO(ctx, f, client.BitFieldOps{}.Set("u8", 0, 1)).Err()
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "ERR", re.Prefix())
		err = rdb.BitField(ctx, f, client.BitFieldOps{}.Get("u99", 0)).Err()
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "ERR", re.Prefix())
	})
}

func TestHyperLogLog(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		a, b, dst := k.Key("a"), k.Key("b"), k.Key("dst")
		assert.Equal(t, int64(1), rdb.PFAdd(ctx, a, "x", "y", "z").Val())
		assert.Equal(t, int64(0), rdb.PFAdd(ctx, a, "x", "y").Val(), "estimate unchanged")
		assert.Equal(t, int64(1), rdb.PFAdd(ctx, b, 1, 2.5, []byte("z"), "w").Val())
		assert.Equal(t, int64(3), rdb.PFCount(ctx, a).Val())
		assert.Equal(t, int64(6), rdb.PFCount(ctx, a, b).Val(), "union of x y z 1 2.5 w")
		assert.Equal(t, int64(0), rdb.PFCount(ctx, k.Key("none")).Val())
		assert.Equal(t, "OK", rdb.PFMerge(ctx, dst, a, b).Val())
		assert.Equal(t, int64(6), rdb.PFCount(ctx, dst).Val())

		many := make([]any, 1000)
		for i := range many {
			many[i] = "e" + strconv.Itoa(i)
		}
		rdb.PFAdd(ctx, k.Key("many"), many...)
		assert.InDelta(t, 1000, rdb.PFCount(ctx, k.Key("many")).Val(), 20, "within the HyperLogLog's error")

		rdb.Set(ctx, k.Key("str"), "not a hll", 0)
		err := rdb.PFCount(ctx, k.Key("str")).Err()
		var re *redis.Error
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "WRONGTYPE", re.Prefix())
		err = rdb.PFAdd(ctx, a, true).Err()
		var de *redis.DataError
		require.True(t, errors.As(err, &de), "%v", err)
	})
}
