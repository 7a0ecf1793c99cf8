package command

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// Decoder turns a reply (never an error reply: those become errors before a
// decoder sees them) into a typed value.
type Decoder[T any] func(r *redis.Reply) (T, error)

// CallbackOptions are the keyword-like options a command passes to its
// response callback, as redis-py passes **options.
type CallbackOptions struct {
	// Command is the command's name as used in the callback table, e.g.
	// "ZRANGE" or "CLIENT LIST".
	Command string
	// WithScores is set by commands that ask for scores (ZRANGE ...
	// WITHSCORES and friends).
	WithScores bool
	// Decode is the client's DecodeResponses setting.
	Decode bool
}

// Callback is a response callback: it turns a reply into the value a
// command returns. Error replies never reach a callback.
type Callback func(r *redis.Reply, opts CallbackOptions) (any, error)

// Engine executes commands for one Client or Pipeline. It is safe for
// concurrent use in immediate mode (a Client); a queueing Engine (a
// Pipeline) is not.
type Engine struct {
	pool   *pool.Pool
	decode bool
	cbs    *callbackSet
	queue  *Queue // non-nil: commands are queued, not run
	// conn, when non-nil, is the one connection commands run on (a
	// pipeline in WATCH mode); it is not taken from or returned to the pool.
	conn *pool.Conn
	// mux, when non-nil, carries the commands that may share a connection
	// (auto-pipelining); the others use the pool.
	mux *pool.Mux
	// retryOnTimeout sends a command (or a batch) once more, on another
	// connection, when the first try timed out (redis-py's
	// retry_on_timeout).
	retryOnTimeout bool
	// own, when non-nil, marks conn as one caller's own (Client.Conn): Do
	// then accepts commands that change the connection's state (SELECT,
	// AUTH, RESET), and any command that does is recorded, so that the
	// connection is closed rather than given back to the pool.
	own *OwnConn
	// hooks are the client's hooks, shared by the engines derived from its
	// engine.
	hooks *hookSet
	// router, when non-nil, makes this a cluster client's engine: it
	// chooses each command's node (see NewRoutedEngine).
	router Router
	// pin is 1 + the slot that a routed engine bound to conn serves (a
	// cluster pipeline in WATCH mode), 0 when none.
	pin int32
	// cache, when non-nil, serves the reads of Cached command sets (see
	// cache.go).
	cache *Cache
	// caches, when non-nil, holds the caches of a routed engine's nodes
	// (see SetNodeCaches).
	caches *atomic.Pointer[[]*Cache]
}

// OwnConn is the state of a connection reserved for one caller (a
// Client.Conn), shared by every engine that runs on it.
type OwnConn struct {
	// Changed is set when a command changed the connection's state (see
	// ChangesState).
	Changed bool
	// Closed is set when the caller gave the connection up: commands then
	// fail with ErrConnClosed, since the connection may already serve
	// someone else.
	Closed bool
}

// ErrConnClosed is the error of a command on a Client.Conn after its Close.
var ErrConnClosed = errors.New("redis: Conn is closed")

// callbackSet holds a client's response-callback overrides, copied on write
// so that reads take no lock.
type callbackSet struct {
	mu  sync.Mutex
	tbl atomic.Pointer[map[string]Callback]
}

// NewEngine returns an Engine that runs commands on connections of p.
// decode is the client's DecodeResponses setting.
func NewEngine(p *pool.Pool, decode bool) *Engine {
	return &Engine{pool: p, decode: decode, cbs: &callbackSet{}, hooks: &hookSet{}}
}

// SetMux makes e send the commands that may share a connection through m
// (auto-pipelining). Call it before e is used.
func (e *Engine) SetMux(m *pool.Mux) { e.mux = m }

// SetRetryOnTimeout makes e send a command or a pipeline's batch once more,
// on another connection, when its read or write timed out (ReadTimeout or
// WriteTimeout, not the context's deadline), as redis-py's
// retry_on_timeout does. The server may then run it twice. Commands on a
// bound connection (a pipeline in WATCH mode) are never retried: the WATCH
// ended with the connection. Call it before e is used.
func (e *Engine) SetRetryOnTimeout(on bool) { e.retryOnTimeout = on }

// retry reports whether a failed try with err is to be repeated: the
// engine retries on timeout, the try was its first, ran on a connection of
// the pool's (not a bound one), and timed out reading or writing while ctx
// was still live.
func (e *Engine) retry(ctx context.Context, try int, err error) bool {
	if !e.retryOnTimeout || try > 0 || e.conn != nil || ctx.Err() != nil {
		return false
	}
	var te *redis.TimeoutError
	return errors.As(err, &te) && (te.Op == "read" || te.Op == "write")
}

