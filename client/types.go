package client

import (
	"github.com/duoredis/redis/internal/cmd"
)

// The command layer lives in an internal package shared by Client and
// Pipeline; these aliases are its public names.

// Result is the typed outcome of a command: Val, Err and Result read it.
type Result[T any] = cmd.Result[T]

// Result types by value type, named as go-redis users know them.
type (
	StatusCmd      = cmd.Result[string]
	StringCmd      = cmd.Result[string]
	IntCmd         = cmd.Result[int64]
	BoolCmd        = cmd.Result[bool]
	FloatCmd       = cmd.Result[float64]
	StringSliceCmd = cmd.Result[[]string]
	IntSliceCmd    = cmd.Result[[]int64]
	BoolSliceCmd   = cmd.Result[[]bool]
	FloatSliceCmd  = cmd.Result[[]float64]
	SliceCmd       = cmd.Result[[]any]
	MapStringCmd   = cmd.Result[map[string]string]
	Cmd            = cmd.Result[any]
)

// Callback is a response callback; see Client.SetResponseCallback.
type Callback = cmd.Callback

// CallbackOptions are the options a command passes to its callback.
type CallbackOptions = cmd.CallbackOptions

// StatefulCommandError is Do's error for a command that would leave a
// pooled connection in another state (SUBSCRIBE, MONITOR, MULTI, SELECT,
// AUTH, CLIENT REPLY OFF, ...). A Conn accepts SELECT, AUTH and RESET.
type StatefulCommandError = cmd.StatefulCommandError

// Command option types.
type (
	SetArgs         = cmd.SetArgs
	ExpireCondition = cmd.ExpireCondition
	MigrateArgs     = cmd.MigrateArgs
	RestoreArgs     = cmd.RestoreArgs
	ScanArgs        = cmd.ScanArgs
	ScanResult      = cmd.ScanResult
	SortArgs        = cmd.SortArgs
)

// Expiration values with a special meaning.
const (
	KeepTTL = cmd.KeepTTL // Set: keep the current time to live
	Persist = cmd.Persist // GetEx: remove the time to live
)

// Expire conditions (Redis 7).
const (
	ExpireAlways = cmd.ExpireAlways
	ExpireNX     = cmd.ExpireNX
	ExpireXX     = cmd.ExpireXX
	ExpireGT     = cmd.ExpireGT
	ExpireLT     = cmd.ExpireLT
)

// ErrPending is the error of a pipelined result read before Exec.
var ErrPending = cmd.ErrPending
