package pubsub

import (
	"context"
	"errors"
	"sort"
	"sync/atomic"

	redis "github.com/duoredis/redis"
)

// Router spreads the subscriptions of a PubSub over the nodes of a Redis
// Cluster (Options.Router): channels and patterns go on one connection to
// any node (a PUBLISH reaches the subscribers of every node), and each
// shard channel on a connection to the master of its hash slot, one
// connection per node, one SSUBSCRIBE per channel (channels of different
// slots may not share one).
//
// The PubSub moves a shard channel to its new node, by itself, when the
// server ends its subscription (the "sunsubscribe" that Redis 7 pushes
// when the slot moves away or the node stops being its master), when its
// connection is lost (a failover), when a command of the connection is
// answered with an error such as MOVED, and when Version changes (a new
// slot map): before the next read, it asks ShardNode again for every
// channel and subscribes again where the answer changed. The caller never
// subscribes again. The confirmations of these moves come as messages,
// as after a reconnect.
//
// The PubSub calls the methods with its lock held: they must not call the
// PubSub, and should return quickly (Node and ShardNode may block up to
// ctx while the router loads its first slot map).
type Router interface {
	// Node returns the address of the node for channels and patterns.
	Node(ctx context.Context) (string, error)
	// ShardNode returns the address of the master that serves the hash
	// slot of shard channel channel.
	ShardNode(ctx context.Context, channel string) (string, error)
	// Version returns a number that changes whenever ShardNode may answer
	// differently than before (the router loaded a new slot map).
	Version() uint64
	// Failed reports an error of the connection to the node at addr: a
	// lost connection, a failed dial, a server error reply (a
	// *redis.MovedError tells where the channel's slot went), or a
	// *ShardMovedError (errors.Is ErrShardMoved) when the server ended a
	// subscription by itself.
	Failed(addr string, err error)
}

// ShardMovedError is what Router.Failed gets when a node ended the
// subscription to a shard channel by itself: the node no longer serves
// the channel's slot, whatever the router's slot map says. It matches
// ErrShardMoved with errors.Is.
type ShardMovedError struct {
	// Channel is the shard channel whose subscription the node ended.
	Channel string
}

// Error implements the error interface.
func (e *ShardMovedError) Error() string {
	return ErrShardMoved.Error() + ": " + e.Channel
}

// Is reports whether target is ErrShardMoved.
func (e *ShardMovedError) Is(target error) bool { return target == ErrShardMoved }

// RedisError marks the type as an error of this module.
func (e *ShardMovedError) RedisError() {}

// ErrShardMoved is what Router.Failed gets when a node ended the
// subscription to a shard channel by itself (its slot moved away, or the
// node is no longer a master).
var ErrShardMoved = errors.New("redis: pubsub: the node ended a shard channel subscription (slot moved)")

// errRetired closes a connection that no subscription needs any more.
var errRetired = errors.New("redis: pubsub: connection no longer needed")

// routing is where the shard channels of a PubSub with a Router are
// subscribed. It is guarded by PubSub.mu, except the atomics.
type routing struct {
	at      map[string]string // active shard channel -> the route (node address) it is subscribed on
	loose   map[string]bool   // active shard channels to subscribe on their node
	dirty   atomic.Bool       // loose is not empty
	version atomic.Uint64     // the Router.Version the placements follow
}

func (r *routing) init() {
	r.at = map[string]string{}
	r.loose = map[string]bool{}
}

// routed reports whether the subscriptions of family f are spread by the
// Router.
func (p *PubSub) routed(f family) bool { return f == famShard && p.opts.Router != nil }

// needsRouting reports, without the lock, whether shard channels wait to
// be subscribed on their node or the Router has a new slot map.
func (p *PubSub) needsRouting() bool {
	r := p.opts.Router
	return r != nil && (p.rt.dirty.Load() || r.Version() != p.rt.version.Load())
}

// loosen makes shard channel n wait for a subscription on its node.
// p.mu must be held.
func (p *PubSub) loosen(n string) {
	delete(p.rt.at, n)
	p.rt.loose[n] = true
	p.rt.dirty.Store(true)
}

// forget drops the placement of shard channel n. p.mu must be held.
func (p *PubSub) forget(n string) {
	delete(p.rt.at, n)
	delete(p.rt.loose, n)
	p.rt.dirty.Store(len(p.rt.loose) > 0)
}

