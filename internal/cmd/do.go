package cmd

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
