// Package pipeline sends many commands in one round trip, by default as a
// MULTI/EXEC transaction.
//
//	p := rdb.Pipeline()
//	defer p.Close()
//	incr := p.Incr(ctx, "counter")
//	p.Expire(ctx, "counter", time.Hour, client.ExpireAlways)
//	results, err := p.Exec(ctx) // one round trip
//	n := incr.Val()             // each queued command's handle holds its result
//
// A pipeline has the whole command set of the client: each method queues its
// command and returns a handle that is filled by Exec.
//
// WATCH puts the pipeline in immediate mode on one connection of its own:
// commands then run at once and return their values, so the code can read
// what it will change; Multi switches back to buffering, and Exec sends the
// transaction on that connection. If a watched key changed, Exec returns a
// *redis.WatchError. Reset (and Close) unwatches and returns the connection to
// the pool; `defer p.Close()` is the idiom.
//
// A []byte argument of pool.VecMin bytes or more (64 KiB) is not copied
// when its command is queued: the pipeline keeps a reference and writes it
// from the caller's memory at Exec, so the slice must not change until Exec
// returns. Smaller arguments are encoded when queued.
//
// A Pipeline is not safe for concurrent use: use one per goroutine.
package pipeline

import (
	"context"
	"errors"

	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/pool"
)

// ErrWatchAfterCommands is returned by Watch when commands are already
// buffered: WATCH must come first.
var ErrWatchAfterCommands = errors.New("redis: WATCH must come before the pipeline's buffered commands")

// Pipeline buffers commands and sends them in one round trip. See the
// package documentation.
type Pipeline struct {
	command.Cmdable
	base        *command.Engine // the client's engine
	queue       command.Queue
	transaction bool
	conn        *pool.Conn // bound by Watch until Reset
	borrowed    bool       // conn is the base engine's own (a Client.Conn's): never put back
	watching    bool
	immediate   bool // WATCH mode, before Multi
	prepare     []func(ctx context.Context, cn *pool.Conn) error
	prepared    map[string]bool // keys of the prepare hooks, to register each once
	// node and slot, for a cluster client's pipeline bound by Watch: the
	// engine of the node conn belongs to, and the watched keys' slot.
	node *command.Engine
	slot int
}

// New returns a pipeline over the client engine e; transaction wraps each
// Exec in MULTI/EXEC. Client.Pipeline is the usual way to get one.
func New(e *command.Engine, transaction bool) *Pipeline {
	p := &Pipeline{base: e, transaction: transaction}
	p.buffering()
	return p
}

// buffering makes the command methods queue.
func (p *Pipeline) buffering() {
	p.immediate = false
	e := p.base
	if p.conn != nil {
		e = p.onConn()
	}
	p.Cmdable = command.NewCmdable(e.WithQueue(&p.queue))
}

// onConn returns the engine that runs commands on the bound connection:
// for a cluster client's pipeline, one that refuses keys of another slot
// than the watched keys'.
func (p *Pipeline) onConn() *command.Engine {
	if p.node != nil {
		return p.base.WithSlotConn(p.conn, p.slot)
	}
	return p.base.WithConn(p.conn)
}

// Transactional reports whether Exec wraps the batch in MULTI/EXEC.
func (p *Pipeline) Transactional() bool { return p.transaction }

// Len returns the number of buffered commands.
func (p *Pipeline) Len() int { return p.queue.Len() }

// Watch watches keys for a transaction (WATCH) and puts the pipeline in
// immediate mode on a connection of its own, until Multi. It fails with
// Cmder is a command as Exec returns it: Name, Err and Value.
type Cmder = command.Cmder

// ErrWatchAfterCommands when commands are already buffered. On a cluster
// client the keys must share one hash slot (a *redis.CrossSlotError
// otherwise): the pipeline binds a connection of that slot's master, and
// the transaction's commands must stay in that slot too.
func (p *Pipeline) Watch(ctx context.Context, keys ...string) error {
	if p.queue.Len() > 0 {
		return ErrWatchAfterCommands
	}
	if err := p.bind(ctx, keys); err != nil {
		return err
	}
	args := make([]any, 0, 1+len(keys))
	args = append(args, "WATCH")
	for _, k := range keys {
		args = append(args, k)
	}
	imm := command.NewCmdable(p.onConn())
	if err := imm.Do(ctx, args...).Err(); err != nil {
		return err
	}
	p.watching = true
	p.immediate = true
	p.Cmdable = imm
	return nil
}

// Unwatch forgets the watched keys (UNWATCH). The pipeline keeps its
// connection until Reset.
func (p *Pipeline) Unwatch(ctx context.Context) error {
	if p.conn == nil {
		return nil
	}
	err := command.NewCmdable(p.onConn()).Do(ctx, "UNWATCH").Err()
	if err == nil {
		p.watching = false
	}
	return err
}

