package cluster

import "github.com/duoredis/redis/client"

// Lock returns a distributed lock on the key name (client.Lock, the same
// code as client.Client.Lock): it lives on the master of the key's slot,
// and its scripts are routed there by the key. Nothing is sent until
// Acquire. As on one server, a lock acknowledged by a master that fails
// before its replica has it may be lost in a failover (take WAIT or
// Redlock's several clusters when that matters).
func (c *Client) Lock(name string, opts client.LockOptions) *client.Lock {
	return client.NewLock(c, name, opts)
}

// RegisterScript returns a script bound to c: Run sends EVALSHA to the
// master of the first key's slot (keys must share a slot), and on
// NOSCRIPT loads the script on every master (SCRIPT LOAD is a fan-out)
// and runs it again. RunOn runs it on a cluster pipeline too.
func (c *Client) RegisterScript(src string) *client.Script {
	return client.NewScript(src).Bind(c)
}
