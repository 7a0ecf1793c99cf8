package pubsub_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pubsub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSubscribeAndMessages(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{})
		ch, pat, sch := k.Key("ch"), k.Key("p*"), k.Key("sch")

		// Nothing subscribed: a poll returns nothing, at once.
		m, err := ps.GetMessage(ctx, 0)
		require.NoError(t, err)
		assert.Nil(t, m)
		assert.False(t, ps.Subscribed())

		require.NoError(t, ps.Subscribe(ctx, ch, k.Key("other")))
		assert.Equal(t, &pubsub.Message{Type: "subscribe", Channel: ch, Count: 1}, receive(t, ps))
		assert.Equal(t, &pubsub.Message{Type: "subscribe", Channel: k.Key("other"), Count: 2}, receive(t, ps))
		require.NoError(t, ps.PSubscribe(ctx, pat))
		assert.Equal(t, &pubsub.Message{Type: "psubscribe", Channel: pat, Count: 3}, receive(t, ps))
		require.NoError(t, ps.SSubscribe(ctx, sch))
		assert.Equal(t, &pubsub.Message{Type: "ssubscribe", Channel: sch, Count: 1}, receive(t, ps))
		assert.True(t, ps.Subscribed())
		assert.Equal(t, []string{ch, k.Key("other")}, ps.Channels())
		assert.Equal(t, []string{pat}, ps.Patterns())
		assert.Equal(t, []string{sch}, ps.ShardChannels())

		// A poll and a short wait find nothing.
		m, err = ps.GetMessage(ctx, 0)
		require.NoError(t, err)
		assert.Nil(t, m)
		start := time.Now()
		m, err = ps.GetMessage(ctx, 50*time.Millisecond)
		require.NoError(t, err)
		assert.Nil(t, m)
		assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

		assert.Equal(t, 1, publish(t, srv, ch, "hello"))
		m, err = ps.GetMessage(ctx, 5*time.Second)
		require.NoError(t, err)
		assert.Equal(t, &pubsub.Message{Type: "message", Channel: ch, Data: []byte("hello")}, m)
		assert.Equal(t, "hello", m.Text())
		assert.Equal(t, []byte("hello"), m.Bytes())

		assert.Equal(t, 1, publish(t, srv, k.Key("pattern"), ""))
		assert.Equal(t, &pubsub.Message{Type: "pmessage", Pattern: pat, Channel: k.Key("pattern"), Data: []byte{}}, receive(t, ps))

		assert.Equal(t, "1", srv.Exec(t, "SPUBLISH", sch, "sharded"))
		assert.Equal(t, &pubsub.Message{Type: "smessage", Channel: sch, Data: []byte("sharded")}, receive(t, ps))

		// A channel that matches the pattern too gets both.
		assert.Equal(t, 1, publish(t, srv, k.Key("pch"), "x"))
		assert.Equal(t, 1, publish(t, srv, ch, "binary\x00\r\n"))
		assert.Equal(t, &pubsub.Message{Type: "pmessage", Pattern: pat, Channel: k.Key("pch"), Data: []byte("x")}, receive(t, ps))
		assert.Equal(t, []byte("binary\x00\r\n"), receive(t, ps).Data)

		// PUBSUB introspection sees the subscription.
		assert.Equal(t, "1", numSub(t, srv, ch))
	})
}

func TestDecodeResponses(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{DecodeResponses: true, IgnoreSubscribeMessages: true})
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		require.True(t, redistest.WaitFor(5*time.Second, func() bool { return numSub(t, srv, k.Key("ch")) == "1" }))
		publish(t, srv, k.Key("ch"), "text")
		m := receive(t, ps)
		assert.Equal(t, &pubsub.Message{Type: "message", Channel: k.Key("ch"), Data: "text"}, m)
		assert.Equal(t, []byte("text"), m.Bytes())
		assert.Equal(t, `message "`+k.Key("ch")+`": "text"`, m.String())
	})
}

