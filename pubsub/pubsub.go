package pubsub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// ErrClosed is returned by the methods of a PubSub after Close.
var ErrClosed = errors.New("redis: pubsub is closed")

// ErrHandlerRequired is what Run and RunInBackground return (wrapped, with
// the name of the subscription) while some subscription has no handler,
// and what Subscribe without a handler returns while a runner runs: a
// runner drops what it does not hand to a handler, so every message must
// have one (redis-py's run_in_thread rule).
var ErrHandlerRequired = errors.New("redis: pubsub: a subscription has no handler")

// healthPayload is the text of the health check PING; its pong is not
// returned to the caller.
const healthPayload = "duoredis-health-check"

// Options configures a PubSub.
type Options struct {
	// Conn says how to connect: address, credentials, database, protocol
	// (RESP2 or RESP3), TLS, DialTimeout, WriteTimeout and NewConn, as for
	// a pool (whose limits do not apply: the PubSub dials a connection of
	// its own). ReadTimeout does not bound the wait for messages, which
	// may be long; it bounds the wait for the answer to a health check.
	// Client.PubSub fills it with the client's pool options.
	Conn pool.Options
	// DecodeResponses makes Message.Data a string instead of []byte.
	// default: false
	DecodeResponses bool
	// IgnoreSubscribeMessages drops the confirmations of SUBSCRIBE,
	// UNSUBSCRIBE and the pattern and shard forms instead of returning
	// them (redis-py's ignore_subscribe_messages).
	// default: false
	IgnoreSubscribeMessages bool
	// HealthCheckInterval makes the reader send a PING when the connection
	// has been quiet for longer than this; a PING not answered within
	// ReadTimeout (or HealthCheckInterval when ReadTimeout is off) closes
	// the connection, and the next read reconnects. -1 turns it off.
	// default: Conn.HealthCheckInterval (0, off)
	HealthCheckInterval time.Duration
	// QueueSize is how many messages read from the connection may wait
	// for the reader. When the queue is full the connection is not read
	// until it drains, and the server buffers (up to its
	// client-output-buffer-limit for pubsub clients).
	// default: 256
	QueueSize int
	// ErrorHandler, if set, is called by Run and by the goroutine of
	// Channel with each error they get over and retry: a lost connection,
	// a failed reconnection, a server error.
	// default: nil
	ErrorHandler func(error)
	// Process, if set, runs each command that a caller's call sends
	// (SUBSCRIBE, UNSUBSCRIBE and their pattern and shard forms, PING):
	// it must call send, which sends the command, and return its error.
	// Client.PubSub sets it to pass them through the client's hooks
	// (command.Engine.Process). Health checks and re-subscriptions after a
	// reconnect do not go through it.
	// default: nil
	Process func(ctx context.Context, args []any, send func(ctx context.Context) error) error
	// Router, if set, spreads the subscriptions over the nodes of a Redis
	// Cluster (see Router): channels and patterns on one connection to
	// the node it names, each shard channel on a connection to the master
	// of its hash slot, one connection per node. Conn.Addr is then
	// replaced by each node's address. cluster.Client sets it.
	// default: nil, everything on one connection to Conn.Addr
	Router Router
}

// PubSub is a publish/subscribe session on one connection of its own,
// dialed on the first subscription and never shared with a pool.
//
//	ps := pubsub.New(pubsub.Options{Conn: pool.Options{Addr: "localhost:6379"}})
//	defer ps.Close()
//	err := ps.Subscribe(ctx, "news")
//	for msg, err := range ps.Listen(ctx) { ... }
//
// Messages are read in one of three ways: GetMessage (poll, or wait up to a
// timeout), Receive and Listen (block for the next one), or Channel (a Go
// channel fed by a goroutine); Run dispatches them to handlers until
// stopped. A message whose channel, pattern or shard channel has a Handler
// goes to the handler and is not returned.
//
// A goroutine of the PubSub reads the connection and queues what it reads,
// so that a poll never blocks and a slow consumer does not make the reads
// time out. When the connection breaks (a server restart, CLIENT KILL, a
// failed health check), the next read returns the error once, and the read
// after it reconnects and subscribes again to every channel, pattern and
// shard channel (the confirmations come again, as messages).
//
// # Goroutine safety
//
// Every method is safe for concurrent use. Subscribe, Unsubscribe (all
// forms), Ping and Close may be called from any goroutine at any time,
// also while another goroutine reads, and from a handler. Reads
// (GetMessage, Receive, Listen, Channel, Run) are meant for one goroutine
// at a time: concurrent readers each get some of the messages, and the
// order between them is lost. Handlers run in the reading goroutine, one
// at a time.
type PubSub struct {
	opts   *Options      // behind a pointer, so that fmt's reflection never prints the password
	hc     time.Duration // health check interval; 0: off
	queue  chan event
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	running bool             // Run is active
	links   map[string]*link // the current connection of each route; absent when none
	// lastDone holds, per route, a channel closed when the last reader
	// started on it has exited.
	lastDone map[string]chan struct{}
	subs     [nFamilies]subSet
	wbuf     []byte
	rt       routing // shard channels spread over nodes (Options.Router)

	chanOnce sync.Once
	ch       chan *Message
}

