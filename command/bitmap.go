package command

import (
	"context"

	redis "github.com/duoredis/redis"
)

// The bitmap and HyperLogLog commands. PFDEBUG and PFSELFTEST are internal
// commands and have no methods. Their replies need no shaping for Do:
// the RESP2 and RESP3 shapes are the same.

// BitFieldOps is a list of BITFIELD operations, built with its methods:
//
//	ops := client.BitFieldOps{}.Set("u8", 0, 200).Overflow("FAIL").IncrBy("u8", 0, 100).Get("u8", 0)
//
// Types are "u1" to "u63" and "i1" to "i64". An offset is a bit offset (an
// integer), or a string "#N" for N times the type's width. Like append,
// each method may reuse the list's storage: keep the returned list, and
// build each list from a chain of its own.
type BitFieldOps []any

// Get reads the field of type typ at offset.
func (o BitFieldOps) Get(typ string, offset any) BitFieldOps {
	return append(o, "GET", typ, offset)
}

// Set writes value to the field; its result is the old value.
func (o BitFieldOps) Set(typ string, offset any, value int64) BitFieldOps {
	return append(o, "SET", typ, offset, value)
}

// IncrBy adds increment to the field; its result is the new value.
func (o BitFieldOps) IncrBy(typ string, offset any, increment int64) BitFieldOps {
	return append(o, "INCRBY", typ, offset, increment)
}

// Overflow sets how the Set and IncrBy operations after it overflow:
// "WRAP" (the default), "SAT" (saturate) or "FAIL" (do nothing, and give a
// nil result). It has no result of its own.
func (o BitFieldOps) Overflow(mode string) BitFieldOps {
	return append(o, "OVERFLOW", mode)
}

// BitCount returns the number of set bits in the string at key.
func (c Cmdable) BitCount(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "BITCOUNT", key)
}

// BitCountRange is BitCount from start to end inclusive (negative counts
// from the end), in unit: "BYTE" (the default when "") or "BIT" (Redis 7).
func (c Cmdable) BitCountRange(ctx context.Context, key string, start, end int64, unit string) Result[int64] {
	if unit == "" {
		return run(c, ctx, decInt, "BITCOUNT", key, start, end)
	}
	return run(c, ctx, decInt, "BITCOUNT", key, start, end, unit)
}

// BitField runs ops on the string at key as an array of integer fields.
// It returns one result per Get, Set and IncrBy, in order: nil where an
// OVERFLOW FAIL stopped a Set or IncrBy, the value otherwise.
func (c Cmdable) BitField(ctx context.Context, key string, ops BitFieldOps) Result[[]*int64] {
	return run(c, ctx, bitDecodeFields, bitFieldArgs("BITFIELD", key, ops)...)
}

// BitFieldRO is the read-only BITFIELD_RO (Redis 6.2), which replicas
// accept: ops may only hold Get operations.
func (c Cmdable) BitFieldRO(ctx context.Context, key string, ops BitFieldOps) Result[[]*int64] {
	return run(c, ctx, bitDecodeFields, bitFieldArgs("BITFIELD_RO", key, ops)...)
}

// BitOpAnd stores the bitwise AND of the strings at keys at destination and
// returns its length.
func (c Cmdable) BitOpAnd(ctx context.Context, destination string, keys ...string) Result[int64] {
	return run(c, ctx, decInt, bitOpArgs("AND", destination, keys)...)
}

// BitOpOr is BitOpAnd with OR.
func (c Cmdable) BitOpOr(ctx context.Context, destination string, keys ...string) Result[int64] {
	return run(c, ctx, decInt, bitOpArgs("OR", destination, keys)...)
}

// BitOpXor is BitOpAnd with XOR.
func (c Cmdable) BitOpXor(ctx context.Context, destination string, keys ...string) Result[int64] {
	return run(c, ctx, decInt, bitOpArgs("XOR", destination, keys)...)
}

// BitOpNot stores the bitwise NOT of the string at key at destination and
// returns its length.
func (c Cmdable) BitOpNot(ctx context.Context, destination, key string) Result[int64] {
	return run(c, ctx, decInt, "BITOP", "NOT", destination, key)
}

// BitPos returns the position of the first bit set to bit (0 or 1) in the
// string at key, or -1. pos is empty, a start byte, or a start and an end
// byte (inclusive; negative counts from the end). Looking for 0 without an
// end, a string of ones gives the first bit after its end.
func (c Cmdable) BitPos(ctx context.Context, key string, bit int64, pos ...int64) Result[int64] {
	args := make([]any, 0, 3+len(pos))
	args = append(args, "BITPOS", key, bit)
	for _, p := range pos {
		args = append(args, p)
	}
	return run(c, ctx, decInt, args...)
}

// BitPosSpan is BitPos from start to end in unit: "BYTE" (the default when
// "") or "BIT" (Redis 7).
func (c Cmdable) BitPosSpan(ctx context.Context, key string, bit, start, end int64, unit string) Result[int64] {
	if unit == "" {
		return run(c, ctx, decInt, "BITPOS", key, bit, start, end)
	}
	return run(c, ctx, decInt, "BITPOS", key, bit, start, end, unit)
}

// GetBit returns the bit at offset (0 beyond the end or for a missing key).
func (c Cmdable) GetBit(ctx context.Context, key string, offset int64) Result[int64] {
	return run(c, ctx, decInt, "GETBIT", key, offset)
}

// SetBit sets the bit at offset to value (0 or 1) and returns its old
// value.
func (c Cmdable) SetBit(ctx context.Context, key string, offset int64, value int) Result[int64] {
	return run(c, ctx, decInt, "SETBIT", key, offset, value)
}

// PFAdd adds elements to the HyperLogLog at key and returns 1 when its
// estimate changed, 0 otherwise.
func (c Cmdable) PFAdd(ctx context.Context, key string, elements ...any) Result[int64] {
	return run(c, ctx, decInt, zsetMembersArgs("PFADD", key, elements)...)
}

// PFCount returns the estimated number of distinct elements added to the
// HyperLogLogs at keys (of their union when several).
func (c Cmdable) PFCount(ctx context.Context, keys ...string) Result[int64] {
	return run(c, ctx, decInt, keysArgs("PFCOUNT", keys)...)
}

// PFMerge stores the union of the HyperLogLogs at keys at destination.
func (c Cmdable) PFMerge(ctx context.Context, destination string, keys ...string) Result[string] {
	args := make([]any, 0, 2+len(keys))
	args = append(args, "PFMERGE", destination)
	for _, k := range keys {
		args = append(args, k)
	}
	return run(c, ctx, decStatus, args...)
}

// bitFieldArgs returns name, key and the operations.
func bitFieldArgs(name, key string, ops BitFieldOps) []any {
	args := make([]any, 0, 2+len(ops))
	args = append(args, name, key)
	return append(args, ops...)
}

// bitOpArgs returns BITOP, the operation, destination and keys.
func bitOpArgs(op, destination string, keys []string) []any {
	args := make([]any, 0, 3+len(keys))
	args = append(args, "BITOP", op, destination)
	for _, k := range keys {
		args = append(args, k)
	}
	return args
}

// bitDecodeFields reads BITFIELD's results: integers, and nil for an
// operation that OVERFLOW FAIL stopped.
func bitDecodeFields(r *redis.Reply) ([]*int64, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]*int64, len(es))
	for i := range es {
		if es[i].Kind == redis.KindNull {
			continue
		}
		n, err := decInt(&es[i])
		if err != nil {
			return nil, err
		}
		out[i] = &n
	}
	return out, nil
}
