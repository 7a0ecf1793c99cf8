package client_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// xmsg builds an expected entry from alternating names and values.
func xmsg(id string, kv ...string) client.XMessage {
	m := client.XMessage{ID: id, Fields: []client.XField{}}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Fields = append(m.Fields, client.XField{Name: kv[i], Value: kv[i+1]})
	}
	return m
}

func ids(msgs []client.XMessage) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// streamFresh deletes the keys a previous run of the test left (go test
// -count=N reuses the shared server and the key names).
func streamFresh(t *testing.T, rdb *client.Client, k keyspace) {
	keys, err := rdb.Keys(ctx, k.Key("*")).Result()
	require.NoError(t, err)
	if len(keys) > 0 {
		require.NoError(t, rdb.Del(ctx, keys...).Err())
	}
}

func requirePrefix(t *testing.T, err error, prefix string) {
	t.Helper()
	var re *redis.Error
	require.True(t, errors.As(err, &re), "want a server error %s, got %v", prefix, err)
	assert.Equal(t, prefix, re.Prefix())
}

func TestStreamAddRange(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		streamFresh(t, rdb, k)
		s := k.Key("s")
		// Values from a map go in name order; Fields keep theirs, repeats too.
		id, err := rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "1-1", Values: map[string]any{"b": 2, "a": 1.5, "c": []byte("x")}}).Result()
		require.NoError(t, err)
		assert.Equal(t, "1-1", id)
		require.NoError(t, rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "2-1", Fields: []client.XAddField{
			{Name: "z", Value: "1"}, {Name: "a", Value: 2}, {Name: "z", Value: "3"}}}).Err())
		auto, err := rdb.XAdd(ctx, client.XAddArgs{Stream: s, Fields: []client.XAddField{{Name: "f", Value: "v"}},
			Values: map[string]any{"g": "w"}}).Result()
		require.NoError(t, err)
		assert.Regexp(t, `^\d+-\d+$`, auto)
		assert.Equal(t, int64(3), rdb.XLen(ctx, s).Val())
		assert.Equal(t, int64(0), rdb.XLen(ctx, k.Key("none")).Val())

		all, err := rdb.XRange(ctx, s, "-", "+").Result()
		require.NoError(t, err)
		require.Len(t, all, 3)
		assert.Equal(t, xmsg("1-1", "a", "1.5", "b", "2", "c", "x"), all[0])
		assert.Equal(t, xmsg("2-1", "z", "1", "a", "2", "z", "3"), all[1])
		assert.Equal(t, xmsg(auto, "f", "v", "g", "w"), all[2])
		assert.Equal(t, map[string]string{"z": "3", "a": "2"}, all[1].Values())
		v, ok := all[1].Value("z")
		assert.True(t, ok)
		assert.Equal(t, "3", v)
		_, ok = all[1].Value("nope")
		assert.False(t, ok)

		assert.Equal(t, []string{"1-1", "2-1"}, ids(rdb.XRangeN(ctx, s, "-", "+", 2).Val()))
		assert.Equal(t, []string{"2-1"}, ids(rdb.XRange(ctx, s, "(1-1", "2-1").Val()))
		assert.Equal(t, []string{auto, "2-1", "1-1"}, ids(rdb.XRevRange(ctx, s, "+", "-").Val()))
		assert.Equal(t, []string{auto}, ids(rdb.XRevRangeN(ctx, s, "+", "-", 1).Val()))
		empty, err := rdb.XRange(ctx, k.Key("none"), "-", "+").Result()
		require.NoError(t, err)
		assert.Empty(t, empty)

		// XDEL.
		assert.Equal(t, int64(1), rdb.XDel(ctx, s, "2-1", "9-9").Val())
		assert.Equal(t, []string{"1-1", auto}, ids(rdb.XRange(ctx, s, "-", "+").Val()))

		// NOMKSTREAM on a missing stream is redis.Nil; on an existing one it adds.
		_, err = rdb.XAdd(ctx, client.XAddArgs{Stream: k.Key("none"), NoMkStream: true, Values: map[string]any{"a": 1}}).Result()
		assert.True(t, errors.Is(err, redis.Nil), "%v", err)
		assert.Equal(t, int64(0), rdb.Exists(ctx, k.Key("none")).Val())
		require.NoError(t, rdb.XAdd(ctx, client.XAddArgs{Stream: s, NoMkStream: true, ID: "9999999999999-0", Values: map[string]any{"a": 1}}).Err())

		// An ID not above the last one is a server error.
		requirePrefix(t, rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "1-1", Values: map[string]any{"a": 1}}).Err(), "ERR")
		// A value that cannot be sent is a DataError, and nothing is sent.
		var de *redis.DataError
		require.True(t, errors.As(rdb.XAdd(ctx, client.XAddArgs{Stream: s, Values: map[string]any{"a": true}}).Err(), &de))
		assert.Equal(t, int64(3), rdb.XLen(ctx, s).Val())

		// WRONGTYPE.
		str := k.Key("str")
		rdb.Set(ctx, str, "x", 0)
		requirePrefix(t, rdb.XAdd(ctx, client.XAddArgs{Stream: str, Values: map[string]any{"a": 1}}).Err(), "WRONGTYPE")
		requirePrefix(t, rdb.XRange(ctx, str, "-", "+").Err(), "WRONGTYPE")
		requirePrefix(t, rdb.XLen(ctx, str).Err(), "WRONGTYPE")
	})
}

