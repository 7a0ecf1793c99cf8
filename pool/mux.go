package pool

import (
	"context"
	"errors"
	"net"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	redis "github.com/duoredis/redis"
)

// ReplyHandler receives the reply of one command sent through a Mux. The
// reply is valid only during the call: copy what must outlive it.
type ReplyHandler interface {
	HandleReply(r *redis.Reply)
}

// Mux sends the commands of many goroutines over a few shared connections
// (auto-pipelining): each connection has a writer that sends every command
// queued since its last write in one write, and a reader that hands each
// reply to the command that is first in line. Under concurrency this saves
// most system calls and round trips. A Mux belongs to its [Pool] (see
// [Pool.Mux]): its connections take their places from the pool's PoolSize,
// and every client of the pool shares them.
//
// Replies are matched to commands by order alone, so a connection that sees
// any error (I/O, timeout, protocol) fails every command in flight on it and
// is replaced; no command ever gets another's reply. Commands queued on it
// but not written yet do not fail: they go to the new connection. A
// command whose context ends while it waits returns at once; its reply is
// read and dropped when it comes, and the connection stays in use.
//
// ReadTimeout bounds each command from its own write: the read deadline of
// a shared connection is that of the oldest command written and not yet
// answered, so a server that stops answering fails the commands in flight
// about ReadTimeout after the first of them was sent, however many more
// are sent meanwhile. A connection idle for HealthCheckInterval is PINGed
// before the next commands are written on it; if the PING fails, they are
// written on a new connection.
//
// Commands that change or hold a connection's state (blocking commands,
// WATCH/MULTI, SUBSCRIBE, CLIENT SETNAME, ...) must not go through a Mux;
// see MuxSafe.
type Mux struct {
	pool   *Pool
	opts   *Options // the pool's
	conns  []*muxConn
	next   atomic.Uint32
	closed atomic.Bool
	// calls counts the callers between Busy and the end of their command,
	// whichever way it went.
	calls atomic.Int32
	// always makes Busy report true: every command is shared.
	always atomic.Bool
	// trk, when non-nil, makes this the Mux of a Tracker: its connections
	// are tracked (CLIENT TRACKING), their push frames go to it, and it
	// hears of each connection opened and closed.
	trk *Tracker
}

// ShareAlways makes every command go through the Mux, even one alone (for
// tests of the shared path, and for callers who prefer its behaviour on
// cancellation: a cancelled command does not close a connection). It
// applies to every user of the pool.
func (m *Mux) ShareAlways(on bool) { m.always.Store(on) }

// Busy reports whether another command is in flight, counting the caller
// as in flight until it calls Done. A caller alone does better on a pooled
// connection of its own (no hand-over to the writer and reader goroutines);
// callers that meet others share the Mux. Every Busy must be followed by
// Done.
func (m *Mux) Busy() bool { return m.calls.Add(1) > 1 || m.always.Load() }

// Done ends what Busy began.
func (m *Mux) Done() { m.calls.Add(-1) }

// newMux returns the Mux of p, with p's MuxConns connections, dialed when
// first needed.
func newMux(p *Pool) *Mux {
	m := &Mux{pool: p, opts: p.opts, conns: make([]*muxConn, p.opts.MuxConns)}
	for i := range m.conns {
		m.conns[i] = &muxConn{m: m, idx: i}
	}
	return m
}

