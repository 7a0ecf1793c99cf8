package pool

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	redis "github.com/duoredis/redis"
)

// RedirectSlot is the Slot of the ConnID under which a REDIRECT-mode
// Tracker reports its redirect connection (the one that receives the
// invalidations) to TrackingEvents.
const RedirectSlot = -1

// invalidateChannel is the channel the server publishes a redirected
// client's invalidations on, for a RESP2 redirect connection.
const invalidateChannel = "__redis__:invalidate"

// redirector owns the redirect connection of a REDIRECT-mode Tracker: a
// RESP2 connection subscribed to __redis__:invalidate, whose client ID the
// tracked connections name in CLIENT TRACKING ON REDIRECT. It reads all
// the time, like a tracked connection; when it fails, it is reported
// Closed (every invalidation sent to it meanwhile is lost) and dialed
// again, and the tracked connections are pointed at the new one.
type redirector struct {
	t *Tracker

	mu      sync.Mutex
	cn      *Conn // nil while none is open
	nc      net.Conn
	id      int64         // cn's client ID
	gen     uint64        // the generation of cn (or of the last one)
	upc     chan struct{} // closed while cn is open; a fresh one otherwise
	pings   []redirPing   // PINGs written and not answered yet, in order
	rdl     time.Time
	started bool
	lost    uint64 // connections lost
}

// redirPing is one PING written on the redirect connection: fn hears
// whether its pong came.
type redirPing struct {
	sent time.Time
	fn   func(ok bool)
}

var (
	errRedirBroken = errors.New("the server reported tracking-redir-broken")
	errRedirReply  = errors.New("unexpected reply on the redirect connection")
)

func newRedirector(t *Tracker) *redirector {
	return &redirector{t: t, upc: make(chan struct{})}
}

// await returns the client ID and generation of the open redirect
// connection, starting it if need be, and waiting for it as long as ctx
// allows.
func (r *redirector) await(ctx context.Context) (int64, uint64, error) {
	for {
		r.mu.Lock()
		if !r.started {
			r.started = true
			go r.run()
		}
		if r.cn != nil {
			id, gen := r.id, r.gen
			r.mu.Unlock()
			return id, gen, nil
		}
		ch := r.upc
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-r.t.stop:
			return 0, 0, ErrMuxClosed
		}
	}
}

// current returns the generation of the open redirect connection, 0 if
// none is.
func (r *redirector) current() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cn == nil {
		return 0
	}
	return r.gen
}

// run keeps a redirect connection open until the Tracker closes.
func (r *redirector) run() {
	backoff := 10 * time.Millisecond
	for {
		select {
		case <-r.t.stop:
			return
		default:
		}
		cn, id, err := r.dial()
		if err != nil {
			select {
			case <-r.t.stop:
				return
			case <-time.After(backoff):
			}
			if backoff *= 2; backoff > time.Second {
				backoff = time.Second
			}
			continue
		}
		backoff = 10 * time.Millisecond
		r.mu.Lock()
		select {
		case <-r.t.stop:
			r.mu.Unlock()
			_ = cn.Close()
			return
		default:
		}
		r.gen++
		gen := r.gen
		r.cn, r.nc, r.id, r.rdl = cn, cn.nc, id, time.Time{}
		r.t.o.Events.Opened(ConnID{Slot: RedirectSlot, Gen: gen})
		close(r.upc)
		r.mu.Unlock()
		r.t.retrack()
		r.read(cn, gen)
	}
}

// dial opens a redirect connection: RESP2, CLIENT ID, SUBSCRIBE.
func (r *redirector) dial() (*Conn, int64, error) {
	p := r.t.m.pool
	o := *p.opts
	o.Protocol = 2
	c, err := o.NewConn(p.ctx, &o)
	if err == nil && c == nil {
		err = errNilConn
	}
	if err != nil {
		return nil, 0, err
	}
	ctx := p.ctx
	if o.DialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.DialTimeout)
		defer cancel()
	}
	_ = c.WriteStrings("CLIENT", "ID")
	_ = c.WriteStrings("SUBSCRIBE", invalidateChannel)
	if err := c.Flush(ctx); err != nil {
		_ = c.Close()
		return nil, 0, err
	}
	var id int64
	for i := 0; i < 2; i++ {
		err := c.ReadReply(ctx, &c.reply)
		if err == nil && c.reply.IsError() {
			err = c.reply.Err()
		}
		if err != nil {
			_ = c.Close()
			return nil, 0, &HandshakeError{Addr: o.Addr, Command: "SUBSCRIBE " + invalidateChannel, Err: err}
		}
		if i == 0 {
			id = c.reply.Int
		}
	}
	if err := c.clearDeadlines(); err != nil {
		_ = c.Close()
		return nil, 0, err
	}
	return c, id, nil
}