func TestStreamTrim(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		streamFresh(t, rdb, k)
		s := k.Key("s")
		fill := func(n int) {
			rdb.Del(ctx, s)
			for i := 1; i <= n; i++ {
				require.NoError(t, rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: strconv.Itoa(i) + "-0",
					Values: map[string]any{"i": i}}).Err())
			}
		}
		// XADD with MAXLEN = and MINID =.
		fill(5)
		require.NoError(t, rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "6-0", MaxLen: 3, Values: map[string]any{"i": 6}}).Err())
		assert.Equal(t, []string{"4-0", "5-0", "6-0"}, ids(rdb.XRange(ctx, s, "-", "+").Val()))
		require.NoError(t, rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "7-0", MinID: "6", Values: map[string]any{"i": 7}}).Err())
		assert.Equal(t, []string{"6-0", "7-0"}, ids(rdb.XRange(ctx, s, "-", "+").Val()))
		// Approximate trimming with LIMIT: a small stream (one radix node) is
		// not trimmed at all, which is what "~" allows.
		require.NoError(t, rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "8-0", MaxLen: 1, Approx: true, Limit: 10, Values: map[string]any{"i": 8}}).Err())
		assert.Equal(t, int64(3), rdb.XLen(ctx, s).Val())

		fill(10)
		assert.Equal(t, int64(4), rdb.XTrimMaxLen(ctx, s, 6).Val())
		assert.Equal(t, int64(6), rdb.XLen(ctx, s).Val())
		assert.Equal(t, int64(2), rdb.XTrimMinID(ctx, s, "7-0").Val())
		assert.Equal(t, "7-0", rdb.XRangeN(ctx, s, "-", "+", 1).Val()[0].ID)
		assert.Equal(t, int64(0), rdb.XTrimMaxLenApprox(ctx, s, 1, 0).Val())
		assert.Equal(t, int64(0), rdb.XTrimMinIDApprox(ctx, s, "10-0", 5).Val())
		assert.Equal(t, int64(4), rdb.XTrimMaxLen(ctx, s, 0).Val())
		assert.Equal(t, int64(0), rdb.XLen(ctx, s).Val())
		assert.Equal(t, int64(0), rdb.XTrimMaxLen(ctx, k.Key("none"), 1).Val())

		// Approximate trimming that does evict: whole radix nodes (100 entries
		// each by default) go.
		rdb.Del(ctx, s)
		for i := 0; i < 250; i++ {
			rdb.XAdd(ctx, client.XAddArgs{Stream: s, Values: map[string]any{"i": i}})
		}
		assert.Equal(t, int64(100), rdb.XTrimMaxLenApprox(ctx, s, 120, 0).Val())
		assert.Equal(t, int64(150), rdb.XLen(ctx, s).Val())
		// LIMIT caps the eviction below a node, so nothing goes.
		assert.Equal(t, int64(0), rdb.XTrimMaxLenApprox(ctx, s, 10, 50).Val())
		first := rdb.XRangeN(ctx, s, "-", "+", 1).Val()[0].ID
		last := rdb.XRevRangeN(ctx, s, "+", "-", 1).Val()[0].ID
		assert.Equal(t, int64(100), rdb.XTrimMinIDApprox(ctx, s, last, 0).Val(), "first %s", first)
		requirePrefix(t, rdb.XTrimMinID(ctx, s, "bad").Err(), "ERR")
	})
}

