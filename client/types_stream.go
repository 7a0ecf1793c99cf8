package client

import "github.com/duoredis/redis/command"

// Stream types of the command layer.
type (
	XField                     = command.XField
	XMessage                   = command.XMessage
	XStream                    = command.XStream
	XAddField                  = command.XAddField
	XAddArgs                   = command.XAddArgs
	XAutoClaimArgs             = command.XAutoClaimArgs
	XAutoClaimResult           = command.XAutoClaimResult
	XAutoClaimJustIDResult     = command.XAutoClaimJustIDResult
	XClaimArgs                 = command.XClaimArgs
	XGroupCreateArgs           = command.XGroupCreateArgs
	XPending                   = command.XPending
	XPendingExt                = command.XPendingExt
	XPendingExtArgs            = command.XPendingExtArgs
	XReadArgs                  = command.XReadArgs
	XReadGroupArgs             = command.XReadGroupArgs
	XSetIDArgs                 = command.XSetIDArgs
	XInfoStream                = command.XInfoStream
	XInfoStreamFull            = command.XInfoStreamFull
	XInfoStreamGroup           = command.XInfoStreamGroup
	XInfoStreamGroupPending    = command.XInfoStreamGroupPending
	XInfoStreamConsumer        = command.XInfoStreamConsumer
	XInfoStreamConsumerPending = command.XInfoStreamConsumerPending
	XInfoGroup                 = command.XInfoGroup
	XInfoConsumer              = command.XInfoConsumer
)

// Result types of the stream commands, named as go-redis users know them.
type (
	XMessageSliceCmd    = command.Result[[]XMessage]
	XStreamSliceCmd     = command.Result[[]XStream]
	XAutoClaimCmd       = command.Result[XAutoClaimResult]
	XAutoClaimJustIDCmd = command.Result[XAutoClaimJustIDResult]
	XPendingCmd         = command.Result[XPending]
	XPendingExtCmd      = command.Result[[]XPendingExt]
	XInfoStreamCmd      = command.Result[XInfoStream]
	XInfoStreamFullCmd  = command.Result[XInfoStreamFull]
	XInfoGroupsCmd      = command.Result[[]XInfoGroup]
	XInfoConsumersCmd   = command.Result[[]XInfoConsumer]
)

// XBlockForever, as the Block of XReadArgs or XReadGroupArgs, waits for
// entries without a time limit (BLOCK 0).
const XBlockForever = command.XBlockForever
