package client

import "github.com/duoredis/redis/internal/cmd"

// Sorted-set, geo and bitmap types of the command layer.
type (
	Z                      = cmd.Z
	ZWithKey               = cmd.ZWithKey
	ZMPopResult            = cmd.ZMPopResult
	ZAddArgs               = cmd.ZAddArgs
	ZStore                 = cmd.ZStore
	ZRangeArgs             = cmd.ZRangeArgs
	ZRangeBy               = cmd.ZRangeBy
	ZSliceCmd              = cmd.Result[[]Z]
	ZWithKeyCmd            = cmd.Result[ZWithKey]
	GeoLocation            = cmd.GeoLocation
	GeoPos                 = cmd.GeoPos
	GeoAddArgs             = cmd.GeoAddArgs
	GeoSearchQuery         = cmd.GeoSearchQuery
	GeoSearchLocationQuery = cmd.GeoSearchLocationQuery
	GeoSearchStoreQuery    = cmd.GeoSearchStoreQuery
	GeoRadiusQuery         = cmd.GeoRadiusQuery
	BitFieldOps            = cmd.BitFieldOps
)

// Orders of ZMPop and BZMPop.
const (
	ZOrderMin = cmd.ZOrderMin
	ZOrderMax = cmd.ZOrderMax
)