// subSet is the subscriptions of one family: active ones (subscribed again
// after a reconnect) and those being unsubscribed whose confirmation has
// not been read yet (their messages in flight still go to their handler).
type subSet struct {
	active  map[string]Handler
	leaving map[string]Handler
}

// link is one connection and the goroutine that reads it. The reader owns
// cn; other goroutines only write to nc, set its write deadline or close
// it, which net.Conn allows concurrently with reads.
type link struct {
	route     string // "" (channels and patterns, everything without a Router) or a node address
	cn        *pool.Conn
	nc        net.Conn
	addr      string
	writeTO   time.Duration
	readTO    time.Duration
	done      chan struct{} // closed when the reader has exited
	lastRead  atomic.Int64  // UnixNano of the last reply read
	lastWrite time.Time     // guarded by PubSub.mu
	hcSent    time.Time     // a health check PING in flight; guarded by PubSub.mu
	reason    error         // why the link was closed on purpose; guarded by PubSub.mu
	retired   bool          // closed because no subscription needs it; guarded by PubSub.mu
}

// event is what the reader queues: a message or an error.
type event struct {
	msg    *Message
	err    error
	dead   *link // the link that err ended
	from   *link // the link that msg or err was read on
	health bool  // msg is the pong of a health check
}

// New returns a PubSub with no subscription and no connection yet.
func New(opts Options) *PubSub {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 256
	}
	p := &PubSub{opts: &opts, queue: make(chan event, opts.QueueSize),
		links: map[string]*link{}, lastDone: map[string]chan struct{}{}}
	p.rt.init()
	p.hc = opts.HealthCheckInterval
	if p.hc == 0 {
		p.hc = opts.Conn.HealthCheckInterval
	}
	if p.hc < 0 {
		p.hc = 0
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	for i := range p.subs {
		p.subs[i] = subSet{active: map[string]Handler{}, leaving: map[string]Handler{}}
	}
	return p
}

// Subscribe subscribes to channels. Their messages are returned by the
// reads (GetMessage, Receive, Listen, Channel). Subscribe returns once the
// command is sent; the server's confirmation comes as a "subscribe"
// message, and a message published before the server handled the command
// is not received.
func (p *PubSub) Subscribe(ctx context.Context, channels ...string) error {
	return p.subscribe(ctx, famChannel, nil, channels)
}

// SubscribeFunc subscribes to channels with a handler: their messages go
// to h instead of being returned. A nil h is Subscribe.
func (p *PubSub) SubscribeFunc(ctx context.Context, h Handler, channels ...string) error {
	return p.subscribe(ctx, famChannel, h, channels)
}

// PSubscribe subscribes to glob-style patterns ("news.*"); their messages
// have Type "pmessage".
func (p *PubSub) PSubscribe(ctx context.Context, patterns ...string) error {
	return p.subscribe(ctx, famPattern, nil, patterns)
}

// PSubscribeFunc subscribes to patterns with a handler.
func (p *PubSub) PSubscribeFunc(ctx context.Context, h Handler, patterns ...string) error {
	return p.subscribe(ctx, famPattern, h, patterns)
}

// SSubscribe subscribes to shard channels (Redis 7 sharded pub/sub, for
// messages sent with SPUBLISH); their messages have Type "smessage".
func (p *PubSub) SSubscribe(ctx context.Context, shardChannels ...string) error {
	return p.subscribe(ctx, famShard, nil, shardChannels)
}

// SSubscribeFunc subscribes to shard channels with a handler.
func (p *PubSub) SSubscribeFunc(ctx context.Context, h Handler, shardChannels ...string) error {
	return p.subscribe(ctx, famShard, h, shardChannels)
}

