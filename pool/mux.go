package pool

import (
	"context"
	"errors"
	"net"
	"runtime"
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
// most system calls and round trips.
//
// Replies are matched to commands by order alone, so a connection that sees
// any error (I/O, timeout, protocol) fails every command in flight on it and
// is replaced; no command ever gets another's reply. A command whose context
// ends while it waits returns at once; its reply is read and dropped when it
// comes, and the connection stays in use.
//
// Commands that change or hold a connection's state (blocking commands,
// WATCH/MULTI, SUBSCRIBE, CLIENT SETNAME, ...) must not go through a Mux;
// see MuxSafe.
type Mux struct {
	opts   *Options
	conns  []*muxConn
	next   atomic.Uint32
	closed atomic.Bool
	// calls counts the callers between Busy and the end of their command,
	// whichever way it went.
	calls atomic.Int32
	// always makes Busy report true: every command is shared.
	always atomic.Bool
}

// ShareAlways makes every command go through the Mux, even one alone (for
// tests of the shared path, and for callers who prefer its behaviour on
// cancellation: a cancelled command does not close a connection).
func (m *Mux) ShareAlways(on bool) { m.always.Store(on) }

// Busy reports whether another command is in flight, counting the caller
// as in flight until it calls Done. A caller alone does better on a pooled
// connection of its own (no hand-over to the writer and reader goroutines);
// callers that meet others share the Mux. Every Busy must be followed by
// Done.
func (m *Mux) Busy() bool { return m.calls.Add(1) > 1 || m.always.Load() }

// Done ends what Busy began.
func (m *Mux) Done() { m.calls.Add(-1) }

// NewMux returns a Mux of n connections (n <= 0: GOMAXPROCS) made with
// opts. Connections are dialed when first needed.
func NewMux(opts Options, n int) *Mux {
	opts.init()
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	m := &Mux{opts: &opts, conns: make([]*muxConn, n)}
	for i := range m.conns {
		m.conns[i] = &muxConn{m: m}
	}
	return m
}

// muxConn is one shared connection and its queue.
type muxConn struct {
	m *Mux

	mu      sync.Mutex
	cn      *Conn         // nil until dialed, and after a failure
	nc      net.Conn      // cn's network connection, closed by fail
	wbuf    []byte        // commands not yet written
	spare   []byte        // the writer's buffer, swapped with wbuf
	queue   []*muxCall    // commands written or to be written, in order
	head    int           // queue[head:] are waiting for replies
	wake    chan struct{} // tells the writer there is something to write
	pending bool          // a wake is outstanding
	gen     uint64        // which connection the queue belongs to
}

// muxCall is one command in flight.
type muxCall struct {
	h     ReplyHandler
	done  chan struct{} // receives once when handled or failed
	state atomic.Int32  // callWaiting, callHandled, callAbandoned
	err   error
}

const (
	callWaiting int32 = iota
	callHandled
	callAbandoned
)

var callPool = sync.Pool{New: func() any { return &muxCall{done: make(chan struct{}, 1)} }}

// ErrMuxClosed is returned by a closed Mux.
var ErrMuxClosed = poolError("redis: client is closed")

// Do sends the command args and calls h with its reply before returning.
// It returns an error when the command could not be sent or its reply not
// read (h is then not called): a *redis.DataError for an argument that
// cannot be encoded, a connection, timeout or protocol error that failed
// the shared connection, or the context's error (the reply is then dropped
// when it comes).
func (m *Mux) Do(ctx context.Context, args []any, h ReplyHandler) error {
	if m.closed.Load() {
		return ErrMuxClosed
	}
	if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	mc := m.conns[int(m.next.Add(1))%len(m.conns)]
	call := callPool.Get().(*muxCall)
	call.h = h
	call.err = nil
	call.state.Store(callWaiting)
	if err := mc.enqueue(ctx, args, call); err != nil {
		call.h = nil
		callPool.Put(call)
		return err
	}
	if ctx.Done() == nil {
		<-call.done
	} else {
		select {
		case <-call.done:
		case <-ctx.Done():
			if call.state.CompareAndSwap(callWaiting, callAbandoned) {
				// The reader recycles the call when its reply comes.
				return ctxErr(ctx.Err(), mc.m.opts.Addr)
			}
			<-call.done // handled meanwhile
		}
	}
	err := call.err
	call.h = nil
	callPool.Put(call)
	return err
}

func ctxErr(err error, addr string) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &redis.TimeoutError{Op: "read", Addr: addr, Err: err}
	}
	return err
}

// enqueue encodes the command and puts call in line, dialing the
// connection if needed.
func (mc *muxConn) enqueue(ctx context.Context, args []any, call *muxCall) error {
	mc.mu.Lock()
	if mc.cn == nil {
		if err := mc.dial(ctx); err != nil {
			mc.mu.Unlock()
			return err
		}
	}
	buf, err := redis.AppendCommand(mc.wbuf, args...)
	if err != nil {
		mc.mu.Unlock()
		return err
	}
	mc.wbuf = buf
	mc.queue = append(mc.queue, call)
	if !mc.pending {
		// The writer took the last wake (it clears pending when it does),
		// so there is room; sent under the lock, as fail closes wake.
		mc.pending = true
		mc.wake <- struct{}{}
	}
	mc.mu.Unlock()
	return nil
}