// Mux returns the engine's auto-pipelining Mux, or nil.
func (e *Engine) Mux() *pool.Mux { return e.mux }

// Pool returns the engine's connection pool.
func (e *Engine) Pool() *pool.Pool { return e.pool }

// Decode reports the DecodeResponses setting.
func (e *Engine) Decode() bool { return e.decode }

// WithQueue returns an Engine that shares e's pool and callbacks but queues
// commands on q.
func (e *Engine) WithQueue(q *Queue) *Engine {
	c := *e
	c.queue = q
	if e.router != nil {
		q.routed = true
	}
	return &c
}

// WithConn returns an Engine that shares e's pool and callbacks but runs
// every command at once on cn (which the caller owns and returns to the
// pool).
func (e *Engine) WithConn(cn *pool.Conn) *Engine {
	c := *e
	c.queue = nil
	c.conn = cn
	return &c
}

// WithOwnConn returns an Engine that runs every command at once on cn, a
// connection reserved for one caller, on which commands may change the
// connection's state; own records what they did.
func (e *Engine) WithOwnConn(cn *pool.Conn, own *OwnConn) *Engine {
	c := e.WithConn(cn)
	c.own = own
	return c
}

// SetResponseCallback overrides the response callback of a command (by
// name, e.g. "HGETALL" or "CLIENT LIST") for this engine's client only; nil
// removes the override.
func (e *Engine) SetResponseCallback(name string, cb Callback) {
	name = strings.ToUpper(name)
	e.cbs.mu.Lock()
	defer e.cbs.mu.Unlock()
	next := map[string]Callback{}
	if old := e.cbs.tbl.Load(); old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	if cb == nil {
		delete(next, name)
	} else {
		next[name] = cb
	}
	if len(next) == 0 {
		e.cbs.tbl.Store(nil)
		return
	}
	e.cbs.tbl.Store(&next)
}

// override returns the overriding callback for the command (named name,
// or by args when name is ""), if any.
func (e *Engine) override(args []any, name string) (Callback, string) {
	tbl := e.cbs.tbl.Load()
	if tbl == nil {
		return nil, ""
	}
	if name == "" {
		name = CommandName(args)
	}
	return (*tbl)[name], name
}

// Cmdable carries the command methods. Client and Pipeline embed it.
type Cmdable struct {
	e   *Engine
	ttl time.Duration // > 0: a Cached command set (see Cached)
}

// NewCmdable returns the command methods bound to e.
func NewCmdable(e *Engine) Cmdable { return Cmdable{e: e} }

// Engine returns the engine the methods run on.
func (c Cmdable) Engine() *Engine { return c.e }

// call is how one command runs: its decoder, the options its callback sees,
// and how long a blocking command may wait on the server.
type call[T any] struct {
	dec   Decoder[T]
	opts  CallbackOptions
	block time.Duration // > 0: a blocking command's own timeout; < 0: blocks without limit
	cache time.Duration // > 0: a cached read with this client TTL (see Cached)
}

// run runs (or queues) the command args with the decoder dec.
func run[T any](c Cmdable, ctx context.Context, dec Decoder[T], args ...any) Result[T] {
	return do(c, ctx, call[T]{dec: dec}, args)
}

// runOpts is run with callback options.
func runOpts[T any](c Cmdable, ctx context.Context, opts CallbackOptions, dec Decoder[T], args ...any) Result[T] {
	return do(c, ctx, call[T]{dec: dec, opts: opts}, args)
}

// runBlocking is run for a command that waits on the server for up to
// timeout (0: forever), so the read deadline is extended by that much.
func runBlocking[T any](c Cmdable, ctx context.Context, timeout time.Duration, dec Decoder[T], args ...any) Result[T] {
	b := timeout
	if b <= 0 {
		b = -1
	}
	return do(c, ctx, call[T]{dec: dec, block: b}, args)
}

