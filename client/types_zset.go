package client

import "github.com/duoredis/redis/command"

// Sorted-set, geo and bitmap types of the command layer.
type (
	Z                      = command.Z
	ZWithKey               = command.ZWithKey
	ZMPopResult            = command.ZMPopResult
	ZAddArgs               = command.ZAddArgs
	ZStore                 = command.ZStore
	ZRangeArgs             = command.ZRangeArgs
	ZRangeBy               = command.ZRangeBy
	ZSliceCmd              = command.Result[[]Z]
	ZWithKeyCmd            = command.Result[ZWithKey]
	GeoLocation            = command.GeoLocation
	GeoPos                 = command.GeoPos
	GeoAddArgs             = command.GeoAddArgs
	GeoSearchQuery         = command.GeoSearchQuery
	GeoSearchLocationQuery = command.GeoSearchLocationQuery
	GeoSearchStoreQuery    = command.GeoSearchStoreQuery
	GeoRadiusQuery         = command.GeoRadiusQuery
	BitFieldOps            = command.BitFieldOps
)

// Orders of ZMPop and BZMPop.
const (
	ZOrderMin = command.ZOrderMin
	ZOrderMax = command.ZOrderMax
)
