// Package sentinel will hold Redis Sentinel support for duoredis: discovery
// of a master and its replicas, clients bound to them, and failover. That
// work comes in a later issue; nothing here works yet.
package sentinel
