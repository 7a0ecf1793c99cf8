package redis_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type userID int64
type label string
type blob []byte

func TestAppendCommand(t *testing.T) {
	cases := []struct {
		name string
		args []any
		want string
	}{
		{"strings", []any{"SET", "k", "v"}, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"},
		{"bytes", []any{"SET", []byte("k"), []byte("\r\n\x00")}, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\r\n\x00\r\n"},
		{"empty", []any{"ECHO", ""}, "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"},
		{"ints", []any{int(-1), int8(-8), int16(16), int32(-32), int64(math.MinInt64)},
			"*5\r\n$2\r\n-1\r\n$2\r\n-8\r\n$2\r\n16\r\n$3\r\n-32\r\n$20\r\n-9223372036854775808\r\n"},
		{"uints", []any{uint(1), uint8(255), uint16(65535), uint32(1 << 31), uint64(math.MaxUint64)},
			"*5\r\n$1\r\n1\r\n$3\r\n255\r\n$5\r\n65535\r\n$10\r\n2147483648\r\n$20\r\n18446744073709551615\r\n"},
		{"floats", []any{1.5, float32(0.1), 0.1, 1e300, math.Copysign(0, -1), math.Inf(1), math.Inf(-1)},
			"*7\r\n$3\r\n1.5\r\n$3\r\n0.1\r\n$3\r\n0.1\r\n$6\r\n1e+300\r\n$2\r\n-0\r\n$3\r\ninf\r\n$4\r\n-inf\r\n"},
		{"named types", []any{label("L"), userID(7), blob("b")}, "*3\r\n$1\r\nL\r\n$1\r\n7\r\n$1\r\nb\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := redis.AppendCommand([]byte("prefix"), c.args...)
			require.NoError(t, err)
			assert.Equal(t, "prefix"+c.want, string(got))
		})
	}
}

// Floats must read back as the same value.
func TestAppendFloatRoundTrip(t *testing.T) {
	for _, f := range []float64{0.1, 1.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64, -123456.789e-12, 2.5e-308} {
		b := redis.AppendBulkFloat(nil, f)
		// "$n\r\n<text>\r\n"
		text := string(b[len(strconv.Itoa(len(b)))+1:])
		text = text[:len(text)-2]
		for text[0] != '\n' {
			text = text[1:]
		}
		back, err := strconv.ParseFloat(text[1:], 64)
		require.NoError(t, err)
		assert.Equal(t, f, back)
	}
}

func TestAppendCommandDataError(t *testing.T) {
	type point struct{ X int }
	for _, c := range []struct {
		arg  any
		typ  string
		pos  int
		args []any
	}{
		{true, "bool", 2, nil},
		{nil, "nil", 2, nil},
		{point{1}, "redis_test.point", 2, nil},
		{map[string]string{"a": "b"}, "map[string]string", 2, nil},
		{[]string{"a"}, "[]string", 2, nil},
		{&struct{}{}, "*struct {}", 2, nil},
		{math.NaN(), "float64", 2, nil},
		{float32(math.NaN()), "float32", 2, nil},
	} {
		buf := []byte("keep")
		out, err := redis.AppendCommand(buf, "SET", "k", c.arg)
		var de *redis.DataError
		require.True(t, errors.As(err, &de), "%T: %v", c.arg, err)
		assert.Equal(t, c.pos, de.Pos)
		assert.Equal(t, c.typ, de.Type)
		assert.Contains(t, err.Error(), "argument 2")
		assert.Equal(t, "keep", string(out), "nothing appended on error")
		var re redis.RedisError
		assert.True(t, errors.As(err, &re))
	}
}

func TestAppendHeaderLengths(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65536} {
		s := strings.Repeat("x", n)
		want := "$" + strconv.Itoa(n) + "\r\n" + s + "\r\n"
		assert.Equal(t, want, string(redis.AppendBulkString(nil, s)), "len %d", n)
		assert.Equal(t, want, string(redis.AppendBulk(nil, []byte(s))), "len %d", n)
		assert.Equal(t, "*"+strconv.Itoa(n)+"\r\n", string(redis.AppendArrayHeader(nil, n)))
	}
	assert.Equal(t, "*-1\r\n", string(redis.AppendArrayHeader(nil, -1)))
}

// A time.Duration given as a value would be sent as nanoseconds
// (5*time.Second as "5000000000"), which is never what was meant: it is
// refused, naming the type, as redis-py refuses a timedelta as a value.
func TestAppendCommandDurationIsDataError(t *testing.T) {
	for _, d := range []time.Duration{5 * time.Second, 0, -time.Millisecond} {
		buf := []byte("keep")
		out, err := redis.AppendCommand(buf, "SET", "k", d)
		var de *redis.DataError
		require.True(t, errors.As(err, &de), "%v: %v", d, err)
		assert.Equal(t, 2, de.Pos)
		assert.Equal(t, "time.Duration", de.Type)
		assert.Contains(t, err.Error(), "time.Duration")
		assert.Equal(t, "keep", string(out), "nothing appended on error")

		_, err = redis.AppendArg(nil, 1, d)
		require.True(t, errors.As(err, &de))
		assert.Equal(t, 1, de.Pos)
	}
}