// placedOn returns the shard channels subscribed on route, sorted (none
// for route ""). p.mu must be held.
func (p *PubSub) placedOn(route string) []string {
	if route == "" {
		return nil
	}
	var out []string
	for n, r := range p.rt.at {
		if r == route {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// place follows a new slot map of the Router (rebalance), then subscribes
// every loose shard channel on its node: on the node's connection, or on a
// new one. A channel whose node's connection is broken stays loose until
// the error is read (the read after it places it). p.mu must be held.
func (p *PubSub) place(ctx context.Context) error {
	r := p.opts.Router
	if r == nil {
		return nil
	}
	if v := r.Version(); v != p.rt.version.Load() {
		p.rt.version.Store(v)
		p.rebalance(ctx)
	}
	if len(p.rt.loose) == 0 {
		return nil
	}
	groups := map[string][]string{}
	for n := range p.rt.loose {
		addr, err := r.ShardNode(ctx, n)
		if err != nil {
			return err
		}
		groups[addr] = append(groups[addr], n)
	}
	var first error
	for route, names := range groups {
		l, err := p.live(route)
		if err != nil {
			continue // its reader reports the error; then they are placed
		}
		sort.Strings(names)
		for _, n := range names {
			p.rt.at[n] = route
			delete(p.rt.loose, n)
		}
		if l == nil {
			if err = p.connect(ctx, route); err != nil {
				for _, n := range p.placedOn(route) {
					p.loosen(n)
				}
			}
		} else {
			p.wbuf = p.wbuf[:0]
			for _, n := range names {
				p.wbuf = appendCommand(p.wbuf, subscribeCmd[famShard], []string{n})
			}
			// A failed write breaks the link; its reader reports it, and
			// the channels are placed again after that.
			err = p.write(ctx, l)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	p.rt.dirty.Store(len(p.rt.loose) > 0)
	return first
}

// rebalance makes loose every shard channel whose node changed in the
// Router's slot map, and closes the connections that no channel needs
// any more. Nothing is sent to the old node: it has ended the
// subscription already or is about to (a node that loses a slot pushes
// "sunsubscribe"), and it would answer SUNSUBSCRIBE with MOVED. p.mu must
// be held.
func (p *PubSub) rebalance(ctx context.Context) {
	moved := map[string]bool{}
	for n, route := range p.rt.at {
		addr, err := p.opts.Router.ShardNode(ctx, n)
		if err != nil || addr == route {
			continue // no better idea: stay
		}
		moved[route] = true
		p.loosen(n)
	}
	for route := range moved {
		if l, err := p.live(route); l != nil && err == nil && len(p.placedOn(route)) == 0 {
			p.retire(l)
		}
	}
}

// retire closes l, which no subscription needs any more, without
// reporting an error. p.mu must be held.
func (p *PubSub) retire(l *link) {
	l.retired = true
	p.breakLink(l, errRetired)
	if p.links[l.route] == l {
		delete(p.links, l.route)
	}
}

// lost is told that l, the current link of its route, is gone: the
// Router learns of it, and the shard channels subscribed on it wait to be
// subscribed again on their node (which may have changed). p.mu must be
// held.
func (p *PubSub) lost(l *link) {
	if p.opts.Router == nil || p.closed || l.retired {
		return
	}
	p.opts.Router.Failed(l.addr, l.reason)
	for _, n := range p.placedOn(l.route) {
		p.loosen(n)
	}
}

// serverError is told an error reply read on from: the Router learns of
// it, and unless it is a MOVED (the Router's new slot map moves the
// channel), every shard channel of the link is subscribed again.
//
// It reports whether the error is handled: a MOVED on a shard channel
// connection is (the channel is subscribed again on its node), so it is
// not returned to the caller.
func (p *PubSub) serverError(from *link, err error) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.opts.Router == nil {
		return false
	}
	p.opts.Router.Failed(from.addr, err)
	var moved *redis.MovedError
	if errors.As(err, &moved) {
		return from.route != ""
	}
	if p.links[from.route] == from {
		for _, n := range p.placedOn(from.route) {
			p.loosen(n)
		}
	}
	return false
}

// dropped is told a "sunsubscribe" of shard channel n that the caller did
// not ask for: the server ended the subscription (the slot moved). n is
// subscribed again on its node. p.mu must be held.
func (p *PubSub) dropped(from *link, n string) {
	if _, ok := p.subs[famShard].active[n]; !ok || p.rt.at[n] != from.route || p.links[from.route] != from {
		return
	}
	p.opts.Router.Failed(from.addr, &ShardMovedError{Channel: n})
	p.loosen(n)
}

// unsubscribeRouted sends SUNSUBSCRIBE for names (every shard channel
// when none is given) on the connections they are subscribed on. The
// caller has moved them from active to leaving. p.mu must be held.
func (p *PubSub) unsubscribeRouted(ctx context.Context, names []string) error {
	s := &p.subs[famShard]
	targets := map[string][]string{}
	if len(names) == 0 {
		for _, route := range p.rt.at {
			targets[route] = nil
		}
		clear(p.rt.at)
		clear(p.rt.loose)
		p.rt.dirty.Store(false)
	} else {
		for _, n := range names {
			route, ok := p.rt.at[n]
			p.forget(n)
			if ok {
				targets[route] = append(targets[route], n)
			} else {
				delete(s.leaving, n) // never subscribed
			}
		}
	}
	var first error
	for route, ns := range targets {
		l, err := p.live(route)
		if l == nil || err != nil {
			for _, n := range ns {
				delete(s.leaving, n)
			}
			continue
		}
		p.wbuf = p.wbuf[:0]
		if len(names) == 0 {
			p.wbuf = appendCommand(p.wbuf, unsubscribeCmd[famShard], nil)
		}
		for _, n := range ns {
			p.wbuf = appendCommand(p.wbuf, unsubscribeCmd[famShard], []string{n})
		}
		if err := p.write(ctx, l); err != nil && first == nil {
			first = err
		}
	}
	return first
}