func TestStreamRead(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		streamFresh(t, rdb, k)
		a, b := k.Key("a"), k.Key("b")
		for _, id := range []string{"1-0", "2-0", "3-0"} {
			rdb.XAdd(ctx, client.XAddArgs{Stream: a, ID: id, Values: map[string]any{"s": "a"}})
		}
		rdb.XAdd(ctx, client.XAddArgs{Stream: b, ID: "5-0", Values: map[string]any{"s": "b"}})

		// Streams come back in the order asked, under both protocols.
		got, err := rdb.XRead(ctx, client.XReadArgs{Streams: []string{b, a}, IDs: []string{"0", "1-0"}}).Result()
		require.NoError(t, err)
		assert.Equal(t, []client.XStream{
			{Stream: b, Messages: []client.XMessage{xmsg("5-0", "s", "b")}},
			{Stream: a, Messages: []client.XMessage{xmsg("2-0", "s", "a"), xmsg("3-0", "s", "a")}},
		}, got)
		got, err = rdb.XRead(ctx, client.XReadArgs{Streams: []string{a, b}, IDs: []string{"0", "0"}, Count: 1}).Result()
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, a, got[0].Stream)
		assert.Equal(t, []string{"1-0"}, ids(got[0].Messages))
		// A stream with nothing new is left out.
		got, err = rdb.XRead(ctx, client.XReadArgs{Streams: []string{a, b}, IDs: []string{"3-0", "0"}}).Result()
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, b, got[0].Stream)

		// Nothing to read, without BLOCK: redis.Nil.
		_, err = rdb.XRead(ctx, client.XReadArgs{Streams: []string{a}, IDs: []string{"3-0"}}).Result()
		assert.True(t, errors.Is(err, redis.Nil), "%v", err)
		_, err = rdb.XRead(ctx, client.XReadArgs{Streams: []string{a, k.Key("none")}}).Result() // "$"
		assert.True(t, errors.Is(err, redis.Nil), "%v", err)

		// BLOCK that times out: redis.Nil, after about that long.
		start := time.Now()
		_, err = rdb.XRead(ctx, client.XReadArgs{Streams: []string{a}, Block: 50 * time.Millisecond}).Result()
		assert.True(t, errors.Is(err, redis.Nil), "%v", err)
		assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
		// A sub-millisecond block is at least BLOCK 1, never BLOCK 0 (forever).
		_, err = rdb.XRead(ctx, client.XReadArgs{Streams: []string{a}, Block: time.Microsecond}).Result()
		assert.True(t, errors.Is(err, redis.Nil), "%v", err)

		// BLOCK that receives an entry added by another goroutine, with a
		// limit and without one.
		for _, block := range []time.Duration{5 * time.Second, client.XBlockForever} {
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			done := make(chan error, 1)
			go func() {
				time.Sleep(30 * time.Millisecond)
				done <- rdb.XAdd(cctx, client.XAddArgs{Stream: b, Values: map[string]any{"new": block.String()}}).Err()
			}()
			got, err = rdb.XRead(cctx, client.XReadArgs{Streams: []string{a, b}, Block: block}).Result()
			// The reader may wake before XADD's own reply arrives: wait for
			// the writer before cancelling the context they share.
			require.NoError(t, <-done)
			cancel()
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, b, got[0].Stream)
			require.Len(t, got[0].Messages, 1)
			assert.Equal(t, map[string]string{"new": block.String()}, got[0].Messages[0].Values())
		}

		// One ID per stream, or nil.
		var de *redis.DataError
		require.True(t, errors.As(rdb.XRead(ctx, client.XReadArgs{Streams: []string{a, b}, IDs: []string{"0"}}).Err(), &de))

		str := k.Key("str")
		rdb.Set(ctx, str, "x", 0)
		requirePrefix(t, rdb.XRead(ctx, client.XReadArgs{Streams: []string{str}, IDs: []string{"0"}}).Err(), "WRONGTYPE")
	})
}

