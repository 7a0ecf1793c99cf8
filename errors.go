package redis

import (
	"strconv"
	"strings"
)

// Nil is returned by commands when Redis answers with a nil reply (a missing
// key for GET, an empty list for a blocking pop that timed out, ...). Compare
// with == or errors.Is. The connection stays usable.
const Nil = nilError("redis: nil")

type nilError string

// Error implements the error interface.
func (e nilError) Error() string { return string(e) }

// RedisError is the marker interface that every error of this package
// implements, so a caller can tell a client-library error from, say, a
// context error with errors.As(err, new(redis.RedisError)).
type RedisError interface {
	error
	// RedisError is a marker method; it does nothing.
	RedisError()
}

func (nilError) RedisError() {}

// Error is an error reply of the server, such as "WRONGTYPE Operation against
// a key holding the wrong kind of value". The connection stays usable.
// Replies of some prefixes come as a more specific type that wraps an *Error
// (see [ParseServerError]), so errors.As(err, &e) with e of type *Error
// matches every server error.
type Error struct {
	msg string
}

// Error returns the server's message prefixed with "redis: ".
func (e *Error) Error() string { return "redis: " + e.msg }

// Message returns the server's message as sent, for example
// "ERR unknown command 'FOO'".
func (e *Error) Message() string { return e.msg }

// Prefix returns the error code that starts the message, such as "ERR",
// "WRONGTYPE", "NOSCRIPT" or "MOVED", or "" when the message does not start
// with an upper-case word.
func (e *Error) Prefix() string {
	end := strings.IndexByte(e.msg, ' ')
	if end < 0 {
		end = len(e.msg)
	}
	if end == 0 {
		return ""
	}
	for i := 0; i < end; i++ {
		c := e.msg[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return ""
		}
	}
	return e.msg[:end]
}

// RedisError marks *Error as an error of this package.
func (e *Error) RedisError() {}

// NewError returns an *Error with the given server message. It is meant for
// tests and for code that builds replies; replies read from a server are
// turned into errors by [ParseServerError].
func NewError(msg string) *Error { return &Error{msg: msg} }

// NoScriptError is the server's NOSCRIPT error: EVALSHA named a script the
// server does not have. It wraps the [*Error].
type NoScriptError struct{ Err *Error }

