package client

import "github.com/duoredis/redis/internal/cmd"

// Stream types of the command layer.
type (
	XField                     = cmd.XField
	XMessage                   = cmd.XMessage
	XStream                    = cmd.XStream
	XAddField                  = cmd.XAddField
	XAddArgs                   = cmd.XAddArgs
	XAutoClaimArgs             = cmd.XAutoClaimArgs
	XAutoClaimResult           = cmd.XAutoClaimResult
	XAutoClaimJustIDResult     = cmd.XAutoClaimJustIDResult
	XClaimArgs                 = cmd.XClaimArgs
	XGroupCreateArgs           = cmd.XGroupCreateArgs
	XPending                   = cmd.XPending
	XPendingExt                = cmd.XPendingExt
	XPendingExtArgs            = cmd.XPendingExtArgs
	XReadArgs                  = cmd.XReadArgs
	XReadGroupArgs             = cmd.XReadGroupArgs
	XSetIDArgs                 = cmd.XSetIDArgs
	XInfoStream                = cmd.XInfoStream
	XInfoStreamFull            = cmd.XInfoStreamFull
	XInfoStreamGroup           = cmd.XInfoStreamGroup
	XInfoStreamGroupPending    = cmd.XInfoStreamGroupPending
	XInfoStreamConsumer        = cmd.XInfoStreamConsumer
	XInfoStreamConsumerPending = cmd.XInfoStreamConsumerPending
	XInfoGroup                 = cmd.XInfoGroup
	XInfoConsumer              = cmd.XInfoConsumer
)

// Result types of the stream commands, named as go-redis users know them.
type (
	XMessageSliceCmd    = cmd.Result[[]XMessage]
	XStreamSliceCmd     = cmd.Result[[]XStream]
	XAutoClaimCmd       = cmd.Result[XAutoClaimResult]
	XAutoClaimJustIDCmd = cmd.Result[XAutoClaimJustIDResult]
	XPendingCmd         = cmd.Result[XPending]
	XPendingExtCmd      = cmd.Result[[]XPendingExt]
	XInfoStreamCmd      = cmd.Result[XInfoStream]
	XInfoStreamFullCmd  = cmd.Result[XInfoStreamFull]
	XInfoGroupsCmd      = cmd.Result[[]XInfoGroup]
	XInfoConsumersCmd   = cmd.Result[[]XInfoConsumer]
)

// XBlockForever, as the Block of XReadArgs or XReadGroupArgs, waits for
// entries without a time limit (BLOCK 0).
const XBlockForever = cmd.XBlockForever