func TestIgnoreSubscribeMessages(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{IgnoreSubscribeMessages: true})
		require.NoError(t, ps.Subscribe(ctx, k.Key("a"), k.Key("b")))
		require.NoError(t, ps.PSubscribe(ctx, k.Key("x*")))
		require.NoError(t, ps.Unsubscribe(ctx, k.Key("b")))
		// Confirmations are read and dropped: GetMessage returns nil for
		// each, and Receive skips them.
		m, err := ps.GetMessage(ctx, time.Second)
		require.NoError(t, err)
		assert.Nil(t, m)
		require.NoError(t, ps.Ping(ctx, "after"))
		m = receive(t, ps)
		assert.Equal(t, &pubsub.Message{Type: "pong", Data: []byte("after")}, m, "confirmations skipped, pong returned")
		publish(t, srv, k.Key("a"), "1")
		assert.Equal(t, "1", receive(t, ps).Text())
	})
}

func TestUnsubscribe(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{})
		a, b, c := k.Key("a"), k.Key("b"), k.Key("c")
		require.NoError(t, ps.Subscribe(ctx, a, b, c))
		require.NoError(t, ps.PSubscribe(ctx, k.Key("p1*"), k.Key("p2*")))
		require.NoError(t, ps.SSubscribe(ctx, k.Key("s1"), k.Key("s2")))
		for range 7 {
			receive(t, ps)
		}

		require.NoError(t, ps.Unsubscribe(ctx, b))
		assert.Equal(t, &pubsub.Message{Type: "unsubscribe", Channel: b, Count: 4}, receive(t, ps))
		assert.Equal(t, []string{a, c}, ps.Channels())

		// No argument: all of the family.
		require.NoError(t, ps.Unsubscribe(ctx))
		got := []*pubsub.Message{receive(t, ps), receive(t, ps)}
		assert.ElementsMatch(t, []string{a, c}, []string{got[0].Channel, got[1].Channel})
		assert.Equal(t, "unsubscribe", got[0].Type)
		assert.Equal(t, []int64{3, 2}, []int64{got[0].Count, got[1].Count}, "the two patterns are left")
		assert.Empty(t, ps.Channels())
		assert.Equal(t, "0", numSub(t, srv, a))

		require.NoError(t, ps.PUnsubscribe(ctx))
		receive(t, ps)
		assert.Equal(t, int64(0), receive(t, ps).Count)
		assert.Empty(t, ps.Patterns())
		assert.True(t, ps.Subscribed())

		require.NoError(t, ps.SUnsubscribe(ctx, k.Key("s1")))
		assert.Equal(t, &pubsub.Message{Type: "sunsubscribe", Channel: k.Key("s1"), Count: 1}, receive(t, ps))
		require.NoError(t, ps.SUnsubscribe(ctx))
		assert.Equal(t, &pubsub.Message{Type: "sunsubscribe", Channel: k.Key("s2"), Count: 0}, receive(t, ps))
		assert.False(t, ps.Subscribed())

		// Unsubscribing from nothing sends nothing: no confirmation comes.
		require.NoError(t, ps.Unsubscribe(ctx))
		m, err := ps.GetMessage(ctx, 100*time.Millisecond)
		require.NoError(t, err)
		assert.Nil(t, m)

		// No channel to subscribe to is an error, not a command.
		assert.Error(t, ps.Subscribe(ctx))
		assert.Error(t, ps.PSubscribeFunc(ctx, func(*pubsub.Message) {}))
	})
}