func TestStreamConsumerGroups(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		streamFresh(t, rdb, k)
		s := k.Key("s")
		// Create: a missing stream is an error without MKSTREAM.
		requirePrefix(t, rdb.XGroupCreate(ctx, s, "g", "$").Err(), "ERR")
		assert.Equal(t, "OK", rdb.XGroupCreateMkStream(ctx, s, "g", "$").Val())
		requirePrefix(t, rdb.XGroupCreate(ctx, s, "g", "$").Err(), "BUSYGROUP")
		assert.Equal(t, int64(0), rdb.XLen(ctx, s).Val())

		for i, id := range []string{"1-0", "2-0", "3-0", "4-0"} {
			rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: id, Values: map[string]any{"n": i + 1}})
		}
		assert.Equal(t, int64(1), rdb.XGroupCreateConsumer(ctx, s, "g", "alice").Val())
		assert.Equal(t, int64(0), rdb.XGroupCreateConsumer(ctx, s, "g", "alice").Val())

		// Read new entries: alice gets two, bob the rest.
		got, err := rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "alice", Streams: []string{s}, Count: 2}).Result()
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, s, got[0].Stream)
		assert.Equal(t, []client.XMessage{xmsg("1-0", "n", "1"), xmsg("2-0", "n", "2")}, got[0].Messages)
		got, err = rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "bob", Streams: []string{s}, IDs: []string{">"}}).Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"3-0", "4-0"}, ids(got[0].Messages))
		_, err = rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "bob", Streams: []string{s}}).Result()
		assert.True(t, errors.Is(err, redis.Nil), "%v", err)

		// Pending summary and extended form.
		p, err := rdb.XPending(ctx, s, "g").Result()
		require.NoError(t, err)
		assert.Equal(t, client.XPending{Count: 4, Lower: "1-0", Higher: "4-0", Consumers: map[string]int64{"alice": 2, "bob": 2}}, p)
		ext, err := rdb.XPendingExt(ctx, client.XPendingExtArgs{Stream: s, Group: "g", Count: 10}).Result()
		require.NoError(t, err)
		require.Len(t, ext, 4)
		assert.Equal(t, "1-0", ext[0].ID)
		assert.Equal(t, "alice", ext[0].Consumer)
		assert.Equal(t, int64(1), ext[0].RetryCount)
		assert.Less(t, ext[0].Idle, 10*time.Second)
		ext, err = rdb.XPendingExt(ctx, client.XPendingExtArgs{Stream: s, Group: "g", Start: "2-0", End: "4-0", Count: 2, Consumer: "bob"}).Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"3-0", "4-0"}, []string{ext[0].ID, ext[1].ID})
		assert.Equal(t, "bob", ext[1].Consumer)

		// XCLAIM with IDLE, RETRYCOUNT and FORCE; then with TIME and JUSTID.
		claimed, err := rdb.XClaim(ctx, client.XClaimArgs{Stream: s, Group: "g", Consumer: "carol", IDs: []string{"1-0", "3-0"},
			Idle: time.Hour, RetryCount: new(int64(7))}).Result()
		require.NoError(t, err)
		assert.Equal(t, []client.XMessage{xmsg("1-0", "n", "1"), xmsg("3-0", "n", "3")}, claimed)
		ext, err = rdb.XPendingExt(ctx, client.XPendingExtArgs{Stream: s, Group: "g", Idle: 30 * time.Minute, Count: 10}).Result()
		require.NoError(t, err)
		require.Len(t, ext, 2)
		assert.Equal(t, "carol", ext[0].Consumer)
		assert.Equal(t, int64(7), ext[0].RetryCount, "RETRYCOUNT set it, and XCLAIM without JUSTID did not add one")
		assert.GreaterOrEqual(t, ext[0].Idle, time.Hour)
		// MinIdle higher than the entries' idle time: nothing is claimed.
		claimed, err = rdb.XClaim(ctx, client.XClaimArgs{Stream: s, Group: "g", Consumer: "dave", MinIdle: time.Hour, IDs: []string{"2-0"}}).Result()
		require.NoError(t, err)
		assert.Empty(t, claimed)
		justIDs, err := rdb.XClaimJustID(ctx, client.XClaimArgs{Stream: s, Group: "g", Consumer: "dave", IDs: []string{"2-0", "4-0"},
			Time: time.Now().Add(-2 * time.Hour)}).Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"2-0", "4-0"}, justIDs)
		ext = rdb.XPendingExt(ctx, client.XPendingExtArgs{Stream: s, Group: "g", Consumer: "dave", Count: 10}).Val()
		require.Len(t, ext, 2)
		assert.Equal(t, int64(1), ext[0].RetryCount, "JUSTID does not count a delivery")
		assert.InDelta(t, float64(2*time.Hour), float64(ext[0].Idle), float64(time.Minute))

		// FORCE makes an acknowledged entry pending again.
		assert.Equal(t, int64(1), rdb.XAck(ctx, s, "g", "2-0", "9-0").Val())
		claimed, err = rdb.XClaim(ctx, client.XClaimArgs{Stream: s, Group: "g", Consumer: "erin", IDs: []string{"2-0"}, Force: true}).Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"2-0"}, ids(claimed))

		// XAUTOCLAIM: pages through the pending list; deleted entries are
		// reported and dropped from it.
		assert.Equal(t, int64(1), rdb.XDel(ctx, s, "3-0").Val())
		ac, err := rdb.XAutoClaim(ctx, client.XAutoClaimArgs{Stream: s, Group: "g", Consumer: "frank", MinIdle: time.Minute, Count: 2}).Result()
		require.NoError(t, err)
		assert.Equal(t, []client.XMessage{xmsg("1-0", "n", "1")}, ac.Messages, "3-0 is deleted, 2-0 not idle enough")
		assert.Equal(t, []string{"3-0"}, ac.Deleted)
		assert.Equal(t, "4-0", ac.Next)
		acj, err := rdb.XAutoClaimJustID(ctx, client.XAutoClaimArgs{Stream: s, Group: "g", Consumer: "frank", MinIdle: time.Minute, Start: ac.Next}).Result()
		require.NoError(t, err)
		assert.Equal(t, client.XAutoClaimJustIDResult{Next: "0-0", IDs: []string{"4-0"}, Deleted: []string{}}, acj)
		p = rdb.XPending(ctx, s, "g").Val()
		assert.Equal(t, int64(3), p.Count)
		assert.Equal(t, map[string]int64{"erin": 1, "frank": 2}, p.Consumers)

		// A consumer's history: an entry deleted since it was delivered comes
		// back with its ID and Deleted set.
		rdb.XDel(ctx, s, "4-0")
		got, err = rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "frank", Streams: []string{s}, IDs: []string{"0"}}).Result()
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, []client.XMessage{xmsg("1-0", "n", "1"), {ID: "4-0", Deleted: true}}, got[0].Messages)
		// An empty history is an empty stream entry, not redis.Nil.
		got, err = rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "nobody", Streams: []string{s}, IDs: []string{"0"}}).Result()
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Empty(t, got[0].Messages)

		// INFO: groups, consumers, stream.
		groups, err := rdb.XInfoGroups(ctx, s).Result()
		require.NoError(t, err)
		require.Len(t, groups, 1)
		assert.Equal(t, client.XInfoGroup{Name: "g", Consumers: 7, Pending: 3, LastDeliveredID: "4-0", EntriesRead: 4, Lag: 0}, groups[0])
		cons, err := rdb.XInfoConsumers(ctx, s, "g").Result()
		require.NoError(t, err)
		byName := map[string]client.XInfoConsumer{}
		for _, c := range cons {
			byName[c.Name] = c
			assert.GreaterOrEqual(t, c.Idle, time.Duration(0))
			assert.Less(t, c.Idle, time.Minute)
		}
		assert.Len(t, byName, 7)
		assert.Equal(t, int64(2), byName["frank"].Pending)
		assert.Equal(t, int64(0), byName["alice"].Pending)

		info, err := rdb.XInfoStream(ctx, s).Result()
		require.NoError(t, err)
		assert.Equal(t, int64(2), info.Length)
		assert.Equal(t, int64(1), info.Groups)
		assert.Equal(t, "4-0", info.LastGeneratedID)
		assert.Equal(t, "4-0", info.MaxDeletedEntryID)
		assert.Equal(t, int64(4), info.EntriesAdded)
		assert.Equal(t, "1-0", info.RecordedFirstEntryID)
		assert.Equal(t, xmsg("1-0", "n", "1"), info.FirstEntry)
		assert.Equal(t, xmsg("2-0", "n", "2"), info.LastEntry)
		assert.Positive(t, info.RadixTreeKeys)
		assert.Positive(t, info.RadixTreeNodes)

		full, err := rdb.XInfoStreamFull(ctx, s, 0).Result()
		require.NoError(t, err)
		assert.Equal(t, int64(2), full.Length)
		assert.Equal(t, int64(4), full.EntriesAdded)
		assert.Equal(t, []client.XMessage{xmsg("1-0", "n", "1"), xmsg("2-0", "n", "2")}, full.Entries)
		require.Len(t, full.Groups, 1)
		fg := full.Groups[0]
		assert.Equal(t, "g", fg.Name)
		assert.Equal(t, "4-0", fg.LastDeliveredID)
		assert.Equal(t, int64(4), fg.EntriesRead)
		assert.Equal(t, int64(0), fg.Lag)
		assert.Equal(t, int64(3), fg.PelCount)
		require.Len(t, fg.Pending, 3)
		assert.Equal(t, "1-0", fg.Pending[0].ID)
		assert.Equal(t, "frank", fg.Pending[0].Consumer)
		// 7 from RETRYCOUNT, one from XAUTOCLAIM, one from reading history.
		assert.Equal(t, int64(9), fg.Pending[0].DeliveryCount)
		assert.WithinDuration(t, time.Now(), fg.Pending[0].DeliveryTime, time.Minute)
		require.Len(t, fg.Consumers, 7)
		var frank client.XInfoStreamConsumer
		for _, c := range fg.Consumers {
			if c.Name == "frank" {
				frank = c
			}
		}
		assert.Equal(t, int64(2), frank.PelCount)
		assert.WithinDuration(t, time.Now(), frank.SeenTime, time.Minute)
		require.Len(t, frank.Pending, 2)
		assert.Equal(t, "4-0", frank.Pending[1].ID)
		assert.Equal(t, int64(1), frank.Pending[1].DeliveryCount)
		full = rdb.XInfoStreamFull(ctx, s, 1).Val()
		assert.Len(t, full.Entries, 1)
		assert.Len(t, full.Groups[0].Pending, 1)
		full = rdb.XInfoStreamFull(ctx, s, -1).Val()
		assert.Len(t, full.Entries, 2)
		assert.Len(t, full.Groups[0].Pending, 3)

		// Delete consumers: their pending entries go with them.
		assert.Equal(t, int64(2), rdb.XGroupDelConsumer(ctx, s, "g", "frank").Val())
		assert.Equal(t, int64(0), rdb.XGroupDelConsumer(ctx, s, "g", "alice").Val())
		assert.Equal(t, int64(1), rdb.XPending(ctx, s, "g").Val().Count)
		assert.Equal(t, int64(1), rdb.XAck(ctx, s, "g", "2-0").Val())
		p = rdb.XPending(ctx, s, "g").Val()
		assert.Equal(t, client.XPending{Consumers: map[string]int64{}}, p, "nothing pending: zero count, no bounds")
		assert.Empty(t, rdb.XPendingExt(ctx, client.XPendingExtArgs{Stream: s, Group: "g", Count: 10}).Val())

		// SETID rewinds the group; ENTRIESREAD sets what its lag is computed from.
		assert.Equal(t, "OK", rdb.XGroupSetID(ctx, s, "g", "0").Val())
		got = rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "bob", Streams: []string{s}, NoAck: true}).Val()
		require.Len(t, got, 1)
		assert.Equal(t, []string{"1-0", "2-0"}, ids(got[0].Messages))
		assert.Equal(t, int64(0), rdb.XPending(ctx, s, "g").Val().Count, "NOACK adds nothing to the pending list")
		assert.Equal(t, "OK", rdb.XGroupSetIDEntriesRead(ctx, s, "g", "1-0", 3).Val())
		groups = rdb.XInfoGroups(ctx, s).Val()
		assert.Equal(t, "1-0", groups[0].LastDeliveredID)
		assert.Equal(t, int64(3), groups[0].EntriesRead)
		assert.Equal(t, int64(-1), groups[0].Lag, "entries deleted after the group's position make the lag unknown (nil)")

		// Create with ENTRIESREAD; a group at an arbitrary ID without it has
		// unknown entries-read and lag (-1).
		assert.Equal(t, "OK", rdb.XGroupCreateWithArgs(ctx, s, "g2", "1-0", client.XGroupCreateArgs{EntriesRead: new(int64(3))}).Val())
		assert.Equal(t, "OK", rdb.XGroupCreate(ctx, s, "g3", "1-5").Val())
		groups = rdb.XInfoGroups(ctx, s).Val()
		require.Len(t, groups, 3)
		assert.Equal(t, "g2", groups[1].Name)
		assert.Equal(t, int64(3), groups[1].EntriesRead)
		assert.Equal(t, "g3", groups[2].Name)
		assert.Equal(t, int64(-1), groups[2].EntriesRead)
		assert.Equal(t, int64(-1), groups[2].Lag)
		full = rdb.XInfoStreamFull(ctx, s, 0).Val()
		require.Len(t, full.Groups, 3)
		assert.Equal(t, int64(-1), full.Groups[2].EntriesRead)
		assert.Equal(t, "OK", rdb.XGroupCreateWithArgs(ctx, k.Key("new"), "g", "$", client.XGroupCreateArgs{MkStream: true}).Val())
		assert.Equal(t, int64(1), rdb.Exists(ctx, k.Key("new")).Val())

		// Lag on a stream without deletions: entries added minus entries read.
		f := k.Key("f")
		for _, id := range []string{"1-0", "2-0", "3-0"} {
			rdb.XAdd(ctx, client.XAddArgs{Stream: f, ID: id, Values: map[string]any{"a": 1}})
		}
		require.NoError(t, rdb.XGroupCreate(ctx, f, "g", "0").Err())
		require.NoError(t, rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{f}, Count: 1}).Err())
		assert.Equal(t, []client.XInfoGroup{{Name: "g", Consumers: 1, Pending: 1, LastDeliveredID: "1-0", EntriesRead: 1, Lag: 2}},
			rdb.XInfoGroups(ctx, f).Val())

		// Destroy.
		assert.Equal(t, int64(1), rdb.XGroupDestroy(ctx, s, "g2").Val())
		assert.Equal(t, int64(0), rdb.XGroupDestroy(ctx, s, "g2").Val())
		assert.Len(t, rdb.XInfoGroups(ctx, s).Val(), 2)

		// Errors: unknown group, missing stream.
		requirePrefix(t, rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "nope", Consumer: "c", Streams: []string{s}}).Err(), "NOGROUP")
		requirePrefix(t, rdb.XInfoConsumers(ctx, s, "nope").Err(), "NOGROUP")
		requirePrefix(t, rdb.XPending(ctx, s, "nope").Err(), "NOGROUP")
		requirePrefix(t, rdb.XInfoStream(ctx, k.Key("none")).Err(), "ERR")
		requirePrefix(t, rdb.XInfoGroups(ctx, k.Key("none")).Err(), "ERR")
	})
}

