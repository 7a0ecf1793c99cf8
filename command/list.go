package command

import (
	"context"
	"time"

	redis "github.com/duoredis/redis"
)

// List ends, as the direction arguments of LMOVE, BLMOVE, LMPOP and BLMPOP
// (any spelling the server accepts will do).
const (
	Left  = "LEFT"
	Right = "RIGHT"
)

// KeyValue is the element that BLPOP or BRPOP popped and the list it came
// from.
type KeyValue struct {
	Key   string
	Value string
}

// KeyValues are the elements that LMPOP or BLMPOP popped and the list they
// came from.
type KeyValues struct {
	Key    string
	Values []string
}

// LPosArgs are the options of LPOS.
type LPosArgs struct {
	// Rank starts at the Rank-th match (negative: counting from the tail);
	// 0 for the first one.
	Rank int64
	// MaxLen compares at most MaxLen elements; 0 for the whole list.
	MaxLen int64
}

// BLMove is LMove that waits up to timeout (0: forever) for an element;
// redis.Nil when none came.
func (c Cmdable) BLMove(ctx context.Context, source, destination, srcPos, destPos string, timeout time.Duration) Result[string] {
	return runBlocking(c, ctx, timeout, decString, "BLMOVE", source, destination, srcPos, destPos, listTimeoutArg(timeout))
}

// BLMPop is LMPop that waits up to timeout (0: forever) for a non-empty
// list; redis.Nil when none came.
func (c Cmdable) BLMPop(ctx context.Context, timeout time.Duration, direction string, count int64, keys ...string) Result[KeyValues] {
	args := make([]any, 0, 6+len(keys))
	args = append(args, "BLMPOP", listTimeoutArg(timeout))
	args = listMPopArgs(args, direction, count, keys)
	return runBlocking(c, ctx, timeout, listDecodeKeyValues, args...)
}

// BLPop pops the first element of the first non-empty list of keys, waiting
// up to timeout (0: forever) for one; redis.Nil when none came.
func (c Cmdable) BLPop(ctx context.Context, timeout time.Duration, keys ...string) Result[KeyValue] {
	return runBlocking(c, ctx, timeout, listDecodeKeyValue, listBlockingArgs("BLPOP", keys, timeout)...)
}

// BRPop is BLPop popping the last element.
func (c Cmdable) BRPop(ctx context.Context, timeout time.Duration, keys ...string) Result[KeyValue] {
	return runBlocking(c, ctx, timeout, listDecodeKeyValue, listBlockingArgs("BRPOP", keys, timeout)...)
}

// BRPopLPush is RPopLPush that waits up to timeout (0: forever) for an
// element; redis.Nil when none came. Deprecated by the server in favour of
// BLMove.
func (c Cmdable) BRPopLPush(ctx context.Context, source, destination string, timeout time.Duration) Result[string] {
	return runBlocking(c, ctx, timeout, decString, "BRPOPLPUSH", source, destination, listTimeoutArg(timeout))
}

// LIndex returns the element at index (negative: from the tail); redis.Nil
// when out of range.
func (c Cmdable) LIndex(ctx context.Context, key string, index int64) Result[string] {
	return run(c, ctx, decString, "LINDEX", key, index)
}

// LInsert inserts value before or after (op "BEFORE" or "AFTER") the first
// element equal to pivot, and returns the new length: -1 when pivot was not
// found, 0 when the key does not exist.
func (c Cmdable) LInsert(ctx context.Context, key, op string, pivot, value any) Result[int64] {
	return run(c, ctx, decInt, "LINSERT", key, op, pivot, value)
}

// LInsertBefore is LInsert with op "BEFORE".
func (c Cmdable) LInsertBefore(ctx context.Context, key string, pivot, value any) Result[int64] {
	return run(c, ctx, decInt, "LINSERT", key, "BEFORE", pivot, value)
}

// LInsertAfter is LInsert with op "AFTER".
func (c Cmdable) LInsertAfter(ctx context.Context, key string, pivot, value any) Result[int64] {
	return run(c, ctx, decInt, "LINSERT", key, "AFTER", pivot, value)
}

// LLen returns the length of the list at key (0 if missing).
func (c Cmdable) LLen(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "LLEN", key)
}

