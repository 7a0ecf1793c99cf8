package client

import (
	"context"
	"time"

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
	var o PubSubOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	return pubsub.New(pubsub.Options{
		Conn:                    c.pool.Options(),
		DecodeResponses:         c.opts.DecodeResponses,
		IgnoreSubscribeMessages: o.IgnoreSubscribeMessages,
		HealthCheckInterval:     o.HealthCheckInterval,
		QueueSize:               o.QueueSize,
		ErrorHandler:            o.ErrorHandler,
		Process:                 c.engine.Process,
	})
}

// Subscribe returns a new PubSub subscribed to channels (see PubSub and
// pubsub.PubSub.Subscribe). The "subscribe" confirmations are its first
// messages.
func (c *Client) Subscribe(ctx context.Context, channels ...string) (*pubsub.PubSub, error) {
	ps := c.PubSub()
	if err := ps.Subscribe(ctx, channels...); err != nil {
		_ = ps.Close()
		return nil, err
	}
	return ps, nil
}

// PSubscribe returns a new PubSub subscribed to glob-style patterns.
func (c *Client) PSubscribe(ctx context.Context, patterns ...string) (*pubsub.PubSub, error) {
	ps := c.PubSub()
	if err := ps.PSubscribe(ctx, patterns...); err != nil {
		_ = ps.Close()
		return nil, err
	}
	return ps, nil
}

// SSubscribe returns a new PubSub subscribed to shard channels (Redis 7).
func (c *Client) SSubscribe(ctx context.Context, shardChannels ...string) (*pubsub.PubSub, error) {
	ps := c.PubSub()
	if err := ps.SSubscribe(ctx, shardChannels...); err != nil {
		_ = ps.Close()
		return nil, err
	}
	return ps, nil
}
