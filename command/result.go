package command

import (
	"errors"
	"time"

	redis "github.com/duoredis/redis"
)

// ErrPending is the error of a pipelined command's result read before the
// pipeline ran.
var ErrPending = errors.New("redis: result read before the pipeline was executed")

// Result is the outcome of one command: a value of type T or an error. A
// command run on a Client returns it filled; a command queued on a Pipeline
// returns a handle that is filled when the pipeline executes.
//
// Result is a small value: pass it and copy it freely. For a Client, it holds
// the value itself, so running a command allocates nothing beyond the value.
type Result[T any] struct {
	val   T
	err   error
	p     *pending[T]
	cache int64 // > 0: served from the client-side cache, with this many ns to live
}

// pending is where a queued command's outcome lands on Exec.
type pending[T any] struct {
	val  T
	err  error
	done bool
	dec  Decoder[T]
	opts CallbackOptions
	name string
	e    *Engine // set for commands sent through a Mux, or through hooks

	// For hooks only: the encoded command (Args decodes it), and, while the
	// command runs through the hooks, its arguments and blocking timeout.
	raw   []byte
	argv  []any
	block time.Duration
	// A cached read's client TTL, and the hit it got (see Result.cache).
	cache time.Duration
	hit   int64
}

// HandleReply decodes the reply of a command sent through a Mux.
func (p *pending[T]) HandleReply(r *redis.Reply) {
	p.val, p.err = decode(p.e, r, call[T]{dec: p.dec, opts: p.opts}, nil, p.name)
	p.done = true
}

// Cmder is a queued command as Pipeline.Exec returns it: its name, its
// error and its value (boxed only when asked for). The typed handle that
// queueing the command returned holds the same outcome.
type Cmder interface {
	// Name returns the command's name, e.g. "SET" or "CLIENT LIST".
	Name() string
	// Err returns the command's error (nil, redis.Nil, a server error, ...).
	Err() error
	// Value returns the command's value, or nil after an error.
	Value() any
	// Args returns the command's arguments as strings, the name first.
	// They are kept for hooks: Args returns nil for a command run while
	// its client had no hook.
	Args() []any
}

// Name returns the command's name.
func (p *pending[T]) Name() string { return p.name }

// Args returns the command's arguments, when a hook was installed.
func (p *pending[T]) Args() []any {
	if p.raw == nil {
		return nil
	}
	return argsOf(p.raw)
}

// Err returns the command's error, or ErrPending before Exec.
func (p *pending[T]) Err() error {
	if !p.done && p.err == nil {
		return ErrPending
	}
	return p.err
}

// Value returns the command's value, or nil after an error.
func (p *pending[T]) Value() any {
	if p.err != nil || !p.done {
		return nil
	}
	return p.val
}

// Val returns the value, or T's zero value after an error.
func (r Result[T]) Val() T {
	if r.p != nil {
		return r.p.val
	}
	return r.val
}

// Err returns the error: nil, redis.Nil for a nil reply, a server error
// (*redis.Error and the types that wrap it), a connection, timeout or
// protocol error, a *redis.DataError for an argument that cannot be sent, or
// ErrPending for a pipelined command whose pipeline has not run.
func (r Result[T]) Err() error {
	if r.p != nil {
		if !r.p.done && r.p.err == nil {
			return ErrPending
		}
		return r.p.err
	}
	return r.err
}

// Result returns the value and the error.
func (r Result[T]) Result() (T, error) { return r.Val(), r.Err() }

// NewResult returns a filled Result, for tests and for code that wraps
// commands.
func NewResult[T any](val T, err error) Result[T] { return Result[T]{val: val, err: err} }