// LMove pops an element from the srcPos end (Left or Right) of source,
// pushes it on the destPos end of destination and returns it; redis.Nil
// when source is empty.
func (c Cmdable) LMove(ctx context.Context, source, destination, srcPos, destPos string) Result[string] {
	return run(c, ctx, decString, "LMOVE", source, destination, srcPos, destPos)
}

// LMPop pops up to count elements (0: the server's default, one) from the
// direction end (Left or Right) of the first non-empty list of keys;
// redis.Nil when all are empty.
func (c Cmdable) LMPop(ctx context.Context, direction string, count int64, keys ...string) Result[KeyValues] {
	args := make([]any, 0, 5+len(keys))
	args = append(args, "LMPOP")
	args = listMPopArgs(args, direction, count, keys)
	return run(c, ctx, listDecodeKeyValues, args...)
}

// LPop removes and returns the first element of the list at key; redis.Nil
// when the key does not exist.
func (c Cmdable) LPop(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decString, "LPOP", key)
}

// LPopCount removes and returns up to count elements from the head;
// redis.Nil when the key does not exist.
func (c Cmdable) LPopCount(ctx context.Context, key string, count int64) Result[[]string] {
	return run(c, ctx, listDecodeStringsNil, "LPOP", key, count)
}

// LPos returns the index of the first element equal to value (see LPosArgs
// for which match and how far to look); redis.Nil when there is none.
func (c Cmdable) LPos(ctx context.Context, key string, value any, a LPosArgs) Result[int64] {
	return run(c, ctx, decInt, listPosArgs(key, value, a, -1)...)
}

// LPosCount returns the indexes of up to count elements equal to value (0:
// all of them); empty when there is none.
func (c Cmdable) LPosCount(ctx context.Context, key string, value any, count int64, a LPosArgs) Result[[]int64] {
	return run(c, ctx, decInts, listPosArgs(key, value, a, count)...)
}

// LPush inserts values at the head of the list at key (the last value ends
// up first) and returns the new length.
func (c Cmdable) LPush(ctx context.Context, key string, values ...any) Result[int64] {
	return run(c, ctx, decInt, listValuesArgs("LPUSH", key, values)...)
}

// LPushX is LPush only if the list exists; it returns the length (0 when
// the key does not exist).
func (c Cmdable) LPushX(ctx context.Context, key string, values ...any) Result[int64] {
	return run(c, ctx, decInt, listValuesArgs("LPUSHX", key, values)...)
}

// LRange returns the elements from start to stop (inclusive; negative
// indexes count from the tail).
func (c Cmdable) LRange(ctx context.Context, key string, start, stop int64) Result[[]string] {
	return run(c, ctx, decStrings, "LRANGE", key, start, stop)
}

// LRem removes elements equal to value and returns how many: the first
// count from the head (count > 0), the last -count from the tail (count <
// 0), or all of them (count == 0). The argument order is redis-py's and the
// server's.
func (c Cmdable) LRem(ctx context.Context, key string, count int64, value any) Result[int64] {
	return run(c, ctx, decInt, "LREM", key, count, value)
}

// LSet sets the element at index to value ("OK"); an index out of range is
// a server error.
func (c Cmdable) LSet(ctx context.Context, key string, index int64, value any) Result[string] {
	return run(c, ctx, decStatus, "LSET", key, index, value)
}

// LTrim keeps only the elements from start to stop (inclusive) ("OK").
func (c Cmdable) LTrim(ctx context.Context, key string, start, stop int64) Result[string] {
	return run(c, ctx, decStatus, "LTRIM", key, start, stop)
}

// RPop removes and returns the last element of the list at key; redis.Nil
// when the key does not exist.
func (c Cmdable) RPop(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decString, "RPOP", key)
}

// RPopCount removes and returns up to count elements from the tail (the
// last one first); redis.Nil when the key does not exist.
func (c Cmdable) RPopCount(ctx context.Context, key string, count int64) Result[[]string] {
	return run(c, ctx, listDecodeStringsNil, "RPOP", key, count)
}