// Unsubscribe unsubscribes from channels, or from every channel when none
// is given (with no channel subscribed, that sends nothing and no
// confirmation comes). Messages already on their way are still delivered (to their
// handler, if they had one), up to the "unsubscribe" confirmation.
func (p *PubSub) Unsubscribe(ctx context.Context, channels ...string) error {
	return p.unsubscribe(ctx, famChannel, channels)
}

// PUnsubscribe unsubscribes from patterns, or from every pattern when none
// is given.
func (p *PubSub) PUnsubscribe(ctx context.Context, patterns ...string) error {
	return p.unsubscribe(ctx, famPattern, patterns)
}

// SUnsubscribe unsubscribes from shard channels, or from every shard
// channel when none is given.
func (p *PubSub) SUnsubscribe(ctx context.Context, shardChannels ...string) error {
	return p.unsubscribe(ctx, famShard, shardChannels)
}

// process runs send, which sends the command name with args, through
// Options.Process.
func (p *PubSub) process(ctx context.Context, name string, args []string, send func(ctx context.Context) error) error {
	if p.opts.Process == nil {
		return send(ctx)
	}
	argv := make([]any, 0, 1+len(args))
	argv = append(argv, name)
	for _, a := range args {
		argv = append(argv, a)
	}
	return p.opts.Process(ctx, argv, send)
}

func (p *PubSub) subscribe(ctx context.Context, f family, h Handler, names []string) error {
	return p.process(ctx, subscribeCmd[f], names, func(ctx context.Context) error {
		return p.doSubscribe(ctx, f, h, names)
	})
}

func (p *PubSub) doSubscribe(ctx context.Context, f family, h Handler, names []string) error {
	if len(names) == 0 {
		return errors.New("redis: " + subscribeCmd[f] + " needs at least one " + familyName[f])
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if h == nil && p.running {
		return fmt.Errorf("%w: a runner is active, so %s needs a handler", ErrHandlerRequired, subscribeCmd[f])
	}
	s := &p.subs[f]
	type prior struct {
		h  Handler
		ok bool
	}
	before := make([]prior, len(names))
	for i, n := range names {
		before[i].h, before[i].ok = s.active[n]
		s.active[n] = h
	}
	var err error
	if p.routed(f) {
		for _, n := range names {
			p.loosen(n)
		}
		err = p.place(ctx)
	} else {
		var l *link
		l, err = p.live("")
		switch {
		case err != nil:
			// The connection broke; the next read reports it and reconnects.
		case l == nil:
			err = p.connect(ctx, "") // subscribes to everything, names included
		default:
			err = p.send(ctx, l, subscribeCmd[f], names...)
		}
	}
	if err != nil {
		// Not subscribed: forget the names, so that a reconnect does not
		// subscribe to them.
		for i, n := range names {
			if p.routed(f) && !p.rt.loose[n] {
				continue // placed on a node that works
			}
			if before[i].ok {
				s.active[n] = before[i].h
			} else {
				delete(s.active, n)
				p.forget(n)
			}
		}
	}
	return err
}

func (p *PubSub) unsubscribe(ctx context.Context, f family, names []string) error {
	return p.process(ctx, unsubscribeCmd[f], names, func(ctx context.Context) error {
		return p.doUnsubscribe(ctx, f, names)
	})
}

func (p *PubSub) doUnsubscribe(ctx context.Context, f family, names []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	s := &p.subs[f]
	if len(names) == 0 && len(s.active) == 0 && len(s.leaving) == 0 {
		// Nothing to end. Servers disagree on the answer (Redis confirms
		// with no channel, Valkey 8 errs with NOSUB outside subscribed
		// mode), so nothing is sent.
		return nil
	}
	if len(names) == 0 {
		for n, h := range s.active {
			s.leaving[n] = h
		}
		clear(s.active)
	}
	for _, n := range names {
		if h, ok := s.active[n]; ok {
			s.leaving[n] = h
			delete(s.active, n)
		}
	}
	if p.routed(f) {
		return p.unsubscribeRouted(ctx, names)
	}
	l, err := p.live("")
	if l == nil || err != nil {
		// No (working) connection, no subscription to end: the next
		// connection subscribes to the active ones only.
		clear(s.leaving)
		return nil
	}
	return p.send(ctx, l, unsubscribeCmd[f], names...)
}

// Ping sends a PING (with message, if given) on the subscribed connection,
// connecting if there is none. The answer comes as a message of Type
// "pong" whose Data is the message ("" without one).
func (p *PubSub) Ping(ctx context.Context, message ...string) error {
	if len(message) > 1 {
		return errors.New("redis: pubsub Ping takes at most one message")
	}
	return p.process(ctx, "PING", message, func(ctx context.Context) error { return p.ping(ctx, message) })
}

func (p *PubSub) ping(ctx context.Context, message []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	l, err := p.live("")
	if err != nil {
		return err
	}
	if l == nil {
		if err := p.connect(ctx, ""); err != nil {
			return err
		}
		l = p.links[""]
	}
	return p.send(ctx, l, "PING", message...)
}

// Subscribed reports whether the PubSub has any subscription (channel,
// pattern or shard channel), counting only those not being unsubscribed.
func (p *PubSub) Subscribed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hasSubs()
}

