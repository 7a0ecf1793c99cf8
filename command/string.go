package command

import (
	"context"
	"time"
	"unsafe"
)

// KeepTTL, as the expiration of Set, keeps the key's current time to live
// (SET ... KEEPTTL).
const KeepTTL time.Duration = -1

// appendExpiry returns the EX/PX arguments for an expiration: seconds when it
// is a whole number of seconds, milliseconds otherwise.
func expiryArgs(exp time.Duration) (string, int64) {
	if exp%time.Second == 0 {
		return "EX", int64(exp / time.Second)
	}
	return "PX", int64(exp / time.Millisecond)
}

// Append appends value to the string at key and returns its new length.
func (c Cmdable) Append(ctx context.Context, key string, value any) Result[int64] {
	return run(c, ctx, decInt, "APPEND", key, value)
}

// Decr decrements the integer at key by one and returns the new value.
func (c Cmdable) Decr(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "DECR", key)
}

// DecrBy decrements the integer at key by decrement.
func (c Cmdable) DecrBy(ctx context.Context, key string, decrement int64) Result[int64] {
	return run(c, ctx, decInt, "DECRBY", key, decrement)
}

// Get returns the string at key; redis.Nil when the key does not exist.
func (c Cmdable) Get(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decString, "GET", key)
}

// GetBytes is Get returning a []byte the caller owns.
func (c Cmdable) GetBytes(ctx context.Context, key string) Result[[]byte] {
	return run(c, ctx, decBytes, "GET", key)
}

// GetDel returns the string at key and deletes the key.
func (c Cmdable) GetDel(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decString, "GETDEL", key)
}

// GetEx returns the string at key and sets its expiration: exp > 0 sets it
// (EX or PX), exp == 0 leaves it, exp == Persist removes it.
func (c Cmdable) GetEx(ctx context.Context, key string, exp time.Duration) Result[string] {
	switch {
	case exp == Persist:
		return run(c, ctx, decString, "GETEX", key, "PERSIST")
	case exp > 0:
		unit, n := expiryArgs(exp)
		return run(c, ctx, decString, "GETEX", key, unit, n)
	}
	return run(c, ctx, decString, "GETEX", key)
}

// Persist, as the expiration of GetEx, removes the key's time to live.
const Persist time.Duration = -2

// GetRange returns the substring of the string at key between start and end
// (inclusive; negative offsets count from the end).
func (c Cmdable) GetRange(ctx context.Context, key string, start, end int64) Result[string] {
	return run(c, ctx, decString, "GETRANGE", key, start, end)
}

// GetSet sets key to value and returns the old value (redis.Nil if none).
func (c Cmdable) GetSet(ctx context.Context, key string, value any) Result[string] {
	return run(c, ctx, decString, "GETSET", key, value)
}

// Incr increments the integer at key by one and returns the new value.
func (c Cmdable) Incr(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "INCR", key)
}

// IncrBy increments the integer at key by increment.
func (c Cmdable) IncrBy(ctx context.Context, key string, increment int64) Result[int64] {
	return run(c, ctx, decInt, "INCRBY", key, increment)
}

// IncrByFloat increments the float at key by increment.
func (c Cmdable) IncrByFloat(ctx context.Context, key string, increment float64) Result[float64] {
	return run(c, ctx, decFloat, "INCRBYFLOAT", key, increment)
}

// LCS returns the longest common subsequence of the strings at key1 and
// key2.
func (c Cmdable) LCS(ctx context.Context, key1, key2 string) Result[string] {
	return run(c, ctx, decString, "LCS", key1, key2)
}

// LCSLen returns the length of the longest common subsequence.
func (c Cmdable) LCSLen(ctx context.Context, key1, key2 string) Result[int64] {
	return run(c, ctx, decInt, "LCS", key1, key2, "LEN")
}

// MGet returns the values of keys, each a string or nil for a missing key.
func (c Cmdable) MGet(ctx context.Context, keys ...string) Result[[]any] {
	return run(c, ctx, decNullableStrings, keysArgs("MGET", keys)...)
}

// MSet sets every key of values to its value (redis-py takes a mapping too).
func (c Cmdable) MSet(ctx context.Context, values map[string]any) Result[string] {
	return run(c, ctx, decStatus, mapArgs("MSET", values)...)
}

// MSetNX sets the keys only if none of them exists, and reports whether it
// did.
func (c Cmdable) MSetNX(ctx context.Context, values map[string]any) Result[bool] {
	return run(c, ctx, decBool, mapArgs("MSETNX", values)...)
}

// PSetEx sets key to value with an expiration in milliseconds.
func (c Cmdable) PSetEx(ctx context.Context, key string, exp time.Duration, value any) Result[string] {
	return run(c, ctx, decStatus, "PSETEX", key, int64(exp/time.Millisecond), value)
}

