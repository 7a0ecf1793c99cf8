package client

import "github.com/duoredis/redis/command"

// Hook wraps what a client does: dialing, every command and every
// pipeline's batch. See command.Hook.
type Hook = command.Hook

// AddHook installs h: every command, pipeline, transaction and pub/sub
// command (SUBSCRIBE, PING, ...) of the client from then on passes through
// it, including those of its Conns and pipelines, and every connection its
// pool opens (the auto-pipelining ones included). Clients that share a pool
// share its dial hooks. Hooks added first run first (outermost).
//
// With no hook installed, commands pay nothing for the feature.
func (c *Client) AddHook(h Hook) { c.engine.AddHook(h) }