func do[T any](c Cmdable, ctx context.Context, k call[T], args []any) Result[T] {
	e := c.e
	if e.own != nil && !e.own.Changed && ChangesState(args) {
		e.own.Changed = true
	}
	if c.ttl > 0 && e.queue == nil && (e.cache != nil && e.router == nil || e.caches != nil && e.router != nil) {
		k.cache = c.ttl
	}
	chain := e.hooks.process.Load()
	if e.queue != nil {
		p := newPending[T](e.queue)
		p.dec, p.opts = k.dec, k.opts
		start := len(e.queue.buf)
		if err := e.queue.add(args, p, k.block); err != nil {
			return Result[T]{err: err}
		}
		if e.cache != nil || e.caches != nil {
			noteQueued(e.queue, args)
		}
		if chain != nil {
			p.raw = e.queue.rawSince(start)
		}
		return Result[T]{p: p}
	}
	if chain != nil {
		return hooked(e, ctx, *chain, k, args)
	}
	if e.router != nil {
		res := routed(e, ctx, k, args)
		if e.caches != nil && k.cache == 0 {
			e.wrote(args) // this client's writes drop what they change
		}
		return res
	}
	for try := 0; ; try++ {
		res := once(e, ctx, k, args)
		if res.err == nil || !e.retry(ctx, try, res.err) {
			if e.cache != nil && k.cache == 0 {
				e.cache.wrote(args) // this client's writes drop what they change
			}
			return res
		}
	}
}

// once runs a command at once: on a shared connection when it meets
// others (auto-pipelining), otherwise on the bound or a pooled connection.
func once[T any](e *Engine, ctx context.Context, k call[T], args []any) Result[T] {
	var res Result[T]
	if k.cache > 0 {
		return cachedOnce(e, ctx, k, args)
	}
	if e.mux != nil && e.conn == nil && k.block == 0 && muxable(args) {
		// Auto-pipelining: commands that meet others share the Mux; one
		// alone takes the pool's direct path, which is faster by itself.
		busy := e.mux.Busy()
		defer e.mux.Done()
		if busy {
			p := &pending[T]{dec: k.dec, opts: k.opts, e: e}
			if e.cbs.tbl.Load() != nil {
				p.name = CommandName(args)
			}
			if err := e.mux.Do(ctx, args, p); err != nil {
				res.err = err
				return res
			}
			res.val, res.err = p.val, p.err
			return res
		}
	}
	cn := e.conn
	if cn == nil {
		var err error
		if cn, err = e.pool.Get(ctx); err != nil {
			res.err = err
			return res
		}
	} else if e.own != nil && e.own.Closed {
		res.err = ErrConnClosed
		return res
	} else if err := cn.Err(); err != nil {
		res.err = err
		return res
	}
	if err := cn.WriteArgs(args...); err != nil {
		// A DataError: nothing was written, the connection is intact.
		e.put(cn)
		res.err = err
		return res
	}
	reply := cn.Reply()
	if err := cn.RoundTrip(ctx, reply, k.block); err != nil {
		e.put(cn) // closes it: it saw an error
		res.err = err
		return res
	}
	res.val, res.err = decode(e, reply, k, args, "")
	e.put(cn)
	return res
}

// muxable reports whether a command may share a connection with others.
func muxable(args []any) bool {
	if len(args) == 0 {
		return false
	}
	name, ok := args[0].(string)
	return ok && pool.MuxSafe(name)
}

// put returns a connection taken for one command to the pool; a bound
// connection stays with its owner.
func (e *Engine) put(cn *pool.Conn) {
	if e.conn == nil {
		e.pool.Put(cn)
	}
}

// decode turns a reply into the command's value, through an overriding
// callback when the client set one.
func decode[T any](e *Engine, r *redis.Reply, k call[T], args []any, name string) (T, error) {
	var zero T
	if r.IsError() {
		return zero, r.Err()
	}
	if cb, name := e.override(args, name); cb != nil {
		k.opts.Command = name
		k.opts.Decode = e.decode
		out, err := cb(r, k.opts)
		if err != nil {
			return zero, err
		}
		v, ok := out.(T)
		if !ok && out != nil {
			return zero, &CallbackTypeError{Command: name, Got: out, Want: zero}
		}
		return v, nil
	}
	return k.dec(r)
}

// CommandName returns the name under which a command's callback is kept:
// its first argument in upper case, with the subcommand for container
// commands ("CLIENT LIST", "CONFIG GET").
func CommandName(args []any) string {
	if len(args) == 0 {
		return ""
	}
	name := strings.ToUpper(argString(args[0]))
	if isContainer(name) && len(args) > 1 {
		name += " " + strings.ToUpper(argString(args[1]))
	}
	return name
}

func argString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// isContainer reports whether a command has subcommands ("CLIENT LIST").
// A switch, not a map: it runs for every queued command.
func isContainer(name string) bool {
	switch name {
	case "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "FUNCTION", "LATENCY", "MEMORY", "MODULE",
		"OBJECT", "PUBSUB", "SCRIPT", "SLOWLOG", "XGROUP", "XINFO":
		return true
	}
	return false
}
