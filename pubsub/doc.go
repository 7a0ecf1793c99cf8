// Package pubsub is publish/subscribe for duoredis: channels, glob
// patterns and Redis 7 sharded channels, with or without handlers, on a
// connection of its own, under RESP2 (messages are arrays) and RESP3
// (messages are push replies).
//
// Most programs get a PubSub from a client:
//
//	ps, err := rdb.Subscribe(ctx, "news")        // or rdb.PubSub(), then ps.Subscribe
//	defer ps.Close()
//	msg, err := ps.GetMessage(ctx, time.Second)  // nil, nil when nothing came
//
// # Reading messages
//
// There are three ways, as in redis-py, plus a Go channel:
//
//   - GetMessage(ctx, timeout) polls (timeout 0) or waits up to timeout,
//     and returns (nil, nil) when nothing came.
//   - Receive(ctx) blocks for the next message; Listen(ctx) is a Go 1.23
//     iterator over them that reconnects after errors.
//   - Run(ctx) and RunInBackground(ctx) hand every message to its handler
//     until stopped; they are refused while a subscription has no handler.
//   - Channel() returns a <-chan *Message fed by a goroutine.
//
// A message of a subscription made with a Handler (SubscribeFunc,
// PSubscribeFunc, SSubscribeFunc) goes to the handler, in the reading
// goroutine, and is not returned. Options.IgnoreSubscribeMessages drops
// the (un)subscribe confirmations.
//
// # Connections and failures
//
// The connection is dialed on the first subscription with the client's
// connection options, and never comes from or goes back to a pool. When it
// breaks (a server restart, CLIENT KILL, a health check PING without
// answer), the next read returns the error once and the read after it
// reconnects and subscribes again to every channel, pattern and shard
// channel. With Options.HealthCheckInterval, a PING is sent when the
// connection has been quiet for that long; its pong is not returned.
//
// All methods are safe for concurrent use: one goroutine reads while
// others subscribe and unsubscribe; see [PubSub] for the details.
package pubsub