// read reads the redirect connection cn until it fails.
func (r *redirector) read(cn *Conn, gen uint64) {
	reply := &cn.reply
	conn := ConnID{Slot: RedirectSlot, Gen: gen}
	for {
		err := cn.parser.ReadReply(reply)
		if err != nil {
			err = cn.ioError(context.Background(), "read", err, false)
			r.fail(gen, err)
			cn.fatal(err)
			return
		}
		var kind string
		if (reply.Kind == redis.KindArray || reply.Kind == redis.KindPush) && len(reply.Elems) > 0 {
			kind = string(reply.Elems[0].Str)
		}
		switch {
		case kind == "message" && len(reply.Elems) == 3 && string(reply.Elems[1].Str) == invalidateChannel:
			keys := &reply.Elems[2]
			switch keys.Kind {
			case redis.KindNull:
				r.t.o.Events.Invalidate(conn, nil, true)
			case redis.KindArray:
				r.t.o.Events.Invalidate(conn, keys.Elems, false)
			default:
				// A single key as a bulk string (not sent by 6.x/7.x,
				// but harmless to accept).
				r.t.o.Events.Invalidate(conn, reply.Elems[2:3], false)
			}
		case kind == "pong" || reply.Kind == redis.KindSimpleString && string(reply.Str) == "PONG":
			r.mu.Lock()
			if r.gen != gen || len(r.pings) == 0 {
				r.mu.Unlock()
				r.fail(gen, &redis.ProtocolError{Msg: "a pong came that no PING asked for"})
				cn.fatal(errRedirReply)
				return
			}
			p := r.pings[0]
			r.pings = r.pings[1:]
			r.armLocked()
			r.mu.Unlock()
			p.fn(true)
		case kind == "subscribe":
		default:
			err := &redis.ConnectionError{Op: "read", Addr: cn.opts.Addr, Err: errRedirReply}
			r.fail(gen, err)
			cn.fatal(err)
			return
		}
	}
}

// armLocked sets the read deadline: ReadTimeout after the oldest PING
// not answered, none without one. r.mu is held.
func (r *redirector) armLocked() {
	rt := r.t.m.opts.ReadTimeout
	if rt <= 0 || r.nc == nil {
		return
	}
	var want time.Time
	if len(r.pings) > 0 {
		want = r.pings[0].sent.Add(rt)
	}
	if !want.Equal(r.rdl) {
		_ = r.nc.SetReadDeadline(want)
		r.rdl = want
	}
}

// ping writes a PING on the redirect connection of generation gen, if it
// is still open, and reports whether it did; fn hears whether its pong
// came (false: the connection failed first). Every invalidation the
// server sent to the connection before it ran the PING is handed to
// TrackingEvents before fn hears true.
func (r *redirector) ping(gen uint64, fn func(ok bool)) bool {
	r.mu.Lock()
	if r.cn == nil || r.gen != gen {
		r.mu.Unlock()
		return false
	}
	now := time.Now()
	r.pings = append(r.pings, redirPing{sent: now, fn: fn})
	if len(r.pings) == 1 {
		r.armLocked()
	}
	err := write(r.nc, pingCmd, now, r.t.m.opts.WriteTimeout)
	r.mu.Unlock()
	if err != nil {
		r.fail(gen, &redis.ConnectionError{Op: "write", Addr: r.t.m.opts.Addr, Err: err})
	}
	return true
}

// fail closes the redirect connection of generation gen (if still open):
// it is reported Closed, its PINGs fail, and run dials another.
func (r *redirector) fail(gen uint64, _ error) {
	r.mu.Lock()
	if r.cn == nil || r.gen != gen {
		r.mu.Unlock()
		return
	}
	nc, pings := r.nc, r.pings
	r.cn, r.nc, r.pings, r.id = nil, nil, nil, 0
	r.upc = make(chan struct{})
	r.mu.Unlock()
	_ = nc.Close() // ends the reader's read
	r.t.o.Events.Closed(ConnID{Slot: RedirectSlot, Gen: gen})
	// Counted once its entries are dropped, so that a caller who sees
	// the count sees the cache without them.
	r.mu.Lock()
	r.lost++
	r.mu.Unlock()
	for _, p := range pings {
		p.fn(false)
	}
}

// broken handles a tracking-redir-broken push naming the client id: the
// server could not deliver an invalidation to it.
func (r *redirector) broken(id int64) {
	r.mu.Lock()
	gen, cur := r.gen, r.cn != nil && r.id == id
	r.mu.Unlock()
	if cur {
		// The server lost our redirect connection, and we have not
		// noticed: invalidations are being lost. Start afresh.
		r.fail(gen, errRedirBroken)
		return
	}
	// An older one: the tracked connection still names it; point it at
	// the current one.
	r.t.retrack()
}

// close closes the redirect connection for good (the Tracker's stop is
// closed already).
func (r *redirector) close() {
	r.mu.Lock()
	gen, open := r.gen, r.cn != nil
	r.mu.Unlock()
	if open {
		r.fail(gen, ErrMuxClosed)
	}
}