// dial makes the connection and starts its writer and reader. mc.mu is
// held.
func (mc *muxConn) dial(ctx context.Context) error {
	cn, err := mc.m.opts.NewConn(ctx, mc.m.opts)
	if err != nil {
		return err
	}
	if mc.m.closed.Load() {
		cn.Close()
		return ErrMuxClosed
	}
	mc.cn, mc.nc = cn, cn.nc
	mc.gen++
	mc.wake = make(chan struct{}, 1)
	mc.pending = false
	// The writer uses only nc; the reader owns cn (its parser) and closes
	// it when it ends, so the parser is never freed under a read.
	go mc.writer(cn, cn.nc, mc.wake, mc.gen)
	go mc.reader(cn, mc.gen)
	return nil
}

// writer sends what was queued, one write per wake.
func (mc *muxConn) writer(cn *Conn, nc net.Conn, wake chan struct{}, gen uint64) {
	timeout := cn.opts.WriteTimeout
	for range wake {
		// Let other goroutines add their commands to this write.
		runtime.Gosched()
		mc.mu.Lock()
		if mc.gen != gen {
			mc.mu.Unlock()
			return
		}
		buf := mc.wbuf
		mc.wbuf = mc.spare[:0]
		mc.pending = false
		mc.mu.Unlock()
		if len(buf) == 0 {
			mc.spare = buf
			continue
		}
		now := time.Now()
		if timeout > 0 {
			nc.SetWriteDeadline(now.Add(timeout))
		}
		_, err := nc.Write(buf)
		if err == nil && cn.opts.ReadTimeout > 0 {
			// Replies are due: bound the reader's wait.
			err = nc.SetReadDeadline(now.Add(cn.opts.ReadTimeout))
		}
		if err != nil {
			mc.fail(gen, cn.ioError(context.Background(), "write", err, false))
			return
		}
		if cap(buf) > maxWriteBuf {
			buf = nil
		}
		mc.mu.Lock()
		if mc.gen == gen {
			mc.spare = buf[:0]
		}
		mc.mu.Unlock()
	}
}

// reader hands each reply to the first command in line.
func (mc *muxConn) reader(cn *Conn, gen uint64) {
	reply := &cn.reply
	for {
		err := cn.parser.ReadReply(reply)
		if err != nil {
			err = cn.ioError(context.Background(), "read", err, false)
			mc.fail(gen, err)
			cn.fatal(err)
			return
		}
		if reply.Kind == redis.KindPush {
			continue // out-of-band (RESP3 push): no command waits for it
		}
		mc.mu.Lock()
		if mc.gen != gen {
			mc.mu.Unlock()
			cn.fatal(ErrMuxClosed)
			return
		}
		if mc.head == len(mc.queue) {
			mc.mu.Unlock()
			err := &redis.ProtocolError{Msg: "a reply came that no command asked for"}
			mc.fail(gen, err)
			cn.fatal(err)
			return
		}
		call := mc.queue[mc.head]
		mc.queue[mc.head] = nil
		mc.head++
		if mc.head == len(mc.queue) {
			mc.queue, mc.head = mc.queue[:0], 0
			if cn.opts.ReadTimeout > 0 {
				// Nothing is due: wait for the server without a deadline.
				mc.nc.SetReadDeadline(time.Time{})
			}
		}
		mc.mu.Unlock()
		var retired error
		if reply.Kind == redis.KindError && cn.opts.RetireOnReadOnly {
			if cn.checkReadOnly(reply); cn.retired {
				retired = &redis.ConnectionError{Op: "read", Addr: cn.opts.Addr, Err: errRetired}
			}
		}
		if call.state.CompareAndSwap(callWaiting, callHandled) {
			call.h.HandleReply(reply)
			if retired != nil {
				// Before the caller goes on: its next command must
				// find the connection gone.
				mc.fail(gen, retired)
			}
			call.done <- struct{}{}
		} else {
			call.h = nil
			callPool.Put(call) // abandoned by its caller
			if retired != nil {
				mc.fail(gen, retired)
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

// fail closes the connection of generation gen and fails every command in
// line on it; the next command dials a new one.
func (mc *muxConn) fail(gen uint64, err error) {
	mc.mu.Lock()
	if mc.gen != gen || mc.cn == nil {
		mc.mu.Unlock()
		return
	}
	nc := mc.nc
	calls := mc.queue[mc.head:]
	mc.cn, mc.nc = nil, nil
	mc.queue, mc.head = nil, 0
	mc.wbuf, mc.spare = nil, nil
	mc.gen++
	close(mc.wake)
	mc.mu.Unlock()
	nc.Close() // ends the reader's read; the reader closes the rest
	for _, call := range calls {
		if call.state.CompareAndSwap(callWaiting, callHandled) {
			call.err = err
			call.done <- struct{}{}
		} else {
			call.h = nil
			callPool.Put(call)
		}
	}
}

// Close closes the shared connections; commands in flight fail.
func (m *Mux) Close() error {
	if !m.closed.CompareAndSwap(false, true) {
		return nil
	}
	for _, mc := range m.conns {
		mc.mu.Lock()
		gen := mc.gen
		mc.mu.Unlock()
		mc.fail(gen, ErrMuxClosed)
	}
	return nil
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