// muxConn is one shared connection and its queue.
type muxConn struct {
	m   *Mux
	idx int // its index in m.conns
	// up is set while the connection is open or being dialed: a command
	// put on it then starts no dial.
	up atomic.Bool

	mu        sync.Mutex
	cn        *Conn         // nil until dialed, and after a failure
	nc        net.Conn      // cn's network connection, closed by fail
	dialing   bool          // a dial is under way (cn is nil)
	wbuf      []byte        // the commands of queue[unsent:], not yet written
	spare     []byte        // the writer's buffer, swapped with wbuf
	queue     []*muxCall    // commands written or to be written, in order
	head      int           // queue[head:] are waiting for replies
	unsent    int           // queue[unsent:] are not written yet
	wake      chan struct{} // tells the writer there is something to write
	pending   bool          // a wake is outstanding
	gen       uint64        // which connection the queue belongs to
	rdl       time.Time     // the read deadline set on nc (zero: none)
	idleSince time.Time     // when the last command in flight was answered (with HealthCheckInterval)

	// Large arguments of the commands in wbuf (see VecMin), the writer's
	// spare list and vectored-write scratch.
	segs, spareSegs []Seg
	vec             net.Buffers
	// Writes are numbered: wseq is the last begun, wdone the last
	// over; wcond (on mu) tells of each end.
	wseq, wdone uint64
	wcond       sync.Cond // L set by the first letGo
	// intos counts the commands in flight with a destination for their
	// payload (DoTo).
	intos atomic.Int32
}

// muxCall is one command in flight.
type muxCall struct {
	h      ReplyHandler
	done   chan struct{} // receives once when handled or failed
	state  atomic.Int32  // callWaiting, callHandled, callAbandoned
	err    error
	sentAt time.Time // when its write began; set under muxConn.mu
	wseq   uint64    // the write that carries it (0: not begun); under muxConn.mu
	vec    bool      // it has large arguments, written from the caller's memory
	to     bool      // bulk is the destination of its payload (DoTo)
	bulk   redis.BulkDest
	// A group of commands (Tracker.Do): gh gets each of their replies,
	// and left counts those still to come after the next one.
	gh   GroupHandler
	left int
}

const (
	callWaiting int32 = iota
	callHandled
	callAbandoned
	callReading // its payload is being read into its destination
)

var callPool = sync.Pool{New: func() any { return &muxCall{done: make(chan struct{}, 1)} }}

// ErrMuxClosed is returned by the Mux of a closed Pool.
var ErrMuxClosed = poolError("redis: client is closed")

// Do sends the command args and calls h with its reply before returning.
// It returns an error when the command could not be sent or its reply not
// read (h is then not called): a *redis.DataError for an argument that
// cannot be encoded, a connection, timeout or protocol error that failed
// the shared connection (or the error of dialing one), or the context's
// error (the reply is then dropped when it comes). An error that ctx's
// deadline caused matches context.DeadlineExceeded.
func (m *Mux) Do(ctx context.Context, args []any, h ReplyHandler) error {
	return m.do(ctx, args, h, nil)
}

func (m *Mux) do(ctx context.Context, args []any, h ReplyHandler, to *redis.BulkDest) error {
	mc, token, err := m.pick(ctx)
	if err != nil {
		return err
	}
	call := callPool.Get().(*muxCall)
	call.h = h
	call.err = nil
	call.gh, call.left = nil, 0 // a Tracker's call may have been recycled
	call.wseq, call.vec, call.to = 0, false, to != nil
	if to != nil {
		call.bulk = *to
		mc.intos.Add(1)
		defer mc.intos.Add(-1)
	}
	call.state.Store(callWaiting)
	if err := mc.enqueue(args, call, token); err != nil {
		call.h = nil
		call.bulk = redis.BulkDest{}
		callPool.Put(call)
		return err
	}
	if err := m.wait(ctx, mc, call); err != nil {
		return err
	}
	err = call.err
	if to != nil {
		*to = call.bulk
		call.bulk = redis.BulkDest{}
	}
	call.h = nil
	callPool.Put(call)
	if err != nil && ctx.Done() != nil {
		err = m.deadlineErr(ctx, err)
	}
	return err
}

// pick returns the shared connection that the next call goes on, once m
// is known open and ctx not done. token reports that a place in the pool
// was taken for dialing it (enqueue gives it back when no dial needs it).
func (m *Mux) pick(ctx context.Context) (mc *muxConn, token bool, err error) {
	if m.closed.Load() {
		return nil, false, ErrMuxClosed
	}
	if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
	}
	i := int(m.next.Add(1) % uint32(len(m.conns)))
	mc = m.conns[i]
	if !mc.up.Load() {
		// A new connection takes one of the pool's places; when none is
		// free, share one that is open rather than wait for a place.
		if m.pool.tryAcquire() {
			token = true
		} else if alt := m.openConn(i); alt != nil {
			mc = alt
		}
	}
	return mc, token, nil
}