// Error implements the error interface.
func (e *NoScriptError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying server error.
func (e *NoScriptError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *NoScriptError) RedisError() {}

// ReadOnlyError is the server's READONLY error: a write was sent to a
// replica. It wraps the [*Error].
type ReadOnlyError struct{ Err *Error }

// Error implements the error interface.
func (e *ReadOnlyError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying server error.
func (e *ReadOnlyError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *ReadOnlyError) RedisError() {}

// BusyLoadingError is the server's LOADING error: the server is loading its
// dataset into memory. It wraps the [*Error].
type BusyLoadingError struct{ Err *Error }

// Error implements the error interface.
func (e *BusyLoadingError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying server error.
func (e *BusyLoadingError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *BusyLoadingError) RedisError() {}

// AuthenticationError is the server's NOAUTH or WRONGPASS error. It wraps
// the [*Error]; like every error of this package it never holds a password.
type AuthenticationError struct{ Err *Error }

// Error implements the error interface.
func (e *AuthenticationError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying server error.
func (e *AuthenticationError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *AuthenticationError) RedisError() {}

// ExecAbortError is the server's EXECABORT error: a transaction was discarded
// because a queued command was rejected. It wraps the [*Error].
type ExecAbortError struct{ Err *Error }

// Error implements the error interface.
func (e *ExecAbortError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying server error.
func (e *ExecAbortError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *ExecAbortError) RedisError() {}

// ParseServerError turns the message of an error reply into a typed error:
// [*NoScriptError] for NOSCRIPT, [*ReadOnlyError] for READONLY,
// [*BusyLoadingError] for LOADING, [*AuthenticationError] for NOAUTH and
// WRONGPASS, [*ExecAbortError] for EXECABORT, the cluster's [*MovedError],
// [*AskError], [*TryAgainError] and [*ClusterDownError] for MOVED, ASK,
// TRYAGAIN and CLUSTERDOWN, and a plain [*Error] otherwise.
func ParseServerError(msg string) error {
	e := &Error{msg: msg}
	switch e.Prefix() {
	case "NOSCRIPT":
		return &NoScriptError{Err: e}
	case "READONLY":
		return &ReadOnlyError{Err: e}
	case "LOADING":
		return &BusyLoadingError{Err: e}
	case "NOAUTH", "WRONGPASS":
		return &AuthenticationError{Err: e}
	case "EXECABORT":
		return &ExecAbortError{Err: e}
	case "MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN":
		if ce := clusterError(e); ce != nil {
			return ce
		}
	}
	return e
}

// ProtocolError reports a stream that does not follow RESP, or that broke a
// parser limit (see [ParserOptions]). The stream cannot be resynchronised:
// the connection that saw it is closed, never reused.
type ProtocolError struct {
	// Offset is the position in the stream, counted in bytes from the start
	// of the connection, at or near which the problem was found.
	Offset int64
	// Msg says what was wrong, e.g. `invalid reply type byte 'x'`.
	Msg string
}

// Error implements the error interface.
func (e *ProtocolError) Error() string {
	return "redis: protocol error at byte " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

// RedisError marks the type as an error of this package.
func (e *ProtocolError) RedisError() {}

// ConnectionError reports a failure to connect to a server or to read from
// or write to it. The connection is closed, never reused. It wraps the
// underlying error (a *net.OpError, io.EOF, ...).
type ConnectionError struct {
	Op   string // "dial", "read", "write", "handshake", ...
	Addr string // the server's address, never a URL with a password
	Err  error
}

// Error implements the error interface.
func (e *ConnectionError) Error() string {
	s := "redis: connection error"
	if e.Op != "" {
		s += " (" + e.Op
		if e.Addr != "" {
			s += " " + e.Addr
		}
		s += ")"
	} else if e.Addr != "" {
		s += " (" + e.Addr + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *ConnectionError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *ConnectionError) RedisError() {}

// TimeoutError reports a read, write or dial that exceeded its deadline.
// The connection is closed, never reused, since a reply may still be on its
// way. It wraps the underlying error.
type TimeoutError struct {
	Op   string
	Addr string
	Err  error
}

// Error implements the error interface.
func (e *TimeoutError) Error() string {
	s := "redis: timeout"
	if e.Op != "" {
		s += " (" + e.Op
		if e.Addr != "" {
			s += " " + e.Addr
		}
		s += ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Timeout reports true, as net.Error's Timeout does.
func (e *TimeoutError) Timeout() bool { return true }

// Unwrap returns the underlying error.
func (e *TimeoutError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *TimeoutError) RedisError() {}

// DataError reports a command argument of a type that cannot be sent: only
// []byte, string, integers and floats can (as in redis-py 3), so a bool, a
// nil, a struct or a map is refused before anything is written.
type DataError struct {
	Pos  int    // position of the argument in the command, counted from 0 (the command name)
	Type string // the Go type, e.g. "bool"
	Msg  string // what was wrong, when more than the type
}

// Error implements the error interface.
func (e *DataError) Error() string {
	s := "redis: invalid argument " + strconv.Itoa(e.Pos) + " of type " + e.Type
	if e.Msg != "" {
		return s + ": " + e.Msg
	}
	return s + ": only []byte, string, integers and floats can be sent"
}

// RedisError marks the type as an error of this package.
func (e *DataError) RedisError() {}

// WatchError is returned by a transaction's EXEC when a watched key changed
// and the server discarded the transaction. The connection stays usable;
// retrying the transaction is the usual remedy.
type WatchError struct{}

// Error implements the error interface.
func (e *WatchError) Error() string { return "redis: transaction aborted: a watched key changed" }

// RedisError marks the type as an error of this package.
func (e *WatchError) RedisError() {}

// LockError is returned when a lock could not be acquired within its blocking
// timeout or the context, or when a lock operation failed.
type LockError struct {
	Name string // the lock's key
	Msg  string
}

// Error implements the error interface.
func (e *LockError) Error() string { return "redis: lock " + strconv.Quote(e.Name) + ": " + e.Msg }

// RedisError marks the type as an error of this package.
func (e *LockError) RedisError() {}

// LockNotOwnedError is returned when releasing, extending or reacquiring a
// lock that expired or that another owner holds now. It wraps a [*LockError].
type LockNotOwnedError struct{ LockError }

// Error implements the error interface.
func (e *LockNotOwnedError) Error() string { return e.LockError.Error() }

// Unwrap returns the embedded *LockError, so errors.As finds it.
func (e *LockNotOwnedError) Unwrap() error { return &e.LockError }

// MasterNotFoundError is returned by sentinel discovery when no sentinel
// knows a healthy master of the given name. It is a connection error:
// errors.As finds a [*ConnectionError] in it.
type MasterNotFoundError struct {
	Name string
	Err  error // the last error seen, if any
}

// Error implements the error interface.
func (e *MasterNotFoundError) Error() string {
	s := "redis: no master found for " + strconv.Quote(e.Name)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns a *ConnectionError wrapping the last error seen.
func (e *MasterNotFoundError) Unwrap() error { return &ConnectionError{Op: "sentinel", Err: e.Err} }

// RedisError marks the type as an error of this package.
func (e *MasterNotFoundError) RedisError() {}

// ReplicaNotFoundError is returned by sentinel discovery when no replica of
// the given master is reachable. It is a connection error: errors.As finds a
// [*ConnectionError] in it.
type ReplicaNotFoundError struct {
	Name string
	Err  error
}

// Error implements the error interface.
func (e *ReplicaNotFoundError) Error() string {
	s := "redis: no replica found for " + strconv.Quote(e.Name)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns a *ConnectionError wrapping the last error seen.
func (e *ReplicaNotFoundError) Unwrap() error { return &ConnectionError{Op: "sentinel", Err: e.Err} }

// RedisError marks the type as an error of this package.
func (e *ReplicaNotFoundError) RedisError() {}
