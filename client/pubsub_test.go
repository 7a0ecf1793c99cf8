package client_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pubsub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nextMessage waits up to 5 seconds for the next returned message.
func nextMessage(t *testing.T, ps *pubsub.PubSub) *pubsub.Message {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := ps.Receive(c)
	require.NoError(t, err)
	return m
}

func TestClientPubSub(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		ch1, ch2, pat, sch := k.Key("ch1"), k.Key("ch2"), k.Key("p*"), k.Key("sch")
		numpat := rdb.PubSubNumPat(ctx).Val()
		stats := rdb.PoolStats()

		ps, err := rdb.Subscribe(ctx, ch1, ch2)
		require.NoError(t, err)
		defer ps.Close()
		assert.Equal(t, &pubsub.Message{Type: "subscribe", Channel: ch1, Count: 1}, nextMessage(t, ps))
		assert.Equal(t, &pubsub.Message{Type: "subscribe", Channel: ch2, Count: 2}, nextMessage(t, ps))
		require.NoError(t, ps.PSubscribe(ctx, pat))
		assert.Equal(t, "psubscribe", nextMessage(t, ps).Type)
		require.NoError(t, ps.SSubscribe(ctx, sch))
		assert.Equal(t, "ssubscribe", nextMessage(t, ps).Type)

		// The subscribed connection is not one of the pool's.
		assert.Equal(t, stats.TotalConns, rdb.PoolStats().TotalConns)

		// PUBSUB introspection against the live subscription.
		chans, err := rdb.PubSubChannels(ctx, k.Key("ch*")).Result()
		require.NoError(t, err)
		sort.Strings(chans)
		assert.Equal(t, []string{ch1, ch2}, chans)
		assert.Equal(t, map[string]int64{ch1: 1, ch2: 1, k.Key("none"): 0},
			rdb.PubSubNumSub(ctx, ch1, ch2, k.Key("none")).Val())
		assert.Equal(t, numpat+1, rdb.PubSubNumPat(ctx).Val())
		assert.Equal(t, []string{sch}, rdb.PubSubShardChannels(ctx, k.Key("s*")).Val())
		assert.Equal(t, map[string]int64{sch: 1}, rdb.PubSubShardNumSub(ctx, sch).Val())

		assert.Equal(t, int64(1), rdb.Publish(ctx, ch1, "hello").Val())
		assert.Equal(t, &pubsub.Message{Type: "message", Channel: ch1, Data: []byte("hello")}, nextMessage(t, ps))
		assert.Equal(t, int64(1), rdb.Publish(ctx, k.Key("pattern"), 42).Val())
		assert.Equal(t, &pubsub.Message{Type: "pmessage", Pattern: pat, Channel: k.Key("pattern"), Data: []byte("42")},
			nextMessage(t, ps))
		assert.Equal(t, int64(1), rdb.SPublish(ctx, sch, []byte("sharded")).Val())
		assert.Equal(t, &pubsub.Message{Type: "smessage", Channel: sch, Data: []byte("sharded")}, nextMessage(t, ps))

		// Unsubscribing shows in the counts.
		require.NoError(t, ps.Unsubscribe(ctx))
		require.NoError(t, ps.PUnsubscribe(ctx))
		require.NoError(t, ps.SUnsubscribe(ctx))
		for range 4 {
			assert.Contains(t, nextMessage(t, ps).Type, "unsubscribe")
		}
		assert.Equal(t, map[string]int64{ch1: 0, ch2: 0}, rdb.PubSubNumSub(ctx, ch1, ch2).Val())
		assert.Equal(t, numpat, rdb.PubSubNumPat(ctx).Val())
		assert.Empty(t, rdb.PubSubShardChannels(ctx, k.Key("s*")).Val())
		assert.Equal(t, int64(0), rdb.Publish(ctx, ch1, "nobody").Val())

		// The pattern and shard forms of the convenience methods.
		ps2, err := rdb.PSubscribe(ctx, pat)
		require.NoError(t, err)
		defer ps2.Close()
		assert.Equal(t, "psubscribe", nextMessage(t, ps2).Type)
		ps3, err := rdb.SSubscribe(ctx, sch)
		require.NoError(t, err)
		defer ps3.Close()
		assert.Equal(t, "ssubscribe", nextMessage(t, ps3).Type)
		assert.Equal(t, int64(1), rdb.SPublish(ctx, sch, "x").Val())
		assert.Equal(t, "x", nextMessage(t, ps3).Text())
	})
}

