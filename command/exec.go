package command

import (
	"context"
	"errors"
	"fmt"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

var (
	multiCmd = redis.AppendArrayHeader(nil, 1)
	execCmd  []byte
)

func init() {
	multiCmd = redis.AppendBulkString(multiCmd, "MULTI")
	execCmd = redis.AppendBulkString(redis.AppendArrayHeader(nil, 1), "EXEC")
}

// ExecQueue sends the commands of q in one write, reads their replies and
// fills their results; with multi, the batch runs as a MULTI/EXEC
// transaction. It returns the commands in order, each with its value or
// error, and the first error. A transaction discarded because
// a watched key changed gives a *redis.WatchError for every command. The
// queue is emptied, and its buffers go back for the next queue to use:
// pipelines are often made per batch and never closed, and this way they
// need not grow buffers of their own.
//
// The commands run on e's bound connection when it has one (a pipeline in
// WATCH mode), otherwise on one taken from the pool for the batch; with
// retry on timeout, a batch that timed out is sent once more, whole, on
// another connection.
func (e *Engine) ExecQueue(ctx context.Context, q *Queue, multi bool) ([]Cmder, error) {
	defer q.Release()
	if q.Len() == 0 {
		return nil, nil
	}
	if e.cache != nil || e.caches != nil {
		defer e.wroteQueued(q) // before Release: this client's writes drop what they change
	}
	if e.hooks.process.Load() != nil {
		if hooks := e.Hooks(); len(hooks) > 0 {
			e.execHooked(ctx, hooks, q, multi)
			return e.collect(q)
		}
	}
	e.execRetry(ctx, q, multi)
	return e.collect(q)
}

// execRetry runs the batch, once more on timeout when the engine retries;
// it returns the error of the connection that failed the last try.
func (e *Engine) execRetry(ctx context.Context, q *Queue, multi bool) error {
	if e.router != nil {
		if multi {
			return e.execRoutedTx(ctx, q)
		}
		if e.conn != nil {
			return e.execOn(ctx, e.conn, q, false, false)
		}
		return e.execRouted(ctx, q)
	}
	for try := 0; ; try++ {
		err := e.execOnce(ctx, q, multi)
		if err == nil || !e.retry(ctx, try, err) {
			return err
		}
		for i := range q.cmds {
			q.cmds[i].f.reset()
		}
	}
}

// execOnce sends the batch of q and gives every command its outcome. It
// returns the error of the connection, if one failed the batch.
func (e *Engine) execOnce(ctx context.Context, q *Queue, multi bool) error {
	cn := e.conn
	if e.own != nil && e.own.Closed {
		return failFrom(q, 0, ErrConnClosed)
	}
	if cn == nil {
		var err error
		if cn, err = e.pool.Get(ctx); err != nil {
			return failFrom(q, 0, err)
		}
		defer e.pool.Put(cn)
	}
	return e.execOn(ctx, cn, q, multi, false)
}

// execOn is execOnce on the connection cn; asking sends ASKING first (a
// cluster transaction after an ASK redirect).
func (e *Engine) execOn(ctx context.Context, cn *pool.Conn, q *Queue, multi, asking bool) error {
	skip := 0
	if asking {
		cn.WriteRaw(askingCmd, 1)
		skip = 1
	}
	if multi {
		cn.WriteRaw(multiCmd, 1)
	}
	cn.WriteRawVec(q.buf, q.segs, len(q.cmds))
	if multi {
		cn.WriteRaw(execCmd, 1)
	}
	// ReadReplies sends the batch, then reads its replies.
	n := len(q.cmds)
	if !multi {
		if err := cn.ReadRepliesTo(ctx, n+skip, q.block, q.dest(skip), func(i int, r *redis.Reply) {
			if i < skip {
				return
			}
			i -= skip
			q.cmds[i].f.fill(e, r, q.cmds[i].name)
		}); err != nil {
			return failFrom(q, filled(q), err)
		}
		return nil
	}
	// MULTI's +OK, a +QUEUED (or an error) per command, then EXEC's reply.
	var multiErr, execErr error
	var queueErrs []error
	err := cn.ReadReplies(ctx, n+2+skip, q.block, func(i int, r *redis.Reply) {
		if i < skip {
			return
		}
		i -= skip
		switch {
		case i == 0:
			if r.IsError() {
				multiErr = r.Err()
			}
		case i <= n:
			if r.IsError() {
				if queueErrs == nil {
					queueErrs = make([]error, n)
				}
				queueErrs[i-1] = r.Err()
			}
		case multiErr != nil:
		case r.Kind == redis.KindNull:
			execErr = &redis.WatchError{}
		case r.IsError():
			execErr = r.Err()
		case r.Kind != redis.KindArray || len(r.Elems) != n:
			execErr = fmt.Errorf("redis: EXEC returned %v for %d queued commands", r.Kind, n)
		default:
			for j := range q.cmds {
				q.cmds[j].f.fill(e, &r.Elems[j], q.cmds[j].name)
			}
		}
	})
	switch {
	case err != nil:
		return failFrom(q, 0, err)
	case multiErr != nil:
		failFrom(q, 0, multiErr)
	case execErr != nil:
		for i := range q.cmds {
			if queueErrs != nil && queueErrs[i] != nil {
				// The command that made the server discard the transaction.
				q.cmds[i].f.fail(queueErrs[i])
			} else {
				q.cmds[i].f.fail(execErr)
			}
		}
	}
	return nil
}

// filled returns how many queued commands have their outcome.
func filled(q *Queue) int {
	for i := range q.cmds {
		if q.cmds[i].f.Err() == ErrPending {
			return i
		}
	}
	return len(q.cmds)
}

// failFrom fails the commands from index i on with err, and returns err.
func failFrom(q *Queue, i int, err error) error {
	for ; i < len(q.cmds); i++ {
		q.cmds[i].f.fail(err)
	}
	return err
}

// collect returns the queued commands and the first error (redis.Nil is
// not one: it is a value).
func (e *Engine) collect(q *Queue) ([]Cmder, error) {
	out := make([]Cmder, len(q.cmds))
	for i := range q.cmds {
		out[i] = q.cmds[i].f
	}
	return out, firstErr(q)
}

// firstErr returns the first error among the queued commands' outcomes
// (redis.Nil is not one: it is a value).
func firstErr(q *Queue) error {
	for i := range q.cmds {
		if err := q.cmds[i].f.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

// BoundConn returns the connection a WATCH-mode engine runs on, or nil.
func (e *Engine) BoundConn() *pool.Conn { return e.conn }
