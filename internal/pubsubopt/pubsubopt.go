// Package pubsubopt opens the PubSubs of client.Client and cluster.Client:
// the PubSubOptions a caller tunes them with, and the Subscribe, PSubscribe
// and SSubscribe shortcuts that return a subscribed PubSub.
package pubsubopt

import (
	"context"
	"time"

	"github.com/duoredis/redis/pubsub"
)

// Tuning is the type of client.PubSubOptions (field for field, which the
// constraint of New checks): what a caller tunes of a client's PubSubs.
type Tuning = struct {
	IgnoreSubscribeMessages bool
	HealthCheckInterval     time.Duration
	QueueSize               int
	ErrorHandler            func(error)
}

// New returns pubsub.New(base) tuned by the first of opts, if any: its
// IgnoreSubscribeMessages, QueueSize and ErrorHandler replace base's, and
// so does its HealthCheckInterval when not 0 (base's is the default).
func New[T ~Tuning](base pubsub.Options, opts []T) *pubsub.PubSub {
	if len(opts) > 0 {
		t := Tuning(opts[0])
		base.IgnoreSubscribeMessages = t.IgnoreSubscribeMessages
		if t.HealthCheckInterval != 0 {
			base.HealthCheckInterval = t.HealthCheckInterval
		}
		base.QueueSize = t.QueueSize
		base.ErrorHandler = t.ErrorHandler
	}
	return pubsub.New(base)
}

// Subscribed calls subscribe ((*pubsub.PubSub).Subscribe, PSubscribe or
// SSubscribe) on ps with names and returns ps, or closes ps and returns the
// error.
func Subscribed(ctx context.Context, ps *pubsub.PubSub, subscribe func(*pubsub.PubSub, context.Context, ...string) error, names []string) (*pubsub.PubSub, error) {
	if err := subscribe(ps, ctx, names...); err != nil {
		_ = ps.Close()
		return nil, err
	}
	return ps, nil
}
