package command

import (
	"context"
	"fmt"

	redis "github.com/duoredis/redis"
)

func init() {
	defaultCallbacks["HEXISTS"] = wrap(decBool)
	defaultCallbacks["HSETNX"] = wrap(decBool)
	defaultCallbacks["HMSET"] = wrap(decBool)
	defaultCallbacks["HINCRBYFLOAT"] = wrap(decFloat)
	defaultCallbacks["HRANDFIELD"] = hashRandFieldCallback
}

// HashField is one field of a hash and its value, as HRANDFIELD ...
// WITHVALUES and HSCAN return them.
type HashField struct {
	Field string
	Value string
}

// HDel deletes fields from the hash at key and returns how many existed.
func (c Cmdable) HDel(ctx context.Context, key string, fields ...string) Result[int64] {
	return run(c, ctx, decInt, hashKeyFieldsArgs("HDEL", key, fields)...)
}

// HExists reports whether field exists in the hash at key.
func (c Cmdable) HExists(ctx context.Context, key, field string) Result[bool] {
	return run(c, ctx, decBool, "HEXISTS", key, field)
}

// HGet returns the value of field in the hash at key; redis.Nil when the
// field or the key does not exist.
func (c Cmdable) HGet(ctx context.Context, key, field string) Result[string] {
	return run(c, ctx, decString, "HGET", key, field)
}

// HGetAll returns every field and value of the hash at key (an empty map
// when the key does not exist).
func (c Cmdable) HGetAll(ctx context.Context, key string) Result[map[string]string] {
	return run(c, ctx, decStringMap, "HGETALL", key)
}

// HIncrBy increments the integer in field by increment and returns the new
// value.
func (c Cmdable) HIncrBy(ctx context.Context, key, field string, increment int64) Result[int64] {
	return run(c, ctx, decInt, "HINCRBY", key, field, increment)
}

// HIncrByFloat increments the float in field by increment and returns the
// new value.
func (c Cmdable) HIncrByFloat(ctx context.Context, key, field string, increment float64) Result[float64] {
	return run(c, ctx, decFloat, "HINCRBYFLOAT", key, field, increment)
}

// HKeys returns the field names of the hash at key.
func (c Cmdable) HKeys(ctx context.Context, key string) Result[[]string] {
	return run(c, ctx, decStrings, "HKEYS", key)
}

// HLen returns the number of fields of the hash at key (0 if missing).
func (c Cmdable) HLen(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "HLEN", key)
}

// HMGet returns the values of fields, each a string or nil for a missing
// field.
func (c Cmdable) HMGet(ctx context.Context, key string, fields ...string) Result[[]any] {
	return run(c, ctx, decNullableStrings, hashKeyFieldsArgs("HMGET", key, fields)...)
}

// HMSet sets the fields of values in the hash at key and reports success
// (true), as redis-py does. HMSET is deprecated in favour of HSet, which
// takes the same map and returns the number of fields added.
func (c Cmdable) HMSet(ctx context.Context, key string, values map[string]any) Result[bool] {
	return run(c, ctx, decOK, hashMapArgs("HMSET", key, values)...)
}

// HSet sets the fields of values in the hash at key and returns how many
// fields were added (fields that existed and were updated do not count).
func (c Cmdable) HSet(ctx context.Context, key string, values map[string]any) Result[int64] {
	return run(c, ctx, decInt, hashMapArgs("HSET", key, values)...)
}

// HSetPairs is HSet with the fields in order, as alternating field names
// and values: HSetPairs(ctx, "h", "f1", "v1", "f2", 2). Field names must be
// strings; a name of another type, or a field without a value, is a
// *redis.DataError and nothing is sent. With no pairs at all the server
// answers with an error, as it does for HSet with an empty map.
func (c Cmdable) HSetPairs(ctx context.Context, key string, pairs ...any) Result[int64] {
	if len(pairs)%2 != 0 {
		return Result[int64]{err: &redis.DataError{Pos: 2 + len(pairs), Type: "nothing",
			Msg: fmt.Sprintf("HSetPairs needs field/value pairs, got %d arguments", len(pairs))}}
	}
	args := make([]any, 0, 2+len(pairs))
	args = append(args, "HSET", key)
	for i := 0; i < len(pairs); i += 2 {
		if _, ok := pairs[i].(string); !ok {
			return Result[int64]{err: &redis.DataError{Pos: 2 + i, Type: fmt.Sprintf("%T", pairs[i]),
				Msg: "a field name must be a string"}}
		}
	}
	args = append(args, pairs...)
	return run(c, ctx, decInt, args...)
}