// wait waits until the reader has handled call, queued on mc, and returns
// nil; or, when ctx ends first, abandons call (the reader recycles it
// when its reply comes) and returns ctx's error.
func (m *Mux) wait(ctx context.Context, mc *muxConn, call *muxCall) error {
	if ctx.Done() == nil {
		<-call.done
		return nil
	}
	select {
	case <-call.done:
	case <-ctx.Done():
		// The caller's memory that a vectored call refers to is let go
		// before the call is abandoned: once it is, the reader may
		// recycle it for another caller at any time.
		if call.vec {
			mc.letGo(call)
		}
		if call.state.CompareAndSwap(callWaiting, callAbandoned) {
			return ctxErr(ctx.Err(), m.opts.Addr)
		}
		<-call.done // handled meanwhile
	}
	return nil
}

// openConn returns a shared connection other than conns[skip] that is
// open or being dialed, or nil.
func (m *Mux) openConn(skip int) *muxConn {
	for j, mc := range m.conns {
		if j != skip && mc.up.Load() {
			return mc
		}
	}
	return nil
}

// deadlineErr returns the error of a command whose shared connection timed
// out: the context's deadline when that has passed too (the caller's
// deadline then ended the call as much as ReadTimeout did), err otherwise.
func (m *Mux) deadlineErr(ctx context.Context, err error) error {
	var te *redis.TimeoutError
	if errors.As(err, &te) && !errors.Is(err, context.DeadlineExceeded) && deadlinePassed(ctx) {
		return ctxErr(context.DeadlineExceeded, m.opts.Addr)
	}
	return err
}

func ctxErr(err error, addr string) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &redis.TimeoutError{Op: "read", Addr: addr, Err: err}
	}
	return err
}

// enqueue encodes the command and puts call in line, starting a dial if
// the connection is neither open nor being dialed. token says the caller
// took a place in the pool for that dial; enqueue gives it back when no
// dial needs it.
func (mc *muxConn) enqueue(args []any, call *muxCall, token bool) error {
	mc.mu.Lock()
	buf, large, err := AppendCommandSmall(mc.wbuf, args)
	if large {
		nsegs := len(mc.segs)
		buf, mc.segs, err = AppendCommandVec(mc.wbuf, mc.segs, args...)
		for i := nsegs; i < len(mc.segs); i++ {
			mc.segs[i].owner = call
		}
		call.vec = true
	}
	if err != nil {
		mc.mu.Unlock()
		if token {
			mc.m.pool.release()
		}
		return err
	}
	mc.wbuf = buf
	mc.push(call, token)
	return nil
}

// push puts call, whose command is in wbuf already, in line and unlocks
// mu (held by the caller): it wakes the writer, or starts a dial if the
// connection is neither open nor being dialed. token says the caller took
// a place in the pool for that dial; push gives it back when no dial needs
// it.
func (mc *muxConn) push(call *muxCall, token bool) {
	mc.queue = append(mc.queue, call)
	switch {
	case mc.cn != nil:
		if !mc.pending {
			// The writer took the last wake (it clears pending when it
			// does), so there is room; sent under the lock, as fail
			// closes wake.
			mc.pending = true
			mc.wake <- struct{}{}
		}
	case !mc.dialing:
		mc.dialing = true
		mc.up.Store(true)
		go mc.dial(token)
		token = false
	}
	mc.mu.Unlock()
	if token {
		mc.m.pool.release()
	}
}

