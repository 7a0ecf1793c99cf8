package pubsub_test

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/duoredis/redis/pubsub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { redistest.Main(m, redistest.URLEnv) }

var ctx = context.Background()

// protocols runs fn once per RESP version: messages are arrays under RESP2
// and push replies under RESP3.
func protocols(t *testing.T, fn func(t *testing.T, proto int, k keyspace)) {
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			fn(t, proto, keyspace(strings.ReplaceAll(t.Name(), "/", ":")+":"))
		})
	}
}

// keyspace prefixes channel names with the test's name, so tests sharing a
// server do not meet.
type keyspace string

func (k keyspace) Key(name string) string { return string(k) + name }

// newPubSub returns a PubSub on srv, closed when the test ends.
func newPubSub(t *testing.T, srv *redistest.Server, proto int, opts pubsub.Options) *pubsub.PubSub {
	t.Helper()
	opts.Conn.Addr = srv.Addr()
	opts.Conn.Protocol = proto
	ps := pubsub.New(opts)
	t.Cleanup(func() { assert.NoError(t, ps.Close()) })
	return ps
}

// receive waits up to 5 seconds for the next returned message.
func receive(t *testing.T, ps *pubsub.PubSub) *pubsub.Message {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := ps.Receive(c)
	require.NoError(t, err)
	require.NotNil(t, m)
	return m
}

// publish publishes data on channel through a connection of its own and
// returns the number of receivers.
func publish(t *testing.T, srv *redistest.Server, channel, data string) int {
	t.Helper()
	n, err := strconv.Atoi(srv.Exec(t, "PUBLISH", channel, data))
	require.NoError(t, err)
	return n
}

// numSub returns the number of subscribers of channel.
func numSub(t *testing.T, srv *redistest.Server, channel string) string {
	r, err := srv.Do("PUBSUB", "NUMSUB", channel)
	require.NoError(t, err)
	require.Len(t, r.Elems, 2)
	return redistest.Text(&r.Elems[1])
}

// noLeak fails the test if the goroutine count does not come back to base.
func noLeak(t *testing.T, base int) {
	t.Helper()
	ok := redistest.WaitFor(5*time.Second, func() bool { return runtime.NumGoroutine() <= base })
	if !ok {
		buf := make([]byte, 1<<16)
		n := runtime.Stack(buf, true)
		t.Fatalf("goroutines left: %d, before: %d\n%s", runtime.NumGoroutine(), base, buf[:n])
	}
}

// conn is a pool.Options for srv, for tests that need more than the
// address.
func conn(srv *redistest.Server, proto int) pool.Options {
	return pool.Options{Addr: srv.Addr(), Protocol: proto}
}
