package client

import (
	"context"
	"time"

	"github.com/duoredis/redis/internal/pubsubopt"
	"github.com/duoredis/redis/pubsub"
)

// PubSubOptions tunes the PubSubs of Client.PubSub. The connection
// options (address, credentials, database, protocol, timeouts, NewConn)
// and DecodeResponses are the client's.
type PubSubOptions struct {
	// IgnoreSubscribeMessages drops the confirmations of SUBSCRIBE,
	// UNSUBSCRIBE and their pattern and shard forms.
	// default: false
	IgnoreSubscribeMessages bool
	// HealthCheckInterval makes the PubSub PING its connection when it has
	// been quiet for longer than this; -1 turns it off.
	// default: the client's Options.HealthCheckInterval
	HealthCheckInterval time.Duration
	// QueueSize is how many messages read may wait for the reader.
	// default: 256
	QueueSize int
	// ErrorHandler receives the errors that Run and Channel's goroutine
	// get over.
	// default: nil
	ErrorHandler func(error)
}

// PubSub returns a publish/subscribe session with no subscription yet. It
// dials a connection of its own (with the client's connection options) on
// the first subscription; that connection never enters the client's pool,
// and the client's auto-pipelining is not affected. Close the PubSub when
// done. At most one PubSubOptions is used.
//
//	ps := rdb.PubSub(client.PubSubOptions{IgnoreSubscribeMessages: true})
//	defer ps.Close()
//	err := ps.PSubscribe(ctx, "news.*")
func (c *Client) PubSub(opts ...PubSubOptions) *pubsub.PubSub {
	return pubsubopt.New(pubsub.Options{
		Conn:            c.pool.Options(),
		DecodeResponses: c.opts.DecodeResponses,
		Process:         c.engine.Process,
	}, opts)
}

// Subscribe returns a new PubSub subscribed to channels (see PubSub and
// pubsub.PubSub.Subscribe). The "subscribe" confirmations are its first
// messages.
func (c *Client) Subscribe(ctx context.Context, channels ...string) (*pubsub.PubSub, error) {
	return pubsubopt.Subscribed(ctx, c.PubSub(), (*pubsub.PubSub).Subscribe, channels)
}

// PSubscribe returns a new PubSub subscribed to glob-style patterns.
func (c *Client) PSubscribe(ctx context.Context, patterns ...string) (*pubsub.PubSub, error) {
	return pubsubopt.Subscribed(ctx, c.PubSub(), (*pubsub.PubSub).PSubscribe, patterns)
}

// SSubscribe returns a new PubSub subscribed to shard channels (Redis 7).
func (c *Client) SSubscribe(ctx context.Context, shardChannels ...string) (*pubsub.PubSub, error) {
	return pubsubopt.Subscribed(ctx, c.PubSub(), (*pubsub.PubSub).SSubscribe, shardChannels)
}
