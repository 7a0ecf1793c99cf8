package pool

import (
	"context"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"
	"unsafe"

	redis "github.com/duoredis/redis"
)

// VecMin is the size from which a []byte or string argument is not copied
// into a connection's write buffer: it is written from the caller's memory
// by a vectored write (writev), with the encoded rest of the command
// around it. The caller's bytes must therefore stay unchanged until the
// write is done: a command on a pooled connection or on the Mux returns
// only after its reply, so only a pipeline (which writes at Exec) asks its
// caller to leave such a []byte alone until Exec returns.
const VecMin = 64 << 10

// Seg is an argument of VecMin bytes or more that the encoded command
// buffer leaves out: B goes at offset At of it.
type Seg struct {
	At int
	B  []byte

	owner *muxCall // on a Mux: the command it belongs to
}

// HasLargeArg reports whether any of args is a []byte or string of VecMin
// bytes or more.
func HasLargeArg(args []any) bool {
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			if len(v) >= VecMin {
				return true
			}
		case string:
			if len(v) >= VecMin {
				return true
			}
		}
	}
	return false
}

// AppendCommandSmall is [redis.AppendCommand] for a command whose
// arguments all go into the write buffer: when one of args is a []byte or
// string of VecMin bytes or more it stops and returns buf as it was with
// large true, for the caller to encode the command with AppendCommandVec
// instead. It looks at each argument once, so a command of small arguments
// (the usual case) pays nothing for the vectored path. On error buf is
// returned as it was.
func AppendCommandSmall(buf []byte, args []any) (out []byte, large bool, err error) {
	start := len(buf)
	buf = redis.AppendArrayHeader(buf, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			if len(v) >= VecMin {
				return buf[:start], true, nil
			}
			buf = redis.AppendBulkString(buf, v)
		case []byte:
			if len(v) >= VecMin {
				return buf[:start], true, nil
			}
			buf = redis.AppendBulk(buf, v)
		default:
			if buf, err = redis.AppendArg(buf, i, a); err != nil {
				return buf[:start], false, err
			}
		}
	}
	return buf, false, nil
}

// AppendCommandVec is redis.AppendCommand that leaves arguments of VecMin
// bytes or more out of buf: each is appended to segs, with its offset in
// buf, for a vectored write. On error buf and segs are returned as they
// were.
func AppendCommandVec(buf []byte, segs []Seg, args ...any) ([]byte, []Seg, error) {
	start, nsegs := len(buf), len(segs)
	buf = redis.AppendArrayHeader(buf, len(args))
	for i, a := range args {
		var b []byte
		switch v := a.(type) {
		case []byte:
			b = v
		case string:
			// Read only, by the write.
			b = unsafe.Slice(unsafe.StringData(v), len(v))
		}
		if len(b) >= VecMin {
			buf = append(buf, '$')
			buf = appendInt(buf, len(b))
			buf = append(buf, '\r', '\n')
			segs = append(segs, Seg{At: len(buf), B: b})
			buf = append(buf, '\r', '\n')
			continue
		}
		var err error
		if buf, err = redis.AppendArg(buf, i, a); err != nil {
			clear(segs[nsegs:])
			return buf[:start], segs[:nsegs], err
		}
	}
	return buf, segs, nil
}

