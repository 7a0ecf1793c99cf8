package pool

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	redis "github.com/duoredis/redis"
)

// ConnID names one connection of a [Tracker]: its slot, and the generation
// of the connection in that slot (each new connection of a slot has a new
// one, never 0). What a connection's tracking covers dies with its
// generation.
type ConnID struct {
	Slot int
	Gen  uint64
}

// String returns "slot/gen".
func (c ConnID) String() string {
	return strconv.Itoa(c.Slot) + "/" + strconv.FormatUint(c.Gen, 10)
}

// GroupHandler receives the replies of a group of commands sent together
// ([Tracker.Do], [Tracker.SendOn]), in order, on the reader goroutine of
// the connection that carried them: conn names it, and last is set for the
// group's final reply. A reply is valid only during the call. The reader
// reads nothing else meanwhile, so whatever a handler does happens before
// the connection's next push frame (an invalidation) is seen.
type GroupHandler interface {
	HandleGroupReply(conn ConnID, r *redis.Reply, last bool)
}

// TrackingEvents is what a Tracker tells its owner (a client-side cache).
// Every method may be called from any goroutine, but the calls about one
// connection come in the order the connection saw them.
type TrackingEvents interface {
	// Opened: conn was opened and its tracking is on; nothing was read on
	// it yet.
	Opened(conn ConnID)
	// Closed: conn is closed (an I/O error, a timeout, a failed health
	// check, a bad reply, the Tracker's Close); no more of its replies and
	// invalidations will be read, so whatever it tracked is lost.
	Closed(conn ConnID)
	// Invalidate: the server sent an invalidation on conn for keys, or
	// for everything (all: FLUSHALL, FLUSHDB, or a full tracking table).
	// keys are valid only during the call.
	Invalidate(conn ConnID, keys []redis.Reply, all bool)
}

// TrackingOptions configure a Tracker.
type TrackingOptions struct {
	// Conns is how many tracked connections the Tracker opens (on first
	// use); default 2. They count towards the pool's PoolSize.
	Conns int
	// BCAST turns on broadcasting mode (CLIENT TRACKING ON BCAST) for the
	// key prefixes Prefixes (none: every key); the default is OPTIN,
	// where only the command after CLIENT CACHING YES is tracked.
	BCAST    bool
	Prefixes []string
	// Redirect sends the invalidations to a connection of their own
	// (CLIENT TRACKING ON REDIRECT id), a RESP2 connection subscribed to
	// __redis__:invalidate, instead of the tracked connections, which
	// then speak the pool's Protocol (2 or 3). It is for servers or
	// proxies where the tracked connections must speak RESP2. The
	// redirect connection is reported to Events with Slot RedirectSlot;
	// see Confirm and RedirectOK for the race this mode has to guard.
	Redirect bool
	// Heartbeat is how often an idle tracked connection is PINGed, so that
	// one cut silently (a half-open TCP connection) is found within
	// Heartbeat plus ReadTimeout; default 1s, negative: never.
	Heartbeat time.Duration
	// Events receives the Tracker's events; required.
	Events TrackingEvents
}

// Tracker is a set of connections with CLIENT TRACKING on, shared by the
// goroutines of one client the way its [Mux] is (commands of many callers
// are written together; replies are matched by order). Unlike the Mux's,
// its connections always speak RESP3 (HELLO 3, whatever the pool's
// Protocol), never come from or go back to the pool's idle connections,
// and each has a reader goroutine that reads all the time: every push
// frame (an invalidation) is handed to TrackingEvents as soon as it comes,
// idle or not. A connection that fails in any way is closed and Closed is
// reported before any command in flight on it fails.
type Tracker struct {
	m    *Mux
	o    TrackingOptions
	mu   sync.Mutex
	ids  []int64 // the server's client ID of each slot's connection
	stop chan struct{}
	once sync.Once

	// REDIRECT mode: the redirect connection, and for each slot the
	// generation of its connection (rconn) and that of the redirect
	// connection it redirects to (rgen; dialR while it is being dialed,
	// retracking while retrack's group is in flight).
	rd                        *redirector
	rconn, rgen, dialR, retry []uint64
}

