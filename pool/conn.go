package pool

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	redis "github.com/duoredis/redis"
)

const (
	// initWriteBuf is the capacity of a new connection's write buffer.
	initWriteBuf = 4 << 10
	// maxWriteBuf is the largest write buffer kept after a flush; a bigger
	// one, grown for a big command or pipeline, is dropped.
	maxWriteBuf = 1 << 20
	// slackShift sets how much earlier than wanted an already armed
	// deadline may fall before it is re-armed: timeout>>6, 1/64 of the
	// timeout (47ms of the default 3s). Re-arming on every call costs a
	// runtime timer update per read and per write; with the slack, a busy
	// connection re-arms about once per timeout/64 instead, and a read
	// never gets less than 63/64 of ReadTimeout.
	slackShift = 6
)

// aLongTimeAgo is a deadline in the past: setting it makes a blocked read
// or write return at once. It also marks a deadline that must be re-armed.
var aLongTimeAgo = time.Unix(1, 0)

// errConnClosed is the sticky error of a connection closed by its owner.
var errConnClosed = errors.New("use of a closed connection")

// Conn is one connection to a Redis server: a net.Conn, a write buffer that
// commands are encoded into, and a [redis.Parser] that reads the replies.
// It is not safe for concurrent use: one goroutine owns it at a time (the
// pool hands it to one caller).
//
// Commands are queued with WriteArgs (or WriteStrings), sent with Flush,
// and their replies read in order with ReadReply; Do and RoundTrip do the
// three at once:
//
//	var r redis.Reply
//	err := c.Do(ctx, &r, "SET", "k", "v") // r is +OK
//
// A server error reply is a reply here (Kind KindError), not a Go error,
// and leaves the connection usable. Any other failure (a protocol error, a
// timeout, a cancelled context, a network error) is fatal: the connection
// is closed at once, Err returns that first error, and every later call
// returns it too. The pool never reuses such a connection.
//
// Replies read from a Conn may point into its parser's buffer; they are
// valid until the next read (see [redis.Parser.ReadReply]) and must not be
// used after the Conn went back to its pool.
type Conn struct {
	nc     net.Conn
	parser redis.Parser
	opts   *Options
	raw    syscall.RawConn // for the liveness check; nil when nc has none
	sock   *sockReader     // what the parser reads from, on a plain socket; else nil

	wbuf    []byte
	segs    []Seg       // large arguments left out of wbuf, written from the caller's memory (see VecMin)
	vec     net.Buffers // scratch of the vectored write
	queued  int         // commands in wbuf, not yet flushed
	pending int         // commands flushed whose replies were not read yet

	// Deadlines as set on nc now (zero: none), so that unchanged deadlines
	// are not set again.
	rdl, wdl time.Time

	createdAt time.Time
	usedAt    time.Time // last write or read
	err       error     // sticky: the first fatal error
	retired   bool      // not to be reused: Options.RetireOnReadOnly saw READONLY

	reply redis.Reply // the scratch reply of Reply

	// RoundTripTo's destination and writer, kept here so that passing
	// them to the parser allocates nothing.
	bulk   redis.BulkDest
	stream streamWriter

	// onCancel is what context.AfterFunc runs when a watched context ends:
	// it makes the blocked read or write fail, then reports on cancelled.
	// Made once per Conn, so watching a context allocates no closure.
	onCancel  func()
	cancelled chan struct{}

	// The liveness check (peek) as a method value made once, and its
	// result and buffer; see conncheck_unix.go.
	peekFn  func(fd uintptr) bool
	peekErr error
	peekBuf [1]byte

	// Pool bookkeeping, guarded by the pool's mutex.
	pool  *Pool
	inUse bool
}

// Dial connects to the server that opts names and performs the handshake:
// TLS when TLSConfig is set, then HELLO 3 (with Protocol 3), AUTH, SELECT
// and CLIENT SETNAME as the options ask. DialTimeout (and ctx) bound the
// whole of it. Dial is the default of Options.NewConn; a custom factory
// usually starts by calling it.
func Dial(ctx context.Context, opts *Options) (*Conn, error) {
	o := *opts
	o.init()
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.DialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.DialTimeout)
		defer cancel()
	}
	nc, err := o.dialHooks.dialer(o.Dialer)(ctx, o.Network, o.Addr)
	if err != nil {
		return nil, dialError(ctx, "dial", o.Addr, err)
	}
	return open(ctx, nc, &o)
}

