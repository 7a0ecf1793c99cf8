// Package pool is the connection layer of duoredis: a [Conn] is one
// connection to a server (TCP, unix socket or TLS, with its handshake, its
// write buffer and its [redis.Parser]), and a [Pool] keeps a bounded set of
// them for concurrent callers. Package client builds on it; most programs
// use client and meet this package only through its options.
//
// # Connections
//
// [Dial] opens a connection as [Options] say: it dials (Options.Dialer, a
// net.Dialer by default), layers TLS when TLSConfig is set (verification as
// the config says; ServerName defaults to the host of Addr), and performs
// the handshake in one round trip:
//
//	Protocol 2 (default)  AUTH [username] password; SELECT db; CLIENT SETNAME name
//	Protocol 3            HELLO 3 [AUTH username password] [SETNAME name]; SELECT db
//
// each command only when its option is set. A failed command gives a
// [*HandshakeError]; a server without HELLO gives one that names the
// Protocol option. No error, and no String method, ever shows the password.
//
// On a Conn, WriteArgs encodes a command into a reused buffer, Flush sends
// what was buffered, and ReadReply reads one reply into a caller-owned
// [redis.Reply]; Do is the three at once. Each read is bounded by
// ReadTimeout and by the context's deadline, whichever comes first, and a
// cancellable context is watched: its cancellation interrupts the read.
// With context.Background nothing is allocated per command.
//
// A server error reply is a reply, not a Go error, and the connection stays
// usable. Every other failure closes the connection at once and sticks
// (Conn.Err): a [*redis.ProtocolError], a [*redis.TimeoutError], a
// cancelled context, or a [*redis.ConnectionError]. A reply cut short by a
// timeout or a cancellation is never read by anyone else.
//
// # The pool
//
// [New] makes a pool; [Pool.Get] checks a connection out and [Pool.Put]
// gives it back. At most PoolSize connections are open; Get waits for a
// free one for at most PoolTimeout and as long as its context allows, and
// then fails with a [*PoolTimeoutError] that gives the pool's size, how
// many connections were in use and how many callers waited (errors.Is(err,
// [ErrPoolTimeout]) matches it). Blocking commands holding every
// connection are the classic cause.
//
// Before handing out an idle connection, Get closes it instead if it was
// idle longer than IdleTimeout or is older than MaxLifetime, or if a
// non-blocking read shows that the server closed it (a restart, the
// server's idle timeout, CLIENT KILL) or sent something unasked; with
// HealthCheckInterval set, one idle longer than that must also answer
// PING. Stale connections are replaced by new ones, so the pool recovers by
// itself once the server is back.
//
// Put keeps a connection only if it is healthy: no error, all replies read,
// nothing unread in its buffer. One background goroutine per pool closes
// expired idle connections and keeps MinIdle ready; it stops on Close.
// Options.NewConn replaces how connections are made, the way redis-py
// takes a connection_class: a factory can call Dial and then configure the
// connection, or call Open over a transport of its own.
//
// # Parsers
//
// The parser of each connection is Options.NewParser. Its default is chosen
// the way package net chooses its resolver: a pair of small files selected
// by build tag sets [DefaultParser], and [ParserByName] picks either parser
// explicitly at run time where both are built in.
//
//	go build ./...                 goparser (pure Go) is the default
//	go build -tags hiredis ./...   cparser (hiredis's C reader) is the default
//
// Asking for -tags hiredis with CGO_ENABLED=0 fails the build with a
// sentence that says so, rather than falling back to goparser silently.
package pool