func TestHandlers(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{DecodeResponses: true})
		var mu sync.Mutex
		var got []string
		h := func(m *pubsub.Message) {
			mu.Lock()
			got = append(got, m.Type+" "+m.Pattern+" "+m.Channel+" "+m.Text())
			mu.Unlock()
		}
		require.NoError(t, ps.SubscribeFunc(ctx, h, k.Key("h")))
		require.NoError(t, ps.PSubscribeFunc(ctx, h, k.Key("hp*")))
		require.NoError(t, ps.SSubscribeFunc(ctx, h, k.Key("hs")))
		require.NoError(t, ps.Subscribe(ctx, k.Key("plain")))
		// Confirmations are returned, not handled.
		for _, typ := range []string{"subscribe", "psubscribe", "ssubscribe", "subscribe"} {
			assert.Equal(t, typ, receive(t, ps).Type)
		}

		publish(t, srv, k.Key("h"), "1")
		// A handled message: GetMessage calls the handler and returns nil.
		require.True(t, redistest.WaitFor(5*time.Second, func() bool {
			m, err := ps.GetMessage(ctx, 10*time.Millisecond)
			require.NoError(t, err)
			require.Nil(t, m)
			mu.Lock()
			defer mu.Unlock()
			return len(got) == 1
		}))
		publish(t, srv, k.Key("hp1"), "2")
		srv.Exec(t, "SPUBLISH", k.Key("hs"), "3")
		publish(t, srv, k.Key("plain"), "4")
		// Receive skips the handled ones and returns the plain message.
		assert.Equal(t, "4", receive(t, ps).Text())
		assert.Equal(t, []string{"message  " + k.Key("h") + " 1", "pmessage " + k.Key("hp*") + " " + k.Key("hp1") + " 2",
			"smessage  " + k.Key("hs") + " 3"}, got)

		// A message that was on its way when its channel was unsubscribed
		// still goes to the handler, up to the confirmation.
		publish(t, srv, k.Key("h"), "late")
		require.NoError(t, ps.Unsubscribe(ctx, k.Key("h")))
		assert.Equal(t, &pubsub.Message{Type: "unsubscribe", Channel: k.Key("h"), Count: 2}, receive(t, ps))
		assert.Equal(t, "message  "+k.Key("h")+" late", got[len(got)-1])
		assert.Equal(t, 0, publish(t, srv, k.Key("h"), "gone"))
	})
}

func TestPing(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{})
		// Not subscribed yet: Ping connects.
		require.NoError(t, ps.Ping(ctx))
		assert.Equal(t, &pubsub.Message{Type: "pong", Data: []byte{}}, receive(t, ps))
		require.NoError(t, ps.Ping(ctx, "hi"))
		assert.Equal(t, &pubsub.Message{Type: "pong", Data: []byte("hi")}, receive(t, ps))

		// Subscribed: RESP2 answers ["pong", text], RESP3 as usual.
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		receive(t, ps)
		require.NoError(t, ps.Ping(ctx))
		assert.Equal(t, &pubsub.Message{Type: "pong", Data: []byte{}}, receive(t, ps))
		require.NoError(t, ps.Ping(ctx, "hello"))
		assert.Equal(t, &pubsub.Message{Type: "pong", Data: []byte("hello")}, receive(t, ps))
		assert.Error(t, ps.Ping(ctx, "a", "b"))
	})
}

func TestHealthCheck(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		name := "hc-" + string(k)[len(string(k))-6:len(string(k))-1]
		o := conn(srv, proto)
		o.ClientName = name
		ps := pubsub.New(pubsub.Options{Conn: o, HealthCheckInterval: 30 * time.Millisecond})
		defer ps.Close()
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		receive(t, ps)
		// Quiet for longer than the interval: the next read PINGs, and the
		// pong is not returned.
		start := time.Now()
		m, err := ps.GetMessage(ctx, 200*time.Millisecond)
		require.NoError(t, err)
		assert.Nil(t, m)
		assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
		list := srv.Exec(t, "CLIENT", "LIST", "TYPE", "pubsub")
		assert.Regexp(t, "name="+name+" .* cmd=ping", list)

		// A blocking Receive keeps checking while it waits.
		c, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		defer cancel()
		_, err = ps.Receive(c)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		publish(t, srv, k.Key("ch"), "still here")
		assert.Equal(t, "still here", receive(t, ps).Text())
	})
}

// Reads whose deadline passes just as a health check is due end with the
// deadline, never with a broken connection: the check's PING is the
// PubSub's and is not bound by the caller's context.
func TestHealthCheckOutlivesShortReads(t *testing.T) {
	srv := redistest.Start(t)
	ps := pubsub.New(pubsub.Options{Conn: conn(srv, 2), HealthCheckInterval: time.Millisecond})
	defer ps.Close()
	require.NoError(t, ps.Subscribe(ctx, "hc"))
	receive(t, ps)
	for i := range 300 {
		c, cancel := context.WithTimeout(ctx, time.Duration(500+i%7*300)*time.Microsecond)
		_, err := ps.Receive(c)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded, "read %d", i)
		var te *redis.TimeoutError
		assert.False(t, errors.As(err, &te), "read %d broke the connection: %v", i, err)
	}
	assert.Equal(t, 1, publish(t, srv, "hc", "still subscribed"))
	assert.Equal(t, "still subscribed", receive(t, ps).Text())
}

