//go:build hiredis && cgo

package hiredis_test

import (
	"strings"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/hiredis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kinds lists the kinds of a tape.
func kinds(b hiredis.Batch) string {
	var s strings.Builder
	for _, e := range b.Tape {
		s.WriteByte(byte(e.Kind))
	}
	return s.String()
}

func TestTapeInPreorder(t *testing.T) {
	r := hiredis.NewReader(redis.ParserOptions{})
	defer r.Free()
	b := r.Feed([]byte("*3\r\n:5\r\n%1\r\n+k\r\n$1\r\nv\r\n|1\r\n+a\r\n#t\r\n_\r\n,1.5\r\n"))
	require.Nil(t, b.Err)
	assert.Equal(t, "*:%+$|+#_,", kinds(b))
	assert.Equal(t, []int64{5, 2}, []int64{b.Tape[1].N, b.Tape[2].N}, "integer value; map count in keys and values")
	assert.Equal(t, int64(2), b.Tape[5].N, "an attribute's count is its own")
	assert.Equal(t, int64(3), b.Tape[0].N, "the parent's count leaves the attribute out")
	assert.Equal(t, "kva1.5", string(b.Arena), "strings in tape order")
	assert.Equal(t, []int64{38, 44}, b.Ends)
	assert.Equal(t, int64(44), b.Fed)
}

// A reply in progress is carried to the next batch; complete ones are not.
func TestCarryOver(t *testing.T) {
	r := hiredis.NewReader(redis.ParserOptions{})
	defer r.Free()
	b := r.Feed([]byte("+first\r\n*2\r\n$3\r\nabc\r\n"))
	assert.Equal(t, []int64{8}, b.Ends)
	assert.Equal(t, "+*$", kinds(b))
	b = r.Feed([]byte("$2\r\nde\r\n+x"))
	assert.Equal(t, []int64{29}, b.Ends)
	assert.Equal(t, "*$$", kinds(b))
	assert.Equal(t, "abcde", string(b.Arena))
	b = r.Feed([]byte("\r\n"))
	assert.Equal(t, "+", kinds(b))
	assert.Equal(t, "x", string(b.Arena))
}

func TestErrorsAreSticky(t *testing.T) {
	r := hiredis.NewReader(redis.ParserOptions{MaxDepth: 1})
	defer r.Free()
	b := r.Feed([]byte(":1\r\n*1\r\n*0\r\n"))
	assert.Equal(t, []int64{4}, b.Ends, "the reply before the error")
	require.NotNil(t, b.Err)
	assert.Contains(t, b.Err.Msg, "depth")
	b2 := r.Feed([]byte("+OK\r\n"))
	assert.Equal(t, b.Err, b2.Err)
	assert.Empty(t, b2.Ends)

	r.Reset()
	b = r.Feed([]byte("+OK\r\n"))
	assert.Nil(t, b.Err)
	assert.Equal(t, []int64{5}, b.Ends, "offsets restart at Reset")
}

// hiredis's own errors (here a bad type byte) come through too.
func TestHiredisError(t *testing.T) {
	r := hiredis.NewReader(redis.ParserOptions{})
	defer r.Free()
	b := r.Feed([]byte("+OK\r\n@"))
	require.NotNil(t, b.Err)
	assert.Contains(t, b.Err.Msg, `"@"`)
	assert.InDelta(t, 5, b.Err.Offset, 1)
}

func TestHeldBulk(t *testing.T) {
	r := hiredis.NewReader(redis.ParserOptions{})
	defer r.Free()
	payload := strings.Repeat("z", 100<<10)
	b := r.Feed([]byte("$102400\r\n" + payload + "\r\n:1\r\n"))
	require.Nil(t, b.Err)
	require.Equal(t, "B:", kinds(b))
	assert.Equal(t, payload, string(b.Held(&b.Tape[0])))
	assert.Empty(t, b.Arena, "the payload was not copied")
	assert.Equal(t, []int64{102411, 102415}, b.Ends)
}

func TestFreeIsIdempotent(t *testing.T) {
	r := hiredis.NewReader(redis.ParserOptions{})
	r.Free()
	r.Free()
}
