// Package client is the duoredis Client: a goroutine-safe connection pool
// and the Redis 7 command set with typed results.
//
// # Connecting
//
//	rdb, err := client.New(client.Options{Addr: "localhost:6379", DB: 0})
//	rdb, err := client.NewFromURL("redis://user:secret@localhost:6379/0?protocol=3")
//	defer rdb.Close()
//
// URLs take the redis://, rediss:// (TLS, certificates verified) and unix://
// schemes; see ParseURL. The database is fixed per client, as in redis-py:
// there is no SELECT method. Several clients may share one pool
// (Options.Pool). The password never appears in errors or String().
//
// # Executing commands
//
// Every command is a method returning a Result: Val, Err and Result read it.
// The command methods are those of command.Cmdable, which Client, Conn and
// pipeline.Pipeline embed: `go doc github.com/duoredis/redis/command
// Cmdable.Set` documents rdb.Set. The option and result types (SetArgs,
// ZAddArgs, XMessage, ...) are declared in package command; this package
// names the common ones too.
//
//	err := rdb.Set(ctx, "key", "value", time.Hour).Err()
//	val, err := rdb.Get(ctx, "key").Result() // err == redis.Nil when missing
//	n := rdb.Incr(ctx, "counter").Val()
//	err = rdb.MSet(ctx, map[string]any{"a": 1, "b": 2.5}).Err() // a map, as in redis-py 3
//	rdb.ZAdd(ctx, "scores", map[string]float64{"alice": 1}, client.ZAddArgs{})
//
// Values may be []byte, string, integers or floats; anything else (a bool,
// nil, a struct) is a *redis.DataError and nothing is sent. Results have the
// same Go type under RESP2 and RESP3 (Options.Protocol). Do runs any command
// and returns its value as plain Go values (strings with DecodeResponses,
// []byte without), shaped by the command's response callback where the
// default table has one; SetResponseCallback overrides a callback for one
// client.
//
// # Scanning
//
// ScanIter, SScanIter, HScanIter and ZScanIter are Go iterators over the
// SCAN family:
//
//	for key, err := range rdb.ScanIter(ctx, client.ScanArgs{Match: "user:*"}) { ... }
//
// # Pipelines and transactions
//
// Pipeline buffers commands and sends them in one round trip as a
// MULTI/EXEC transaction (PipelineNoTx without it); Transaction runs
// optimistic WATCH transactions with retries. See package pipeline.
//
// # Scripts and locks
//
// RegisterScript gives a Script that runs by EVALSHA and loads itself on
// NOSCRIPT (and before a pipeline runs); Lock gives a Lua-based distributed
// lock with expiry, blocking acquire, extend and release by its owner only.
//
// # Pub/sub and MONITOR
//
// Subscribe, PSubscribe and SSubscribe (or PubSub, to subscribe later) give
// a *pubsub.PubSub on a connection of its own, which re-subscribes after a
// reconnect; see package pubsub. Monitor gives the server's MONITOR stream
// as parsed MonitorEvents. Do refuses these commands (and others that would
// change a pooled connection's state: SELECT, AUTH, CLIENT REPLY OFF, ...)
// with a *StatefulCommandError, since the connection would go back to the
// pool in that state.
//
// # Concurrency
//
// A Client is safe for use by many goroutines. Commands of goroutines that
// meet others in flight share a few connections, many per write
// (auto-pipelining, on unless Options.DisableAutoPipeline), which multiplies
// throughput under load; a command alone, blocking commands and
// connection-state commands use the pool.
//
// # A connection of one's own
//
// Conn reserves one pooled connection for its caller, with the whole
// command set, for what is a state of one connection: a database chosen
// with Select, AUTH as another user, CLIENT TRACKING and CACHING, CLIENT
// SETNAME. Its Close gives the connection back, or closes it when a
// command changed its state. The Client's own Do refuses those commands
// (a *StatefulCommandError), since they would change a connection that
// other callers share.
//
// # Hooks
//
// AddHook wraps dialing, every command and every pipeline's batch of the
// client (its Conns, pipelines and pub/sub commands included), for logging,
// metrics and tracing: command.NewSlogHook logs to a log/slog Logger, and
// the module github.com/duoredis/redis/extra/otel adds OpenTelemetry spans
// and metrics. PoolStats reports the pool's counters.
//
// # Timeouts and errors
//
// ReadTimeout and WriteTimeout bound each read and write; a context's
// deadline that comes sooner wins. A connection that timed out, saw a
// protocol error or was cancelled mid-reply is closed, never reused. With
// Options.RetryOnTimeout (redis-py's retry_on_timeout) a command or a
// pipeline's batch that timed out is sent once more on another connection;
// the server may then run it twice.
//
// # Parsers
//
// Replies are parsed by goparser (pure Go) by default, or by cparser
// (hiredis) when built with -tags hiredis; Options.Parser picks one by name
// at run time. See build_tags.md.
package client