func TestHealthCheckDetectsDeadConnection(t *testing.T) {
	srv := redistest.Start(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		o := conn(srv, proto)
		o.ReadTimeout = 100 * time.Millisecond
		ps := pubsub.New(pubsub.Options{Conn: o, HealthCheckInterval: 30 * time.Millisecond})
		defer ps.Close()
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		receive(t, ps)
		// The server answers nobody for a while: the health check's PING
		// goes unanswered, and the connection is given up.
		srv.Exec(t, "CLIENT", "PAUSE", "1000", "ALL")
		_, err := ps.GetMessage(ctx, 2*time.Second)
		var te *redis.TimeoutError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, "health check", te.Op)
		// While the pause lasts, the next read reconnects and fails again
		// (the handshake, or the health check behind the new SUBSCRIBE,
		// times out).
		_, err = ps.GetMessage(ctx, 2*time.Second)
		require.ErrorAs(t, err, &te)
		// A command on a connection of its own returns when the pause
		// ends. Only then does the test read again: a read whose health
		// check runs out just as the pause ends may see the confirmation
		// and then give that connection up, rightly, but it would make
		// the test depend on the race.
		srv.Exec(t, "PING")
		m, err := ps.GetMessage(ctx, 5*time.Second)
		require.NoError(t, err)
		assert.Equal(t, &pubsub.Message{Type: "subscribe", Channel: k.Key("ch"), Count: 1}, m)
		assert.Equal(t, 1, publish(t, srv, k.Key("ch"), "back"))
		assert.Equal(t, "back", receive(t, ps).Text())
	})
}

func TestReconnectAfterRestart(t *testing.T) {
	srv := redistest.Start(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{IgnoreSubscribeMessages: true})
		var handled atomic.Int32
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		require.NoError(t, ps.PSubscribe(ctx, k.Key("p*")))
		require.NoError(t, ps.SSubscribe(ctx, k.Key("s")))
		require.NoError(t, ps.SubscribeFunc(ctx, func(*pubsub.Message) { handled.Add(1) }, k.Key("h")))
		require.True(t, redistest.WaitFor(5*time.Second, func() bool { return numSub(t, srv, k.Key("h")) == "1" }))

		srv.Restart(t)
		// The lost connection is reported once...
		_, err := ps.Receive(ctx)
		var ce *redis.ConnectionError
		require.ErrorAs(t, err, &ce)
		// ... and the next read reconnects and subscribes to everything.
		m, err := ps.GetMessage(ctx, 0)
		require.NoError(t, err)
		assert.Nil(t, m)
		require.True(t, redistest.WaitFor(5*time.Second, func() bool {
			return numSub(t, srv, k.Key("h")) == "1" && numSub(t, srv, k.Key("ch")) == "1"
		}))
		require.True(t, redistest.WaitFor(5*time.Second, func() bool { return srv.Exec(t, "PUBSUB", "NUMPAT") == "1" }))
		publish(t, srv, k.Key("ch"), "a")
		publish(t, srv, k.Key("p1"), "b")
		srv.Exec(t, "SPUBLISH", k.Key("s"), "c")
		publish(t, srv, k.Key("h"), "d")
		assert.Equal(t, "a", receive(t, ps).Text())
		assert.Equal(t, "b", receive(t, ps).Text())
		assert.Equal(t, "c", receive(t, ps).Text())
		require.True(t, redistest.WaitFor(5*time.Second, func() bool {
			_, err := ps.GetMessage(ctx, 10*time.Millisecond)
			require.NoError(t, err)
			return handled.Load() == 1
		}))
	})
}