func TestStreamReadGroupBlocking(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		streamFresh(t, rdb, k)
		a, b := k.Key("a"), k.Key("b")
		require.NoError(t, rdb.XGroupCreateMkStream(ctx, a, "g", "$").Err())
		require.NoError(t, rdb.XGroupCreateMkStream(ctx, b, "g", "$").Err())

		start := time.Now()
		_, err := rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{a, b}, Block: 50 * time.Millisecond}).Result()
		assert.True(t, errors.Is(err, redis.Nil), "%v", err)
		assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)

		for _, block := range []time.Duration{5 * time.Second, client.XBlockForever} {
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			done := make(chan error, 1)
			go func() {
				time.Sleep(30 * time.Millisecond)
				done <- rdb.XAdd(cctx, client.XAddArgs{Stream: b, Values: map[string]any{"k": "v"}}).Err()
			}()
			got, err := rdb.XReadGroup(cctx, client.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{a, b}, Block: block, Count: 10}).Result()
			require.NoError(t, <-done)
			cancel()
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, b, got[0].Stream)
			require.Len(t, got[0].Messages, 1)
			assert.Equal(t, []client.XField{{Name: "k", Value: "v"}}, got[0].Messages[0].Fields)
		}
		assert.Equal(t, int64(2), rdb.XPending(ctx, b, "g").Val().Count)
	})
}

