package client

import (
	"github.com/duoredis/redis/command"
)

// The command layer lives in an internal package shared by Client and
// Pipeline; these aliases are its public names.

// Result is the typed outcome of a command: Val, Err and Result read it.
type Result[T any] = command.Result[T]

// Result types by value type, named as go-redis users know them.
type (
	StatusCmd      = command.Result[string]
	StringCmd      = command.Result[string]
	IntCmd         = command.Result[int64]
	BoolCmd        = command.Result[bool]
	FloatCmd       = command.Result[float64]
	StringSliceCmd = command.Result[[]string]
	IntSliceCmd    = command.Result[[]int64]
	BoolSliceCmd   = command.Result[[]bool]
	FloatSliceCmd  = command.Result[[]float64]
	SliceCmd       = command.Result[[]any]
	MapStringCmd   = command.Result[map[string]string]
	Cmd            = command.Result[any]
)

// Callback is a response callback; see Client.SetResponseCallback.
type Callback = command.Callback

// CallbackOptions are the options a command passes to its callback.
type CallbackOptions = command.CallbackOptions

// StatefulCommandError is Do's error for a command that would leave a
// pooled connection in another state (SUBSCRIBE, MONITOR, MULTI, SELECT,
// AUTH, CLIENT REPLY OFF, ...). A Conn accepts SELECT, AUTH and RESET.
type StatefulCommandError = command.StatefulCommandError

// Command option types.
type (
	SetArgs         = command.SetArgs
	ExpireCondition = command.ExpireCondition
	MigrateArgs     = command.MigrateArgs
	RestoreArgs     = command.RestoreArgs
	ScanArgs        = command.ScanArgs
	ScanResult      = command.ScanResult
	SortArgs        = command.SortArgs
)

// Expiration values with a special meaning.
const (
	KeepTTL = command.KeepTTL // Set: keep the current time to live
	Persist = command.Persist // GetEx: remove the time to live
)

// Expire conditions (Redis 7).
const (
	ExpireAlways = command.ExpireAlways
	ExpireNX     = command.ExpireNX
	ExpireXX     = command.ExpireXX
	ExpireGT     = command.ExpireGT
	ExpireLT     = command.ExpireLT
)

// ErrPending is the error of a pipelined result read before Exec.
var ErrPending = command.ErrPending