// trackingArgs returns the CLIENT TRACKING ON command of the Tracker's
// mode, redirected to the client id when id > 0.
func (t *Tracker) trackingArgs(id int64) []string {
	args := []string{"CLIENT", "TRACKING", "ON"}
	if id > 0 {
		args = append(args, "REDIRECT", strconv.FormatInt(id, 10))
	}
	if t.o.BCAST {
		args = append(args, "BCAST")
		for _, pre := range t.o.Prefixes {
			args = append(args, "PREFIX", pre)
		}
	} else {
		args = append(args, "OPTIN")
	}
	return args
}

// retrack points every open tracked connection that redirects to an older
// redirect connection at the current one: CLIENT TRACKING OFF, then ON
// with the new id, as one group (switching in place keeps the commands in
// flight). Until its reply comes, that connection's values are not
// cached (RedirectOK).
func (t *Tracker) retrack() {
	r := t.rd
	r.mu.Lock()
	id, gen, open := r.id, r.gen, r.cn != nil
	r.mu.Unlock()
	if !open {
		return
	}
	var grp []byte
	grp = redis.AppendArrayHeader(grp, 3)
	for _, a := range []string{"CLIENT", "TRACKING", "OFF"} {
		grp = redis.AppendBulkString(grp, a)
	}
	args := t.trackingArgs(id)
	grp = redis.AppendArrayHeader(grp, len(args))
	for _, a := range args {
		grp = redis.AppendBulkString(grp, a)
	}
	for slot, mc := range t.m.conns {
		mc.mu.Lock()
		conn := ConnID{Slot: slot, Gen: mc.gen}
		open := mc.cn != nil
		mc.mu.Unlock()
		if !open {
			continue
		}
		t.mu.Lock()
		stale := t.rconn[slot] == conn.Gen && t.rgen[slot] != gen && t.retry[slot] != gen
		if stale {
			t.retry[slot] = gen
		}
		t.mu.Unlock()
		if stale {
			t.SendOn(conn, grp, 2, &retrackReply{t: t, rgen: gen})
		}
	}
}

// retrackReply sees the replies of retrack's group.
type retrackReply struct {
	t    *Tracker
	rgen uint64
	bad  bool
}

func (h *retrackReply) HandleGroupReply(conn ConnID, r *redis.Reply, last bool) {
	if r.IsError() {
		h.bad = true
	}
	if !last {
		return
	}
	t := h.t
	if h.bad {
		t.m.conns[conn.Slot].fail(conn.Gen, &redis.ConnectionError{Op: "CLIENT TRACKING", Addr: t.m.opts.Addr,
			Err: errors.New("CLIENT TRACKING answered with " + r.String())}, true)
		return
	}
	t.mu.Lock()
	if t.rconn[conn.Slot] == conn.Gen {
		t.rgen[conn.Slot] = h.rgen
	}
	t.mu.Unlock()
}

// RedirectOK reports, in REDIRECT mode, whether the tracked connection
// conn redirects its invalidations to the redirect connection open now,
// and returns that connection's generation. Without REDIRECT it reports
// true.
func (t *Tracker) RedirectOK(conn ConnID) (uint64, bool) {
	if t.rd == nil {
		return 0, true
	}
	cur := t.rd.current()
	t.mu.Lock()
	ok := cur != 0 && conn.Slot >= 0 && conn.Slot < len(t.rgen) && t.rconn[conn.Slot] == conn.Gen && t.rgen[conn.Slot] == cur
	t.mu.Unlock()
	return cur, ok
}

// RedirectID returns the client ID of the redirect connection open now
// (0: none, or not in REDIRECT mode).
func (t *Tracker) RedirectID() int64 {
	if t.rd == nil {
		return 0
	}
	t.rd.mu.Lock()
	defer t.rd.mu.Unlock()
	return t.rd.id
}

// RedirectsLost returns how many redirect connections were lost (closed
// for any reason but the Tracker's Close).
func (t *Tracker) RedirectsLost() uint64 {
	if t.rd == nil {
		return 0
	}
	t.rd.mu.Lock()
	defer t.rd.mu.Unlock()
	return t.rd.lost
}

// Confirm sends a PING that confirms what conn's replies brought so far:
// h hears the PONG (as a simple string PONG, with conn) once every
// invalidation the server sent before it ran the PING has been handed to
// TrackingEvents, and a non-PONG reply if the PING failed. The PING goes
// on conn itself, or in REDIRECT mode on the redirect connection that
// conn redirects to. Confirm reports false, and h hears nothing, when
// conn (or its redirect connection) is no longer open.
func (t *Tracker) Confirm(conn ConnID, h GroupHandler) bool {
	if t.rd == nil {
		return t.SendOn(conn, pingCmd, 1, h)
	}
	gen, ok := t.RedirectOK(conn)
	if !ok {
		return false
	}
	return t.rd.ping(gen, func(ok bool) {
		if ok {
			h.HandleGroupReply(conn, &pongReply, true)
		} else {
			h.HandleGroupReply(conn, &failedReply, true)
		}
	})
}

var (
	pongReply   = redis.Reply{Kind: redis.KindSimpleString, Str: []byte("PONG")}
	failedReply = redis.Reply{Kind: redis.KindError, Str: []byte("ERR the redirect connection failed")}
)
