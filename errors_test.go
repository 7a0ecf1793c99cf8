package redis_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNil(t *testing.T) {
	err := fmt.Errorf("get: %w", redis.Nil)
	assert.True(t, errors.Is(err, redis.Nil))
	assert.Equal(t, "redis: nil", redis.Nil.Error())
}

func TestServerErrors(t *testing.T) {
	cases := []struct {
		msg    string
		prefix string
		check  func(error) bool
	}{
		{"ERR unknown command 'FOO'", "ERR", nil},
		{"WRONGTYPE Operation against a key holding the wrong kind of value", "WRONGTYPE", nil},
		{"NOSCRIPT No matching script.", "NOSCRIPT", func(e error) bool { var x *redis.NoScriptError; return errors.As(e, &x) }},
		{"READONLY You can't write against a read only replica.", "READONLY", func(e error) bool { var x *redis.ReadOnlyError; return errors.As(e, &x) }},
		{"LOADING Redis is loading the dataset in memory", "LOADING", func(e error) bool { var x *redis.BusyLoadingError; return errors.As(e, &x) }},
		{"NOAUTH Authentication required.", "NOAUTH", func(e error) bool { var x *redis.AuthenticationError; return errors.As(e, &x) }},
		{"WRONGPASS invalid username-password pair", "WRONGPASS", func(e error) bool { var x *redis.AuthenticationError; return errors.As(e, &x) }},
		{"EXECABORT Transaction discarded", "EXECABORT", func(e error) bool { var x *redis.ExecAbortError; return errors.As(e, &x) }},
		{"lower case message", "", nil},
		{"", "", nil},
	}
	for _, c := range cases {
		err := redis.ParseServerError(c.msg)
		var e *redis.Error
		require.True(t, errors.As(fmt.Errorf("wrapped: %w", err), &e), c.msg)
		assert.Equal(t, c.prefix, e.Prefix())
		assert.Equal(t, c.msg, e.Message())
		assert.Equal(t, "redis: "+c.msg, err.Error())
		if c.check != nil {
			assert.True(t, c.check(err), c.msg)
		}
		var re redis.RedisError
		assert.True(t, errors.As(err, &re))
	}
}

func TestReplyErr(t *testing.T) {
	r := redis.Reply{Kind: redis.KindBulkError, Str: []byte("SYNTAX invalid syntax")}
	var e *redis.Error
	require.True(t, errors.As(r.Err(), &e))
	assert.Equal(t, "SYNTAX", e.Prefix())
	ok := redis.Reply{Kind: redis.KindSimpleString, Str: []byte("OK")}
	assert.NoError(t, ok.Err())
}

func TestErrorTypes(t *testing.T) {
	pe := &redis.ProtocolError{Offset: 12, Msg: "invalid reply type byte 'x'"}
	assert.Equal(t, "redis: protocol error at byte 12: invalid reply type byte 'x'", pe.Error())

	ce := &redis.ConnectionError{Op: "read", Addr: "127.0.0.1:6379", Err: io.EOF}
	assert.True(t, errors.Is(ce, io.EOF))
	assert.Equal(t, "redis: connection error (read 127.0.0.1:6379): EOF", ce.Error())

	te := &redis.TimeoutError{Op: "read", Err: errors.New("i/o timeout")}
	var ne interface{ Timeout() bool }
	require.True(t, errors.As(te, &ne))
	assert.True(t, ne.Timeout())

	lnoe := &redis.LockNotOwnedError{LockError: redis.LockError{Name: "l", Msg: "not owned"}}
	var le *redis.LockError
	require.True(t, errors.As(lnoe, &le))
	assert.Equal(t, "l", le.Name)

	mnf := &redis.MasterNotFoundError{Name: "mymaster", Err: io.EOF}
	var conn *redis.ConnectionError
	require.True(t, errors.As(mnf, &conn))
	assert.True(t, errors.Is(mnf, io.EOF))
	rnf := &redis.ReplicaNotFoundError{Name: "mymaster"}
	require.True(t, errors.As(rnf, &conn))

	var we error = &redis.WatchError{}
	var w *redis.WatchError
	assert.True(t, errors.As(fmt.Errorf("exec: %w", we), &w))
}

func TestReplyStringAndClone(t *testing.T) {
	buf := []byte("hello")
	r := redis.Reply{Kind: redis.KindArray, Elems: []redis.Reply{
		{Kind: redis.KindBulkString, Str: buf},
		{Kind: redis.KindInteger, Int: 3},
		{Kind: redis.KindNull},
	}}
	c := r.Clone()
	buf[0] = 'J'
	assert.Equal(t, "hello", string(c.Elems[0].Str))
	assert.Equal(t, `["hello" 3 nil]`, c.String())
	m := redis.Reply{Kind: redis.KindMap, Elems: []redis.Reply{{Kind: redis.KindSimpleString, Str: []byte("k")}, {Kind: redis.KindDouble, Str: []byte("1.5"), Float: 1.5}}}
	assert.Equal(t, `{+"k": (double 1.5)}`, m.String())
	assert.Equal(t, 1, m.Len())
	assert.Equal(t, "bulk string", redis.KindBulkString.String())
	assert.True(t, redis.KindPush.IsAggregate())
	assert.False(t, redis.KindVerbatim.IsAggregate())
}
