package command

import (
	"fmt"
	"time"

	redis "github.com/duoredis/redis"
)

// Argument builders, decoders and Do's callbacks of the sorted-set
// commands.

func init() {
	defaultCallbacks["ZADD"] = zsetAddCallback
	defaultCallbacks["ZSCORE"] = wrap(decFloat)
	defaultCallbacks["ZINCRBY"] = wrap(decFloat)
	defaultCallbacks["ZMSCORE"] = wrap(decFloats)
	defaultCallbacks["ZPOPMIN"] = wrap(zsetDecodeZs)
	defaultCallbacks["ZPOPMAX"] = wrap(zsetDecodeZs)
	defaultCallbacks["BZPOPMIN"] = wrap(zsetDecodeZWithKey)
	defaultCallbacks["BZPOPMAX"] = wrap(zsetDecodeZWithKey)
	defaultCallbacks["ZMPOP"] = wrap(zsetDecodeMPop)
	defaultCallbacks["BZMPOP"] = wrap(zsetDecodeMPop)
	for _, name := range []string{"ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE", "ZREVRANGEBYSCORE",
		"ZUNION", "ZINTER", "ZDIFF", "ZRANDMEMBER"} {
		defaultCallbacks[name] = zsetRangeCallback
	}
}

// zsetWithScores are the callback options of the WITHSCORES variants, so
// that a client's response callback sees the option, as redis-py passes
// withscores=True.
var zsetWithScores = CallbackOptions{WithScores: true}

// zsetTimeoutArg is a blocking command's timeout in seconds: an integer
// when whole, a decimal otherwise.
func zsetTimeoutArg(d time.Duration) any {
	if d%time.Second == 0 {
		return int64(d / time.Second)
	}
	return d.Seconds()
}

// zsetBlockingArgs returns name, keys and the timeout (BZPOPMIN, BZPOPMAX).
func zsetBlockingArgs(name string, keys []string, timeout time.Duration) []any {
	args := make([]any, 0, 2+len(keys))
	args = append(args, name)
	for _, k := range keys {
		args = append(args, k)
	}
	return append(args, zsetTimeoutArg(timeout))
}

// zsetMPopArgs appends numkeys, keys, the order and COUNT to args.
func zsetMPopArgs(args []any, order string, count int64, keys []string) []any {
	args = append(args, len(keys))
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, order)
	if count > 0 {
		args = append(args, "COUNT", count)
	}
	return args
}

// zsetAddArgs returns ZADD, key and the flags, with room for n more.
func zsetAddArgs(key string, a ZAddArgs, n int) []any {
	args := make([]any, 0, 7+n)
	args = append(args, "ZADD", key)
	if a.NX {
		args = append(args, "NX")
	}
	if a.XX {
		args = append(args, "XX")
	}
	if a.GT {
		args = append(args, "GT")
	}
	if a.LT {
		args = append(args, "LT")
	}
	if a.CH {
		args = append(args, "CH")
	}
	return args
}

// zsetNumKeysArgs returns name, destination (unless ""), numkeys and keys,
// with room for extra more.
func zsetNumKeysArgs(name, destination string, keys []string, extra int) []any {
	args := make([]any, 0, 3+len(keys)+extra)
	args = append(args, name)
	if destination != "" {
		args = append(args, destination)
	}
	args = append(args, len(keys))
	for _, k := range keys {
		args = append(args, k)
	}
	return args
}

// zsetStoreArgs returns the arguments of ZUNION, ZINTER and their STORE
// forms.
func zsetStoreArgs(name, destination string, s ZStore, withScores bool) []any {
	args := zsetNumKeysArgs(name, destination, s.Keys, 4+len(s.Weights))
	if len(s.Weights) > 0 {
		args = append(args, "WEIGHTS")
		for _, w := range s.Weights {
			args = append(args, w)
		}
	}
	if s.Aggregate != "" {
		args = append(args, "AGGREGATE", s.Aggregate)
	}
	if withScores {
		args = append(args, "WITHSCORES")
	}
	return args
}

// zsetMembersArgs returns name, key and members.
func zsetMembersArgs(name, key string, members []any) []any {
	args := make([]any, 0, 2+len(members))
	args = append(args, name, key)
	return append(args, members...)
}

// zsetRangeArgs returns the arguments of ZRANGE (destination "") or
// ZRANGESTORE.
func zsetRangeArgs(name, destination, key string, a ZRangeArgs, withScores bool) []any {
	args := make([]any, 0, 11)
	args = append(args, name)
	if destination != "" {
		args = append(args, destination)
	}
	args = append(args, key)
	start, stop := a.Start, a.Stop
	var lo, hi any = int64(0), int64(-1)
	switch {
	case a.ByScore:
		lo, hi = "-inf", "+inf"
	case a.ByLex:
		lo, hi = "-", "+"
	}
	if start == nil {
		start = lo
	}
	if stop == nil {
		stop = hi
	}
	if a.Rev && (a.ByScore || a.ByLex) {
		start, stop = stop, start // REV takes the upper bound first
	}
	args = append(args, start, stop)
	switch {
	case a.ByScore:
		args = append(args, "BYSCORE")
	case a.ByLex:
		args = append(args, "BYLEX")
	}
	if a.Rev {
		args = append(args, "REV")
	}
	if a.Offset != 0 || a.Count != 0 {
		args = append(args, "LIMIT", a.Offset, a.Count)
	}
	if withScores {
		args = append(args, "WITHSCORES")
	}
	return args
}

