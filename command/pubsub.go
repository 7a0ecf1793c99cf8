package command

import "context"

// Publishing and pub/sub introspection. SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE
// and their UNSUBSCRIBE counterparts take a connection out of the
// request/reply cycle, so they belong to the pub/sub type, not to Cmdable.

// Publish posts message on channel and returns how many subscribers
// received it.
func (c Cmdable) Publish(ctx context.Context, channel string, message any) Result[int64] {
	return run(c, ctx, decInt, "PUBLISH", channel, message)
}

// SPublish posts message on a shard channel (Redis 7) and returns how many
// shard subscribers received it.
func (c Cmdable) SPublish(ctx context.Context, shardChannel string, message any) Result[int64] {
	return run(c, ctx, decInt, "SPUBLISH", shardChannel, message)
}

// PubSubChannels returns the channels that have subscribers, those matching
// the glob pattern when it is not "". Pattern subscriptions do not count.
func (c Cmdable) PubSubChannels(ctx context.Context, pattern string) Result[[]string] {
	if pattern == "" {
		return run(c, ctx, decStrings, "PUBSUB", "CHANNELS")
	}
	return run(c, ctx, decStrings, "PUBSUB", "CHANNELS", pattern)
}

// PubSubNumSub returns the number of subscribers of each channel (0 for a
// channel nobody listens to), keyed by channel.
func (c Cmdable) PubSubNumSub(ctx context.Context, channels ...string) Result[map[string]int64] {
	return run(c, ctx, decStringIntMap, serverSubArgs("PUBSUB", "NUMSUB", channels)...)
}

// PubSubNumPat returns the number of pattern subscriptions, over all
// clients.
func (c Cmdable) PubSubNumPat(ctx context.Context) Result[int64] {
	return run(c, ctx, decInt, "PUBSUB", "NUMPAT")
}

// PubSubShardChannels returns the shard channels that have subscribers,
// those matching the glob pattern when it is not "".
func (c Cmdable) PubSubShardChannels(ctx context.Context, pattern string) Result[[]string] {
	if pattern == "" {
		return run(c, ctx, decStrings, "PUBSUB", "SHARDCHANNELS")
	}
	return run(c, ctx, decStrings, "PUBSUB", "SHARDCHANNELS", pattern)
}

// PubSubShardNumSub returns the number of subscribers of each shard
// channel, keyed by shard channel.
func (c Cmdable) PubSubShardNumSub(ctx context.Context, shardChannels ...string) Result[map[string]int64] {
	return run(c, ctx, decStringIntMap, serverSubArgs("PUBSUB", "SHARDNUMSUB", shardChannels)...)
}

// PubSubHelp returns PUBSUB's help text.
func (c Cmdable) PubSubHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "PUBSUB", "HELP")
}