// Set sets key to value. exp > 0 sets an expiration (EX for whole seconds,
// PX otherwise), 0 sets none, KeepTTL keeps the current one.
func (c Cmdable) Set(ctx context.Context, key string, value any, exp time.Duration) Result[string] {
	switch {
	case exp > 0:
		unit, n := expiryArgs(exp)
		return run(c, ctx, decStatus, "SET", key, value, unit, n)
	case exp == KeepTTL:
		return run(c, ctx, decStatus, "SET", key, value, "KEEPTTL")
	}
	return run(c, ctx, decStatus, "SET", key, value)
}

// SetArgs holds the options of SET beyond an expiration.
type SetArgs struct {
	// Mode is "NX" (only if the key does not exist), "XX" (only if it
	// does) or "".
	Mode string
	// TTL sets a relative expiration; ExpireAt an absolute one; KeepTTL
	// keeps the current one. At most one of them.
	TTL      time.Duration
	ExpireAt time.Time
	KeepTTL  bool
	// Get returns the old value (SET ... GET).
	Get bool
}

// SetWithArgs is SET with all its options. It returns "OK", the old value
// with Get, and redis.Nil when NX/XX prevented the write (or, with Get, when
// there was no old value).
func (c Cmdable) SetWithArgs(ctx context.Context, key string, value any, a SetArgs) Result[string] {
	args := make([]any, 0, 8)
	args = append(args, "SET", key, value)
	if a.Mode != "" {
		args = append(args, a.Mode)
	}
	switch {
	case a.TTL > 0:
		unit, n := expiryArgs(a.TTL)
		args = append(args, unit, n)
	case !a.ExpireAt.IsZero():
		args = append(args, "PXAT", a.ExpireAt.UnixMilli())
	case a.KeepTTL:
		args = append(args, "KEEPTTL")
	}
	if a.Get {
		args = append(args, "GET")
		return run(c, ctx, decString, args...)
	}
	return run(c, ctx, decStatus, args...)
}

// SetEx sets key to value with an expiration (redis-py's argument order:
// name, time, value).
func (c Cmdable) SetEx(ctx context.Context, key string, exp time.Duration, value any) Result[string] {
	return run(c, ctx, decStatus, "SETEX", key, int64(exp/time.Second), value)
}

// SetNX sets key to value only if it does not exist, with an optional
// expiration, and reports whether it did.
func (c Cmdable) SetNX(ctx context.Context, key string, value any, exp time.Duration) Result[bool] {
	if exp > 0 {
		unit, n := expiryArgs(exp)
		return run(c, ctx, decOKOrNilBool, "SET", key, value, "NX", unit, n)
	}
	return run(c, ctx, decBool, "SETNX", key, value)
}

// SetXX sets key to value only if it exists, and reports whether it did.
func (c Cmdable) SetXX(ctx context.Context, key string, value any, exp time.Duration) Result[bool] {
	if exp > 0 {
		unit, n := expiryArgs(exp)
		return run(c, ctx, decOKOrNilBool, "SET", key, value, "XX", unit, n)
	}
	return run(c, ctx, decOKOrNilBool, "SET", key, value, "XX")
}

// SetRange overwrites part of the string at key from offset, returning the
// new length.
func (c Cmdable) SetRange(ctx context.Context, key string, offset int64, value any) Result[int64] {
	return run(c, ctx, decInt, "SETRANGE", key, offset, value)
}

// StrLen returns the length of the string at key.
func (c Cmdable) StrLen(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "STRLEN", key)
}

// SubStr is the old name of GetRange.
func (c Cmdable) SubStr(ctx context.Context, key string, start, end int64) Result[string] {
	return run(c, ctx, decString, "SUBSTR", key, start, end)
}

// keysArgs returns name followed by keys. Boxing each key in an interface
// would allocate per key; instead each interface points at the string in
// keys itself, as a conversion points at a copy. That is sound because the
// command is encoded before the method returns (run, the pipeline queue and
// the auto-pipelining Mux all encode at once) and args is not kept.
func keysArgs(name string, keys []string) []any {
	args := make([]any, 1+len(keys))
	args[0] = name
	for i := range keys {
		e := (*[2]unsafe.Pointer)(unsafe.Pointer(&args[1+i]))
		e[0], e[1] = stringType, unsafe.Pointer(&keys[i])
	}
	return args
}

// mapArgs returns name followed by the pairs of m.
func mapArgs(name string, m map[string]any) []any {
	args := make([]any, 1, 1+2*len(m))
	args[0] = name
	for k, v := range m {
		args = append(args, k, v)
	}
	return args
}
