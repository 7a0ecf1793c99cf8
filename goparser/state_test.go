package goparser_test

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBufferedAndReset(t *testing.T) {
	p := goparser.New(strings.NewReader("+OK\r\n:1\r\n$3\r\nabc\r\n"), redis.ParserOptions{})
	var r redis.Reply
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, "OK", string(r.Str))
	assert.Equal(t, 4+9, p.Buffered())
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, 9, p.Buffered())
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, 0, p.Buffered())
	assert.Equal(t, io.EOF, p.ReadReply(&r))

	p.Reset(strings.NewReader(":7\r\n"))
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, int64(7), r.Int)
}

func TestStickyErrorWithOffset(t *testing.T) {
	p := goparser.New(strings.NewReader("+OK\r\n:1\r\n?bad\r\n+later\r\n"), redis.ParserOptions{})
	var r redis.Reply
	require.NoError(t, p.ReadReply(&r))
	require.NoError(t, p.ReadReply(&r))
	err := p.ReadReply(&r)
	var pe *redis.ProtocolError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, int64(9), pe.Offset)
	assert.Contains(t, err.Error(), "'?'")
	assert.Equal(t, err, p.ReadReply(&r), "errors are sticky")
}

func TestReaderError(t *testing.T) {
	boom := errors.New("boom")
	p := goparser.New(io.MultiReader(strings.NewReader("$10\r\nabc"), errReader{boom}), redis.ParserOptions{})
	var r redis.Reply
	assert.ErrorIs(t, p.ReadReply(&r), boom)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// A reply that spans buffer refills keeps all its parts valid, even when the
// parser must move to a new buffer in the middle of the reply.
func TestLargeNestedReplyAcrossBuffers(t *testing.T) {
	var in bytes.Buffer
	var want []redis.Reply
	in.WriteString("*3000\r\n")
	for i := 0; i < 3000; i++ {
		s := strings.Repeat(string(rune('a'+i%26)), 1+i%50)
		in.WriteString("$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n")
		want = append(want, resptest.Bulk(s))
	}
	stream := append(bytes.Repeat([]byte("+pad\r\n"), 5000), in.Bytes()...)
	stream = append(stream, in.Bytes()...)
	p := goparser.New(resptest.Loop(stream, 1000), redis.ParserOptions{})
	var r redis.Reply
	for i := 0; i < 5000; i++ {
		require.NoError(t, p.ReadReply(&r))
	}
	for k := 0; k < 2; k++ {
		require.NoError(t, p.ReadReply(&r))
		got := resptest.Array(want...)
		require.True(t, resptest.Equal(&got, &r), "reply %d differs", k)
	}
}

// A hostile count allocates nothing like its size before elements arrive.
func TestHugeCountBoundedMemory(t *testing.T) {
	p := goparser.New(strings.NewReader("*2000000000\r\n:1\r\n"), redis.ParserOptions{})
	var r redis.Reply
	assert.ErrorIs(t, p.ReadReply(&r), io.ErrUnexpectedEOF)
	assert.LessOrEqual(t, cap(r.Elems), 1<<16)
}

// With OwnLargeBulks, a large top-level bulk is read into memory of its
// own, which the caller may keep (Reply.Owned), whatever the reads' sizes;
// without, it is a view into the buffer as usual.
func TestBigBulkOwned(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	stream := append([]byte("$1048576\r\n"), payload...)
	stream = append(stream, "\r\n:7\r\n"...)
	for _, chunk := range []int{1 << 20, 64 << 10, 1000, 7} {
		p := goparser.New(resptest.Loop(stream, chunk), redis.ParserOptions{OwnLargeBulks: true})
		var r redis.Reply
		for round := 0; round < 3; round++ {
			require.NoError(t, p.ReadReply(&r))
			require.Equal(t, len(payload), len(r.Str))
			require.True(t, bytes.Equal(payload, r.Str), "chunk %d", chunk)
			assert.True(t, r.Owned, "chunk %d", chunk)
			kept := r.Str
			require.NoError(t, p.ReadReply(&r))
			assert.Equal(t, int64(7), r.Int)
			assert.False(t, r.Owned)
			assert.True(t, bytes.Equal(payload, kept), "owned memory is not reused")
		}
	}
}

func TestBigBulkNotOwnedByDefault(t *testing.T) {
	stream := append([]byte("$1048576\r\n"), bytes.Repeat([]byte("x"), 1<<20)...)
	stream = append(stream, "\r\n"...)
	p := goparser.New(resptest.Loop(stream, 4096), redis.ParserOptions{})
	var r redis.Reply
	require.NoError(t, p.ReadReply(&r))
	assert.False(t, r.Owned)
	assert.Len(t, r.Str, 1<<20)
}