func TestStreamSetID(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		streamFresh(t, rdb, k)
		s := k.Key("s")
		rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "5-0", Values: map[string]any{"a": 1}})
		assert.Equal(t, "OK", rdb.XSetID(ctx, s, "10-0").Val())
		assert.Equal(t, "10-0", rdb.XInfoStream(ctx, s).Val().LastGeneratedID)
		requirePrefix(t, rdb.XSetID(ctx, s, "1-0").Err(), "ERR") // below the top entry
		assert.Equal(t, "OK", rdb.XSetIDWithArgs(ctx, s, "20-0", client.XSetIDArgs{EntriesAdded: new(int64(42)), MaxDeletedID: "15-0"}).Val())
		info := rdb.XInfoStream(ctx, s).Val()
		assert.Equal(t, "20-0", info.LastGeneratedID)
		assert.Equal(t, int64(42), info.EntriesAdded)
		assert.Equal(t, "15-0", info.MaxDeletedEntryID)
		assert.Equal(t, "OK", rdb.XSetIDWithArgs(ctx, s, "21-0", client.XSetIDArgs{}).Val())
		requirePrefix(t, rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "21-0", Values: map[string]any{"a": 1}}).Err(), "ERR")
		assert.Equal(t, "21-1", rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "21-1", Values: map[string]any{"a": 1}}).Val())

		// An empty stream's info has zero first and last entries.
		e := k.Key("e")
		rdb.XAdd(ctx, client.XAddArgs{Stream: e, ID: "1-1", Values: map[string]any{"a": 1}})
		rdb.XDel(ctx, e, "1-1")
		info, err := rdb.XInfoStream(ctx, e).Result()
		require.NoError(t, err)
		assert.Equal(t, int64(0), info.Length)
		assert.Equal(t, client.XMessage{}, info.FirstEntry)
		assert.Equal(t, client.XMessage{}, info.LastEntry)
		assert.Equal(t, "0-0", info.RecordedFirstEntryID)
		full, err := rdb.XInfoStreamFull(ctx, e, 0).Result()
		require.NoError(t, err)
		assert.Empty(t, full.Entries)
		assert.Empty(t, full.Groups)
	})
}

