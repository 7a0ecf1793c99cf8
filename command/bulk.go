package command

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// GetInto returns the string at key read into buf, which the caller owns
// and reuses: buf[:n] when cap(buf) >= n, otherwise a new slice of n bytes
// (pass the returned slice next time, and the buffer grows only when a
// value is larger than any before); redis.Nil when the key does not exist.
//
// A large value is read from the socket straight into buf, with no
// intermediate copy and no allocation (see [redis.BulkReader]), on a
// pooled connection, on an auto-pipelined one and in a pipeline, where buf
// is filled at Exec (in a MULTI/EXEC transaction the value is copied into
// buf from the EXEC reply). buf must not be read or written until the call
// (or Exec) returns. Response callbacks do not apply; with hooks, or on a
// cluster client, the value is read as by Get and copied into buf.
func (c Cmdable) GetInto(ctx context.Context, key string, buf []byte) Result[[]byte] {
	return into(c, ctx, redis.BulkDest{Buf: buf}, "GET", key).result()
}

// GetTo writes the string at key to w as it arrives, without holding it
// whole (values of hundreds of MiB), and returns how many bytes w took;
// redis.Nil when the key does not exist.
//
// It runs on a pooled connection of its own (or the Conn's), never on an
// auto-pipelined one, whose other commands would wait for w. ReadTimeout
// bounds each wait for the server, not the whole value. If w fails, GetTo
// returns w's error and the count it took; the rest of the value is read
// and dropped, so the connection stays in step and goes back to the pool.
// In a pipeline the value is written to w at Exec; with hooks, or on a
// cluster client, the value is read whole and then written to w.
func (c Cmdable) GetTo(ctx context.Context, key string, w io.Writer) Result[int64] {
	res := into(c, ctx, redis.BulkDest{W: w}, "GET", key)
	if res.p != nil {
		return Result[int64]{p: res.p.count}
	}
	return Result[int64]{val: res.n, err: res.err}
}

// ErrStreamInPipeline is the error of SetFrom queued on a pipeline: the
// value would have to be held whole until Exec.
var ErrStreamInPipeline = errors.New("redis: SetFrom cannot be queued on a pipeline: use Set with the value")

// SetFrom sets key to the size bytes read from r, sent as they are read,
// without holding the value whole (values of hundreds of MiB); exp > 0 sets
// an expiration (EX or PX), KeepTTL keeps the key's. RESP states a value's
// length before its bytes, hence size. If r fails or ends before size
// bytes, SetFrom returns r's error, or io.ErrUnexpectedEOF, and key is
// unchanged: the value's first 4 KiB or so go out with the command's
// header, so when r fails within them nothing was sent; later, the
// connection is closed (the server then drops the partial command).
//
// It runs on a pooled connection of its own (or the Conn's), never on an
// auto-pipelined one; WriteTimeout bounds each write, not the whole value.
// The rest of the value is read and written in chunks of 1 MiB, a buffer
// per call in progress, reused.
// On a pipeline it fails with ErrStreamInPipeline. Hooks see the command
// with the value as "<size bytes from a reader>".
func (c Cmdable) SetFrom(ctx context.Context, key string, r io.Reader, size int64, exp time.Duration) Result[string] {
	e := c.e
	if e.queue != nil {
		return Result[string]{err: ErrStreamInPipeline}
	}
	args := []any{"SET", key, streamed}
	switch {
	case exp == KeepTTL:
		args = append(args, "KEEPTTL")
	case exp > 0:
		unit, n := expiryArgs(exp)
		args = append(args, unit, n)
	}
	run := func(ctx context.Context) (string, error) {
		return setFrom(e, ctx, args, r, size)
	}
	if e.hooks.process.Load() == nil {
		v, err := run(ctx)
		return Result[string]{val: v, err: err}
	}
	var val string
	err := e.Process(ctx, args, func(ctx context.Context) error {
		var err error
		val, err = run(ctx)
		return err
	})
	return Result[string]{val: val, err: err}
}

// streamed stands for SetFrom's value in the arguments that hooks see.
const streamed = "<size bytes from a reader>"

func setFrom(e *Engine, ctx context.Context, args []any, r io.Reader, size int64) (string, error) {
	if e.router != nil {
		return "", errors.New("redis: SetFrom is not supported on a cluster client")
	}
	cn := e.conn
	if cn == nil {
		var err error
		if cn, err = e.pool.Get(ctx); err != nil {
			return "", err
		}
	} else if e.own != nil && e.own.Closed {
		return "", ErrConnClosed
	}
	reply := cn.Reply()
	err := cn.RoundTripFrom(ctx, reply, args, 2, r, size)
	var v string
	if err == nil {
		v, err = decode(e, reply, call[string]{dec: decStatus}, args, "SET")
	}
	e.put(cn)
	if e.cache != nil {
		e.cache.wrote(args)
	}
	return v, err
}

// into runs GET-like args whose bulk reply goes to to.
func into(c Cmdable, ctx context.Context, to redis.BulkDest, args ...any) intoResult {
	e := c.e
	if e.queue != nil {
		p := &pendingTo{count: &pending[int64]{}}
		p.to = to
		if err := e.queue.addTo(args, p, &p.to); err != nil {
			return intoResult{err: err}
		}
		return intoResult{p: p}
	}
	if e.hooks.process.Load() != nil || e.router != nil || (c.ttl > 0 && e.cache != nil) {
		return intoGeneral(c, ctx, to, args)
	}
	for try := 0; ; try++ {
		res := intoOnce(e, ctx, to, args)
		if res.err == nil || !e.retry(ctx, try, res.err) {
			return res
		}
	}
}

