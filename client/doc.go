// Package client will hold the duoredis Client: options and URL parsing, the
// full Redis 7 command set with typed results, response callbacks, Do for any
// command, scan iterators, scripts, locks and monitor. That work comes with
// the client issue; nothing here works yet.
package client
