package pool_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendCommandSmall checks the one-pass encoder the write paths use:
// the bytes of redis.AppendCommand for small arguments, large reported
// (and the buffer left as it was) for a string or []byte of VecMin bytes or
// more wherever it stands, a DataError leaving the buffer as it was, and
// what AppendCommandVec makes of a large command matching AppendCommand
// once its segments are put back.
func TestAppendCommandSmall(t *testing.T) {
	prefix := []byte("*1\r\n$4\r\nPING\r\n")
	small := []any{"SET", "k", []byte("v"), 42, int64(-7), uint8(3), 1.5, float32(2.25),
		strings.Repeat("x", pool.VecMin-1), bytes.Repeat([]byte("y"), pool.VecMin-1), "", []byte{}}
	want, err := redis.AppendCommand(bytes.Clone(prefix), small...)
	require.NoError(t, err)
	got, large, err := pool.AppendCommandSmall(bytes.Clone(prefix), small)
	require.NoError(t, err)
	assert.False(t, large)
	assert.Equal(t, want, got)

	for _, big := range []any{strings.Repeat("s", pool.VecMin), bytes.Repeat([]byte("b"), pool.VecMin)} {
		for pos := 1; pos <= 3; pos++ {
			args := []any{"SET", "k", "v", "w"}
			args[pos] = big
			out, large, err := pool.AppendCommandSmall(bytes.Clone(prefix), args)
			require.NoError(t, err)
			assert.True(t, large, "large argument at %d", pos)
			assert.Equal(t, prefix, out, "buffer as it was")

			enc, segs, err := pool.AppendCommandVec(bytes.Clone(prefix), nil, args...)
			require.NoError(t, err)
			require.Len(t, segs, 1)
			var joined []byte
			joined = append(joined, enc[:segs[0].At]...)
			joined = append(joined, segs[0].B...)
			joined = append(joined, enc[segs[0].At:]...)
			want, err := redis.AppendCommand(bytes.Clone(prefix), args...)
			require.NoError(t, err)
			assert.Equal(t, want, joined)
		}
	}

	for _, bad := range []any{nil, true, time.Second, struct{}{}} {
		out, large, err := pool.AppendCommandSmall(bytes.Clone(prefix), []any{"SET", "k", bad})
		var de *redis.DataError
		require.True(t, errors.As(err, &de), "%T: %v", bad, err)
		assert.Equal(t, 2, de.Pos)
		assert.False(t, large)
		assert.Equal(t, prefix, out)
	}
}