func TestReconnectAfterClientKill(t *testing.T) {
	srv := redistest.Start(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{})
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		require.NoError(t, ps.SSubscribe(ctx, k.Key("s")))
		receive(t, ps)
		receive(t, ps)

		assert.Equal(t, "1", srv.Exec(t, "CLIENT", "KILL", "TYPE", "pubsub"))
		_, err := ps.Receive(ctx)
		var ce *redis.ConnectionError
		require.ErrorAs(t, err, &ce)
		// Receive reconnects: the confirmations of the new connection come
		// first (in the order of the families), then messages.
		assert.Equal(t, &pubsub.Message{Type: "subscribe", Channel: k.Key("ch"), Count: 1}, receive(t, ps))
		assert.Equal(t, &pubsub.Message{Type: "ssubscribe", Channel: k.Key("s"), Count: 1}, receive(t, ps))
		publish(t, srv, k.Key("ch"), "after kill")
		assert.Equal(t, "after kill", receive(t, ps).Text())

		// A subscription made while the connection is down (before any
		// read noticed) is not lost: whoever reconnects subscribes to it.
		srv.Exec(t, "CLIENT", "KILL", "TYPE", "pubsub")
		var err2 error
		require.True(t, redistest.WaitFor(5*time.Second, func() bool {
			err2 = ps.Subscribe(ctx, k.Key("new"))
			return err2 == nil
		}), "%v", err2)
		errs := 0
		require.True(t, redistest.WaitFor(5*time.Second, func() bool {
			if _, err := ps.GetMessage(ctx, 10*time.Millisecond); err != nil {
				errs++
			}
			return numSub(t, srv, k.Key("new")) == "1" && numSub(t, srv, k.Key("ch")) == "1"
		}))
		assert.LessOrEqual(t, errs, 1)
		publish(t, srv, k.Key("new"), "new")
		for {
			m := receive(t, ps)
			if m.Type == "message" {
				assert.Equal(t, "new", m.Text())
				break
			}
			assert.Contains(t, []string{"subscribe", "ssubscribe"}, m.Type)
		}
	})
}

func TestReconnectWhileServerDown(t *testing.T) {
	srv := redistest.Start(t)
	ps := newPubSub(t, srv, 2, pubsub.Options{IgnoreSubscribeMessages: true})
	require.NoError(t, ps.Subscribe(ctx, "down"))
	require.True(t, redistest.WaitFor(5*time.Second, func() bool { return numSub(t, srv, "down") == "1" }))
	require.NoError(t, srv.Stop())
	_, err := ps.Receive(ctx)
	require.Error(t, err)
	// The server is down: each read tries to reconnect and says why not.
	_, err = ps.GetMessage(ctx, 0)
	var ce *redis.ConnectionError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "dial", ce.Op)
	assert.Equal(t, []string{"down"}, ps.Channels(), "still wanted")
	srv.Restart(t)
	_, err = ps.GetMessage(ctx, 0)
	require.NoError(t, err)
	require.True(t, redistest.WaitFor(5*time.Second, func() bool { return numSub(t, srv, "down") == "1" }))
	publish(t, srv, "down", "up again")
	assert.Equal(t, "up again", receive(t, ps).Text())
}

func TestRunRequiresHandlers(t *testing.T) {
	srv := redistest.Shared(t)
	ps := newPubSub(t, srv, 2, pubsub.Options{})
	require.NoError(t, ps.SubscribeFunc(ctx, func(*pubsub.Message) {}, "run:ok"))
	require.NoError(t, ps.PSubscribe(ctx, "run:nohandler*"))
	err := ps.Run(ctx)
	require.ErrorIs(t, err, pubsub.ErrHandlerRequired)
	assert.Contains(t, err.Error(), `pattern "run:nohandler*"`)
	_, err = ps.RunInBackground(ctx)
	require.ErrorIs(t, err, pubsub.ErrHandlerRequired)

	require.NoError(t, ps.PUnsubscribe(ctx, "run:nohandler*"))
	r, err := ps.RunInBackground(ctx)
	require.NoError(t, err)
	defer r.Stop()
	// While it runs: no second runner, no subscription without handler.
	assert.Error(t, ps.Run(ctx))
	assert.ErrorIs(t, ps.Subscribe(ctx, "run:late"), pubsub.ErrHandlerRequired)
	assert.NotContains(t, ps.Channels(), "run:late")
	r.Stop()
	require.NoError(t, ps.Subscribe(ctx, "run:late"), "allowed once the runner stopped")
}