// dial opens the connection (or takes an idle one of the pool), in the background so that the callers wait
// for it as long as their contexts allow, and starts its writer and
// reader, which send the commands queued meanwhile. token says a place in
// the pool is taken already; otherwise dial waits for one (PoolTimeout).
// If it fails, the commands queued (none was sent) fail with its error.
func (mc *muxConn) dial(token bool) {
	m, p := mc.m, mc.m.pool
	var (
		cn  *Conn
		err error
	)
	if !token {
		err = p.acquire(p.ctx)
	}
	if err == nil {
		if m.trk != nil {
			cn, err = m.trk.dial(mc.idx)
		} else {
			cn, err = p.sharedConn()
		}
		if err != nil {
			p.release()
		}
	}
	mc.mu.Lock()
	mc.dialing = false
	if err == nil && m.closed.Load() {
		_ = cn.Close()
		p.sharedClosed(false)
		err = ErrMuxClosed
	}
	if err != nil {
		calls := mc.queue[mc.head:]
		mc.queue, mc.head, mc.unsent = nil, 0, 0
		mc.wbuf, mc.spare = nil, nil
		mc.segs, mc.spareSegs = nil, nil
		mc.up.Store(false)
		mc.mu.Unlock()
		failCalls(calls, err)
		return
	}
	mc.cn, mc.nc = cn, cn.nc
	mc.gen++
	gen := mc.gen
	if m.trk != nil {
		m.trk.opened(ConnID{Slot: mc.idx, Gen: gen})
	}
	mc.wake = make(chan struct{}, 1)
	mc.rdl = time.Time{}
	mc.idleSince = time.Now()
	mc.pending = len(mc.wbuf) > 0
	if mc.pending {
		mc.wake <- struct{}{}
	}
	// The writer uses only nc; the reader owns cn (its parser) and closes
	// it when it ends, so the parser is never freed under a read.
	go mc.writer(cn, cn.nc, mc.wake, gen)
	go mc.reader(cn, gen)
	mc.mu.Unlock()
}

// failCalls ends calls with err.
func failCalls(calls []*muxCall, err error) {
	for _, call := range calls {
		if call.state.CompareAndSwap(callWaiting, callHandled) || call.state.CompareAndSwap(callReading, callHandled) {
			call.err = err
			call.done <- struct{}{}
		} else {
			call.h = nil
			callPool.Put(call)
		}
	}
}

// writer sends what was queued, one write per wake.
func (mc *muxConn) writer(cn *Conn, nc net.Conn, wake chan struct{}, gen uint64) {
	o := cn.opts
	for range wake {
		// Let other goroutines add their commands to this write.
		runtime.Gosched()
		mc.mu.Lock()
		if mc.gen != gen {
			mc.mu.Unlock()
			return
		}
		if len(mc.wbuf) == 0 {
			mc.pending = false
			mc.mu.Unlock()
			continue
		}
		now := time.Now()
		if o.HealthCheckInterval > 0 && mc.head == mc.unsent && now.Sub(mc.idleSince) >= o.HealthCheckInterval {
			mc.mu.Unlock()
			if !mc.healthCheck(cn, nc, gen) {
				return
			}
			mc.mu.Lock()
			if mc.gen != gen {
				mc.mu.Unlock()
				return
			}
			now = time.Now()
		}
		buf, segs := mc.wbuf, mc.segs
		mc.wbuf, mc.segs = mc.spare[:0], mc.spareSegs[:0]
		mc.pending = false
		mc.wseq++
		seq := mc.wseq
		mc.markSent(now, o.ReadTimeout)
		mc.mu.Unlock()
		var err error
		if len(segs) > 0 {
			if o.WriteTimeout > 0 {
				err = nc.SetWriteDeadline(now.Add(o.WriteTimeout))
			}
			if err == nil {
				err = writeVec(nc, buf, segs, &mc.vec)
			}
			clear(segs)
		} else {
			err = write(nc, buf, now, o.WriteTimeout)
		}
		if cap(buf) > maxWriteBuf {
			buf = nil
		}
		mc.mu.Lock()
		mc.wdone = seq
		if mc.wcond.L != nil {
			mc.wcond.Broadcast()
		}
		if err == nil && mc.gen == gen {
			mc.spare, mc.spareSegs = buf[:0], segs[:0]
		}
		mc.mu.Unlock()
		if err != nil {
			mc.fail(gen, cn.ioError(context.Background(), "write", err, false), true)
			return
		}
	}
}