func TestClientPubSubOptions(t *testing.T) {
	srv := redistest.Shared(t)
	rdb, err := client.New(client.Options{Addr: srv.Addr(), Protocol: 3, DecodeResponses: true,
		ClientName: "pubsub-options", HealthCheckInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	defer rdb.Close()

	ps := rdb.PubSub(client.PubSubOptions{IgnoreSubscribeMessages: true})
	defer ps.Close()
	require.NoError(t, ps.Subscribe(ctx, "opts:ch"))
	// The client's connection options and DecodeResponses apply.
	require.True(t, redistest.WaitFor(5*time.Second, func() bool {
		return strings.Contains(srv.Exec(t, "CLIENT", "LIST", "TYPE", "pubsub"), "name=pubsub-options")
	}))
	// The client's HealthCheckInterval: a quiet connection gets PINGed
	// (the confirmation is ignored, the pong is not returned).
	c, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = ps.Receive(c)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Regexp(t, `name=pubsub-options .*cmd=ping`, srv.Exec(t, "CLIENT", "LIST", "TYPE", "pubsub"))
	rdb.Publish(ctx, "opts:ch", "decoded")
	assert.Equal(t, &pubsub.Message{Type: "message", Channel: "opts:ch", Data: "decoded"}, nextMessage(t, ps))

	// An error of the first subscription is Subscribe's.
	bad, err := client.New(client.Options{Addr: "127.0.0.1:1"})
	require.NoError(t, err)
	defer bad.Close()
	ps2, err := bad.Subscribe(ctx, "x")
	var ce *redis.ConnectionError
	require.ErrorAs(t, err, &ce)
	assert.Nil(t, ps2)
	_, err = bad.PSubscribe(ctx, "x*")
	require.Error(t, err)
	_, err = bad.SSubscribe(ctx, "x")
	require.Error(t, err)
}

// TestClientPubSubAutoPipeline publishes from many goroutines through one
// auto-pipelining client while a PubSub of the same client receives:
// every message arrives, in each publisher's order.
func TestClientPubSubAutoPipeline(t *testing.T) {
	srv := redistest.Shared(t)
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			rdb, err := client.New(client.Options{Addr: srv.Addr(), Protocol: proto})
			require.NoError(t, err)
			defer rdb.Close()
			rdb.Engine().Mux().ShareAlways(true)
			ch := "autopipeline:" + strconv.Itoa(proto)

			ps := rdb.PubSub(client.PubSubOptions{IgnoreSubscribeMessages: true})
			defer ps.Close()
			require.NoError(t, ps.Subscribe(ctx, ch))
			require.True(t, redistest.WaitFor(5*time.Second, func() bool { return rdb.PubSubNumSub(ctx, ch).Val()[ch] == 1 }))

			const publishers, each = 16, 100
			received := make(chan *pubsub.Message, publishers*each)
			readDone := make(chan error, 1)
			go func() {
				c, cancel := context.WithTimeout(ctx, 20*time.Second)
				defer cancel()
				for range publishers * each {
					m, err := ps.Receive(c)
					if err != nil {
						readDone <- err
						return
					}
					received <- m
				}
				readDone <- nil
			}()

			var wg sync.WaitGroup
			for g := range publishers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						// Other commands share the connections too.
						if i%10 == 0 {
							assert.NoError(t, rdb.Incr(ctx, ch+":count").Err())
						}
						n, err := rdb.Publish(ctx, ch, fmt.Sprintf("%d:%d", g, i)).Result()
						if !assert.NoError(t, err) || !assert.Equal(t, int64(1), n) {
							return
						}
					}
				}()
			}
			wg.Wait()
			require.NoError(t, <-readDone)
			close(received)
			next := make([]int, publishers)
			for m := range received {
				var g, i int
				_, err := fmt.Sscanf(m.Text(), "%d:%d", &g, &i)
				require.NoError(t, err)
				require.Equal(t, next[g], i, "publisher %d's messages in order", g)
				next[g]++
			}
			for g := range publishers {
				assert.Equal(t, each, next[g])
			}
			rdb.Del(ctx, ch+":count")
		})
	}
}
