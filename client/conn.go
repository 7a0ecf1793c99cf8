package client

import (
	"context"
	"errors"

	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/pipeline"
	"github.com/duoredis/redis/pool"
)

// Conn is one connection of a client's pool, reserved for the caller of
// Client.Conn until Close: the analogue of redis-py's
// single_connection_client. Its commands (the client's whole command set)
// run on that connection, in order, so that what a command sets for the
// connection holds for the next: a database chosen with Select, a user
// switched to with AUTH, CLIENT TRACKING and CLIENT CACHING, CLIENT
// SETNAME, CLIENT NO-EVICT and NO-TOUCH.
//
// Close gives the connection back to the pool, unless a command changed
// its state (see above; WATCH included): the connection is then closed, so
// that no other caller of the pool inherits that state. Do accepts SELECT,
// AUTH and RESET on a Conn; it still refuses the commands that break the
// one-reply-per-command exchange (SUBSCRIBE, MONITOR, CLIENT REPLY OFF,
// MULTI, ...) and HELLO.
//
// Commands never retry (RetryOnTimeout does not apply) and never share the
// connection with other callers' (auto-pipelining does not apply). A
// connection that failed (a timeout, a protocol error, a cancelled
// context mid-reply) is not replaced: every later command returns its
// error, and Close frees its place in the pool. A Conn is not safe for
// concurrent use.
type Conn struct {
	command.Cmdable
	pool    *pool.Pool
	cn      *pool.Conn
	addr    string
	retries int // Options.MaxTransactionRetries
	own     command.OwnConn
}

// ErrConnClosed is the error of a Conn's commands after Close.
var ErrConnClosed = command.ErrConnClosed

// Conn takes a connection from the client's pool (waiting, like any
// command, up to PoolTimeout when all are in use) and reserves it for the
// caller until the returned Conn's Close.
func (c *Client) Conn(ctx context.Context) (*Conn, error) {
	cn, err := c.pool.Get(ctx)
	if err != nil {
		return nil, err
	}
	k := &Conn{pool: c.pool, cn: cn, addr: cn.Options().Addr, retries: c.opts.MaxTransactionRetries}
	k.Cmdable = command.NewCmdable(c.engine.WithOwnConn(cn, &k.own))
	return k, nil
}

// Select makes db the connection's database (SELECT). The connection is
// closed by Close afterwards, as its database is no longer the pool's.
func (k *Conn) Select(ctx context.Context, db int) error {
	return k.Do(ctx, "SELECT", db).Err()
}

// Pipeline returns a pipeline that runs on the connection, as a MULTI/EXEC
// transaction (see Client.Pipeline); a WATCH it makes is the
// connection's.
func (k *Conn) Pipeline() *pipeline.Pipeline { return pipeline.New(k.Engine(), true) }

// PipelineNoTx returns a pipeline that runs on the connection without
// MULTI/EXEC.
func (k *Conn) PipelineNoTx() *pipeline.Pipeline { return pipeline.New(k.Engine(), false) }

// Transaction is Client.Transaction on the connection: the WATCH, fn's
// reads and the MULTI/EXEC all run on it.
func (k *Conn) Transaction(ctx context.Context, fn func(p *pipeline.Pipeline) error, keys ...string) ([]pipeline.Cmder, error) {
	return transaction(ctx, k.Pipeline(), k.retries, fn, keys)
}

// Err returns the error that broke the connection, or nil while it works.
func (k *Conn) Err() error {
	if k.own.Closed {
		return ErrConnClosed
	}
	return k.cn.Err()
}

// Close gives the connection back to the pool, or closes it when a command
// changed its state or it failed. It is safe to call more than once;
// commands after Close fail.
func (k *Conn) Close() error {
	if k.own.Closed {
		return nil
	}
	k.own.Closed = true
	if k.own.Changed {
		k.pool.Remove(k.cn, errStateChanged)
	} else {
		k.pool.Put(k.cn)
	}
	return nil
}

// errStateChanged is the Err of a Conn's connection closed because a
// command changed its state.
var errStateChanged = errors.New("redis: connection closed: a command of a Client.Conn changed its state")

// String describes the connection: its address, and whether it is closed
// or its state changed.
func (k *Conn) String() string {
	s := "client.Conn{" + k.addr
	if k.own.Changed {
		s += ", state changed"
	}
	if k.own.Closed {
		s += ", closed"
	}
	return s + "}"
}