// write writes buf within timeout from now.
func write(nc net.Conn, buf []byte, now time.Time, timeout time.Duration) error {
	if timeout > 0 {
		if err := nc.SetWriteDeadline(now.Add(timeout)); err != nil {
			return err
		}
	}
	_, err := nc.Write(buf)
	return err
}

// markSent records that the commands not yet written are being written
// now. When none was in flight, the first of them bounds the reader's wait
// from now on. mc.mu is held.
func (mc *muxConn) markSent(now time.Time, rt time.Duration) {
	if rt > 0 && mc.head == mc.unsent {
		mc.setReadDeadline(now.Add(rt), rt)
	}
	for _, call := range mc.queue[mc.unsent:] {
		call.sentAt = now
		call.wseq = mc.wseq
	}
	mc.unsent = len(mc.queue)
}

// setReadDeadline sets the read deadline to want (zero: none), unless the
// one set falls at most rt/64 earlier (as Conn's deadlines do: this saves
// re-arming the runtime's timer for every reply). mc.mu is held.
func (mc *muxConn) setReadDeadline(want time.Time, rt time.Duration) {
	if needsArm(mc.rdl, want, rt>>slackShift, false) {
		_ = mc.nc.SetReadDeadline(want) // an error shows in the reader's read
		mc.rdl = want
	}
}

// pingCmd is the health check's command.
var pingCmd = []byte("*1\r\n$4\r\nPING\r\n")

// pingReply is the health check's reply handler.
type pingReply struct {
	ok  bool
	got string
}

// HandleReply implements ReplyHandler.
func (h *pingReply) HandleReply(r *redis.Reply) {
	h.ok = r.Kind == redis.KindSimpleString && string(r.Str) == "PONG"
	if !h.ok {
		h.got = r.String()
	}
}

// healthCheck PINGs a connection that was idle for HealthCheckInterval,
// before the commands queued on it are written, and reports whether it
// answered PONG within ReadTimeout. If it did not, the connection is
// failed, and the commands go to a new one.
func (mc *muxConn) healthCheck(cn *Conn, nc net.Conn, gen uint64) bool {
	o := cn.opts
	h := &pingReply{}
	ping := &muxCall{h: h, done: make(chan struct{}, 1)}
	mc.mu.Lock()
	if mc.gen != gen {
		mc.mu.Unlock()
		return false
	}
	now := time.Now()
	ping.sentAt = now
	mc.queue = slices.Insert(mc.queue, mc.unsent, ping)
	if o.ReadTimeout > 0 {
		mc.setReadDeadline(now.Add(o.ReadTimeout), o.ReadTimeout)
	}
	mc.unsent++
	mc.mu.Unlock()
	if err := write(nc, pingCmd, now, o.WriteTimeout); err != nil {
		mc.fail(gen, cn.ioError(context.Background(), "health check", err, false), true)
		return false
	}
	<-ping.done
	if ping.err != nil {
		return false // failed by the reader, or closed
	}
	if !h.ok {
		mc.fail(gen, &redis.ConnectionError{Op: "health check", Addr: o.Addr,
			Err: errors.New("PING answered with " + o.redact(h.got))}, true)
		return false
	}
	return true
}

