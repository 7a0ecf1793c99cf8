package redis

import (
	"errors"
	"strconv"
	"strings"
)

// MovedError is the server's MOVED redirect of Redis Cluster: the slot of
// the command's key is served by another node, for good. A cluster client
// follows it by itself (and updates its slot map); a single-server client
// hands it to the caller. It wraps the [*Error].
type MovedError struct {
	Slot int    // the hash slot of the command's key
	Addr string // host:port of the node that serves the slot
	Err  *Error
}

// Error implements the error interface.
func (e *MovedError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying server error.
func (e *MovedError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *MovedError) RedisError() {}

// AskError is the server's ASK redirect of Redis Cluster: the slot is being
// migrated and the key is (or will be) on the node at Addr; the command is
// to be sent there once, after ASKING, without changing the slot map. It
// wraps the [*Error].
type AskError struct {
	Slot int
	Addr string
	Err  *Error
}

// Error implements the error interface.
func (e *AskError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying server error.
func (e *AskError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *AskError) RedisError() {}

// TryAgainError is the server's TRYAGAIN error: a multi-key command on a
// slot in the middle of a migration, whose keys are split between the two
// nodes for now. Retrying a little later succeeds. It wraps the [*Error].
type TryAgainError struct{ Err *Error }

// Error implements the error interface.
func (e *TryAgainError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying server error.
func (e *TryAgainError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *TryAgainError) RedisError() {}

// ErrClusterDown is matched, with errors.Is, by the server's CLUSTERDOWN
// errors ([*ClusterDownError]): the cluster cannot serve the slot (its
// master and replicas are down, or the node has no view of the cluster
// yet).
var ErrClusterDown = errors.New("redis: cluster is down")

// ClusterDownError is the server's CLUSTERDOWN error. errors.Is(err,
// ErrClusterDown) matches it. It wraps the [*Error].
type ClusterDownError struct{ Err *Error }

// Error implements the error interface.
func (e *ClusterDownError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying server error.
func (e *ClusterDownError) Unwrap() error { return e.Err }

// Is reports whether target is ErrClusterDown.
func (e *ClusterDownError) Is(target error) bool { return target == ErrClusterDown }

// RedisError marks the type as an error of this package.
func (e *ClusterDownError) RedisError() {}

// CrossSlotError is returned by a cluster client, before anything is sent,
// for a command (or a transaction, or a WATCH) whose keys must share one
// hash slot but do not. Slots lists the distinct slots in the order the
// keys gave them. (The server's own CROSSSLOT error reply is a plain
// [*Error].)
type CrossSlotError struct {
	Command string // e.g. "SUNIONSTORE", "MULTI" for a transaction
	Slots   []int
}

// Error implements the error interface.
func (e *CrossSlotError) Error() string {
	var b strings.Builder
	b.WriteString("redis: ")
	b.WriteString(e.Command)
	b.WriteString(": keys in different hash slots (")
	for i, s := range e.Slots {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 8 && len(e.Slots) > 9 {
			b.WriteString("... " + strconv.Itoa(len(e.Slots)-8) + " more")
			break
		}
		b.WriteString(strconv.Itoa(s))
	}
	b.WriteString("); in a cluster they must share one slot: use a hash tag such as {user1}")
	return b.String()
}

// RedisError marks the type as an error of this package.
func (e *CrossSlotError) RedisError() {}

// parseRedirect parses "MOVED 3999 127.0.0.1:6381" (or ASK): slot and
// address.
func parseRedirect(msg string) (int, string, bool) {
	f := strings.Fields(msg)
	if len(f) != 3 {
		return 0, "", false
	}
	slot, err := strconv.Atoi(f[1])
	if err != nil || slot < 0 || slot > 16383 {
		return 0, "", false
	}
	return slot, f[2], true
}

// clusterError returns the typed error of a cluster error reply, or nil.
func clusterError(e *Error) error {
	switch e.Prefix() {
	case "MOVED":
		if slot, addr, ok := parseRedirect(e.msg); ok {
			return &MovedError{Slot: slot, Addr: addr, Err: e}
		}
	case "ASK":
		if slot, addr, ok := parseRedirect(e.msg); ok {
			return &AskError{Slot: slot, Addr: addr, Err: e}
		}
	case "TRYAGAIN":
		return &TryAgainError{Err: e}
	case "CLUSTERDOWN":
		return &ClusterDownError{Err: e}
	}
	return nil
}