// RPopLPush moves the last element of source to the head of destination and
// returns it; redis.Nil when source is empty. Deprecated by the server in
// favour of LMove.
func (c Cmdable) RPopLPush(ctx context.Context, source, destination string) Result[string] {
	return run(c, ctx, decString, "RPOPLPUSH", source, destination)
}

// RPush appends values to the list at key and returns the new length.
func (c Cmdable) RPush(ctx context.Context, key string, values ...any) Result[int64] {
	return run(c, ctx, decInt, listValuesArgs("RPUSH", key, values)...)
}

// RPushX is RPush only if the list exists; it returns the length (0 when
// the key does not exist).
func (c Cmdable) RPushX(ctx context.Context, key string, values ...any) Result[int64] {
	return run(c, ctx, decInt, listValuesArgs("RPUSHX", key, values)...)
}

// listTimeoutArg is a blocking command's timeout in seconds: an integer
// when whole, a decimal otherwise (Redis 6 and later accept both).
func listTimeoutArg(d time.Duration) any {
	if d%time.Second == 0 {
		return int64(d / time.Second)
	}
	return d.Seconds()
}

// listBlockingArgs returns name, keys and the timeout (BLPOP, BRPOP).
func listBlockingArgs(name string, keys []string, timeout time.Duration) []any {
	args := make([]any, 0, 2+len(keys))
	args = append(args, name)
	for _, k := range keys {
		args = append(args, k)
	}
	return append(args, listTimeoutArg(timeout))
}

// listMPopArgs appends numkeys, keys, direction and COUNT to args.
func listMPopArgs(args []any, direction string, count int64, keys []string) []any {
	args = append(args, len(keys))
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, direction)
	if count != 0 {
		args = append(args, "COUNT", count)
	}
	return args
}

// listValuesArgs returns name, key and values.
func listValuesArgs(name, key string, values []any) []any {
	args := make([]any, 0, 2+len(values))
	args = append(args, name, key)
	return append(args, values...)
}

// listPosArgs returns the arguments of LPOS; count < 0 leaves COUNT out.
func listPosArgs(key string, value any, a LPosArgs, count int64) []any {
	args := make([]any, 0, 9)
	args = append(args, "LPOS", key, value)
	if a.Rank != 0 {
		args = append(args, "RANK", a.Rank)
	}
	if count >= 0 {
		args = append(args, "COUNT", count)
	}
	if a.MaxLen != 0 {
		args = append(args, "MAXLEN", a.MaxLen)
	}
	return args
}

// listDecodeStringsNil is decStrings with a nil reply as redis.Nil.
func listDecodeStringsNil(r *redis.Reply) ([]string, error) {
	if r.Kind == redis.KindNull {
		return nil, redis.Nil
	}
	return decStrings(r)
}

// listDecodeKeyValue reads the [key, element] of BLPOP and BRPOP; nil (a
// timeout) is redis.Nil.
func listDecodeKeyValue(r *redis.Reply) (KeyValue, error) {
	if r.Kind == redis.KindNull {
		return KeyValue{}, redis.Nil
	}
	es, err := elems(r)
	if err != nil {
		return KeyValue{}, err
	}
	if len(es) != 2 {
		return KeyValue{}, unexpected("[key, element]", r)
	}
	var kv KeyValue
	if kv.Key, err = decString(&es[0]); err != nil {
		return KeyValue{}, err
	}
	if kv.Value, err = decString(&es[1]); err != nil {
		return KeyValue{}, err
	}
	return kv, nil
}

// listDecodeKeyValues reads the [key, [elements...]] of LMPOP and BLMPOP;
// nil is redis.Nil.
func listDecodeKeyValues(r *redis.Reply) (KeyValues, error) {
	if r.Kind == redis.KindNull {
		return KeyValues{}, redis.Nil
	}
	es, err := elems(r)
	if err != nil {
		return KeyValues{}, err
	}
	if len(es) != 2 {
		return KeyValues{}, unexpected("[key, elements]", r)
	}
	var kv KeyValues
	if kv.Key, err = decString(&es[0]); err != nil {
		return KeyValues{}, err
	}
	if kv.Values, err = decStrings(&es[1]); err != nil {
		return KeyValues{}, err
	}
	return kv, nil
}