// reader hands each reply to the first command in line.
func (mc *muxConn) reader(cn *Conn, gen uint64) {
	reply := &cn.reply
	rt, hci := cn.opts.ReadTimeout, cn.opts.HealthCheckInterval
	// Bulk strings go through sel, which gives a command's payload the
	// destination it asked for (DoTo).
	sel := &muxSel{mc: mc, gen: gen}
	for {
		err := redis.ReadBulk(cn.parser, reply, sel)
		if err != nil {
			err = cn.ioError(context.Background(), "read", err, false)
			mc.fail(gen, err, true)
			cn.fatal(err)
			return
		}
		if reply.Kind == redis.KindPush {
			if mc.m.trk != nil {
				mc.m.trk.push(ConnID{Slot: mc.idx, Gen: gen}, reply)
			}
			continue // out-of-band (RESP3 push): no command waits for it
		}
		mc.mu.Lock()
		if mc.gen != gen {
			mc.mu.Unlock()
			cn.fatal(ErrMuxClosed)
			return
		}
		if mc.head == mc.unsent {
			mc.mu.Unlock()
			err := &redis.ProtocolError{Msg: "a reply came that no command asked for"}
			mc.fail(gen, err, true)
			cn.fatal(err)
			return
		}
		call := mc.queue[mc.head]
		if call.left > 0 {
			// One reply of a group: the last one ends the call.
			call.left--
			mc.mu.Unlock()
			if call.state.Load() == callWaiting {
				call.gh.HandleGroupReply(ConnID{Slot: mc.idx, Gen: gen}, reply, false)
			}
			continue
		}
		mc.queue[mc.head] = nil
		mc.head++
		if mc.head == len(mc.queue) {
			mc.queue, mc.head, mc.unsent = mc.queue[:0], 0, 0
		}
		if rt > 0 {
			// The oldest command still in flight bounds the wait; with
			// none, the server may stay silent.
			if mc.head < mc.unsent {
				mc.setReadDeadline(mc.queue[mc.head].sentAt.Add(rt), rt)
			} else {
				mc.setReadDeadline(time.Time{}, rt)
			}
		}
		if hci > 0 && mc.head == mc.unsent {
			mc.idleSince = time.Now()
		}
		mc.mu.Unlock()
		var retired error
		if reply.Kind == redis.KindError && cn.opts.RetireOnReadOnly {
			if cn.checkReadOnly(reply); cn.retired {
				retired = &redis.ConnectionError{Op: "read", Addr: cn.opts.Addr, Err: errRetired}
			}
		}
		if call.state.CompareAndSwap(callWaiting, callHandled) || call.state.CompareAndSwap(callReading, callHandled) {
			if call.to {
				// Read before its command was known, or by a parser
				// that cannot deliver it: copied.
				call.bulk.Deliver(reply)
			}
			if call.gh != nil {
				call.gh.HandleGroupReply(ConnID{Slot: mc.idx, Gen: gen}, reply, true)
			} else {
				call.h.HandleReply(reply)
			}
			if retired != nil {
				// Before the caller goes on: its next command must
				// find the connection gone.
				mc.fail(gen, retired, true)
			}
			call.done <- struct{}{}
		} else {
			call.h = nil
			callPool.Put(call) // abandoned by its caller
			if retired != nil {
				mc.fail(gen, retired, true)
			}
		}
		if retired != nil {
			cn.fatal(retired)
			return
		}
	}
}

// errRetired is the cause of the errors of the commands in flight on an
// auto-pipelined connection retired by Options.RetireOnReadOnly.
var errRetired = errors.New("the server became read-only (a replica): connection retired")

// errShed closes an idle shared connection whose place in the pool a
// caller of Get waits for.
var errShed = errors.New("redis: idle shared connection closed to free its place in the pool")

// fail closes the connection of generation gen and fails every command
// written on it. The commands not written yet go to a new connection when
// keep is set (and the Mux is open), and fail too otherwise.
func (mc *muxConn) fail(gen uint64, err error, keep bool) {
	mc.mu.Lock()
	if mc.gen != gen || mc.cn == nil {
		mc.mu.Unlock()
		return
	}
	mc.detach(err, keep)
}

