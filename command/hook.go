package command

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// DialFunc opens a network connection; a DialHook wraps it. It is the
// pool's dialer (pool.DialFunc): the TCP, unix or TLS connection before the
// handshake.
type DialFunc = pool.DialFunc

// ProcessFunc runs one command. It returns the command's error, which
// cmd.Err also reports; cmd.Value holds the value afterwards.
type ProcessFunc func(ctx context.Context, cmd Cmder) error

// ProcessPipelineFunc runs one pipeline's batch in one round trip. cmds are
// the batch's commands in order; a transaction's batch starts with MULTI
// and ends with EXEC, as the server sees it. It returns the batch's first
// error (redis.Nil is not one).
type ProcessPipelineFunc func(ctx context.Context, cmds []Cmder) error

// Hook observes or wraps what a client does: each of its methods receives
// the next step and returns the step to run in its place, which usually
// does something, calls next and does something with the outcome:
//
//	func (myHook) ProcessHook(next command.ProcessFunc) command.ProcessFunc {
//		return func(ctx context.Context, cmd command.Cmder) error {
//			start := time.Now()
//			err := next(ctx, cmd)
//			log.Printf("%s took %v: %v", cmd.Name(), time.Since(start), err)
//			return err
//		}
//	}
//
// A method that has nothing to add returns next itself. ProcessHook sees one
// call per command, whatever path the command takes (auto-pipelined or
// not); a retry on timeout happens inside that call. ProcessPipelineHook sees
// one call per pipeline Exec (and per transaction). DialHook sees every new
// connection, the auto-pipelining ones included.
//
// Hooks are composed when added, the first added outermost. They run in the
// goroutine of the caller, and must be safe for concurrent use. A Cmder
// passed to a hook is valid after the call too, but its value may be
// reused once the caller has read it: copy what must outlive the call.
type Hook interface {
	DialHook(next DialFunc) DialFunc
	ProcessHook(next ProcessFunc) ProcessFunc
	ProcessPipelineHook(next ProcessPipelineFunc) ProcessPipelineFunc
}

// hookSet holds the hooks of one client, shared by every engine derived from
// its engine (Conns, pipelines).
type hookSet struct {
	mu    sync.Mutex
	hooks []Hook
	// process is the composed command chain, nil when no hook is installed:
	// the hot path then pays one atomic load.
	process atomic.Pointer[ProcessFunc]
}

// AddHook installs h on the engine's client: every command, pipeline and
// new connection from then on passes through it (Conns and pipelines made
// from the client included, earlier ones too). The dial hook goes to the
// pool, so clients that share a pool share its dial hooks.
func (e *Engine) AddHook(h Hook) {
	hs := e.hooks
	hs.mu.Lock()
	defer hs.mu.Unlock()
	hs.hooks = append(hs.hooks[:len(hs.hooks):len(hs.hooks)], h)
	fn := ProcessFunc(processBase)
	for i := len(hs.hooks) - 1; i >= 0; i-- {
		fn = hs.hooks[i].ProcessHook(fn)
	}
	hs.process.Store(&fn)
	if e.pool != nil {
		e.pool.AddDialHook(h.DialHook)
	}
}

// Hooks returns the hooks installed on the engine's client, in order.
func (e *Engine) Hooks() []Hook {
	e.hooks.mu.Lock()
	defer e.hooks.mu.Unlock()
	return append([]Hook(nil), e.hooks.hooks...)
}

// processBase is the innermost step of the command chain: it runs the
// command.
func processBase(ctx context.Context, c Cmder) error {
	r, ok := c.(runner)
	if !ok {
		return &redis.DataError{Type: "command.Cmder", Msg: "a hook passed on a command the engine did not make"}
	}
	return r.run(ctx)
}

// runner is a command that knows how to run itself: an immediate command's
// handle made for the hooks, or an outside command (Engine.Process).
type runner interface {
	run(ctx context.Context) error
}

// run runs an immediate command through the hooks' innermost step.
func (p *pending[T]) run(ctx context.Context) error {
	if p.e.router != nil {
		res := routed(p.e, ctx, call[T]{dec: p.dec, opts: p.opts, block: p.block, cache: p.cache}, p.argv)
		p.val, p.err, p.hit, p.done = res.val, res.err, res.cache, true
		return p.err
	}
	for try := 0; ; try++ {
		res := once(p.e, ctx, call[T]{dec: p.dec, opts: p.opts, block: p.block, cache: p.cache}, p.argv)
		p.val, p.err, p.hit = res.val, res.err, res.cache
		if res.err == nil || !p.e.retry(ctx, try, res.err) {
			break
		}
	}
	p.done = true
	return p.err
}

