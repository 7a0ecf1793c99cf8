package client_test

import (
	"sort"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pubsubStrings renders a RESP2 pub/sub message as its strings and
// integers, e.g. ["message" "ch" "hello"].
func pubsubStrings(t *testing.T, r redis.Reply) []string {
	t.Helper()
	require.Equal(t, redis.KindArray, r.Kind, r.String())
	out := make([]string, len(r.Elems))
	for i := range r.Elems {
		out[i] = redistest.Text(&r.Elems[i])
	}
	return out
}

func TestPubSubPublish(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		ch1, ch2, sch, none := k.Key("ch1"), k.Key("ch2"), k.Key("sch"), k.Key("none")

		// A subscriber of its own: two channels, one pattern, one shard
		// channel.
		sub := connRaw(t, srv.Addr())
		connSend(t, sub, "SUBSCRIBE", ch1, ch2)
		assert.Equal(t, []string{"subscribe", ch1, "1"}, pubsubStrings(t, connRead(t, sub)))
		assert.Equal(t, []string{"subscribe", ch2, "2"}, pubsubStrings(t, connRead(t, sub)))
		numpat := rdb.PubSubNumPat(ctx).Val()
		connSend(t, sub, "PSUBSCRIBE", k.Key("p*"))
		assert.Equal(t, []string{"psubscribe", k.Key("p*"), "3"}, pubsubStrings(t, connRead(t, sub)))
		connSend(t, sub, "SSUBSCRIBE", sch)
		assert.Equal(t, []string{"ssubscribe", sch, "1"}, pubsubStrings(t, connRead(t, sub)))

		n, err := rdb.Publish(ctx, ch1, "hello").Result()
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		assert.Equal(t, []string{"message", ch1, "hello"}, pubsubStrings(t, connRead(t, sub)))
		assert.Equal(t, int64(1), rdb.Publish(ctx, k.Key("pattern"), 42).Val())
		assert.Equal(t, []string{"pmessage", k.Key("p*"), k.Key("pattern"), "42"}, pubsubStrings(t, connRead(t, sub)))
		assert.Equal(t, int64(0), rdb.Publish(ctx, none, []byte("nobody")).Val())

		n, err = rdb.SPublish(ctx, sch, "sharded").Result()
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		assert.Equal(t, []string{"smessage", sch, "sharded"}, pubsubStrings(t, connRead(t, sub)))
		assert.Equal(t, int64(0), rdb.SPublish(ctx, none, "x").Val())

		// Introspection.
		chans, err := rdb.PubSubChannels(ctx, k.Key("ch*")).Result()
		require.NoError(t, err)
		sort.Strings(chans)
		assert.Equal(t, []string{ch1, ch2}, chans)
		assert.Subset(t, rdb.PubSubChannels(ctx, "").Val(), []string{ch1, ch2})
		assert.NotContains(t, rdb.PubSubChannels(ctx, "").Val(), sch, "shard channels are listed apart")
		assert.Empty(t, rdb.PubSubChannels(ctx, k.Key("nomatch*")).Val())

		counts, err := rdb.PubSubNumSub(ctx, ch1, ch2, none).Result()
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{ch1: 1, ch2: 1, none: 0}, counts)
		assert.Empty(t, rdb.PubSubNumSub(ctx).Val())
		assert.Equal(t, numpat+1, rdb.PubSubNumPat(ctx).Val())

		assert.Equal(t, []string{sch}, rdb.PubSubShardChannels(ctx, k.Key("s*")).Val())
		assert.Contains(t, rdb.PubSubShardChannels(ctx, "").Val(), sch)
		counts, err = rdb.PubSubShardNumSub(ctx, sch, none).Result()
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{sch: 1, none: 0}, counts)

		// The subscriber leaves: the counts follow.
		sub.Close()
		require.True(t, redistest.WaitFor(2*time.Second, func() bool { return rdb.PubSubNumSub(ctx, ch1).Val()[ch1] == 0 }))
		assert.Equal(t, numpat, rdb.PubSubNumPat(ctx).Val())
		assert.Equal(t, map[string]int64{sch: 0}, rdb.PubSubShardNumSub(ctx, sch).Val())
		assert.Equal(t, int64(0), rdb.Publish(ctx, ch1, "gone").Val())

		help, err := rdb.PubSubHelp(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, help)
	})
}
