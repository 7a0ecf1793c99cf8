package client

import (
	"github.com/duoredis/redis/command"
)

// initCache makes the client's client-side cache when Options.CacheSize
// asks for one.
func (c *Client) initCache() error {
	o := c.opts
	if o.CacheSize <= 0 {
		return nil
	}
	cache, err := command.NewCache(c.pool, command.CacheOptions{
		Size: o.CacheSize, Mode: o.CacheMode, Prefixes: o.CachePrefixes,
		Conns: o.CacheConns, Heartbeat: o.CacheHeartbeat,
	})
	if err != nil {
		return err
	}
	c.cache = cache
	c.engine.SetCache(cache)
	return nil
}

// CacheStats returns the statistics of the client-side cache (zero without
// one: Options.CacheSize).
func (c *Client) CacheStats() command.CacheStats {
	if c.cache == nil {
		return command.CacheStats{}
	}
	return c.cache.Stats()
}

// FlushCache drops every entry of the client-side cache.
func (c *Client) FlushCache() {
	if c.cache != nil {
		c.cache.Flush()
	}
}
