package client

import "github.com/duoredis/redis/command"

// Types of the hash, list and set commands.
type (
	HashField = command.HashField // a field and its value (HRandFieldWithValues, HScanIter)
	KeyValue  = command.KeyValue  // BLPop, BRPop: the list and the popped element
	KeyValues = command.KeyValues // LMPop, BLMPop: the list and the popped elements
	LPosArgs  = command.LPosArgs  // options of LPos and LPosCount
)

// Result types of the hash, list and set commands, named as go-redis users
// know them.
type (
	KeyValueCmd        = command.Result[KeyValue]
	KeyValuesCmd       = command.Result[KeyValues]
	HashFieldSliceCmd  = command.Result[[]HashField]
	StringStructMapCmd = command.Result[map[string]struct{}]
)

// List ends, as the direction arguments of LMove, BLMove, LMPop and BLMPop.
const (
	Left  = command.Left
	Right = command.Right
)