// hooked runs an immediate command through the hook chain fn.
func hooked[T any](e *Engine, ctx context.Context, fn ProcessFunc, k call[T], args []any) Result[T] {
	raw, err := redis.AppendCommand(nil, args...)
	if err != nil {
		return Result[T]{err: err}
	}
	// The command runs with its arguments decoded from raw, as strings: the
	// server gets the same bytes, and the caller's args, which may live on
	// its stack, are not kept by a value that the hooks may keep.
	p := &pending[T]{dec: k.dec, opts: k.opts, block: k.block, e: e, raw: raw, argv: argsOf(raw), name: CommandName(args)}
	p.cache = k.cache
	err = fn(ctx, p)
	if k.cache == 0 {
		e.wrote(args) // this client's writes drop what they change
	}
	if !p.done {
		// A hook did not pass the command on: its error, if any, is the
		// command's.
		if err == nil {
			err = errNotRun
		}
		return Result[T]{err: err}
	}
	return Result[T]{val: p.val, err: p.err, cache: p.hit}
}

// errNotRun is the error of a command that a hook neither ran nor failed.
var errNotRun = errors.New("redis: a hook returned without running the command")

// outside is a command run by code outside this package (pub/sub's
// SUBSCRIBE, PING, ...) through the hooks.
type outside struct {
	name string
	raw  []byte
	err  error
	fn   func(ctx context.Context) error
}

func (o *outside) Name() string { return o.name }
func (o *outside) Err() error   { return o.err }
func (o *outside) Value() any   { return nil }
func (o *outside) Args() []any  { return argsOf(o.raw) }
func (o *outside) run(ctx context.Context) error {
	o.err = o.fn(ctx)
	return o.err
}

// Process runs fn, which sends the command args by its own means (a
// pub/sub connection's SUBSCRIBE, say), through the engine's process hooks,
// so that they see it as a command. Without hooks it just calls fn.
func (e *Engine) Process(ctx context.Context, args []any, fn func(ctx context.Context) error) error {
	chain := e.hooks.process.Load()
	if chain == nil {
		return fn(ctx)
	}
	raw, err := redis.AppendCommand(nil, args...)
	if err != nil {
		return err
	}
	o := &outside{name: CommandName(args), raw: raw, fn: fn}
	(*chain)(ctx, o)
	return o.err
}

// markerCmd is MULTI or EXEC in a transaction's batch as the pipeline hooks
// see it.
type markerCmd struct {
	name string
	err  error
}

func (m *markerCmd) Name() string { return m.name }
func (m *markerCmd) Err() error   { return m.err }
func (m *markerCmd) Value() any   { return nil }
func (m *markerCmd) Args() []any  { return []any{m.name} }

// execHooked runs a pipeline's batch through the pipeline hooks.
func (e *Engine) execHooked(ctx context.Context, hooks []Hook, q *Queue, multi bool) error {
	cmds := make([]Cmder, 0, len(q.cmds)+2)
	var multiC, execC *markerCmd
	if multi {
		multiC, execC = &markerCmd{name: "MULTI"}, &markerCmd{name: "EXEC"}
		cmds = append(cmds, multiC)
	}
	for i := range q.cmds {
		cmds = append(cmds, q.cmds[i].f)
	}
	if multi {
		cmds = append(cmds, execC)
	}
	fn := ProcessPipelineFunc(func(ctx context.Context, _ []Cmder) error {
		err := e.execRetry(ctx, q, multi)
		if multi && err != nil {
			multiC.err, execC.err = err, err
		}
		if err == nil {
			err = firstErr(q)
		}
		return err
	})
	for i := len(hooks) - 1; i >= 0; i-- {
		fn = hooks[i].ProcessPipelineHook(fn)
	}
	return fn(ctx, cmds)
}

// argsOf decodes an encoded command (an array of bulk strings, as
// redis.AppendCommand writes it) into its arguments as strings.
func argsOf(raw []byte) []any {
	n, rest, ok := header(raw, '*')
	if !ok {
		return nil
	}
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		var l int
		if l, rest, ok = header(rest, '$'); !ok || len(rest) < l+2 {
			return out
		}
		out = append(out, string(rest[:l]))
		rest = rest[l+2:]
	}
	return out
}

// header reads "<c><n>\r\n" from the start of b.
func header(b []byte, c byte) (int, []byte, bool) {
	if len(b) < 4 || b[0] != c {
		return 0, nil, false
	}
	for i := 1; i+1 < len(b); i++ {
		if b[i] == '\r' {
			n, err := strconv.Atoi(string(b[1:i]))
			if err != nil || n < 0 {
				return 0, nil, false
			}
			return n, b[i+2:], true
		}
	}
	return 0, nil, false
}
