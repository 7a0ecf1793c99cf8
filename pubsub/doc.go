// Package pubsub will hold publish/subscribe for duoredis: channels,
// patterns and Redis 7 sharded channels, handlers, GetMessage, Listen, a
// background runner, and re-subscription after a reconnect. That work comes
// in a later issue; nothing here works yet.
package pubsub
