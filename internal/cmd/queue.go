package cmd

import (
	"time"

	redis "github.com/duoredis/redis"
)

// filler receives the outcome of one queued command.
type filler interface {
	Cmder
	fill(e *Engine, r *redis.Reply, name string)
	fail(err error)
	setName(name string)
}

func (p *pending[T]) fill(e *Engine, r *redis.Reply, name string) {
	p.val, p.err = decode(e, r, call[T]{dec: p.dec, opts: p.opts}, nil, name)
	p.done = true
}

func (p *pending[T]) setName(name string) { p.name = name }

func (p *pending[T]) fail(err error) {
	p.err = err
	p.done = true
}

// Queue collects the commands of a pipeline: their encoded bytes, ready to
// be written in one go, and where each one's result goes. It is not safe for
// concurrent use.
type Queue struct {
	buf   []byte
	cmds  []queued
	block time.Duration // the longest blocking timeout among the queued commands
}

type queued struct {
	f    filler
	name string // for callbacks and error messages
}

// add encodes args onto the queue. A *redis.DataError leaves the queue as it
// was.
func (q *Queue) add(args []any, f filler, block time.Duration) error {
	var err error
	if q.buf, err = redis.AppendCommand(q.buf, args...); err != nil {
		return err
	}
	name := CommandName(args)
	f.setName(name)
	q.cmds = append(q.cmds, queued{f: f, name: name})
	if block < 0 || (q.block >= 0 && block > q.block) {
		q.block = block
	}
	return nil
}

// Len returns the number of queued commands.
func (q *Queue) Len() int { return len(q.cmds) }

// Reset empties the queue, keeping its buffers.
func (q *Queue) Reset() {
	q.buf = q.buf[:0]
	clear(q.cmds)
	q.cmds = q.cmds[:0]
	q.block = 0
}

// Names returns the callback-table names of the queued commands, in order
// (for example "SET", "CLIENT LIST").
func (q *Queue) Names() []string {
	out := make([]string, len(q.cmds))
	for i, c := range q.cmds {
		out[i] = c.name
	}
	return out
}
