// Package command is the command set of duoredis: every Redis command is
// written here once, as a method of [Cmdable], and the same methods serve
// every kind of client. client.Client, client.Conn and pipeline.Pipeline
// embed a Cmdable, so
//
//	go doc github.com/duoredis/redis/command Cmdable.Set
//
// documents rdb.Set, conn.Set and p.Set alike.
//
// # Results
//
// A command returns a [Result]: its value of type T or an error. Val, Err and
// Result read it:
//
//	err := rdb.Set(ctx, "key", "value", time.Hour).Err()
//	val, err := rdb.Get(ctx, "key").Result() // err == redis.Nil when missing
//	n := rdb.Incr(ctx, "counter").Val()
//
// On a Client or Conn the command has run when the method returns. On a
// Pipeline it is queued: the Result is a handle filled by Exec, and reading
// it earlier gives [ErrPending]. Results have the same Go type under RESP2
// and RESP3, with either parser.
//
// # Arguments
//
// Values may be []byte, string, integers or floats. Anything else (a bool,
// nil, a struct, a time.Duration) is a *redis.DataError and nothing is sent,
// as in redis-py 3. Options that a command takes are a struct named after
// it (SetArgs, ZAddArgs, XAddArgs, ...); their zero value sends none.
// Durations are accepted where the command takes one (expirations,
// timeouts) and sent in the unit the server expects.
//
// # Response callbacks
//
// Each command decodes its reply with its own decoder. A client may replace
// the decoding of a command by a [Callback] (client.Client.SetResponseCallback,
// redis-py's set_response_callback); the callback's value must have the
// command's result type.
//
// # Engine
//
// An [Engine] is what runs the commands of a Cmdable: on the pool's
// connections (sharing a few of them between goroutines when auto-pipelining
// is on), on one bound connection, or queued for a pipeline. A client makes
// its own; Cmdable.Engine returns it, for instance to build a pipeline with
// pipeline.New. Hooks installed on an Engine ([Engine.AddHook]) see every
// command and every pipeline it runs.
package command