func TestRunInBackground(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		base := runtime.NumGoroutine()
		ps := pubsub.New(pubsub.Options{Conn: conn(srv, proto)})
		got := make(chan string, 10)
		h := func(m *pubsub.Message) { got <- m.Channel + "=" + m.Text() }
		require.NoError(t, ps.SubscribeFunc(ctx, h, k.Key("a")))
		require.NoError(t, ps.PSubscribeFunc(ctx, h, k.Key("b*")))
		r, err := ps.RunInBackground(ctx)
		require.NoError(t, err)
		require.True(t, redistest.WaitFor(5*time.Second, func() bool { return numSub(t, srv, k.Key("a")) == "1" }))

		// Subscribing with a handler while running works.
		require.NoError(t, ps.SSubscribeFunc(ctx, h, k.Key("s")))
		publish(t, srv, k.Key("a"), "1")
		publish(t, srv, k.Key("b2"), "2")
		require.True(t, redistest.WaitFor(5*time.Second, func() bool {
			return srv.Exec(t, "SPUBLISH", k.Key("s"), "3") == "1"
		}))
		for _, want := range []string{k.Key("a") + "=1", k.Key("b2") + "=2", k.Key("s") + "=3"} {
			select {
			case m := <-got:
				assert.Equal(t, want, m)
			case <-time.After(5 * time.Second):
				t.Fatal("no message for " + want)
			}
		}

		// A kill is survived: the runner reconnects.
		srv.Exec(t, "CLIENT", "KILL", "TYPE", "pubsub")
		require.True(t, redistest.WaitFor(5*time.Second, func() bool {
			return srv.Exec(t, "PUBLISH", k.Key("a"), "again") == "1"
		}))
		select {
		case m := <-got:
			assert.Equal(t, k.Key("a")+"=again", m)
		case <-time.After(5 * time.Second):
			t.Fatal("no message after the kill")
		}

		r.Stop()
		r.Stop()
		<-r.Done()
		require.NoError(t, ps.Close())
		noLeak(t, base)
	})
}

func TestRunStopsOnClose(t *testing.T) {
	srv := redistest.Shared(t)
	base := runtime.NumGoroutine()
	ps := pubsub.New(pubsub.Options{Conn: conn(srv, 3)})
	require.NoError(t, ps.SubscribeFunc(ctx, func(*pubsub.Message) {}, "close:run"))
	done := make(chan error)
	go func() { done <- ps.Run(ctx) }()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, ps.Close())
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after Close")
	}
	noLeak(t, base)
}

func TestChannel(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		base := runtime.NumGoroutine()
		ps := pubsub.New(pubsub.Options{Conn: conn(srv, proto), IgnoreSubscribeMessages: true})
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		ch := ps.Channel()
		assert.Equal(t, ch, ps.Channel(), "the same channel every time")
		require.True(t, redistest.WaitFor(5*time.Second, func() bool { return numSub(t, srv, k.Key("ch")) == "1" }))
		for i := range 5 {
			publish(t, srv, k.Key("ch"), fmt.Sprint(i))
		}
		for i := range 5 {
			select {
			case m := <-ch:
				assert.Equal(t, fmt.Sprint(i), m.Text())
			case <-time.After(5 * time.Second):
				t.Fatal("no message")
			}
		}
		require.NoError(t, ps.Close())
		select {
		case _, ok := <-ch:
			assert.False(t, ok, "closed by Close")
		case <-time.After(5 * time.Second):
			t.Fatal("channel not closed")
		}
		noLeak(t, base)
	})
}

func TestListen(t *testing.T) {
	srv := redistest.Start(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{IgnoreSubscribeMessages: true})
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		require.True(t, redistest.WaitFor(5*time.Second, func() bool { return numSub(t, srv, k.Key("ch")) == "1" }))
		publish(t, srv, k.Key("ch"), "one")
		publish(t, srv, k.Key("ch"), "two")
		var got []string
		var errs int
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		for m, err := range ps.Listen(c) {
			if err != nil {
				errs++
				continue // the iterator reconnects
			}
			got = append(got, m.Text())
			if len(got) == 2 {
				// Break the connection: Listen yields the error and goes on.
				srv.Exec(t, "CLIENT", "KILL", "TYPE", "pubsub")
				go func() {
					redistest.WaitFor(5*time.Second, func() bool { return srv.Exec(t, "PUBLISH", k.Key("ch"), "three") == "1" })
				}()
			}
			if len(got) == 3 {
				break
			}
		}
		assert.Equal(t, []string{"one", "two", "three"}, got)
		assert.Equal(t, 1, errs)

		// The iteration ends with ctx.
		c2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel2()
		for range ps.Listen(c2) {
			t.Fatal("nothing was published")
		}
	})
}

