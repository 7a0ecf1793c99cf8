package command

import (
	"context"
	"errors"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Replies built by hand: the shapes of other servers and versions, and
// malformed ones, which the live tests in client/ cannot produce.

func streamBulk(s string) redis.Reply { return redis.Reply{Kind: redis.KindBulkString, Str: []byte(s)} }
func streamInt(n int64) redis.Reply   { return redis.Reply{Kind: redis.KindInteger, Int: n} }
func streamAgg(kind redis.Kind, es ...redis.Reply) redis.Reply {
	return redis.Reply{Kind: kind, Elems: es}
}

var streamNull = redis.Reply{Kind: redis.KindNull}

func streamEntry(id string, kv ...string) redis.Reply {
	fs := make([]redis.Reply, len(kv))
	for i, s := range kv {
		fs[i] = streamBulk(s)
	}
	return streamAgg(redis.KindArray, streamBulk(id), streamAgg(redis.KindArray, fs...))
}

func TestStreamDecodeMessages(t *testing.T) {
	// Before Redis 7, XCLAIM returned nil for a deleted entry.
	r := streamAgg(redis.KindArray, streamEntry("1-0", "a", "1"), streamNull,
		streamAgg(redis.KindArray, streamBulk("3-0"), streamNull))
	got, err := streamDecodeMessages(&r)
	require.NoError(t, err)
	assert.Equal(t, []XMessage{
		{ID: "1-0", Fields: []XField{{"a", "1"}}},
		{Deleted: true},
		{ID: "3-0", Deleted: true},
	}, got)

	// Malformed entries are errors, not panics.
	for _, bad := range []redis.Reply{
		streamAgg(redis.KindArray, streamAgg(redis.KindArray, streamBulk("1-0"))),
		streamAgg(redis.KindArray, streamEntry("1-0", "a")),
		streamAgg(redis.KindArray, streamInt(1)),
		streamInt(1),
	} {
		_, err := streamDecodeMessages(&bad)
		assert.Error(t, err, "%v", bad)
	}
	bad := streamAgg(redis.KindArray, streamAgg(redis.KindArray, streamBulk("1-0")))
	_, err = streamDecodeMessages(&bad)
	var ue *UnexpectedReplyError
	assert.True(t, errors.As(err, &ue))
}

func TestStreamDecodeStreamsShapes(t *testing.T) {
	a := streamAgg(redis.KindArray, streamEntry("1-0", "f", "v"))
	b := streamAgg(redis.KindArray, streamEntry("2-0", "g", "w"))
	want := []XStream{
		{Stream: "b", Messages: []XMessage{{ID: "1-0", Fields: []XField{{"f", "v"}}}}},
		{Stream: "a", Messages: []XMessage{{ID: "2-0", Fields: []XField{{"g", "w"}}}}},
	}
	resp3 := streamAgg(redis.KindMap, streamBulk("b"), a, streamBulk("a"), b)
	resp2 := streamAgg(redis.KindArray,
		streamAgg(redis.KindArray, streamBulk("b"), a),
		streamAgg(redis.KindArray, streamBulk("a"), b))
	for _, r := range []redis.Reply{resp3, resp2} {
		got, err := streamDecodeStreams(&r)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := streamDecodeStreams(&streamNull)
	assert.Equal(t, redis.Nil, err)
	bad := streamAgg(redis.KindArray, streamBulk("a"))
	_, err = streamDecodeStreams(&bad)
	assert.Error(t, err)
}

func TestStreamDecodeAutoClaim(t *testing.T) {
	// Redis 6.2 has no third element.
	r := streamAgg(redis.KindArray, streamBulk("0-0"), streamAgg(redis.KindArray, streamEntry("1-0", "a", "1")))
	got, err := streamDecodeAutoClaim(&r)
	require.NoError(t, err)
	assert.Equal(t, XAutoClaimResult{Next: "0-0", Messages: []XMessage{{ID: "1-0", Fields: []XField{{"a", "1"}}}}}, got)
	v, err := streamAutoClaimCallback(&r, CallbackOptions{})
	require.NoError(t, err)
	assert.Equal(t, got, v)

	r = streamAgg(redis.KindArray, streamBulk("5-0"), streamAgg(redis.KindArray, streamBulk("1-0")),
		streamAgg(redis.KindArray, streamBulk("2-0")))
	j, err := streamDecodeAutoClaimJustID(&r)
	require.NoError(t, err)
	assert.Equal(t, XAutoClaimJustIDResult{Next: "5-0", IDs: []string{"1-0"}, Deleted: []string{"2-0"}}, j)
	v, err = streamAutoClaimCallback(&r, CallbackOptions{})
	require.NoError(t, err)
	assert.Equal(t, j, v)

	bad := streamAgg(redis.KindArray, streamBulk("0-0"))
	_, err = streamDecodeAutoClaim(&bad)
	assert.Error(t, err)
}

func TestStreamDecodePending(t *testing.T) {
	r := streamAgg(redis.KindArray, streamInt(0), streamNull, streamNull, streamNull)
	p, err := streamDecodePending(&r)
	require.NoError(t, err)
	assert.Equal(t, XPending{Consumers: map[string]int64{}}, p)
	for _, bad := range []redis.Reply{
		streamAgg(redis.KindArray, streamInt(0)),
		streamAgg(redis.KindArray, streamInt(1), streamBulk("1-0"), streamBulk("1-0"),
			streamAgg(redis.KindArray, streamAgg(redis.KindArray, streamBulk("c")))),
	} {
		_, err := streamDecodePending(&bad)
		assert.Error(t, err)
	}
	bad := streamAgg(redis.KindArray, streamAgg(redis.KindArray, streamBulk("1-0"), streamBulk("c"), streamInt(5)))
	_, err = streamDecodePendingExt(&bad)
	assert.Error(t, err)
}

func TestStreamDecodeInfo(t *testing.T) {
	// Redis 7.2 adds "inactive" (and an unknown field is skipped); 7.0 has
	// neither, which leaves Inactive at -1.
	m := func(kind redis.Kind, es ...redis.Reply) redis.Reply { return streamAgg(kind, es...) }
	for _, kind := range []redis.Kind{redis.KindMap, redis.KindArray} {
		r := m(redis.KindArray,
			m(kind, streamBulk("name"), streamBulk("a"), streamBulk("pending"), streamInt(2),
				streamBulk("idle"), streamInt(1500), streamBulk("inactive"), streamInt(250), streamBulk("future"), streamInt(1)),
			m(kind, streamBulk("name"), streamBulk("b"), streamBulk("pending"), streamInt(0), streamBulk("idle"), streamInt(1)))
		got, err := streamDecodeInfoConsumers(&r)
		require.NoError(t, err)
		assert.Equal(t, []XInfoConsumer{
			{Name: "a", Pending: 2, Idle: 1500 * time.Millisecond, Inactive: 250 * time.Millisecond},
			{Name: "b", Idle: time.Millisecond, Inactive: -1},
		}, got)
	}
	// A field name that is not text, and odd pairs, are errors.
	bad := m(redis.KindArray, m(redis.KindMap, streamInt(1), streamInt(1)))
	_, err := streamDecodeInfoConsumers(&bad)
	assert.Error(t, err)
	bad = m(redis.KindArray, m(redis.KindArray, streamBulk("name")))
	_, err = streamDecodeInfoGroups(&bad)
	assert.Error(t, err)
	bad = m(redis.KindMap, streamBulk("length"), streamBulk("x"))
	_, err = streamDecodeInfoStream(&bad)
	assert.Error(t, err)

	// FULL with Redis 7.2's active-time.
	full := m(redis.KindMap, streamBulk("length"), streamInt(0), streamBulk("entries"), m(redis.KindArray),
		streamBulk("groups"), m(redis.KindArray, m(redis.KindMap,
			streamBulk("name"), streamBulk("g"), streamBulk("entries-read"), streamNull, streamBulk("lag"), streamNull,
			streamBulk("pending"), m(redis.KindArray),
			streamBulk("consumers"), m(redis.KindArray, m(redis.KindMap,
				streamBulk("name"), streamBulk("c"), streamBulk("seen-time"), streamInt(1000), streamBulk("active-time"), streamInt(2000),
				streamBulk("pel-count"), streamInt(0), streamBulk("pending"), m(redis.KindArray))))))
	v, err := streamInfoStreamCallback(&full, CallbackOptions{})
	require.NoError(t, err)
	require.IsType(t, XInfoStreamFull{}, v)
	f := v.(XInfoStreamFull)
	require.Len(t, f.Groups, 1)
	assert.Equal(t, int64(-1), f.Groups[0].EntriesRead)
	assert.Equal(t, int64(-1), f.Groups[0].Lag)
	assert.Equal(t, []XInfoStreamConsumer{{Name: "c", SeenTime: time.UnixMilli(1000), ActiveTime: time.UnixMilli(2000),
		Pending: []XInfoStreamConsumerPending{}}}, f.Groups[0].Consumers)
}

// The arguments each method sends, read off a queueing engine.
func TestStreamArgs(t *testing.T) {
	bg := context.Background()
	for _, tc := range []struct {
		f    func(c Cmdable)
		want []any
	}{
		{func(c Cmdable) {
			c.XAdd(bg, XAddArgs{Stream: "s", NoMkStream: true, MaxLen: 10, Approx: true, Limit: 5,
				Fields: []XAddField{{"z", 1}, {"a", 2}}, Values: map[string]any{"c": 3, "b": 4}})
		}, []any{"XADD", "s", "NOMKSTREAM", "MAXLEN", "~", 10, "LIMIT", 5, "*", "z", 1, "a", 2, "b", 4, "c", 3}},
		{func(c Cmdable) {
			c.XAdd(bg, XAddArgs{Stream: "s", MinID: "5", ID: "6-0", Values: map[string]any{"a": 1}})
		},
			[]any{"XADD", "s", "MINID", "=", "5", "6-0", "a", 1}},
		{func(c Cmdable) {
			c.XClaim(bg, XClaimArgs{Stream: "s", Group: "g", Consumer: "c", MinIdle: time.Second, IDs: []string{"1-0", "2-0"},
				Idle: 2 * time.Second, Time: time.UnixMilli(1234), RetryCount: new(int64(0)), Force: true, LastID: "3-0"})
		}, []any{"XCLAIM", "s", "g", "c", 1000, "1-0", "2-0", "IDLE", 2000, "TIME", 1234, "RETRYCOUNT", 0, "FORCE", "LASTID", "3-0"}},
		{func(c Cmdable) {
			c.XClaimJustID(bg, XClaimArgs{Stream: "s", Group: "g", Consumer: "c", IDs: []string{"1-0"}})
		},
			[]any{"XCLAIM", "s", "g", "c", 0, "1-0", "JUSTID"}},
		{func(c Cmdable) {
			c.XAutoClaimJustID(bg, XAutoClaimArgs{Stream: "s", Group: "g", Consumer: "c", Count: 3})
		},
			[]any{"XAUTOCLAIM", "s", "g", "c", 0, "0-0", "COUNT", 3, "JUSTID"}},
		{func(c Cmdable) {
			c.XPendingExt(bg, XPendingExtArgs{Stream: "s", Group: "g", Idle: time.Minute, Count: 10, Consumer: "c"})
		},
			[]any{"XPENDING", "s", "g", "IDLE", 60000, "-", "+", 10, "c"}},
		{func(c Cmdable) { c.XRead(bg, XReadArgs{Streams: []string{"a", "b"}, Count: 2, Block: XBlockForever}) },
			[]any{"XREAD", "COUNT", 2, "BLOCK", 0, "STREAMS", "a", "b", "$", "$"}},
		{func(c Cmdable) {
			c.XReadGroup(bg, XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{"a", "b"}, IDs: []string{"0", ">"},
				Block: 1500 * time.Microsecond, NoAck: true})
		}, []any{"XREADGROUP", "GROUP", "g", "c", "NOACK", "BLOCK", 2, "STREAMS", "a", "b", "0", ">"}},
		{func(c Cmdable) { c.XReadGroup(bg, XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{"a"}}) },
			[]any{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"}},
		{func(c Cmdable) { c.XInfoStreamFull(bg, "s", -1) }, []any{"XINFO", "STREAM", "s", "FULL", "COUNT", 0}},
		{func(c Cmdable) { c.XInfoStreamFull(bg, "s", 0) }, []any{"XINFO", "STREAM", "s", "FULL"}},
		{func(c Cmdable) {
			c.XGroupCreateWithArgs(bg, "s", "g", "$", XGroupCreateArgs{MkStream: true, EntriesRead: new(int64(0))})
		}, []any{"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM", "ENTRIESREAD", 0}},
		{func(c Cmdable) { c.XGroupCreateWithArgs(bg, "s", "g", "$", XGroupCreateArgs{}) }, []any{"XGROUP", "CREATE", "s", "g", "$"}},
		{func(c Cmdable) {
			c.XSetIDWithArgs(bg, "s", "5-0", XSetIDArgs{EntriesAdded: new(int64(7)), MaxDeletedID: "4-0"})
		},
			[]any{"XSETID", "s", "5-0", "ENTRIESADDED", 7, "MAXDELETEDID", "4-0"}},
		{func(c Cmdable) { c.XTrimMinIDApprox(bg, "s", "5-0", 100) }, []any{"XTRIM", "s", "MINID", "~", "5-0", "LIMIT", 100}},
		{func(c Cmdable) { c.XTrimMaxLen(bg, "s", 0) }, []any{"XTRIM", "s", "MAXLEN", "=", 0}},
	} {
		var q Queue
		tc.f(NewCmdable(NewEngine(nil, false).WithQueue(&q)))
		want, err := redis.AppendCommand(nil, tc.want...)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(q.buf))
	}

	// Blocking reads tell the queue how long they may wait.
	var q Queue
	c := NewCmdable(NewEngine(nil, false).WithQueue(&q))
	c.XRead(bg, XReadArgs{Streams: []string{"a"}, Block: time.Second})
	assert.Equal(t, time.Second, q.block)
	c.XRead(bg, XReadArgs{Streams: []string{"a"}, Block: XBlockForever})
	assert.Less(t, q.block, time.Duration(0))

	// A length mismatch queues nothing.
	q.Reset()
	err := c.XReadGroup(bg, XReadGroupArgs{Streams: []string{"a", "b"}, IDs: []string{">"}}).Err()
	var de *redis.DataError
	assert.True(t, errors.As(err, &de), "%v", err)
	assert.Equal(t, 0, q.Len())

	assert.Equal(t, int64(1), streamMillis(time.Microsecond))
	assert.Equal(t, int64(2), streamMillis(1500*time.Microsecond))
	assert.Equal(t, int64(5), streamMillis(5*time.Millisecond))
	assert.Equal(t, int64(0), streamMillis(0))
}