// NewTracker returns a Tracker over p's server and options. It opens no
// connection until the first command; Close closes it (closing p does
// not).
func (p *Pool) NewTracker(o TrackingOptions) *Tracker {
	if o.Conns <= 0 {
		o.Conns = 2
	}
	if o.Heartbeat == 0 {
		o.Heartbeat = time.Second
	}
	m := &Mux{pool: p, opts: p.opts, conns: make([]*muxConn, o.Conns)}
	for i := range m.conns {
		m.conns[i] = &muxConn{m: m, idx: i}
	}
	t := &Tracker{m: m, o: o, ids: make([]int64, o.Conns), stop: make(chan struct{})}
	if o.Redirect {
		t.rd = newRedirector(t)
		t.rconn, t.rgen = make([]uint64, o.Conns), make([]uint64, o.Conns)
		t.dialR, t.retry = make([]uint64, o.Conns), make([]uint64, o.Conns)
	}
	m.trk = t
	if o.Heartbeat > 0 {
		go t.heartbeat()
	}
	return t
}

// Options returns the Tracker's options, defaults applied.
func (t *Tracker) Options() TrackingOptions { return t.o }

// ClientIDs returns the server's client ID of each slot's open connection
// (0 for a slot with none), as CLIENT LIST shows them.
func (t *Tracker) ClientIDs() []int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]int64(nil), t.ids...)
}

// Close closes the tracked connections: commands in flight fail, and
// Closed is reported for each.
func (t *Tracker) Close() {
	t.once.Do(func() {
		close(t.stop)
		t.m.close()
		if t.rd != nil {
			t.rd.close()
		}
	})
}

// Do sends the encoded commands cmds, n of them, on one tracked
// connection, written together with nothing between them, and returns
// once h has had their n replies (or with the error that kept them from
// coming: the connection's, or ctx's, in which case the replies that
// still come are not handed to h).
func (t *Tracker) Do(ctx context.Context, cmds []byte, n int, h GroupHandler) error {
	m := t.m
	mc, token, err := m.pick(ctx)
	if err != nil {
		return err
	}
	call := callPool.Get().(*muxCall)
	call.h, call.gh, call.left, call.err = nil, h, n-1, nil
	call.wseq, call.vec, call.to = 0, false, false // a Mux call's may be left
	call.state.Store(callWaiting)
	mc.enqueueGroup(cmds, call, token)
	if err := m.wait(ctx, mc, call); err != nil {
		return err
	}
	err = call.err
	call.gh = nil
	callPool.Put(call)
	if err != nil && ctx.Done() != nil {
		err = m.deadlineErr(ctx, err)
	}
	return err
}

// SendOn sends the encoded commands cmds, n of them, on the connection
// conn, if it is still open, and reports whether it did; h gets their
// replies, as with Do, but nobody waits for them: if the connection fails
// first, h hears nothing, and Closed is reported.
func (t *Tracker) SendOn(conn ConnID, cmds []byte, n int, h GroupHandler) bool {
	if conn.Slot < 0 || conn.Slot >= len(t.m.conns) {
		return false
	}
	mc := t.m.conns[conn.Slot]
	call := &muxCall{done: make(chan struct{}, 1), gh: h, left: n - 1}
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if mc.gen != conn.Gen || mc.cn == nil {
		return false
	}
	mc.wbuf = append(mc.wbuf, cmds...)
	mc.queue = append(mc.queue, call)
	if !mc.pending {
		mc.pending = true
		mc.wake <- struct{}{}
	}
	return true
}

// enqueueGroup is enqueue for commands encoded already.
func (mc *muxConn) enqueueGroup(cmds []byte, call *muxCall, token bool) {
	mc.mu.Lock()
	mc.wbuf = append(mc.wbuf, cmds...)
	mc.push(call, token)
}