// zsetRangeByArgs returns the arguments of ZRANGEBYSCORE, ZRANGEBYLEX and
// their REV forms, which take the upper bound first.
func zsetRangeByArgs(name, key string, r ZRangeBy, rev, lex, withScores bool) []any {
	lo, hi := "-inf", "+inf"
	if lex {
		lo, hi = "-", "+"
	}
	if r.Min != "" {
		lo = r.Min
	}
	if r.Max != "" {
		hi = r.Max
	}
	if rev {
		lo, hi = hi, lo
	}
	args := make([]any, 0, 8)
	args = append(args, name, key, lo, hi)
	if withScores {
		args = append(args, "WITHSCORES")
	}
	if r.Offset != 0 || r.Count != 0 {
		args = append(args, "LIMIT", r.Offset, r.Count)
	}
	return args
}

// zsetDecodePair reads one member and its score (a RESP3 double or a RESP2
// bulk string).
func zsetDecodePair(m, s *redis.Reply) (Z, error) {
	var z Z
	var err error
	if z.Member, err = decString(m); err != nil {
		return Z{}, err
	}
	if z.Score, err = decFloat(s); err != nil {
		return Z{}, err
	}
	return z, nil
}

// zsetDecodeZs reads members with scores in each shape the server uses:
// RESP2's flat [m, s, m, s, ...], RESP3's nested [[m, s], [m, s], ...],
// and RESP3's flat [m, s] of ZPOPMIN/ZPOPMAX without a count. Nil and an
// empty array give an empty slice.
func zsetDecodeZs(r *redis.Reply) ([]Z, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	if len(es) > 0 && es[0].Kind.IsAggregate() {
		out := make([]Z, len(es))
		for i := range es {
			p := &es[i]
			if p.Kind != redis.KindArray || len(p.Elems) != 2 {
				return nil, unexpected("[member, score]", p)
			}
			if out[i], err = zsetDecodePair(&p.Elems[0], &p.Elems[1]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if len(es)%2 != 0 {
		return nil, fmt.Errorf("redis: expected member/score pairs, got %d elements", len(es))
	}
	out := make([]Z, len(es)/2)
	for i := range out {
		if out[i], err = zsetDecodePair(&es[2*i], &es[2*i+1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// zsetDecodeZWithKey reads the [key, member, score] of BZPOPMIN and
// BZPOPMAX; nil (a timeout) is redis.Nil.
func zsetDecodeZWithKey(r *redis.Reply) (ZWithKey, error) {
	if r.Kind == redis.KindNull {
		return ZWithKey{}, redis.Nil
	}
	es, err := elems(r)
	if err != nil {
		return ZWithKey{}, err
	}
	if len(es) != 3 {
		return ZWithKey{}, unexpected("[key, member, score]", r)
	}
	var out ZWithKey
	if out.Key, err = decString(&es[0]); err != nil {
		return ZWithKey{}, err
	}
	if out.Z, err = zsetDecodePair(&es[1], &es[2]); err != nil {
		return ZWithKey{}, err
	}
	return out, nil
}

// zsetDecodeMPop reads the [key, [[member, score], ...]] of ZMPOP and
// BZMPOP (nested under both protocols); nil is redis.Nil.
func zsetDecodeMPop(r *redis.Reply) (ZMPopResult, error) {
	if r.Kind == redis.KindNull {
		return ZMPopResult{}, redis.Nil
	}
	es, err := elems(r)
	if err != nil {
		return ZMPopResult{}, err
	}
	if len(es) != 2 {
		return ZMPopResult{}, unexpected("[key, members]", r)
	}
	var out ZMPopResult
	if out.Key, err = decString(&es[0]); err != nil {
		return ZMPopResult{}, err
	}
	if out.Members, err = zsetDecodeZs(&es[1]); err != nil {
		return ZMPopResult{}, err
	}
	return out, nil
}

// zsetAddCallback is Do's callback for ZADD: the count as an integer, or
// with INCR the new score as a float (redis.Nil when a flag prevented it).
func zsetAddCallback(r *redis.Reply, _ CallbackOptions) (any, error) {
	if r.Kind == redis.KindInteger {
		return r.Int, nil
	}
	return decFloat(r)
}

// zsetRangeCallback is the callback of the commands that may return
// scores: with the WithScores option, []Z; otherwise the RESP2 shape under
// both protocols (RESP3's nested pairs flattened and its doubles as the
// text the server sent), as plain values the way Do returns them.
func zsetRangeCallback(r *redis.Reply, o CallbackOptions) (any, error) {
	if o.WithScores {
		return zsetDecodeZs(r)
	}
	if r.Kind != redis.KindArray {
		return zsetText(r, o.Decode), nil
	}
	out := make([]any, 0, len(r.Elems))
	for i := range r.Elems {
		e := &r.Elems[i]
		if e.Kind == redis.KindArray {
			for j := range e.Elems {
				out = append(out, zsetText(&e.Elems[j], o.Decode))
			}
			continue
		}
		out = append(out, zsetText(e, o.Decode))
	}
	return out, nil
}

// zsetText is ToAny with RESP3 doubles as the text the server sent, which
// is what RESP2 sends as a bulk string.
func zsetText(r *redis.Reply, decode bool) any {
	if r.Kind == redis.KindDouble {
		if decode {
			return string(r.Str)
		}
		return append([]byte(nil), r.Str...)
	}
	return ToAny(r, decode)
}