// intoGeneral is into by the path of every command (hooks, routing, the
// client-side cache), with the value copied into to (a closure, so to is a
// variable of its own here: into's stays on the stack).
func intoGeneral(c Cmdable, ctx context.Context, to redis.BulkDest, args []any) intoResult {
	dec := func(r *redis.Reply) ([]byte, error) {
		to.Done = false
		to.Deliver(r)
		return decodeTo(r, &to)
	}
	res := run(c, ctx, dec, args...)
	return intoResult{val: res.val, n: to.Written, err: res.err}
}

// intoResult is into's outcome: the value (GetInto) or the count written
// (GetTo), or the handle of a queued command.
type intoResult struct {
	val []byte
	n   int64
	err error
	p   *pendingTo
}

func (r intoResult) result() Result[[]byte] {
	if r.p != nil {
		return Result[[]byte]{p: &r.p.pending}
	}
	return Result[[]byte]{val: r.val, err: r.err}
}

// decodeTo turns the reply of a command run with to into its value: the
// bulk string (in to's memory, or empty for a writer) or its error. A
// writer's failure is the command's error.
func decodeTo(r *redis.Reply, to *redis.BulkDest) ([]byte, error) {
	switch {
	case r.IsError():
		return nil, r.Err()
	case r.Kind == redis.KindNull:
		return nil, redis.Nil
	case r.Kind != redis.KindBulkString:
		return nil, unexpected("string", r)
	case to.WErr != nil:
		return nil, to.WErr
	}
	return r.Str, nil
}

// intoOnce is once for into: on the Mux when the command meets others
// (unless to has a writer), otherwise on the bound or a pooled connection.
func intoOnce(e *Engine, ctx context.Context, to redis.BulkDest, args []any) intoResult {
	if e.mux != nil && e.conn == nil && to.W == nil {
		busy := e.mux.Busy()
		defer e.mux.Done()
		if busy {
			h := intoHandlers.Get().(*intoHandler)
			got, err := e.mux.DoTo(ctx, args, h, to)
			res := intoResult{val: h.val, err: h.err}
			if err != nil {
				res = intoResult{err: err}
			}
			res.n = got.Written
			*h = intoHandler{}
			intoHandlers.Put(h)
			return res
		}
	}
	cn := e.conn
	if cn == nil {
		var err error
		if cn, err = e.pool.Get(ctx); err != nil {
			return intoResult{err: err}
		}
	} else if e.own != nil && e.own.Closed {
		return intoResult{err: ErrConnClosed}
	} else if err := cn.Err(); err != nil {
		return intoResult{err: err}
	}
	if err := cn.WriteArgs(args...); err != nil {
		e.put(cn)
		return intoResult{err: err}
	}
	reply := cn.Reply()
	got, err := cn.RoundTripTo(ctx, reply, to)
	if err != nil {
		e.put(cn) // closes it: it saw an error
		return intoResult{err: err, n: got.Written}
	}
	val, err := decodeTo(reply, &got)
	e.put(cn)
	return intoResult{val: val, n: got.Written, err: err}
}

// intoHandler takes the reply of a command sent with Mux.DoTo; pooled, so
// that the auto-pipelined path allocates nothing.
type intoHandler struct {
	val []byte
	err error
}

var intoHandlers = sync.Pool{New: func() any { return new(intoHandler) }}

func (h *intoHandler) HandleReply(r *redis.Reply) {
	switch {
	case r.IsError():
		h.err = r.Err()
	case r.Kind == redis.KindNull:
		h.err = redis.Nil
	case r.Kind != redis.KindBulkString:
		h.err = unexpected("string", r)
	default:
		h.val = r.Str // the caller's memory (see Mux.DoTo)
	}
}

// pendingTo is a queued command whose bulk reply goes to to. Its pending
// holds the value (GetInto); count, the count a writer took (GetTo).
type pendingTo struct {
	pending[[]byte]
	to    redis.BulkDest
	count *pending[int64]
}

func (p *pendingTo) fill(e *Engine, r *redis.Reply, name string) {
	p.to.Deliver(r) // in a transaction, from the EXEC reply
	p.val, p.err = decodeTo(r, &p.to)
	p.done = true
	p.count.val, p.count.err, p.count.done = p.to.Written, p.err, true
}

func (p *pendingTo) fail(err error) {
	p.pending.fail(err)
	p.count.val = p.to.Written
	p.count.fail(err)
}

func (p *pendingTo) reset() {
	p.pending.reset()
	p.count.reset()
	p.to.Done = false
}

func (p *pendingTo) setName(name string) {
	p.pending.setName(name)
	p.count.setName(name)
}

var _ filler = (*pendingTo)(nil)
var _ pool.ReplyHandler = (*intoHandler)(nil)

// addTo is add for a command whose bulk reply goes to to.
func (q *Queue) addTo(args []any, f filler, to *redis.BulkDest) error {
	if err := q.add(args, f, 0); err != nil {
		return err
	}
	q.cmds[len(q.cmds)-1].to = to
	q.tos++
	return nil
}

// dest returns, for ReadRepliesTo, the destination of each reply of q's
// commands after skip others, or nil when no command has one.
func (q *Queue) dest(skip int) func(i int) *redis.BulkDest {
	if q.tos == 0 {
		return nil
	}
	return func(i int) *redis.BulkDest {
		if i < skip {
			return nil
		}
		return q.cmds[i-skip].to
	}
}

// rawSince returns a copy of the commands encoded in q.buf from start on,
// with their large arguments (left out of buf) in place, for hooks.
func (q *Queue) rawSince(start int) []byte {
	raw := append([]byte(nil), q.buf[start:]...)
	for i := len(q.segs) - 1; i >= 0 && q.segs[i].At >= start; i-- {
		at := q.segs[i].At - start
		raw = append(raw[:at], append(append([]byte(nil), q.segs[i].B...), raw[at:]...)...)
	}
	return raw
}