// dial opens the connection of a slot: a new one, in RESP3 (the pool's
// Protocol in REDIRECT mode), with tracking on. It is counted as a shared
// connection of the pool.
func (t *Tracker) dial(slot int) (*Conn, error) {
	p := t.m.pool
	o := *p.opts
	ctx := p.ctx
	if o.DialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.DialTimeout)
		defer cancel()
	}
	var rid int64
	if t.rd != nil {
		id, gen, err := t.rd.await(ctx)
		if err != nil {
			return nil, &HandshakeError{Addr: o.Addr, Command: "CLIENT TRACKING REDIRECT", Err: err}
		}
		rid = id
		t.mu.Lock()
		t.dialR[slot] = gen
		t.mu.Unlock()
	} else {
		o.Protocol = 3
	}
	c, err := o.NewConn(p.ctx, &o)
	if err == nil && c == nil {
		err = errNilConn
	}
	if err != nil {
		return nil, err
	}
	args := t.trackingArgs(rid)
	_ = c.WriteStrings(args...)
	_ = c.WriteStrings("CLIENT", "ID")
	if err := c.Flush(ctx); err != nil {
		_ = c.Close()
		return nil, &HandshakeError{Addr: o.Addr, Command: "CLIENT TRACKING", Err: err}
	}
	var id int64
	for i, step := range []string{"CLIENT TRACKING", "CLIENT ID"} {
		err := c.ReadReply(ctx, &c.reply)
		if err == nil && c.reply.IsError() {
			err = c.reply.Err()
		}
		if err != nil {
			_ = c.Close()
			return nil, &HandshakeError{Addr: o.Addr, Command: step, Err: err}
		}
		if i == 1 {
			id = c.reply.Int
		}
	}
	t.mu.Lock()
	t.ids[slot] = id
	t.mu.Unlock()
	p.mu.Lock()
	p.conns++
	p.shared++
	p.mu.Unlock()
	return p.takeShared(c)
}

// opened, closed and push are the Mux's reports.
func (t *Tracker) opened(conn ConnID) {
	if t.rd != nil {
		t.mu.Lock()
		t.rconn[conn.Slot], t.rgen[conn.Slot] = conn.Gen, t.dialR[conn.Slot]
		t.mu.Unlock()
	}
	t.o.Events.Opened(conn)
}

func (t *Tracker) closed(conn ConnID) {
	t.mu.Lock()
	t.ids[conn.Slot] = 0
	if t.rd != nil && t.rconn[conn.Slot] == conn.Gen {
		t.rconn[conn.Slot], t.rgen[conn.Slot] = 0, 0
	}
	t.mu.Unlock()
	t.o.Events.Closed(conn)
}

func (t *Tracker) push(conn ConnID, r *redis.Reply) {
	if len(r.Elems) == 2 && string(r.Elems[0].Str) == "tracking-redir-broken" {
		if t.rd != nil {
			id := r.Elems[1].Int
			if r.Elems[1].Kind != redis.KindInteger {
				id, _ = strconv.ParseInt(string(r.Elems[1].Str), 10, 64)
			}
			go t.rd.broken(id) // not on the reader: it may write on this connection
		}
		return
	}
	if len(r.Elems) < 2 || string(r.Elems[0].Str) != "invalidate" {
		return
	}
	keys := &r.Elems[1]
	if keys.Kind == redis.KindNull {
		t.o.Events.Invalidate(conn, nil, true)
		return
	}
	t.o.Events.Invalidate(conn, keys.Elems, false)
}

// heartbeat PINGs each open tracked connection every Heartbeat, so that
// ReadTimeout fails one that stopped answering even while nothing else
// is sent on it.
func (t *Tracker) heartbeat() {
	tick := time.NewTicker(t.o.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
		}
		for _, mc := range t.m.conns {
			mc.mu.Lock()
			conn := ConnID{Slot: mc.idx, Gen: mc.gen}
			open := mc.cn != nil
			mc.mu.Unlock()
			if open {
				t.SendOn(conn, pingCmd, 1, heartbeatReply{t: t})
			}
		}
		if t.rd != nil {
			if gen := t.rd.current(); gen != 0 {
				rd := t.rd
				rd.ping(gen, func(ok bool) {})
			}
			t.retrack() // a slot dialed while the redirect connection changed
		}
	}
}

// heartbeatReply checks the heartbeat's PONG.
type heartbeatReply struct{ t *Tracker }

func (h heartbeatReply) HandleGroupReply(conn ConnID, r *redis.Reply, _ bool) {
	if r.Kind != redis.KindSimpleString || string(r.Str) != "PONG" {
		mc := h.t.m.conns[conn.Slot]
		mc.fail(conn.Gen, &redis.ConnectionError{Op: "health check", Addr: h.t.m.opts.Addr,
			Err: errors.New("PING answered with " + r.String())}, true)
	}
}