func TestClose(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		base := runtime.NumGoroutine()
		ps := pubsub.New(pubsub.Options{Conn: conn(srv, proto)})
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		receive(t, ps)
		assert.Equal(t, "1", numSub(t, srv, k.Key("ch")))

		// A blocked reader is woken by Close.
		done := make(chan error)
		go func() {
			_, err := ps.Receive(ctx)
			done <- err
		}()
		time.Sleep(20 * time.Millisecond)
		require.NoError(t, ps.Close())
		require.NoError(t, ps.Close())
		assert.ErrorIs(t, <-done, pubsub.ErrClosed)
		require.True(t, redistest.WaitFor(5*time.Second, func() bool { return numSub(t, srv, k.Key("ch")) == "0" }))

		_, err := ps.GetMessage(ctx, 0)
		assert.ErrorIs(t, err, pubsub.ErrClosed)
		assert.ErrorIs(t, ps.Subscribe(ctx, "x"), pubsub.ErrClosed)
		assert.ErrorIs(t, ps.Unsubscribe(ctx), pubsub.ErrClosed)
		assert.ErrorIs(t, ps.Ping(ctx), pubsub.ErrClosed)
		assert.ErrorIs(t, ps.Run(ctx), pubsub.ErrClosed)
		noLeak(t, base)
	})
}

func TestSubscribeErrors(t *testing.T) {
	srv := redistest.Shared(t)
	ps := pubsub.New(pubsub.Options{Conn: conn(srv, 2)})
	defer ps.Close()
	o := conn(srv, 2) // with an address nothing listens on
	o.Addr = "127.0.0.1:1"
	bad := pubsub.New(pubsub.Options{Conn: o})
	defer bad.Close()
	err := bad.Subscribe(ctx, "x")
	var ce *redis.ConnectionError
	require.ErrorAs(t, err, &ce)
	assert.Empty(t, bad.Channels(), "a failed subscription is not kept")
	assert.False(t, bad.Subscribed())

	// A cancelled context sends nothing.
	c, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, ps.Subscribe(c, "x"), context.Canceled)
	assert.Empty(t, ps.Channels())
	assert.False(t, ps.Subscribed())
}

func TestServerErrorReply(t *testing.T) {
	srv := redistest.Start(t, redistest.Args("--rename-command", "SSUBSCRIBE", ""))
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{})
		require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
		receive(t, ps)
		require.NoError(t, ps.SSubscribe(ctx, k.Key("s")))
		_, err := ps.Receive(ctx)
		var re *redis.Error
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "ERR", re.Prefix())
		// The connection is still good.
		publish(t, srv, k.Key("ch"), "fine")
		assert.Equal(t, "fine", receive(t, ps).Text())
	})
}

func TestConcurrentSubscribe(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, proto int, k keyspace) {
		ps := newPubSub(t, srv, proto, pubsub.Options{IgnoreSubscribeMessages: true, HealthCheckInterval: 5 * time.Millisecond})
		c, cancel := context.WithCancel(ctx)
		var received atomic.Int64
		readerDone := make(chan struct{})
		go func() {
			defer close(readerDone)
			for _, err := range ps.Listen(c) {
				if err == nil {
					received.Add(1)
				}
			}
		}()
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					name := k.Key(fmt.Sprint("g", g, "-", i%5))
					assert.NoError(t, ps.Subscribe(ctx, name))
					assert.NoError(t, ps.PSubscribeFunc(ctx, func(*pubsub.Message) {}, name+"*"))
					assert.NoError(t, ps.Ping(ctx))
					assert.NoError(t, ps.Unsubscribe(ctx, name))
					assert.NoError(t, ps.PUnsubscribe(ctx, name+"*"))
					_ = ps.Subscribed()
				}
			}()
		}
		wg.Wait()
		require.NoError(t, ps.Subscribe(ctx, k.Key("final")))
		require.True(t, redistest.WaitFor(5*time.Second, func() bool { return numSub(t, srv, k.Key("final")) == "1" }))
		publish(t, srv, k.Key("final"), "x")
		assert.True(t, redistest.WaitFor(5*time.Second, func() bool { return received.Load() >= 201 }), "200 pongs and a message")
		cancel()
		<-readerDone
		assert.Equal(t, []string{k.Key("final")}, ps.Channels())
		assert.Empty(t, ps.Patterns())
	})
}