// Channels returns the subscribed channels, sorted.
func (p *PubSub) Channels() []string { return p.names(famChannel) }

// Patterns returns the subscribed patterns, sorted.
func (p *PubSub) Patterns() []string { return p.names(famPattern) }

// ShardChannels returns the subscribed shard channels, sorted.
func (p *PubSub) ShardChannels() []string { return p.names(famShard) }

func (p *PubSub) names(f family) []string {
	p.mu.Lock()
	out := make([]string, 0, len(p.subs[f].active))
	for n := range p.subs[f].active {
		out = append(out, n)
	}
	p.mu.Unlock()
	sort.Strings(out)
	return out
}

func (p *PubSub) hasSubs() bool {
	for i := range p.subs {
		if len(p.subs[i].active) > 0 {
			return true
		}
	}
	return false
}

// Close ends the session: it closes the connection (which ends every
// subscription on the server), stops the reading goroutine and waits for
// it, and makes every read and every other method return ErrClosed. The
// goroutine of Channel closes its channel and exits; Run returns. Closing
// twice does nothing.
func (p *PubSub) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.cancel()
	for _, l := range p.links {
		p.breakLink(l, ErrClosed)
	}
	var dones []chan struct{}
	for _, d := range p.lastDone {
		dones = append(dones, d)
	}
	p.mu.Unlock()
	for _, d := range dones {
		<-d
	}
	return nil
}

// dial makes a connection as the options say, to addr when it is not "".
func (p *PubSub) dial(ctx context.Context, addr string) (*pool.Conn, error) {
	o := p.opts.Conn
	if addr != "" {
		o.Addr, o.Network = addr, "tcp"
	}
	if o.NewConn != nil {
		return o.NewConn(ctx, &o)
	}
	return pool.Dial(ctx, &o)
}

// connect dials a new connection for route, subscribes it to everything
// active on that route (in one write) and starts its reader. p.mu must be
// held.
func (p *PubSub) connect(ctx context.Context, route string) error {
	addr := route
	if route == "" && p.opts.Router != nil {
		var err error
		if addr, err = p.opts.Router.Node(ctx); err != nil {
			return err
		}
	}
	cn, err := p.dial(ctx, addr)
	if err != nil {
		if p.opts.Router != nil {
			p.opts.Router.Failed(addr, err)
		}
		return err
	}
	co := cn.Options()
	l := &link{route: route, cn: cn, nc: cn.NetConn(), addr: co.Addr, writeTO: co.WriteTimeout, readTO: co.ReadTimeout,
		done: make(chan struct{})}
	l.lastRead.Store(time.Now().UnixNano())
	l.lastWrite = time.Now()
	p.wbuf = p.wbuf[:0]
	for f := range p.subs {
		s := &p.subs[f]
		if p.opts.Router == nil {
			clear(s.leaving) // the old connection's unsubscriptions are moot
		}
		if p.routed(family(f)) {
			// One SSUBSCRIBE per channel: channels of different slots
			// may not share one (CROSSSLOT).
			for _, n := range p.placedOn(route) {
				p.wbuf = appendCommand(p.wbuf, subscribeCmd[f], []string{n})
			}
			continue
		}
		if route != "" || len(s.active) == 0 {
			continue
		}
		names := make([]string, 0, len(s.active))
		for n := range s.active {
			names = append(names, n)
		}
		sort.Strings(names)
		p.wbuf = appendCommand(p.wbuf, subscribeCmd[f], names)
	}
	if len(p.wbuf) > 0 {
		if err := p.write(ctx, l); err != nil {
			_ = cn.Close()
			return err
		}
	}
	prev := p.lastDone[route]
	p.links[route], p.lastDone[route] = l, l.done
	go p.read(l, prev)
	return nil
}

