package command

import (
	"context"
	"strings"

	redis "github.com/duoredis/redis"
)

// Do runs any command and returns its value: the command's response
// callback's value where one is registered (the default table, or the
// client's override), and otherwise the reply as plain Go values (see
// ToAny): strings with DecodeResponses, []byte without. A nil reply gives
// redis.Nil.
func (c Cmdable) Do(ctx context.Context, args ...any) Result[any] {
	if len(args) == 0 {
		return Result[any]{err: &redis.DataError{Pos: 0, Type: "nothing", Msg: "Do needs a command"}}
	}
	dec := decAnyBytes
	if c.e.decode {
		dec = decAnyString
	}
	opts := CallbackOptions{Command: CommandName(args), Decode: c.e.decode}
	if err := refuseStateful(opts.Command, args, c.e.conn != nil, c.e.own != nil); err != nil {
		return Result[any]{err: err}
	}
	for _, a := range args[1:] {
		if s, ok := a.(string); ok && strings.EqualFold(s, "WITHSCORES") {
			opts.WithScores = true
		}
	}
	if cb, ok := defaultCallbacks[opts.Command]; ok {
		dec = func(r *redis.Reply) (any, error) {
			if r.Kind == redis.KindNull {
				return nil, redis.Nil
			}
			return cb(r, opts)
		}
	}
	return runOpts(c, ctx, opts, dec, args...)
}

// A nil reply is redis.Nil, as for every command; nested nils are nil values.
func decAnyBytes(r *redis.Reply) (any, error) {
	if r.Kind == redis.KindNull {
		return nil, redis.Nil
	}
	return ToAny(r, false), nil
}

func decAnyString(r *redis.Reply) (any, error) {
	if r.Kind == redis.KindNull {
		return nil, redis.Nil
	}
	return ToAny(r, true), nil
}

// ReplyToAny is the callback of commands without a table entry: the reply
// as plain Go values.
func ReplyToAny(r *redis.Reply, o CallbackOptions) (any, error) { return ToAny(r, o.Decode), nil }

// wrap turns a typed decoder into a Callback.
func wrap[T any](d Decoder[T]) Callback {
	return func(r *redis.Reply, _ CallbackOptions) (any, error) { return d(r) }
}

// defaultCallbacks is the default response-callback table of Do, as
// redis-py's RESPONSE_CALLBACKS: commands whose reply needs shaping into the
// value the typed method returns.
var defaultCallbacks = map[string]Callback{
	"HGETALL":     wrap(decStringMap),
	"CONFIG GET":  wrap(decStringMap),
	"TTL":         wrap(decInt),
	"PTTL":        wrap(decInt),
	"EXISTS":      wrap(decInt),
	"SCAN":        wrap(decScan),
	"SSCAN":       wrap(decScan),
	"HSCAN":       wrap(decScan),
	"ZSCAN":       wrap(decScan),
	"SETNX":       wrap(decBool),
	"MSETNX":      wrap(decBool),
	"EXPIRE":      wrap(decBool),
	"PEXPIRE":     wrap(decBool),
	"EXPIREAT":    wrap(decBool),
	"PEXPIREAT":   wrap(decBool),
	"PERSIST":     wrap(decBool),
	"RENAMENX":    wrap(decBool),
	"MOVE":        wrap(decBool),
	"SMEMBERS":    wrap(decStrings),
	"INCRBYFLOAT": wrap(decFloat),
}

// refuseStateful refuses, in Do, the commands that would leave a pooled
// connection in a state the next user of it does not expect: subscribed
// (its replies become messages), monitoring, replicating, with replies
// switched off, or with another database, user or protocol. The
// connection would go back to the pool like that, and a later command
// would read a reply that is not its own (a MULTI left open makes every
// later command answer QUEUED). Each has its proper place: Client.PubSub,
// Client.Monitor, the client's options, a Pipeline for transactions, or
// pool.Conn for full control of one connection. WATCH is accepted on a
// pipeline's own connection (bound is set), where the pipeline ends it;
// SELECT, AUTH and RESET on a caller's own connection (own is set: a
// Client.Conn), which is closed afterwards instead of going back to the
// pool.
func refuseStateful(name string, args []any, bound, own bool) error {
	why := ""
	switch name {
	case "MULTI", "EXEC", "DISCARD":
		why = "a transaction spans several commands on one connection: use Client.Pipeline or Client.Transaction"
	case "WATCH":
		if !bound {
			why = "a WATCH belongs to one connection: use Client.Transaction, or Watch on a Pipeline"
		}
	case "SCRIPT DEBUG":
		if len(args) > 2 && !strings.EqualFold(argString(args[2]), "NO") {
			why = "it turns the connection into a script debugging session"
		}
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE":
		why = "pub/sub needs a connection of its own: use Client.PubSub"
	case "MONITOR":
		why = "MONITOR needs a connection of its own: use Client.Monitor"
	case "SYNC", "PSYNC":
		why = "it turns the connection into a replication stream"
	case "SELECT", "AUTH", "RESET":
		if !own {
			why = "it changes the database or user of one pooled connection: set them in the client's options, or use Client.Conn"
		}
	case "HELLO":
		why = "it changes the protocol of the connection: set Protocol in the client's options"
	case "QUIT":
		why = "it closes one pooled connection: use Client.Close"
	case "CLIENT REPLY":
		if len(args) > 2 && !strings.EqualFold(argString(args[2]), "ON") {
			why = "with replies off, the connection's replies no longer match its commands"
		}
	}
	if why == "" {
		return nil
	}
	return &StatefulCommandError{Command: name, Reason: why}
}

// ChangesState reports whether a command changes the state of the
// connection it runs on in a way a later user of that connection would
// notice: its database, user, name or protocol settings (SELECT, AUTH,
// RESET, CLIENT SETNAME/SETINFO), keys it watches, tracking and caching
// (CLIENT TRACKING/CACHING), eviction and LRU exemptions (CLIENT
// NO-EVICT/NO-TOUCH), or cluster read mode (READONLY/READWRITE). It
// allocates nothing.
func ChangesState(args []any) bool {
	if len(args) == 0 {
		return false
	}
	name := argString(args[0])
	for _, n := range [...]string{"SELECT", "AUTH", "RESET", "WATCH", "READONLY", "READWRITE", "HELLO"} {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	if !strings.EqualFold(name, "CLIENT") || len(args) < 2 {
		return false
	}
	sub := argString(args[1])
	for _, n := range [...]string{"SETNAME", "SETINFO", "TRACKING", "CACHING", "NO-EVICT", "NO-TOUCH"} {
		if strings.EqualFold(sub, n) {
			return true
		}
	}
	return false
}

// StatefulCommandError is the error of Do for a command that would change
// the state of a pooled connection (SUBSCRIBE, MONITOR, SELECT, ...);
// Reason says where the command belongs instead.
type StatefulCommandError struct {
	Command string
	Reason  string
}

// Error implements the error interface.
func (e *StatefulCommandError) Error() string {
	return "redis: Do(" + e.Command + ") refused: " + e.Reason
}
