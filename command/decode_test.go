package command

import (
	"runtime"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bulk(s string) redis.Reply { return redis.Reply{Kind: redis.KindBulkString, Str: []byte(s)} }

func TestDecStringsShareOneBacking(t *testing.T) {
	src := []byte("alpha")
	r := redis.Reply{Kind: redis.KindArray, Elems: []redis.Reply{
		{Kind: redis.KindBulkString, Str: src}, {Kind: redis.KindNull}, bulk(""), {Kind: redis.KindInteger, Int: 42},
		{Kind: redis.KindSimpleString, Str: []byte("OK")}, {Kind: redis.KindDouble, Str: []byte("1.5"), Float: 1.5},
	}}
	got, err := decStrings(&r)
	require.NoError(t, err)
	src[0] = 'X' // the reply's buffer is reused by the parser: the result must not change
	assert.Equal(t, []string{"alpha", "", "", "42", "OK", "1.5"}, got)

	boxed, err := decNullableStrings(&r)
	require.NoError(t, err)
	assert.Equal(t, []any{"Xlpha", nil, "", "42", "OK", "1.5"}, boxed)
	s, ok := boxed[0].(string)
	require.True(t, ok)
	assert.Equal(t, "Xlpha", s)
	switch v := boxed[4].(type) {
	case string:
		assert.Equal(t, "OK", v)
	default:
		t.Fatalf("type %T", v)
	}

	bad := redis.Reply{Kind: redis.KindArray, Elems: []redis.Reply{{Kind: redis.KindArray}}}
	_, err = decStrings(&bad)
	assert.Error(t, err)
}

func TestDecStringsAllocs(t *testing.T) {
	es := make([]redis.Reply, 1000)
	for i := range es {
		es[i] = bulk("0123456789abcdef")
	}
	r := redis.Reply{Kind: redis.KindArray, Elems: es}
	if n := testing.AllocsPerRun(100, func() { decStrings(&r) }); n > 2 {
		t.Errorf("decStrings of 1000 elements: %v allocations", n)
	}
	if n := testing.AllocsPerRun(100, func() { decNullableStrings(&r) }); n > 2 {
		t.Errorf("decNullableStrings of 1000 elements: %v allocations", n)
	}
}

// TestDecNullableStringsBlock checks the one-block layout of texts and
// their headers (textsWithHeaders) through garbage collections: the values
// must stay intact while only the interfaces, or only strings taken from
// them, are kept.
func TestDecNullableStringsBlock(t *testing.T) {
	src := []redis.Reply{bulk("alpha"), {Kind: redis.KindNull}, bulk(""), {Kind: redis.KindSimpleString, Str: []byte("OK")},
		{Kind: redis.KindVerbatim, Str: []byte("verbatim")}, bulk("0123456789abcdef0123456789abcdef")}
	want := []any{"alpha", nil, "", "OK", "verbatim", "0123456789abcdef0123456789abcdef"}
	r := redis.Reply{Kind: redis.KindArray, Elems: src}
	var kept []any
	var strs []string
	for i := 0; i < 200; i++ {
		got, err := decNullableStrings(&r)
		require.NoError(t, err)
		if i%2 == 0 {
			kept = append(kept, got...)
		} else {
			for _, v := range got {
				if s, ok := v.(string); ok {
					strs = append(strs, s)
				}
			}
		}
		_ = make([]byte, 4096) // garbage, so that collections have work
		if i%50 == 0 {
			runtime.GC()
		}
	}
	runtime.GC()
	for i, v := range kept {
		require.Equal(t, want[i%len(want)], v, "element %d", i)
	}
	for i, s := range strs {
		require.Equal(t, []string{"alpha", "", "OK", "verbatim", "0123456789abcdef0123456789abcdef"}[i%5], s, "string %d", i)
	}
	empty := redis.Reply{Kind: redis.KindArray}
	got, err := decNullableStrings(&empty)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestKeysArgs(t *testing.T) {
	keys := []string{"a", "bb", ""}
	args := keysArgs("MGET", keys)
	assert.Equal(t, []any{"MGET", "a", "bb", ""}, args)
	buf, err := redis.AppendCommand(nil, args...)
	require.NoError(t, err)
	assert.Equal(t, "*4\r\n$4\r\nMGET\r\n$1\r\na\r\n$2\r\nbb\r\n$0\r\n\r\n", string(buf))
	if n := testing.AllocsPerRun(100, func() { keysArgs("MGET", keys) }); n > 1 {
		t.Errorf("keysArgs: %v allocations", n)
	}
}
