package cluster

import (
	"context"
	"errors"
	"math/rand/v2"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/pubsubopt"
	"github.com/duoredis/redis/pool"
	"github.com/duoredis/redis/pubsub"
)

// PubSub returns a publish/subscribe session over the cluster, with no
// subscription yet: the same *pubsub.PubSub as client.Client.PubSub
// (handlers, GetMessage, Receive, Listen, Channel, Run, RunInBackground),
// its subscriptions spread over the nodes by a pubsub.Router:
//
//   - channels and patterns (Subscribe, PSubscribe) on one connection to a
//     random master: in a cluster, PUBLISH reaches the subscribers of
//     every node. When that connection is lost, the next read connects to
//     a master of the then current slot map and subscribes again.
//   - shard channels (SSubscribe, Redis 7) on one connection per master,
//     each channel on the master of its hash slot (a shard channel hashes
//     like a key, {hash tags} included). When a slot moves (the node
//     pushes "sunsubscribe", a command is answered MOVED, or the client
//     loads a new slot map) and after a failover (the connection is
//     lost; the client refreshes its slot map), the channel is subscribed
//     again on its new master before the next read: the caller never
//     subscribes again. After a "sunsubscribe", the client reloads the
//     slot map until it no longer names that node for the slot (the nodes
//     asked first may not have heard of the change). Messages published
//     on the new master before the subscription reaches it are not
//     received (see the package documentation for the measured window).
//
// SPUBLISH goes to the master of the channel's slot and PUBLISH to any
// master, like every command of the Client. The connections are dialed
// with the node options, never come from or go back to a node's pool,
// and each new one picks its node again. Close the PubSub when done.
func (c *Client) PubSub(opts ...client.PubSubOptions) *pubsub.PubSub {
	// The connection options of any node, its address replaced by each
	// connection's.
	var conn pool.Options
	n, err := c.nodeAt(c.opts.Addrs[0])
	if err == nil {
		conn = n.cl.Pool().Options()
	}
	ps := pubsubopt.New(pubsub.Options{
		Conn:                conn,
		DecodeResponses:     c.opts.DecodeResponses,
		HealthCheckInterval: c.opts.HealthCheckInterval,
		Process:             c.engine.Process,
		Router:              psRouter{c},
	}, opts)
	if err != nil {
		_ = ps.Close() // the client is closed: so is the PubSub
	}
	return ps
}

// Subscribe returns a new PubSub (see PubSub) subscribed to channels.
func (c *Client) Subscribe(ctx context.Context, channels ...string) (*pubsub.PubSub, error) {
	return pubsubopt.Subscribed(ctx, c.PubSub(), (*pubsub.PubSub).Subscribe, channels)
}

// PSubscribe returns a new PubSub subscribed to glob-style patterns.
func (c *Client) PSubscribe(ctx context.Context, patterns ...string) (*pubsub.PubSub, error) {
	return pubsubopt.Subscribed(ctx, c.PubSub(), (*pubsub.PubSub).PSubscribe, patterns)
}

// SSubscribe returns a new PubSub subscribed to shard channels, each on
// the master of its slot.
func (c *Client) SSubscribe(ctx context.Context, shardChannels ...string) (*pubsub.PubSub, error) {
	return pubsubopt.Subscribed(ctx, c.PubSub(), (*pubsub.PubSub).SSubscribe, shardChannels)
}

// psRouter is the pubsub.Router of a Client's PubSubs.
type psRouter struct{ c *Client }

// Node implements pubsub.Router: a random master.
func (r psRouter) Node(ctx context.Context) (string, error) {
	st, err := r.c.current()
	if err != nil {
		return "", err
	}
	if len(st.shards) == 0 {
		return "", &UncoveredSlotError{Slot: 0}
	}
	return st.shards[rand.N(len(st.shards))].master.addr, nil
}

// ShardNode implements pubsub.Router: the master of the channel's slot.
func (r psRouter) ShardNode(ctx context.Context, channel string) (string, error) {
	st, err := r.c.current()
	if err != nil {
		return "", err
	}
	slot := command.Slot(channel)
	sh := st.slots[slot].Load()
	if sh == nil {
		r.c.requestRefresh()
		return "", &UncoveredSlotError{Slot: slot}
	}
	return sh.master.addr, nil
}

// Version implements pubsub.Router.
func (r psRouter) Version() uint64 { return r.c.version.Load() }

// Failed implements pubsub.Router: a MOVED updates the slot map; a node
// that ended a shard channel's subscription makes the client refresh the
// map until it no longer names that node for the channel's slot (a node
// asked too soon may not know of the change yet); any other failure
// schedules a refresh.
func (r psRouter) Failed(addr string, err error) {
	var moved *redis.MovedError
	if errors.As(err, &moved) {
		r.c.router.Moved(moved.Slot, moved.Addr)
		return
	}
	r.c.requestRefresh()
	var sm *pubsub.ShardMovedError
	if errors.As(err, &sm) {
		r.c.chaseSlot(command.Slot(sm.Channel), addr)
	}
}