// send writes one command on l. p.mu must be held.
func (p *PubSub) send(ctx context.Context, l *link, name string, args ...string) error {
	p.wbuf = appendCommand(p.wbuf[:0], name, args)
	return p.write(ctx, l)
}

func appendCommand(b []byte, name string, args []string) []byte {
	b = redis.AppendArrayHeader(b, 1+len(args))
	b = redis.AppendBulkString(b, name)
	for _, a := range args {
		b = redis.AppendBulkString(b, a)
	}
	return b
}

// write sends p.wbuf on l within WriteTimeout and ctx's deadline. A write
// that fails closes the link (the reader then reports it, and the next
// read reconnects). p.mu must be held.
func (p *PubSub) write(ctx context.Context, l *link) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	var dl time.Time
	if l.writeTO > 0 {
		dl = now.Add(l.writeTO)
	}
	fromCtx := false
	if d, ok := ctx.Deadline(); ok && (dl.IsZero() || d.Before(dl)) {
		dl, fromCtx = d, true
	}
	err := l.nc.SetWriteDeadline(dl)
	if err == nil {
		_, err = l.nc.Write(p.wbuf)
	}
	if cap(p.wbuf) > 64<<10 {
		p.wbuf = nil
	}
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if fromCtx {
				// ctx's deadline passed (its Err may lag a little).
				err = context.DeadlineExceeded
			}
			err = &redis.TimeoutError{Op: "write", Addr: l.addr, Err: err}
		} else {
			err = &redis.ConnectionError{Op: "write", Addr: l.addr, Err: err}
		}
		p.breakLink(l, err)
		return err
	}
	l.lastWrite = now
	return nil
}

// breakLink closes l's connection for reason, which its reader reports,
// unless the PubSub is closed. p.mu must be held.
func (p *PubSub) breakLink(l *link, reason error) {
	if l.reason == nil {
		l.reason = reason
	}
	_ = l.nc.Close()
}

// dropLink forgets l, if it is the current link of its route, so that the
// next read or subscription connects again. p.mu must be held.
func (p *PubSub) dropLink(l *link) {
	if p.links[l.route] == l {
		delete(p.links, l.route)
		p.lost(l)
	}
}

// live returns the current link of route if it works, or nil with the
// reason it broke (nil when there is no link). p.mu must be held.
func (p *PubSub) live(route string) (*link, error) {
	l := p.links[route]
	if l == nil || l.reason == nil {
		return l, nil
	}
	return nil, l.reason
}

// read is the reader goroutine of l: it reads every reply, decodes it and
// queues it, until the connection fails or is closed; it then queues the
// error (unless the PubSub is closed) and exits. It starts reading only
// after the reader of the previous connection (prev) has exited, so that
// the queue keeps the order of the connections.
func (p *PubSub) read(l *link, prev chan struct{}) {
	defer close(l.done)
	if prev != nil {
		<-prev
	}
	var r redis.Reply
	for {
		// No deadline: a subscriber may wait for a message forever. Close
		// and breakLink end the read by closing the socket.
		err := l.cn.ReadReplyBlocking(context.Background(), &r, -1)
		var msg *Message
		if err == nil {
			l.lastRead.Store(time.Now().UnixNano())
			msg, err = p.decode(&r)
			var ce *redis.ConnectionError
			if err != nil && !errors.As(err, &ce) {
				// A server error reply (to a command of ours): the
				// connection stays good.
				if !p.push(event{err: err, from: l}) {
					break
				}
				continue
			}
		}
		if err != nil {
			p.mu.Lock()
			if l.reason != nil {
				err = l.reason
			} else {
				l.reason = err
			}
			quiet := p.closed || l.retired
			p.mu.Unlock()
			_ = l.cn.Close()
			if !quiet {
				// The error goes behind the messages read before it.
				// Until it is queued, p.link stays l, so that no read
				// reconnects (and reads newer messages) before it.
				p.push(event{err: err, dead: l, from: l})
			}
			p.mu.Lock()
			p.dropLink(l)
			p.mu.Unlock()
			return
		}
		health := msg.Type == "pong" && msg.Text() == healthPayload
		if !p.push(event{msg: msg, health: health, from: l}) {
			break
		}
	}
	_ = l.cn.Close()
}

// push queues ev, waiting for room; it reports false if the PubSub was
// closed meanwhile.
func (p *PubSub) push(ev event) bool {
	select {
	case p.queue <- ev:
		return true
	case <-p.ctx.Done():
		return false
	}
}
