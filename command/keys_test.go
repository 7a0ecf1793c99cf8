package command

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSlot(t *testing.T) {
	assert.Equal(t, uint16(0x31C3), crc16("123456789"), "the CRC16/XMODEM check value")
	for key, want := range map[string]int{
		"foo": 12182, "bar": 5061, "somekey": 11058, "": 0,
		"{user1000}.following": Slot("user1000"), "{user1000}.followers": Slot("user1000"),
		"foo{}{bar}": Slot("foo{}{bar}"), "foo{{bar}}zap": Slot("{bar"), "foo{bar}{zap}": Slot("bar"),
	} {
		assert.Equal(t, want, Slot(key), key)
	}
	assert.Equal(t, 12182, Slot("{foo}x"))
	assert.NotEqual(t, Slot("foo{}{bar}"), Slot("bar"), "an empty tag is no tag: the whole key is hashed")
}

func TestKeyPositions(t *testing.T) {
	for _, c := range []struct {
		args []any
		want []int
	}{
		{[]any{"GET", "k"}, []int{1}},
		{[]any{"get", "k"}, []int{1}},
		{[]any{"HSET", "h", "f", "v"}, []int{1}},
		{[]any{"PING"}, nil},
		{[]any{"PING", "hello"}, nil},
		{[]any{"DEL", "a", "b", "c"}, []int{1, 2, 3}},
		{[]any{"MSET", "a", 1, "b", 2}, []int{1, 3}},
		{[]any{"RENAME", "a", "b"}, []int{1, 2}},
		{[]any{"BLPOP", "a", "b", 0}, []int{1, 2}},
		{[]any{"BITOP", "AND", "d", "a", "b"}, []int{2, 3, 4}},
		{[]any{"EVAL", "return 1", 2, "a", "b", "arg"}, []int{3, 4}},
		{[]any{"EVALSHA", "abc", "0", "arg"}, nil},
		{[]any{"ZUNIONSTORE", "d", 2, "a", "b", "WEIGHTS", 1, 2}, []int{1, 3, 4}},
		{[]any{"ZINTER", 2, "a", "b"}, []int{2, 3}},
		{[]any{"BLMPOP", 0, 2, "a", "b", "LEFT"}, []int{3, 4}},
		{[]any{"XREAD", "COUNT", 2, "STREAMS", "s1", "s2", "0", "0"}, []int{4, 5}},
		{[]any{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", ">"}, []int{5}},
		{[]any{"OBJECT", "ENCODING", "k"}, []int{2}},
		{[]any{"OBJECT", "HELP"}, nil},
		{[]any{"MEMORY", "USAGE", "k"}, []int{2}},
		{[]any{"XGROUP", "CREATE", "s", "g", "$"}, []int{2}},
		{[]any{"MIGRATE", "h", 1, "k", 0, 10}, []int{3}},
		{[]any{"MIGRATE", "h", 1, "", 0, 10, "KEYS", "a", "b"}, []int{7, 8}},
		{[]any{"CLIENT", "LIST"}, nil},
		{[]any{"SOMENEWCOMMAND", "k", "x"}, []int{1}},
		{[]any{[]byte("GET"), []byte("k")}, []int{1}},
	} {
		assert.Equal(t, c.want, KeyPositions(nil, c.args), "%v", c.args)
	}
	k, ok := FirstKey([]any{"SET", "k", "v"})
	assert.True(t, ok)
	assert.Equal(t, "k", k)
	_, ok = FirstKey([]any{"PING"})
	assert.False(t, ok)
	allocs := testing.AllocsPerRun(100, func() { FirstKey([]any{"SET", "k", "v"}) })
	assert.Zero(t, allocs)
}
