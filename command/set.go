package command

import (
	"context"

	redis "github.com/duoredis/redis"
)

func init() {
	// RESP3 answers these with a set; the callbacks give the []string of
	// the typed methods under both protocols, as SMEMBERS's does.
	for _, name := range []string{"SDIFF", "SINTER", "SUNION"} {
		defaultCallbacks[name] = wrap(decStrings)
	}
	defaultCallbacks["SISMEMBER"] = wrap(decBool)
	defaultCallbacks["SMISMEMBER"] = wrap(decBools)
	defaultCallbacks["SMOVE"] = wrap(decBool)
}

// SAdd adds members to the set at key and returns how many were new.
func (c Cmdable) SAdd(ctx context.Context, key string, members ...any) Result[int64] {
	return run(c, ctx, decInt, setMembersArgs("SADD", key, members)...)
}

// SCard returns the number of members of the set at key (0 if missing).
func (c Cmdable) SCard(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "SCARD", key)
}

// SDiff returns the members of the first set that are in none of the
// others.
func (c Cmdable) SDiff(ctx context.Context, keys ...string) Result[[]string] {
	return run(c, ctx, decStrings, keysArgs("SDIFF", keys)...)
}

// SDiffStore stores SDiff of keys in destination and returns its size.
func (c Cmdable) SDiffStore(ctx context.Context, destination string, keys ...string) Result[int64] {
	return run(c, ctx, decInt, setStoreArgs("SDIFFSTORE", destination, keys)...)
}

// SInter returns the members common to all the sets of keys.
func (c Cmdable) SInter(ctx context.Context, keys ...string) Result[[]string] {
	return run(c, ctx, decStrings, keysArgs("SINTER", keys)...)
}

// SInterCard returns the size of SInter of keys, counting up to limit (0:
// no limit).
func (c Cmdable) SInterCard(ctx context.Context, limit int64, keys ...string) Result[int64] {
	args := make([]any, 0, 4+len(keys))
	args = append(args, "SINTERCARD", len(keys))
	for _, k := range keys {
		args = append(args, k)
	}
	if limit != 0 {
		args = append(args, "LIMIT", limit)
	}
	return run(c, ctx, decInt, args...)
}

// SInterStore stores SInter of keys in destination and returns its size.
func (c Cmdable) SInterStore(ctx context.Context, destination string, keys ...string) Result[int64] {
	return run(c, ctx, decInt, setStoreArgs("SINTERSTORE", destination, keys)...)
}

// SIsMember reports whether member is in the set at key.
func (c Cmdable) SIsMember(ctx context.Context, key string, member any) Result[bool] {
	return run(c, ctx, decBool, "SISMEMBER", key, member)
}

// SMembers returns the members of the set at key, in no particular order
// (empty when the key does not exist).
func (c Cmdable) SMembers(ctx context.Context, key string) Result[[]string] {
	return run(c, ctx, decStrings, "SMEMBERS", key)
}

// SMembersMap is SMembers as a set: a map whose keys are the members.
func (c Cmdable) SMembersMap(ctx context.Context, key string) Result[map[string]struct{}] {
	return run(c, ctx, setDecodeMap, "SMEMBERS", key)
}

// SMIsMember reports, for each of members, whether it is in the set at key.
func (c Cmdable) SMIsMember(ctx context.Context, key string, members ...any) Result[[]bool] {
	return run(c, ctx, decBools, setMembersArgs("SMISMEMBER", key, members)...)
}

// SMove moves member from the set at source to the set at destination and
// reports whether it did (false when member was not in source).
func (c Cmdable) SMove(ctx context.Context, source, destination string, member any) Result[bool] {
	return run(c, ctx, decBool, "SMOVE", source, destination, member)
}

// SPop removes and returns a random member; redis.Nil when the key does not
// exist.
func (c Cmdable) SPop(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decString, "SPOP", key)
}

// SPopN removes and returns up to count random members (empty when the key
// does not exist).
func (c Cmdable) SPopN(ctx context.Context, key string, count int64) Result[[]string] {
	return run(c, ctx, decStrings, "SPOP", key, count)
}

// SRandMember returns a random member without removing it; redis.Nil when
// the key does not exist.
func (c Cmdable) SRandMember(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decString, "SRANDMEMBER", key)
}

// SRandMemberN returns up to count distinct random members, or with a
// negative count exactly -count members that may repeat (empty when the key
// does not exist).
func (c Cmdable) SRandMemberN(ctx context.Context, key string, count int64) Result[[]string] {
	return run(c, ctx, decStrings, "SRANDMEMBER", key, count)
}

// SRem removes members from the set at key and returns how many were there.
func (c Cmdable) SRem(ctx context.Context, key string, members ...any) Result[int64] {
	return run(c, ctx, decInt, setMembersArgs("SREM", key, members)...)
}

// SScan returns one page of the set at key from cursor; see
// Client.SScanIter for all of them.
func (c Cmdable) SScan(ctx context.Context, key string, cursor uint64, a ScanArgs) Result[ScanResult] {
	return run(c, ctx, decScan, scanArgs("SSCAN", key, cursor, a)...)
}

// SUnion returns the members of any of the sets of keys.
func (c Cmdable) SUnion(ctx context.Context, keys ...string) Result[[]string] {
	return run(c, ctx, decStrings, keysArgs("SUNION", keys)...)
}

// SUnionStore stores SUnion of keys in destination and returns its size.
func (c Cmdable) SUnionStore(ctx context.Context, destination string, keys ...string) Result[int64] {
	return run(c, ctx, decInt, setStoreArgs("SUNIONSTORE", destination, keys)...)
}

// setMembersArgs returns name, key and members.
func setMembersArgs(name, key string, members []any) []any {
	args := make([]any, 0, 2+len(members))
	args = append(args, name, key)
	return append(args, members...)
}

// setStoreArgs returns name, destination and keys.
func setStoreArgs(name, destination string, keys []string) []any {
	args := make([]any, 0, 2+len(keys))
	args = append(args, name, destination)
	for _, k := range keys {
		args = append(args, k)
	}
	return args
}

// setDecodeMap reads a set (or RESP2 array) of strings as a map.
func setDecodeMap(r *redis.Reply) (map[string]struct{}, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make(map[string]struct{}, len(es))
	for i := range es {
		s, err := decString(&es[i])
		if err != nil {
			return nil, err
		}
		out[s] = struct{}{}
	}
	return out, nil
}