func appendInt(b []byte, n int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// headLen is how much of a large write goes out first, in a write of its
// own: the command's header and the start of its large value, then the
// rest in one more write. Measured on loopback (Linux 6.18 VM, Redis 7.0
// and Valkey 8, SET of 1 MiB, client and server on one CPU or on two):
// one writev of the whole command ran at either about 2.9k or 5.1k SETs/s,
// the mode changing from one connection to the next, while a first write
// of 128 bytes to 32 KiB followed by the rest ran at 4.7-5.2k/s on every
// connection (a first write of the header alone, or of 64 bytes, at
// 2.7k/s). The extra system call costs about a microsecond against a few
// hundred for the value.
const headLen = 4 << 10

// writeVec writes buf with segs spliced in, in vectored writes (writev on
// a TCP or unix socket): the first headLen bytes, then the rest (see
// headLen). *vec is scratch storage that outlives the call (a field of the
// connection's), so that the write allocates nothing.
func writeVec(nc net.Conn, buf []byte, segs []Seg, vec *net.Buffers) error {
	b := (*vec)[:0]
	at, total := 0, 0
	for _, s := range segs {
		if s.At > at {
			b = append(b, buf[at:s.At])
		}
		b = append(b, s.B)
		at = s.At
		total += len(s.B)
	}
	if at < len(buf) {
		b = append(b, buf[at:])
	}
	total += len(buf)
	b, head := splitHead(b, total)
	*vec = b[:head]
	_, err := vec.WriteTo(nc) // consumes *vec
	if err == nil && head < len(b) {
		*vec = b[head:]
		_, err = vec.WriteTo(nc)
	}
	clear(b) // no reference to the caller's memory stays behind
	*vec = b[:0]
	return err
}

// splitHead splits the elements b (total bytes in all) for writeVec: when
// total is over 2*headLen, the element that holds byte headLen is cut there,
// and b[:head] holds the first headLen bytes; else head is len(b). b may be
// grown by one element.
func splitHead(b net.Buffers, total int) (out net.Buffers, head int) {
	if total <= 2*headLen {
		return b, len(b)
	}
	n := 0
	for i := range b {
		if n+len(b[i]) >= headLen {
			if k := headLen - n; k < len(b[i]) {
				b = append(b, nil)
				copy(b[i+2:], b[i+1:])
				b[i+1] = b[i][k:]
				b[i] = b[i][:k]
			}
			return b, i + 1
		}
		n += len(b[i])
	}
	return b, len(b)
}

// WriteRawVec is WriteRaw for commands encoded by AppendCommandVec: segs
// are spliced into cmds when they are written. The bytes of segs must stay
// unchanged until the write is done (Flush, or the read of a reply).
func (c *Conn) WriteRawVec(cmds []byte, segs []Seg, n int) error {
	if len(segs) == 0 {
		return c.WriteRaw(cmds, n)
	}
	if c.err != nil {
		return c.err
	}
	base := len(c.wbuf)
	for _, s := range segs {
		c.segs = append(c.segs, Seg{At: base + s.At, B: s.B})
	}
	c.wbuf = append(c.wbuf, cmds...)
	c.queued += n
	return nil
}

// writeArgsVec is WriteArgs for a command with a large argument.
func (c *Conn) writeArgsVec(args []any) error {
	buf, segs, err := AppendCommandVec(c.wbuf, c.segs, args...)
	if err != nil {
		return err
	}
	c.wbuf, c.segs = buf, segs
	c.queued++
	return nil
}

// streamWriter passes a payload on to the caller's writer and, after each
// piece, moves the read deadline ReadTimeout past now: reading a value of
// hundreds of MiB to a writer takes as long as the writer takes, and
// ReadTimeout bounds each wait for the server, not the whole value.
type streamWriter struct {
	c     *Conn
	ctx   context.Context
	w     io.Writer
	block time.Duration
}

func (s *streamWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if _, aerr := s.c.armRead(s.ctx, time.Now(), s.block); aerr != nil && err == nil {
		err = aerr
	}
	return n, err
}

// RoundTripTo is RoundTrip for a command whose reply may be a bulk string
// whose payload goes to to (see [redis.BulkDest]): into to.Buf, which grows
// only when too small, or to to.W. It returns to with its results set; when
// the payload went there (Done), dst.Str is to.Buf[:N] (empty for a
// writer). A writer that fails does not end the connection: the rest of
// the payload is read and dropped, and the error is in the returned
// WErr. With a writer, ReadTimeout bounds each read from the server rather
// than the whole reply.
//
// With a buffer big enough, context.Background and nothing to dial,
// RoundTripTo allocates nothing.
func (c *Conn) RoundTripTo(ctx context.Context, dst *redis.Reply, to redis.BulkDest) (redis.BulkDest, error) {
	if c.err != nil {
		return to, c.err
	}
	c.bulk = to
	if to.W != nil {
		c.stream = streamWriter{c: c, ctx: ctx, w: to.W}
		c.bulk.W = &c.stream
	}
	stop, err := c.watch(ctx, "write")
	if err == nil {
		now := time.Now()
		err = c.send(ctx, now, 0)
		if err == nil {
			err = c.readTo(ctx, dst, &c.bulk, now, 0)
			for err == nil && dst.Kind == redis.KindPush {
				c.pending++ // out-of-band data, not the reply of a command
				err = c.readTo(ctx, dst, &c.bulk, time.Now(), 0)
			}
		}
		c.unwatch(stop)
	}
	out := c.bulk
	out.W = to.W
	c.bulk = redis.BulkDest{}
	c.stream = streamWriter{}
	return out, err
}

// readTo is read with the payload of a bulk string reply going to d.
func (c *Conn) readTo(ctx context.Context, dst *redis.Reply, d *redis.BulkDest, now time.Time, block time.Duration) error {
	fromCtx, err := c.armRead(ctx, now, block)
	if err != nil {
		return err
	}
	if err := redis.ReadBulk(c.parser, dst, d); err != nil {
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

// DoTo is Do for a command whose reply may be a bulk string whose payload
// goes to to, as [Conn.RoundTripTo] takes it; it returns to with its
// results set. The shared connection's reader reads the payload straight
// into to.Buf (or passes it to to.W, which then holds up every command
// behind it: a slow writer is better served by a connection of its own).
// If ctx ends while the payload is being read, DoTo returns when the read
// is over (within ReadTimeout), since the payload is going into the
// caller's memory.
func (m *Mux) DoTo(ctx context.Context, args []any, h ReplyHandler, to redis.BulkDest) (redis.BulkDest, error) {
	err := m.do(ctx, args, h, &to)
	return to, err
}

// muxSel is the BulkSelector of a shared connection's reader (of
// generation gen): the payload of a bulk string goes to the command first
// in line when that command asked for it (DoTo).
type muxSel struct {
	mc  *muxConn
	gen uint64
}

func (s *muxSel) SelectBulk(int64) *redis.BulkDest {
	mc := s.mc
	if mc.intos.Load() == 0 {
		return nil
	}
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if mc.gen != s.gen || mc.head >= mc.unsent {
		return nil
	}
	call := mc.queue[mc.head]
	if !call.to || call.left > 0 || !call.state.CompareAndSwap(callWaiting, callReading) {
		return nil
	}
	return &call.bulk
}

// letGo waits, for a command that its caller abandons, until no write
// uses the caller's memory any more (its large arguments, see VecMin): a
// command not written yet gets copies of them.
func (mc *muxConn) letGo(call *muxCall) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if mc.wcond.L == nil {
		mc.wcond.L = &mc.mu
	}
	for {
		if call.wseq == 0 {
			for i := range mc.segs {
				if mc.segs[i].owner == call {
					mc.segs[i].B = append([]byte(nil), mc.segs[i].B...)
				}
			}
			return
		}
		if mc.wdone >= call.wseq {
			return
		}
		mc.wcond.Wait()
	}
}

// RoundTripFrom sends the command args, whose argument at index pos is
// replaced by size bytes read from r, as they are read (the value is never
// held whole), and reads its reply into *dst. WriteTimeout bounds each
// write rather than the whole command. If r fails or ends before size
// bytes, the error is r's, or io.ErrUnexpectedEOF: when part of the
// command was written by then, the connection is closed (the server drops
// a command it did not get whole); when none was (r failed within the
// value's first bytes, which go out with the command's header), the
// connection is left as it was, as for a *redis.DataError on an argument
// that cannot be encoded.
func (c *Conn) RoundTripFrom(ctx context.Context, dst *redis.Reply, args []any, pos int, r io.Reader, size int64) error {
	if c.err != nil {
		return c.err
	}
	if size < 0 {
		return &redis.DataError{Pos: pos, Type: "io.Reader", Msg: "negative size"}
	}
	// The command up to the value's header; the rest after the value.
	cmdStart := len(c.wbuf)
	buf := redis.AppendArrayHeader(c.wbuf, len(args))
	for i, a := range args[:pos] {
		var err error
		if buf, err = redis.AppendArg(buf, i, a); err != nil {
			return err
		}
	}
	buf = append(buf, '$')
	buf = strconv.AppendInt(buf, size, 10)
	buf = append(buf, '\r', '\n')
	tail := []byte("\r\n")
	for i, a := range args[pos+1:] {
		var err error
		if tail, err = redis.AppendArg(tail, pos+1+i, a); err != nil {
			return err
		}
	}
	stop, err := c.watch(ctx, "write")
	if err != nil {
		return err
	}
	defer c.unwatch(stop)
	// The first write holds the command up to the value and the value's
	// first bytes (see headLen); the rest goes in chunks of streamBufs.
	lr := &io.LimitedReader{R: r, N: size}
	if k := min(int64(max(headLen-len(buf), 0)), size); k > 0 {
		at := len(buf)
		buf = slices.Grow(buf, int(k))[:at+int(k)]
		got, err := io.ReadFull(lr, buf[at:])
		if err != nil {
			// Nothing of the command was written: drop it.
			c.wbuf = buf[:cmdStart]
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		buf = buf[:at+got]
	}
	c.wbuf = buf
	if err := c.flush(ctx, time.Now()); err != nil {
		return err
	}
	w := &deadlineWriter{c: c, ctx: ctx}
	bp := streamBufs.Get().(*[]byte)
	err = copyChunks(w, lr, *bp)
	streamBufs.Put(bp)
	if err == nil && lr.N > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		if w.err != nil {
			return c.fatal(c.ioError(ctx, "write", w.err, false))
		}
		c.fatal(&redis.ConnectionError{Op: "write", Addr: c.opts.Addr, Err: err})
		return err
	}
	c.wbuf = append(c.wbuf, tail...)
	c.queued++
	now := time.Now()
	if err := c.flush(ctx, now); err != nil {
		return err
	}
	err = c.read(ctx, dst, now, 0)
	for err == nil && dst.Kind == redis.KindPush {
		c.pending++ // out-of-band data, not the reply of a command
		err = c.read(ctx, dst, time.Now(), 0)
	}
	return err
}

// streamBufs hold the chunks of streamed values on their way from the
// reader to the socket, reused so that streaming allocates none per call.
// 1 MiB: each write of a chunk wakes the server to read it, and on
// loopback a 1 MiB value streamed in chunks of 256 KiB ran at less than
// half the SETs/s of one streamed in a chunk of 1 MiB (2.1-2.3k/s against
// 4.5-4.8k/s, Redis 7.0 and Valkey 8 alike).
var streamBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// copyChunks copies r to w until r ends, in writes of len(buf) bytes, fewer
// only for the last: each chunk is read in full before it is written.
func copyChunks(w io.Writer, r io.Reader, buf []byte) error {
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return nil
		default:
			return err
		}
	}
}

// deadlineWriter writes a streamed value to the connection, each write
// within WriteTimeout. Its err is the connection's error, as opposed to
// the reader's.
type deadlineWriter struct {
	c   *Conn
	ctx context.Context
	err error
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	c := w.c
	want, fromCtx := deadline(w.ctx, time.Now(), c.opts.WriteTimeout)
	if needsArm(c.wdl, want, c.opts.WriteTimeout>>slackShift, fromCtx) {
		if err := c.nc.SetWriteDeadline(want); err != nil {
			w.err = err
			return 0, err
		}
		c.wdl = want
	}
	n, err := c.nc.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}