// HSetNX sets field to value only if the field does not exist, and reports
// whether it did.
func (c Cmdable) HSetNX(ctx context.Context, key, field string, value any) Result[bool] {
	return run(c, ctx, decBool, "HSETNX", key, field, value)
}

// HRandField returns a random field of the hash at key; redis.Nil when the
// key does not exist.
func (c Cmdable) HRandField(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decString, "HRANDFIELD", key)
}

// HRandFieldN returns up to count distinct random fields, or with a negative
// count exactly -count fields that may repeat (empty when the key does not
// exist).
func (c Cmdable) HRandFieldN(ctx context.Context, key string, count int64) Result[[]string] {
	return run(c, ctx, decStrings, "HRANDFIELD", key, count)
}

// HRandFieldWithValues is HRandFieldN returning the fields with their values
// (HRANDFIELD ... WITHVALUES). A slice, not a map, since a negative count
// may repeat fields.
func (c Cmdable) HRandFieldWithValues(ctx context.Context, key string, count int64) Result[[]HashField] {
	return run(c, ctx, hashDecodeFields, "HRANDFIELD", key, count, "WITHVALUES")
}

// HScan returns one page of the hash at key from cursor, with fields and
// values alternating in Keys; see Client.HScanIter for all of them.
func (c Cmdable) HScan(ctx context.Context, key string, cursor uint64, a ScanArgs) Result[ScanResult] {
	return run(c, ctx, decScan, scanArgs("HSCAN", key, cursor, a)...)
}

// HStrLen returns the length of the value of field (0 if missing).
func (c Cmdable) HStrLen(ctx context.Context, key, field string) Result[int64] {
	return run(c, ctx, decInt, "HSTRLEN", key, field)
}

// HVals returns the values of the hash at key.
func (c Cmdable) HVals(ctx context.Context, key string) Result[[]string] {
	return run(c, ctx, decStrings, "HVALS", key)
}

// hashKeyFieldsArgs returns name, key and the fields.
func hashKeyFieldsArgs(name, key string, fields []string) []any {
	args := make([]any, 0, 2+len(fields))
	args = append(args, name, key)
	for _, f := range fields {
		args = append(args, f)
	}
	return args
}

// hashMapArgs returns name, key and the field/value pairs of m.
func hashMapArgs(name, key string, m map[string]any) []any {
	args := make([]any, 0, 2+2*len(m))
	args = append(args, name, key)
	for f, v := range m {
		args = append(args, f, v)
	}
	return args
}

// hashEachPair calls fn for each field/value pair of a reply that is a
// RESP2 flat array (f1, v1, f2, v2, ...), a RESP3 array of two-element
// arrays ([f1, v1], [f2, v2], ...) or a RESP3 map.
func hashEachPair(r *redis.Reply, fn func(k, v *redis.Reply) error) error {
	if r.Kind == redis.KindArray && len(r.Elems) > 0 && r.Elems[0].Kind == redis.KindArray {
		for i := range r.Elems {
			p := &r.Elems[i]
			if p.Kind != redis.KindArray || len(p.Elems) != 2 {
				return unexpected("[field, value] pair", p)
			}
			if err := fn(&p.Elems[0], &p.Elems[1]); err != nil {
				return err
			}
		}
		return nil
	}
	return pairs(r, fn)
}

// hashDecodeFields reads field/value pairs in any of the shapes of
// hashEachPair.
func hashDecodeFields(r *redis.Reply) ([]HashField, error) {
	n := len(r.Elems)
	if n > 0 && r.Elems[0].Kind != redis.KindArray {
		n /= 2
	}
	out := make([]HashField, 0, n)
	err := hashEachPair(r, func(k, v *redis.Reply) error {
		f, err := decString(k)
		if err != nil {
			return err
		}
		val, err := decString(v)
		if err != nil {
			return err
		}
		out = append(out, HashField{Field: f, Value: val})
		return nil
	})
	return out, err
}

// hashRandFieldCallback is Do's callback for HRANDFIELD, whose reply has
// three shapes: a field (or nil), a list of fields, and with WITHVALUES
// field/value pairs, which RESP3 nests. Pairs come out as the flat RESP2
// list under both protocols.
func hashRandFieldCallback(r *redis.Reply, o CallbackOptions) (any, error) {
	if r.Kind != redis.KindArray || len(r.Elems) == 0 || r.Elems[0].Kind != redis.KindArray {
		return ToAny(r, o.Decode), nil
	}
	out := make([]any, 0, 2*len(r.Elems))
	err := hashEachPair(r, func(k, v *redis.Reply) error {
		out = append(out, ToAny(k, o.Decode), ToAny(v, o.Decode))
		return nil
	})
	return out, err
}