// Open performs the handshake of Dial over a network connection that the
// caller opened (TLS is layered on it when TLSConfig is set). On error it
// closes nc. It is meant for connection factories (Options.NewConn) with a
// transport of their own.
func Open(ctx context.Context, nc net.Conn, opts *Options) (*Conn, error) {
	o := *opts
	o.init()
	if err := o.validate(); err != nil {
		_ = nc.Close()
		return nil, err
	}
	if o.DialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.DialTimeout)
		defer cancel()
	}
	return open(ctx, nc, &o)
}

func open(ctx context.Context, nc net.Conn, o *Options) (*Conn, error) {
	if o.TLSConfig != nil {
		cfg := o.TLSConfig.Clone()
		if cfg.ServerName == "" && o.Network != "unix" {
			if host, _, err := net.SplitHostPort(o.Addr); err == nil {
				cfg.ServerName = host
			}
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = nc.Close()
			return nil, dialError(ctx, "tls handshake", o.Addr, err)
		}
		nc = tc
	}
	c := newConn(nc, o)
	if err := c.handshake(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// dialError maps an error of connecting to a typed error: a timeout (of
// DialTimeout or of ctx's deadline) to a *redis.TimeoutError, anything else
// (a refused connection, a cancelled ctx) to a *redis.ConnectionError. A
// timeout that came when ctx's deadline had passed wraps
// context.DeadlineExceeded: the socket may see the deadline before the
// context's own timer fires.
func dialError(ctx context.Context, op, addr string, err error) error {
	if isTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
		if !errors.Is(err, context.DeadlineExceeded) && deadlinePassed(ctx) {
			err = context.DeadlineExceeded
		}
		return &redis.TimeoutError{Op: op, Addr: addr, Err: err}
	}
	return &redis.ConnectionError{Op: op, Addr: addr, Err: err}
}

// deadlinePassed reports whether ctx has a deadline that has passed, which
// may be before ctx.Err says so.
func deadlinePassed(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// newConn wraps nc, with o's defaults applied. The parser reads from nc
// directly (from its descriptor on a plain socket, see sockReader):
// parsers buffer their reads themselves, so a bufio.Reader in between
// would only copy. Read errors are mapped to typed errors after
// the parser returns them (see ioError), which keeps the parser's own
// distinction between io.EOF (between replies) and io.ErrUnexpectedEOF
// (inside one).
func newConn(nc net.Conn, o *Options) *Conn {
	now := time.Now()
	c := &Conn{
		nc:        nc,
		opts:      o,
		wbuf:      make([]byte, 0, initWriteBuf),
		createdAt: now,
		usedAt:    now,
		cancelled: make(chan struct{}, 1),
	}
	c.raw = rawConnOf(nc)
	var rd io.Reader
	rd, c.sock = replyReader(nc, c.raw)
	c.parser = o.NewParser(rd, parserOptions(o.ParserOptions))
	c.peekFn = c.peekOnce
	c.onCancel = func() {
		_ = nc.SetDeadline(aLongTimeAgo)
		c.cancelled <- struct{}{}
	}
	return c
}

// NetConn returns the underlying network connection (a *tls.Conn with TLS).
func (c *Conn) NetConn() net.Conn { return c.nc }

// Options returns the options the connection was made with, defaults
// applied. They must not be changed.
func (c *Conn) Options() *Options { return c.opts }

// Err returns the fatal error that closed the connection, or nil while it
// is usable.
func (c *Conn) Err() error { return c.err }

// Buffered returns how many bytes were received but not yet read as part
// of a reply. On an idle connection a positive count means the server sent
// something unasked, and the pool will not reuse it.
func (c *Conn) Buffered() int { return c.parser.Buffered() }

// Pending returns how many commands were sent (or queued) whose replies
// were not read yet. The pool closes a connection returned with pending
// replies rather than hand the next caller someone else's reply. A
// connection in a mode where replies do not match commands one to one
// (pub/sub, MONITOR) must be given back with Pool.Remove.
func (c *Conn) Pending() int { return c.pending + c.queued }

// CreatedAt returns when the connection was made.
func (c *Conn) CreatedAt() time.Time { return c.createdAt }

// UsedAt returns when the connection last wrote or read.
func (c *Conn) UsedAt() time.Time { return c.usedAt }

// Reply returns a Reply owned by the connection, for callers that do not
// keep one of their own. Its storage is reused by each use: it is valid
// until the next read into it, and not after the Conn went back to its
// pool.
func (c *Conn) Reply() *redis.Reply { return &c.reply }

// String describes the connection without secrets.
func (c *Conn) String() string {
	s := "pool.Conn{" + c.opts.Network + " " + c.opts.Addr + ", db " + strconv.Itoa(c.opts.DB) +
		", RESP" + strconv.Itoa(c.opts.Protocol)
	if c.err != nil {
		s += ", broken: " + c.err.Error()
	}
	return s + "}"
}

// Close closes the connection. It is safe to call more than once. The
// replies read from it must not be used afterwards.
func (c *Conn) Close() error {
	if c.err == nil {
		c.err = &redis.ConnectionError{Op: "use", Addr: c.opts.Addr, Err: errConnClosed}
	}
	return c.close()
}

func (c *Conn) close() error {
	if c.nc == nil {
		return nil
	}
	err := c.nc.Close()
	if cl, ok := c.parser.(io.Closer); ok {
		_ = cl.Close() // cparser frees its C memory
	}
	c.nc = closedNetConn{c.nc}
	return err
}

// closedNetConn stands in for a closed net.Conn, so that close runs once
// and NetConn stays non-nil.
type closedNetConn struct{ net.Conn }

func (closedNetConn) Close() error { return nil }

// fatal records err as the connection's sticky error, closes it and
// returns err.
func (c *Conn) fatal(err error) error {
	if c.err == nil {
		c.err = err
		_ = c.close()
	}
	return c.err
}

// WriteArgs encodes one command into the write buffer; Flush sends it. The
// arguments are encoded as [redis.AppendArg] describes. An argument of a
// type that cannot be sent gives a *redis.DataError and leaves the buffer
// (and the connection) as it was.
func (c *Conn) WriteArgs(args ...any) error {
	if c.err != nil {
		return c.err
	}
	buf, large, err := AppendCommandSmall(c.wbuf, args)
	if large {
		return c.writeArgsVec(args)
	}
	if err != nil {
		return err
	}
	c.wbuf = buf
	c.queued++
	return nil
}

// WriteStrings encodes one command of string arguments into the write
// buffer; Flush sends it.
func (c *Conn) WriteStrings(args ...string) error {
	if c.err != nil {
		return c.err
	}
	c.wbuf = redis.AppendArrayHeader(c.wbuf, len(args))
	for _, a := range args {
		c.wbuf = redis.AppendBulkString(c.wbuf, a)
	}
	c.queued++
	return nil
}

// WriteRaw appends commands already encoded in RESP to the write buffer;
// n is how many replies they will produce. The bytes are not checked.
func (c *Conn) WriteRaw(cmds []byte, n int) error {
	if c.err != nil {
		return c.err
	}
	c.wbuf = append(c.wbuf, cmds...)
	c.queued += n
	return nil
}

// Flush sends the buffered commands. The write must finish before ctx ends
// and within WriteTimeout. If ctx has already ended, nothing is sent, the
// buffer is dropped and the connection stays usable; a write that fails or
// is interrupted closes the connection.
func (c *Conn) Flush(ctx context.Context) error {
	if c.err != nil {
		return c.err
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	stop, err := c.watch(ctx, "write")
	if err != nil {
		return err
	}
	err = c.flush(ctx, time.Now())
	c.unwatch(stop)
	return err
}

// ReadReply reads the next reply into *dst, reusing dst's storage. The read
// must finish before ctx ends and within ReadTimeout. If ctx has already
// ended, nothing is read and the connection is left as it was (the reply
// stays pending); a read that fails or is interrupted closes it.
//
// With context.Background (a context that cannot be cancelled) and a reply
// that fits the parser's buffer, ReadReply allocates nothing.
func (c *Conn) ReadReply(ctx context.Context, dst *redis.Reply) error {
	return c.ReadReplyBlocking(ctx, dst, 0)
}

// ReadReplyBlocking is ReadReply for the reply of a blocking command
// (BLPOP, XREAD BLOCK, WAIT, ...) that the server may hold for up to block:
// the read may take ReadTimeout plus block. A negative block means the
// command may block forever, so only ctx bounds the read.
func (c *Conn) ReadReplyBlocking(ctx context.Context, dst *redis.Reply, block time.Duration) error {
	if c.err != nil {
		return c.err
	}
	stop, err := c.watch(ctx, "read")
	if err != nil {
		return err
	}
	err = c.read(ctx, dst, time.Now(), block)
	c.unwatch(stop)
	return err
}

// ReadReplies reads n replies, calling each with each of them (the reply
// is valid only during the call), under one watch of ctx: the reads of a
// pipeline. RESP3 push data among the replies (out-of-band: not the reply
// of a command) is skipped. Commands queued and not flushed yet are sent
// first, as Flush would (if ctx has ended already, they are dropped). A
// read whose reply is already buffered does not touch the deadline; one
// that must wait on the socket gets ReadTimeout plus block from then, as
// ReadReplyBlocking does.
func (c *Conn) ReadReplies(ctx context.Context, n int, block time.Duration, each func(i int, r *redis.Reply)) error {
	return c.ReadRepliesTo(ctx, n, block, nil, each)
}

// ReadRepliesTo is ReadReplies where dest, when not nil, gives for each
// reply i the destination of its payload if it is a bulk string (nil:
// none), as RoundTripTo takes one.
func (c *Conn) ReadRepliesTo(ctx context.Context, n int, block time.Duration, dest func(i int) *redis.BulkDest,
	each func(i int, r *redis.Reply)) error {
	if c.err != nil {
		return c.err
	}
	op := "read"
	if len(c.wbuf) > 0 {
		op = "write"
	}
	stop, err := c.watch(ctx, op)
	if err != nil {
		return err
	}
	if len(c.wbuf) > 0 {
		if err := c.send(ctx, time.Now(), block); err != nil {
			c.unwatch(stop)
			return err
		}
	}
	dst := &c.reply
	for i := 0; i < n; i++ {
		var to *redis.BulkDest
		if dest != nil {
			to = dest(i)
		}
		if to != nil {
			if err = c.readTo(ctx, dst, to, time.Now(), block); err != nil {
				break
			}
		} else if i > 0 && c.parser.Buffered() > 0 {
			// Most replies of a batch are in the buffer already: the
			// deadline armed for the last socket read still stands.
			if err = c.parser.ReadReply(dst); err != nil {
				err = c.fatal(c.ioError(ctx, "read", err, false))
				break
			}
			if c.pending > 0 {
				c.pending--
			}
			if dst.Kind == redis.KindError && c.opts.RetireOnReadOnly {
				c.checkReadOnly(dst)
			}
		} else if err = c.read(ctx, dst, time.Now(), block); err != nil {
			break
		}
		if dst.Kind == redis.KindPush {
			c.pending++ // out-of-band data, not the reply of a command
			i--
			continue
		}
		each(i, dst)
	}
	c.unwatch(stop)
	return err
}

// Do sends one command and reads its reply into *dst: WriteArgs, Flush and
// ReadReply in one, with one watch of ctx. A server error is returned in
// dst, not as an error.
func (c *Conn) Do(ctx context.Context, dst *redis.Reply, args ...any) error {
	if err := c.WriteArgs(args...); err != nil {
		return err
	}
	return c.RoundTrip(ctx, dst, 0)
}

// RoundTrip flushes the queued commands and reads one reply into *dst, with
// the read deadline of ReadReplyBlocking(ctx, dst, block). RESP3 push data
// that comes before the reply (a CLIENT TRACKING invalidation, say) is
// skipped, as by ReadReplies; ReadReply returns it. It is Do for a
// command queued with WriteArgs; with more than one command queued, the
// other replies are still to be read.
func (c *Conn) RoundTrip(ctx context.Context, dst *redis.Reply, block time.Duration) error {
	if c.err != nil {
		return c.err
	}
	stop, err := c.watch(ctx, "write")
	if err != nil {
		return err
	}
	now := time.Now()
	err = c.send(ctx, now, block)
	if err == nil {
		err = c.read(ctx, dst, now, block)
		for err == nil && dst.Kind == redis.KindPush {
			c.pending++ // out-of-band data, not the reply of a command
			err = c.read(ctx, dst, time.Now(), block)
		}
	}
	c.unwatch(stop)
	return err
}

// send flushes the queued commands whose replies are read next: on a plain
// socket with nothing buffered, with flushAndWait.
func (c *Conn) send(ctx context.Context, now time.Time, block time.Duration) error {
	if c.sock != nil && c.parser.Buffered() == 0 && len(c.segs) == 0 {
		return c.flushAndWait(ctx, now, block)
	}
	return c.flush(ctx, now)
}

// watch makes a cancellation of ctx interrupt the coming read or write (op),
// until unwatch. A context that ended already fails at once, leaving the
// connection usable: nothing is sent (queued commands are dropped) or read.
// context.Background and friends cost nothing here.
func (c *Conn) watch(ctx context.Context, op string) (stop func() bool, err error) {
	if ctx.Done() == nil {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		if op == "write" {
			c.dropQueued()
		}
		return nil, c.ctxError(op, err)
	}
	return context.AfterFunc(ctx, c.onCancel), nil
}

// unwatch stops watching a context. If the watch already fired, its
// deadline (in the past) may have been set after the operation ended:
// wait for it, and have the next operation set fresh deadlines.
func (c *Conn) unwatch(stop func() bool) {
	if stop == nil || stop() {
		return
	}
	<-c.cancelled
	c.rdl, c.wdl = aLongTimeAgo, aLongTimeAgo
}

// clearDeadlines removes the socket's deadlines, for a connection that the
// Mux takes over (it sets its own); on error the connection is closed.
func (c *Conn) clearDeadlines() error {
	c.rdl, c.wdl = time.Time{}, time.Time{}
	if err := c.nc.SetDeadline(time.Time{}); err != nil {
		return c.fatal(c.ioError(context.Background(), "use", err, false))
	}
	return nil
}

func (c *Conn) dropQueued() {
	clear(c.segs)
	c.segs = c.segs[:0]
	c.wbuf = c.wbuf[:0]
	c.queued = 0
}

// flush writes the buffer; now is the current time.
func (c *Conn) flush(ctx context.Context, now time.Time) error {
	if len(c.wbuf) == 0 {
		return nil
	}
	want, fromCtx := deadline(ctx, now, c.opts.WriteTimeout)
	if needsArm(c.wdl, want, c.opts.WriteTimeout>>slackShift, fromCtx) {
		if err := c.nc.SetWriteDeadline(want); err != nil {
			return c.fatal(c.ioError(ctx, "write", err, false))
		}
		c.wdl = want
	}
	c.usedAt = now
	var err error
	if len(c.segs) > 0 {
		err = writeVec(c.nc, c.wbuf, c.segs, &c.vec)
		clear(c.segs)
		c.segs = c.segs[:0]
	} else {
		_, err = c.nc.Write(c.wbuf)
	}
	c.pending += c.queued
	c.queued = 0
	c.resetWriteBuf()
	if err != nil {
		return c.fatal(c.ioError(ctx, "write", err, fromCtx))
	}
	return nil
}

// resetWriteBuf empties the write buffer after a write, and lets go of a
// large one.
func (c *Conn) resetWriteBuf() {
	if cap(c.wbuf) > maxWriteBuf {
		c.wbuf = make([]byte, 0, initWriteBuf)
	} else {
		c.wbuf = c.wbuf[:0]
	}
}

// flushAndWait is flush followed by a wait until the reply can be read,
// on a plain socket (c.sock): the round trip's first read(2) then finds the
// reply instead of failing with EAGAIN (see sockReader). now is the
// current time; the wait has the read deadline of read(ctx, ..., block).
func (c *Conn) flushAndWait(ctx context.Context, now time.Time, block time.Duration) error {
	if len(c.wbuf) == 0 {
		return nil
	}
	fromCtx, err := c.armRead(ctx, now, block)
	if err != nil {
		return err
	}
	c.usedAt = now
	n, werr, err := c.sock.writeAndWait(c.wbuf)
	if werr == nil && n < len(c.wbuf) {
		// The socket's buffer is full: write the rest the usual way,
		// within WriteTimeout, then read the usual way.
		full := c.wbuf
		c.wbuf = c.wbuf[n:]
		err := c.flush(ctx, now)
		c.wbuf = full
		c.resetWriteBuf()
		return err
	}
	c.pending += c.queued
	c.queued = 0
	c.resetWriteBuf()
	if werr != nil {
		// A timeout here is of the read deadline, which the wait for the
		// reply had armed: ctx's when fromCtx.
		return c.fatal(c.ioError(ctx, "write", werr, fromCtx))
	}
	if err != nil {
		return c.fatal(c.ioError(ctx, "read", err, fromCtx))
	}
	return nil
}

// armRead sets the read deadline of a read that starts now, bounded by
// ReadTimeout (plus block, see ReadReplyBlocking) and ctx, unless the one
// set already does. It reports whether the deadline is ctx's.
func (c *Conn) armRead(ctx context.Context, now time.Time, block time.Duration) (fromCtx bool, err error) {
	timeout := c.opts.ReadTimeout
	switch {
	case block < 0:
		timeout = -1
	case block > 0 && timeout > 0:
		timeout += block
	}
	want, fromCtx := deadline(ctx, now, timeout)
	if needsArm(c.rdl, want, timeout>>slackShift, fromCtx) {
		if err := c.nc.SetReadDeadline(want); err != nil {
			return fromCtx, c.fatal(c.ioError(ctx, "read", err, false))
		}
		c.rdl = want
	}
	return fromCtx, nil
}

// read reads one reply; now is the current time (or close to it).
func (c *Conn) read(ctx context.Context, dst *redis.Reply, now time.Time, block time.Duration) error {
	fromCtx, err := c.armRead(ctx, now, block)
	if err != nil {
		return err
	}
	if err := c.parser.ReadReply(dst); err != nil {
		return c.fatal(c.ioError(ctx, "read", err, fromCtx))
	}
	if c.pending > 0 {
		c.pending--
	}
	if dst.Kind == redis.KindError && c.opts.RetireOnReadOnly {
		c.checkReadOnly(dst)
	}
	return nil
}

// checkReadOnly retires c when the error reply r is READONLY (see
// Options.RetireOnReadOnly).
func (c *Conn) checkReadOnly(r *redis.Reply) {
	if bytes.HasPrefix(r.Str, []byte("READONLY ")) {
		c.retired = true
	}
}

// Retired reports whether the connection is not to be reused, although it
// works: Options.RetireOnReadOnly saw a READONLY error on it. The pool
// closes it when it is put back.
func (c *Conn) Retired() bool { return c.retired }

// deadline returns the deadline of an operation bounded by timeout (< 0:
// none) from now and by ctx, and whether it is ctx's.
func deadline(ctx context.Context, now time.Time, timeout time.Duration) (time.Time, bool) {
	dl, ok := ctx.Deadline()
	if timeout > 0 {
		t := now.Add(timeout)
		if ok && dl.Before(t) {
			return dl, true
		}
		return t, false
	}
	if ok {
		return dl, true
	}
	return time.Time{}, false
}

// needsArm reports whether a deadline cur, set on the socket now, must be
// replaced by want. A timeout deadline may stay up to slack earlier than
// wanted; a context's deadline must be exact.
func needsArm(cur, want time.Time, slack time.Duration, exact bool) bool {
	if want.IsZero() || cur.IsZero() {
		return !(want.IsZero() && cur.IsZero())
	}
	if exact {
		return !cur.Equal(want)
	}
	d := want.Sub(cur)
	return d < 0 || d > slack
}

// ioError maps an error of a read or write to a typed error: a
// *redis.ProtocolError as it is, a timeout to a *redis.TimeoutError (or the
// context's error when ctx ended), anything else to a
// *redis.ConnectionError. fromCtx says the deadline was ctx's. A timeout
// when ctx's deadline has passed is the context's, even if ctx.Err is not
// set yet (its timer has not fired): it wraps context.DeadlineExceeded.
func (c *Conn) ioError(ctx context.Context, op string, err error, fromCtx bool) error {
	var (
		pe *redis.ProtocolError
		te *redis.TimeoutError
		ce *redis.ConnectionError
	)
	if errors.As(err, &pe) || errors.As(err, &te) || errors.As(err, &ce) {
		return err
	}
	if isTimeout(err) {
		if ctx.Done() != nil {
			if cerr := ctx.Err(); cerr != nil {
				return c.ctxError(op, cerr)
			}
		}
		if fromCtx || deadlinePassed(ctx) {
			return &redis.TimeoutError{Op: op, Addr: c.opts.Addr, Err: context.DeadlineExceeded}
		}
		return &redis.TimeoutError{Op: op, Addr: c.opts.Addr, Err: err}
	}
	return &redis.ConnectionError{Op: op, Addr: c.opts.Addr, Err: err}
}

// ctxError is the error of an operation that ctx ended: a
// *redis.TimeoutError wrapping context.DeadlineExceeded, or an error
// wrapping context.Canceled (or whatever ctx.Err returned).
func (c *Conn) ctxError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &redis.TimeoutError{Op: op, Addr: c.opts.Addr, Err: err}
	}
	return fmt.Errorf("redis: %s %s: %w", op, c.opts.Addr, err)
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// peek reports whether the idle connection looks alive: nothing to read
// and no end of stream. A connection the server closed (restart, timeout,
// CLIENT KILL) reads EOF; one that received unasked data is out of step.
// Either is dead. It does not block.
func (c *Conn) peek() error {
	if c.err != nil {
		return c.err
	}
	if c.parser.Buffered() > 0 {
		return errUnexpectedData
	}
	if c.raw == nil {
		return nil
	}
	c.peekErr = nil
	err := c.raw.Read(c.peekFn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The last read deadline has passed, so the runtime refuses to
		// try: clear it and try again.
		if err = c.nc.SetReadDeadline(time.Time{}); err == nil {
			c.rdl = time.Time{}
			err = c.raw.Read(c.peekFn)
		}
	}
	if err != nil {
		return err
	}
	if c.peekErr == errUnexpectedData {
		if tc, ok := c.nc.(*tls.Conn); ok {
			return c.peekTLS(tc)
		}
	}
	return c.peekErr
}

// tlsPeekWait is how long peekTLS lets crypto/tls read records that are
// already in the socket.
const tlsPeekWait = 2 * time.Millisecond

// peekTLS tells what arrived on an idle TLS connection. Not every record
// is data: a TLS 1.3 server sends session tickets after the handshake, and
// may send a key update. crypto/tls handles those inside Read, so a Read
// with a short deadline returns data (the connection is out of step), the
// end of the stream (closed: close_notify or EOF), or a timeout when the
// records held no data (the connection is fine). A timeout does not break
// a tls.Conn. This costs tlsPeekWait, once per such record.
func (c *Conn) peekTLS(tc *tls.Conn) error {
	c.rdl = aLongTimeAgo // the next read sets its own deadline
	if err := tc.SetReadDeadline(time.Now().Add(tlsPeekWait)); err != nil {
		return err
	}
	n, err := tc.Read(c.peekBuf[:])
	switch {
	case n > 0:
		return errUnexpectedData
	case err == nil || isTimeout(err):
		return nil
	}
	return err
}

var errUnexpectedData = errors.New("redis: data received on an idle connection")

// ping sends PING and checks for PONG.
func (c *Conn) ping(ctx context.Context) error {
	if err := c.WriteStrings("PING"); err != nil {
		return err
	}
	if err := c.RoundTrip(ctx, &c.reply, 0); err != nil {
		return err
	}
	if c.reply.Kind != redis.KindSimpleString || string(c.reply.Str) != "PONG" {
		return c.fatal(&redis.ConnectionError{Op: "health check", Addr: c.opts.Addr,
			Err: errors.New("PING answered with " + c.reply.String())})
	}
	return nil
}

// parserOptions are the options of a connection's parser: the user's
// limits, and large bulk strings read into memory of their own, since the
// command layer keeps every value it returns (Reply.Owned saves the copy).
func parserOptions(o redis.ParserOptions) redis.ParserOptions {
	o.OwnLargeBulks = true
	return o
}