// TestStreamDo checks Do's default callbacks: the same values as the typed
// methods, under both protocols.
func TestStreamDo(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		streamFresh(t, rdb, k)
		s := k.Key("s")
		rdb.XAdd(ctx, client.XAddArgs{Stream: s, ID: "1-0", Values: map[string]any{"a": "1"}})
		rdb.XGroupCreate(ctx, s, "g", "0")
		rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{s}})

		check := func(want any, args ...any) {
			t.Helper()
			got, err := rdb.Do(ctx, args...).Result()
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
		check(rdb.XRange(ctx, s, "-", "+").Val(), "XRANGE", s, "-", "+")
		check(rdb.XRevRange(ctx, s, "+", "-").Val(), "XREVRANGE", s, "+", "-")
		check(rdb.XRead(ctx, client.XReadArgs{Streams: []string{s}, IDs: []string{"0"}}).Val(), "XREAD", "STREAMS", s, "0")
		check(rdb.XReadGroup(ctx, client.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{s}, IDs: []string{"0"}}).Val(),
			"XREADGROUP", "GROUP", "g", "c", "STREAMS", s, "0")
		check(rdb.XPending(ctx, s, "g").Val(), "XPENDING", s, "g")
		ext := rdb.XPendingExt(ctx, client.XPendingExtArgs{Stream: s, Group: "g", Count: 1}).Val()
		got, err := rdb.Do(ctx, "XPENDING", s, "g", "-", "+", 1).Result()
		require.NoError(t, err)
		require.IsType(t, []client.XPendingExt{}, got)
		assert.Equal(t, ext[0].ID, got.([]client.XPendingExt)[0].ID)
		check([]client.XMessage{xmsg("1-0", "a", "1")}, "XCLAIM", s, "g", "c", 0, "1-0")
		check([]string{"1-0"}, "XCLAIM", s, "g", "c", 0, "1-0", "JUSTID")
		check(client.XAutoClaimResult{Next: "0-0", Messages: []client.XMessage{xmsg("1-0", "a", "1")}, Deleted: []string{}},
			"XAUTOCLAIM", s, "g", "c", 0, "0")
		check(client.XAutoClaimJustIDResult{Next: "0-0", IDs: []string{"1-0"}, Deleted: []string{}},
			"XAUTOCLAIM", s, "g", "c", 0, "0", "JUSTID")
		check(rdb.XInfoStream(ctx, s).Val(), "XINFO", "STREAM", s)
		full, err := rdb.Do(ctx, "XINFO", "STREAM", s, "FULL").Result()
		require.NoError(t, err)
		require.IsType(t, client.XInfoStreamFull{}, full)
		assert.Equal(t, rdb.XInfoStreamFull(ctx, s, 0).Val().Entries, full.(client.XInfoStreamFull).Entries)
		check(rdb.XInfoGroups(ctx, s).Val(), "XINFO", "GROUPS", s)
		cons, err := rdb.Do(ctx, "XINFO", "CONSUMERS", s, "g").Result()
		require.NoError(t, err)
		require.IsType(t, []client.XInfoConsumer{}, cons)
		assert.Equal(t, "c", cons.([]client.XInfoConsumer)[0].Name)
	})
}