// detach is fail's work, with mc.mu held; it unlocks it.
func (mc *muxConn) detach(err error, keep bool) {
	nc := mc.nc
	failed := mc.queue[mc.head:mc.unsent]
	redial := keep && mc.unsent < len(mc.queue) && !mc.m.closed.Load()
	if redial {
		// The commands not written move to a new connection, which
		// takes over this one's place in the pool.
		mc.queue = append([]*muxCall(nil), mc.queue[mc.unsent:]...)
		mc.dialing = true
	} else {
		failed = mc.queue[mc.head:]
		mc.queue, mc.wbuf = nil, nil
		mc.segs = nil
	}
	mc.head, mc.unsent = 0, 0
	mc.spare, mc.spareSegs = nil, nil
	mc.cn, mc.nc = nil, nil
	mc.rdl = time.Time{}
	old := mc.gen
	mc.gen++
	close(mc.wake)
	mc.up.Store(redial)
	mc.mu.Unlock()
	_ = nc.Close() // ends the reader's read; the reader closes the rest
	if mc.m.trk != nil {
		mc.m.trk.closed(ConnID{Slot: mc.idx, Gen: old})
	}
	mc.m.pool.sharedClosed(redial)
	if redial {
		go mc.dial(true) // after the close: the place it takes is free
	}
	failCalls(failed, err)
}

// shed closes one shared connection that has nothing in flight nor queued,
// and reports whether it did: its place in the pool goes to a caller of
// Get that waits for one.
func (m *Mux) shed() bool {
	for _, mc := range m.conns {
		if !mc.up.Load() {
			continue
		}
		mc.mu.Lock()
		if mc.cn != nil && mc.head == len(mc.queue) && len(mc.wbuf) == 0 {
			mc.detach(errShed, false)
			return true
		}
		mc.mu.Unlock()
	}
	return false
}

// close closes the shared connections; commands in flight or queued fail.
func (m *Mux) close() {
	if !m.closed.CompareAndSwap(false, true) {
		return
	}
	for _, mc := range m.conns {
		mc.mu.Lock()
		if mc.cn == nil {
			// Idle, or dialing: the dial sees the Mux closed.
			mc.mu.Unlock()
			continue
		}
		mc.detach(ErrMuxClosed, false)
	}
}

// MuxSafe reports whether a command may go through a Mux: not a blocking
// command and not one that changes or holds its connection's state.
// name is the command's name as written by the caller (any case).
func MuxSafe(name string) bool {
	if len(name) > 16 {
		return true
	}
	var up [16]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	_, unsafe := muxUnsafe[string(up[:len(name)])]
	return !unsafe
}

// muxUnsafe lists commands that block, that change or depend on the state
// of their connection, or that must not queue behind a slow command.
var muxUnsafe = map[string]struct{}{
	"BLPOP": {}, "BRPOP": {}, "BLMOVE": {}, "BLMPOP": {}, "BRPOPLPUSH": {}, "BZPOPMIN": {}, "BZPOPMAX": {},
	"BZMPOP": {}, "XREAD": {}, "XREADGROUP": {}, "WAIT": {}, "WAITAOF": {},
	"WATCH": {}, "UNWATCH": {}, "MULTI": {}, "EXEC": {}, "DISCARD": {},
	"SUBSCRIBE": {}, "PSUBSCRIBE": {}, "SSUBSCRIBE": {}, "UNSUBSCRIBE": {}, "PUNSUBSCRIBE": {}, "SUNSUBSCRIBE": {},
	"MONITOR": {}, "SYNC": {}, "PSYNC": {}, "AUTH": {}, "HELLO": {}, "SELECT": {}, "RESET": {}, "QUIT": {},
	"CLIENT": {}, "READONLY": {}, "READWRITE": {}, "SHUTDOWN": {}, "DEBUG": {},
	// What the server still answers while a script runs (SCRIPT KILL,
	// FUNCTION KILL and STATS) must not wait in line behind that script on
	// a shared connection.
	"SCRIPT": {}, "FUNCTION": {},
}

// pending returns the number of commands queued or in flight on the shared
// connections (Stats.PendingRequests).
func (m *Mux) pending() int {
	n := 0
	for _, mc := range m.conns {
		mc.mu.Lock()
		n += len(mc.queue) - mc.head
		mc.mu.Unlock()
	}
	return n
}