// Multi ends immediate mode: the commands that follow are buffered for a
// MULTI/EXEC transaction sent by Exec.
func (p *Pipeline) Multi() {
	p.transaction = true
	p.buffering()
}

// Immediate reports whether commands run at once (after Watch, before
// Multi).
func (p *Pipeline) Immediate() bool { return p.immediate }

// bind takes a connection from the pool for the pipeline's own use; a
// pipeline of a Client.Conn uses that connection. A cluster client's
// pipeline takes one of the master that serves keys' slot.
func (p *Pipeline) bind(ctx context.Context, keys []string) error {
	if p.conn != nil {
		return nil
	}
	if cn := p.base.BoundConn(); cn != nil {
		p.conn, p.borrowed = cn, true
		return nil
	}
	var node *command.Engine
	slot := -1
	pl := p.base.Pool()
	if p.base.Routed() {
		var err error
		if node, slot, err = p.base.NodeFor(keys...); err != nil {
			return err
		}
		pl = node.Pool()
	}
	cn, err := pl.Get(ctx)
	if err != nil {
		return err
	}
	p.conn, p.node, p.slot = cn, node, slot
	return nil
}

// BeforeExec registers fn to run on the connection just before the buffered
// commands are sent (scripts use it to load themselves, so that EVALSHA
// never fails inside MULTI). It runs once, on the next Exec; a second
// registration under the same key before that Exec is ignored.
func (p *Pipeline) BeforeExec(key string, fn func(ctx context.Context, cn *pool.Conn) error) {
	if p.prepared[key] {
		return
	}
	if p.prepared == nil {
		p.prepared = map[string]bool{}
	}
	p.prepared[key] = true
	p.prepare = append(p.prepare, fn)
}

// Exec sends the buffered commands in one round trip and returns them in
// order, each with its value and error (see Cmder), and the first error;
// each command's typed handle holds its own result too. A
// transaction whose watched key changed gives a *redis.WatchError. After
// Exec the pipeline is empty, unwatched (EXEC ends a WATCH) and back in
// buffering mode; with a bound connection it keeps it until Reset.
func (p *Pipeline) Exec(ctx context.Context) ([]command.Cmder, error) {
	if p.queue.Len() == 0 && len(p.prepare) == 0 {
		if p.watching && p.transaction {
			// An empty transaction still ends the WATCH.
			p.Unwatch(ctx)
		}
		return []command.Cmder{}, nil
	}
	e := p.base
	if (len(p.prepare) > 0 && !p.base.Routed()) || p.conn != nil {
		if err := p.bind(ctx, nil); err != nil {
			return nil, err
		}
		e = p.onConn()
		for _, fn := range p.prepare {
			if err := fn(ctx, p.conn); err != nil {
				p.Discard()
				return nil, err
			}
		}
		p.prepare, p.prepared = nil, nil
	}
	if len(p.prepare) > 0 {
		// A cluster client's pipeline: its commands may go to any master,
		// so the preparations run on each.
		if err := p.prepareMasters(ctx); err != nil {
			p.Discard()
			return nil, err
		}
	}
	res, err := e.ExecQueue(ctx, &p.queue, p.transaction)
	if p.transaction {
		p.watching = false
	}
	p.buffering()
	if p.conn != nil && !p.watching {
		// Nothing holds the connection any more.
		p.release()
	}
	return res, err
}

// Discard drops the buffered commands without sending them.
func (p *Pipeline) Discard() {
	p.queue.Reset()
	p.prepare, p.prepared = nil, nil
}

// Reset discards buffered commands, unwatches, and returns the pipeline's
// connection to the pool; the pipeline can be used again.
func (p *Pipeline) Reset() {
	p.Discard()
	if p.conn != nil && p.watching && p.conn.Err() == nil {
		p.Unwatch(context.Background())
	}
	p.release()
	p.buffering()
}

func (p *Pipeline) release() {
	if p.conn != nil && !p.borrowed {
		if p.node != nil {
			p.node.Pool().Put(p.conn)
		} else {
			p.base.Pool().Put(p.conn)
		}
	}
	p.conn, p.borrowed, p.node = nil, false, nil
	p.watching = false
}

// Close is Reset, so that `defer p.Close()` always gives the connection
// back, and it hands the pipeline's buffers to the next pipeline. It returns
// nil.
func (p *Pipeline) Close() error {
	p.Reset()
	p.queue.Release()
	return nil
}

// prepareMasters runs the BeforeExec functions on a connection of every
// master of a cluster client.
func (p *Pipeline) prepareMasters(ctx context.Context) error {
	masters, err := p.base.Masters()
	if err != nil {
		return err
	}
	for _, m := range masters {
		cn, err := m.Pool().Get(ctx)
		if err != nil {
			return err
		}
		for _, fn := range p.prepare {
			if err = fn(ctx, cn); err != nil {
				break
			}
		}
		m.Pool().Put(cn)
		if err != nil {
			return err
		}
	}
	p.prepare, p.prepared = nil, nil
	return nil
}
