package client

import "github.com/duoredis/redis/internal/cmd"

// Types of the hash, list and set commands.
type (
	HashField = cmd.HashField // a field and its value (HRandFieldWithValues, HScanIter)
	KeyValue  = cmd.KeyValue  // BLPop, BRPop: the list and the popped element
	KeyValues = cmd.KeyValues // LMPop, BLMPop: the list and the popped elements
	LPosArgs  = cmd.LPosArgs  // options of LPos and LPosCount
)

// Result types of the hash, list and set commands, named as go-redis users
// know them.
type (
	KeyValueCmd        = cmd.Result[KeyValue]
	KeyValuesCmd       = cmd.Result[KeyValues]
	HashFieldSliceCmd  = cmd.Result[[]HashField]
	StringStructMapCmd = cmd.Result[map[string]struct{}]
)

// List ends, as the direction arguments of LMove, BLMove, LMPop and BLMPop.
const (
	Left  = cmd.Left
	Right = cmd.Right
)
