package command

import (
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hlsBulk(s string) redis.Reply { return redis.Reply{Kind: redis.KindBulkString, Str: []byte(s)} }

func hlsArr(kind redis.Kind, es ...redis.Reply) *redis.Reply {
	return &redis.Reply{Kind: kind, Elems: es}
}

// The three shapes of field/value pairs give the same value.
func TestHashDecodeFieldsShapes(t *testing.T) {
	want := []HashField{{"a", "1"}, {"b", "2"}}
	flat := hlsArr(redis.KindArray, hlsBulk("a"), hlsBulk("1"), hlsBulk("b"), hlsBulk("2"))
	nested := hlsArr(redis.KindArray,
		*hlsArr(redis.KindArray, hlsBulk("a"), hlsBulk("1")),
		*hlsArr(redis.KindArray, hlsBulk("b"), hlsBulk("2")))
	m := hlsArr(redis.KindMap, hlsBulk("a"), hlsBulk("1"), hlsBulk("b"), hlsBulk("2"))
	for _, r := range []*redis.Reply{flat, nested, m} {
		got, err := hashDecodeFields(r)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	got, err := hashDecodeFields(hlsArr(redis.KindArray))
	require.NoError(t, err)
	assert.Equal(t, []HashField{}, got)

	// Do's HRANDFIELD callback flattens the nested shape.
	v, err := hashRandFieldCallback(nested, CallbackOptions{Decode: true})
	require.NoError(t, err)
	assert.Equal(t, []any{"a", "1", "b", "2"}, v)
	v, err = hashRandFieldCallback(flat, CallbackOptions{Decode: true})
	require.NoError(t, err)
	assert.Equal(t, []any{"a", "1", "b", "2"}, v)

	// Malformed replies are errors, not panics.
	_, err = hashDecodeFields(hlsArr(redis.KindArray, hlsBulk("a")))
	assert.Error(t, err)
	_, err = hashDecodeFields(hlsArr(redis.KindArray, *hlsArr(redis.KindArray, hlsBulk("a"))))
	assert.Error(t, err)
	_, err = hashDecodeFields(hlsArr(redis.KindArray, *hlsArr(redis.KindArray, hlsBulk("a"), hlsBulk("1")), hlsBulk("b")))
	assert.Error(t, err)
	_, err = hashDecodeFields(&redis.Reply{Kind: redis.KindInteger, Int: 1})
	assert.Error(t, err)
}

func TestListDecoders(t *testing.T) {
	null := &redis.Reply{Kind: redis.KindNull}
	_, err := listDecodeKeyValue(null)
	assert.Equal(t, redis.Nil, err)
	_, err = listDecodeKeyValues(null)
	assert.Equal(t, redis.Nil, err)
	_, err = listDecodeStringsNil(null)
	assert.Equal(t, redis.Nil, err)

	kv, err := listDecodeKeyValue(hlsArr(redis.KindArray, hlsBulk("k"), hlsBulk("v")))
	require.NoError(t, err)
	assert.Equal(t, KeyValue{"k", "v"}, kv)
	_, err = listDecodeKeyValue(hlsArr(redis.KindArray, hlsBulk("k")))
	assert.Error(t, err)

	kvs, err := listDecodeKeyValues(hlsArr(redis.KindArray, hlsBulk("k"), *hlsArr(redis.KindArray, hlsBulk("a"), hlsBulk("b"))))
	require.NoError(t, err)
	assert.Equal(t, KeyValues{"k", []string{"a", "b"}}, kvs)
	_, err = listDecodeKeyValues(hlsArr(redis.KindArray, hlsBulk("k"), hlsBulk("a")))
	assert.Error(t, err)

	assert.Equal(t, []any{"BLPOP", "a", "b", int64(2)}, listBlockingArgs("BLPOP", []string{"a", "b"}, 2e9))
	assert.Equal(t, []any{"BLPOP", "a", 0.25}, listBlockingArgs("BLPOP", []string{"a"}, 25e7))
	assert.Equal(t, []any{"LPOS", "k", "v", "RANK", int64(-1), "COUNT", int64(0), "MAXLEN", int64(9)},
		listPosArgs("k", "v", LPosArgs{Rank: -1, MaxLen: 9}, 0))
	assert.Equal(t, []any{"LPOS", "k", "v"}, listPosArgs("k", "v", LPosArgs{}, -1))
}

func TestSetDecodeMap(t *testing.T) {
	for _, kind := range []redis.Kind{redis.KindArray, redis.KindSet} {
		m, err := setDecodeMap(hlsArr(kind, hlsBulk("a"), hlsBulk("b"), hlsBulk("a")))
		require.NoError(t, err)
		assert.Equal(t, map[string]struct{}{"a": {}, "b": {}}, m)
	}
	_, err := setDecodeMap(&redis.Reply{Kind: redis.KindInteger})
	assert.Error(t, err)
}
