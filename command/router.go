package command

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// Router chooses the node that runs each command of a routed engine (see
// NewRoutedEngine): a Redis Cluster client implements it. Its methods are
// called concurrently, from the goroutines of the callers, and must not
// block on the network.
type Router interface {
	// Node returns the engine of the node to run a command on: the master
	// that serves slot, or, when readOnly is true, the node its
	// replica-read policy picks among the slot's master and replicas.
	// Slot -1 (a keyless command) asks for any master.
	Node(slot int, readOnly bool) (*Engine, error)
	// NodeAt returns the engine of the node at addr (host:port, as a MOVED
	// or ASK redirect names it), making it if it is new.
	NodeAt(addr string) (*Engine, error)
	// Masters returns the engines of every master, for the commands that
	// run on all of them (DBSIZE, FLUSHALL, SCRIPT LOAD, ...).
	Masters() ([]*Engine, error)
	// Moved reports a MOVED redirect: slot is served by the node at addr
	// from now on.
	Moved(slot int, addr string)
	// Failed reports that running a command on node failed with err: a
	// connection error, CLUSTERDOWN, TRYAGAIN, LOADING, READONLY. The router
	// decides whether to refresh its view of the cluster, and whether to
	// avoid the node for a while.
	Failed(node *Engine, err error)
	// MaxRedirects bounds the redirects and retries of one command.
	MaxRedirects() int
}

// NewRoutedEngine returns an engine that runs each command on the node r
// picks by the hash slot of the command's keys, following MOVED and ASK
// redirects and retrying TRYAGAIN, CLUSTERDOWN and LOADING with a
// jittered backoff, up to r.MaxRedirects() times and within the context.
// It is the engine of a cluster client; each node's own engine comes from
// NodeEngine. decode is the client's DecodeResponses setting.
//
// What it does with each kind of command:
//   - a command with keys runs on the node that serves their slot; keys in
//     different slots give a *redis.CrossSlotError before anything is sent,
//     except for MGET, MSET, DEL, UNLINK, EXISTS and TOUCH, which are split
//     by slot, sent in parallel (one round trip per node) and joined again
//     in the caller's key order: not atomically, as the server would have
//     run them on one node;
//   - DBSIZE (summed), KEYS (joined), FLUSHALL, FLUSHDB, SCRIPT FLUSH,
//     SCRIPT LOAD, SCRIPT EXISTS (true where every master has the script),
//     FUNCTION LOAD/DELETE/FLUSH and PING run on every master;
//   - other keyless commands run on a random master;
//   - after a connection error a command is sent again only when it was
//     never sent (the dial failed) or when it is read-only.
func NewRoutedEngine(r Router, decode bool) *Engine {
	return &Engine{router: r, decode: decode, cbs: &callbackSet{}, hooks: &hookSet{}}
}

// NodeEngine returns the engine of one node of the routed engine e: it
// runs commands on p (and on m, when not nil, for auto-pipelining), with
// e's response callbacks, hooks, DecodeResponses and retry-on-timeout
// settings.
func (e *Engine) NodeEngine(p *pool.Pool, m *pool.Mux) *Engine {
	return &Engine{pool: p, mux: m, decode: e.decode, cbs: e.cbs, hooks: e.hooks, retryOnTimeout: e.retryOnTimeout}
}

// Masters returns, for a routed engine, the engines of the cluster's
// masters; a plain engine returns itself.
func (e *Engine) Masters() ([]*Engine, error) {
	if e.router == nil {
		return []*Engine{e}, nil
	}
	return e.router.Masters()
}

// Routed reports whether e routes commands over a cluster's nodes.
func (e *Engine) Routed() bool { return e.router != nil }

// NodeFor returns, for a routed engine, the engine of the master that
// serves the slot of keys, and that slot; keys in several slots give a
// *redis.CrossSlotError. A plain engine returns itself and -1. Pipelines
// use it to WATCH keys on the right node.
func (e *Engine) NodeFor(keys ...string) (*Engine, int, error) {
	if e.router == nil {
		return e, -1, nil
	}
	slot := -1
	var slots []int
	for _, k := range keys {
		s := Slot(k)
		if slot < 0 {
			slot = s
		}
		if s != slot || slots != nil {
			slots = addSlot(slots, s, slot)
		}
	}
	if slots != nil {
		return nil, -1, &redis.CrossSlotError{Command: "WATCH", Slots: slots}
	}
	n, err := e.router.Node(slot, false)
	return n, slot, err
}

// addSlot records s among the distinct slots (first is the first one).
func addSlot(slots []int, s, first int) []int {
	if slots == nil {
		slots = []int{first}
	}
	for _, x := range slots {
		if x == s {
			return slots
		}
	}
	return append(slots, s)
}

// WithSlotConn returns an engine of the routed engine e that runs every
// command at once on cn, a connection of the node that serves slot (a
// pipeline in WATCH mode), and refuses with a *redis.CrossSlotError any
// command or transaction whose keys are in another slot.
func (e *Engine) WithSlotConn(cn *pool.Conn, slot int) *Engine {
	c := e.WithConn(cn)
	c.pin = int32(slot) + 1
	return c
}

// The actions that a command's outcome calls for.
const (
	actDone   = iota
	actMoved  // follow the MOVED redirect, after updating the slot map
	actAsk    // ASKING, then the command on the node named
	actRetry  // TRYAGAIN, CLUSTERDOWN, LOADING, READONLY: later, after a backoff
	actResend // a connection error on a command that was not sent, or is read-only
)

// classify says what to do after err, the outcome of a command (ro: a
// read-only one; sent: it may have reached the server).
func classify(err error, ro, sent bool) (act, slot int, addr string) {
	var moved *redis.MovedError
	var ask *redis.AskError
	switch {
	case err == nil:
		return actDone, 0, ""
	case errors.As(err, &moved):
		return actMoved, moved.Slot, moved.Addr
	case errors.As(err, &ask):
		return actAsk, ask.Slot, ask.Addr
	}
	var ta *redis.TryAgainError
	var cd *redis.ClusterDownError
	var ld *redis.BusyLoadingError
	var rdo *redis.ReadOnlyError
	if errors.As(err, &ta) || errors.As(err, &cd) || errors.As(err, &ld) || errors.As(err, &rdo) {
		return actRetry, 0, ""
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return actDone, 0, ""
	}
	if notSent(err) || (!sent && ioError(err)) {
		return actResend, 0, ""
	}
	if ro && ioError(err) {
		return actResend, 0, ""
	}
	return actDone, 0, ""
}

// notSent reports whether err says that the command never left the client:
// the connection could not be made (dial, TLS or RESP handshake), or the
// node's pool or auto-pipeline was closed (the node left the cluster).
func notSent(err error) bool {
	var ce *redis.ConnectionError
	var te *redis.TimeoutError
	var he *pool.HandshakeError
	switch {
	case errors.As(err, &he):
		return true
	case errors.As(err, &ce):
		return ce.Op == "dial" || ce.Op == "tls handshake"
	case errors.As(err, &te):
		return te.Op == "dial" || te.Op == "tls handshake"
	}
	return errors.Is(err, pool.ErrClosed) || errors.Is(err, pool.ErrMuxClosed)
}

// ioError reports whether err is a connection or timeout error (not a
// server's error reply).
func ioError(err error) bool {
	var ce *redis.ConnectionError
	var te *redis.TimeoutError
	return errors.As(err, &ce) || errors.As(err, &te)
}

// backoff waits before try+1 of a command that got TRYAGAIN, CLUSTERDOWN
// or LOADING: 10 ms doubling up to 320 ms, jittered by ±50%, or until ctx
// ends.
func backoff(ctx context.Context, try int) error {
	if try > 5 {
		try = 5
	}
	d := 10 * time.Millisecond << try
	d = d/2 + rand.N(d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// argSlot returns the hash slot of a key argument.
func argSlot(a any) int {
	switch v := a.(type) {
	case string:
		return Slot(v)
	case []byte:
		return Slot(string(v))
	}
	s, _ := argText(a)
	return Slot(s)
}

// splittable reports whether a multi-key command may be split by slot.
func splittable(name string) bool {
	switch name {
	case "MGET", "MSET", "DEL", "UNLINK", "EXISTS", "TOUCH":
		return true
	}
	return false
}

// How a command that runs on every master joins the replies.
const (
	fanNone   = iota
	fanSum    // integers added (DBSIZE)
	fanConcat // arrays joined (KEYS)
	fanFirst  // the first master's reply, when every master succeeded
	fanAnd    // element-wise AND of arrays of 0/1 (SCRIPT EXISTS)
)

// fanOut returns how a keyless command runs on every master, or fanNone.
func fanOut(name string) int {
	switch name {
	case "DBSIZE":
		return fanSum
	case "KEYS":
		return fanConcat
	case "FLUSHALL", "FLUSHDB", "SCRIPT FLUSH", "SCRIPT LOAD", "FUNCTION LOAD", "FUNCTION DELETE",
		"FUNCTION FLUSH", "FUNCTION RESTORE", "PING":
		return fanFirst
	case "SCRIPT EXISTS":
		return fanAnd
	}
	return fanNone
}

// readOnlyCommand reports whether a command only reads: it may run on a
// replica (with replica reads on), and it is sent again after a connection
// error.
func readOnlyCommand(name string) bool {
	switch name {
	case "GET", "MGET", "STRLEN", "GETRANGE", "SUBSTR", "LCS", "EXISTS", "TYPE", "TTL", "PTTL",
		"EXPIRETIME", "PEXPIRETIME", "DUMP", "TOUCH", "OBJECT ENCODING", "OBJECT FREQ", "OBJECT IDLETIME",
		"OBJECT REFCOUNT", "MEMORY USAGE", "RANDOMKEY", "KEYS", "SCAN", "DBSIZE",
		"HGET", "HMGET", "HGETALL", "HKEYS", "HVALS", "HLEN", "HEXISTS", "HSTRLEN", "HRANDFIELD", "HSCAN",
		"LRANGE", "LLEN", "LINDEX", "LPOS",
		"SMEMBERS", "SISMEMBER", "SMISMEMBER", "SCARD", "SRANDMEMBER", "SINTER", "SUNION", "SDIFF",
		"SINTERCARD", "SSCAN",
		"ZRANGE", "ZRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGE", "ZREVRANGEBYSCORE", "ZREVRANGEBYLEX",
		"ZSCORE", "ZMSCORE", "ZCARD", "ZCOUNT", "ZLEXCOUNT", "ZRANK", "ZREVRANK", "ZRANDMEMBER", "ZSCAN",
		"ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD",
		"BITCOUNT", "BITPOS", "GETBIT", "BITFIELD_RO", "PFCOUNT",
		"GEOPOS", "GEODIST", "GEOHASH", "GEOSEARCH", "GEORADIUS_RO", "GEORADIUSBYMEMBER_RO",
		"XRANGE", "XREVRANGE", "XLEN", "XINFO STREAM", "XINFO GROUPS", "XINFO CONSUMERS", "XPENDING",
		"EVAL_RO", "EVALSHA_RO", "FCALL_RO", "SORT_RO",
		"PING", "ECHO", "TIME", "INFO":
		return true
	}
	return false
}

// routed runs a command on a routed engine: on the node of its keys' slot,
// split by slot, or on every master, following redirects. args is never
// kept: split and fan-out work on a copy of its encoded form.
func routed[T any](e *Engine, ctx context.Context, k call[T], args []any) Result[T] {
	var buf [8]int
	pos := KeyPositions(buf[:0], args)
	name := CommandName(args)
	if k.cache > 0 {
		if e.conn == nil {
			return routedCached(e, ctx, k, args, pos, name)
		}
		k.cache = 0 // bound to one connection: it is not tracked
	}
	slot := -1
	if len(pos) > 0 {
		slot = argSlot(args[pos[0]])
		for _, p := range pos[1:] {
			if argSlot(args[p]) != slot {
				if splittable(name) && e.conn == nil {
					return split(e, ctx, k, args, name, pos)
				}
				return Result[T]{err: crossSlot(name, args, pos)}
			}
		}
	} else if pol := fanOut(name); pol != fanNone && e.conn == nil {
		return fanout(e, ctx, k, args, pol)
	}
	if e.conn != nil {
		// Bound to one node's connection (a pipeline in WATCH mode).
		if pin := int(e.pin) - 1; slot >= 0 && pin >= 0 && slot != pin {
			return Result[T]{err: &redis.CrossSlotError{Command: strings.Clone(name), Slots: []int{pin, slot}}}
		}
		return once(e, ctx, k, args)
	}
	return redirected(e, ctx, k, args, slot, readOnlyCommand(name))
}

// routedCached runs a read of a Cached command set on a routed engine: on
// the master of its slot, through that node's cache (cachedOnce), with
// MOVED, ASK and retries as for any command (an ASK'd read runs uncached:
// the slot is migrating); an MGET whose keys are in several slots is split
// by slot (cachedSplitMGet).
func routedCached[T any](e *Engine, ctx context.Context, k call[T], args []any, pos []int, name string) Result[T] {
	if _, _, ok := cacheSpec(args); !ok || len(pos) == 0 {
		return Result[T]{err: ErrNotCacheable}
	}
	slot := argSlot(args[pos[0]])
	for _, p := range pos[1:] {
		if argSlot(args[p]) != slot {
			if kk, ok := any(k).(call[[]any]); ok && name == "MGET" {
				if r, ok := any(cachedSplitMGet(e, ctx, kk, args)).(Result[T]); ok {
					return r
				}
			}
			return Result[T]{err: crossSlot(name, args, pos)}
		}
	}
	return redirected(e, ctx, k, args, slot, false)
}

// cachedSplitMGet is a Cached MGET whose keys are in several slots: the
// keys of each slot are a Cached MGET on the slot's master, through its
// cache. The slots whose keys are all in memory are answered at once, with
// no goroutine and no I/O; the others run in parallel, redirects
// followed. The values are joined in the caller's key order. Like any
// cluster MGET across slots it is not atomic.
func cachedSplitMGet(e *Engine, ctx context.Context, k call[[]any], args []any) Result[[]any] {
	keys := make([]string, len(args)-1)
	for i, a := range args[1:] {
		s, ok := argText(a)
		if !ok {
			return Result[[]any]{err: &redis.DataError{Pos: i + 1, Type: "key", Msg: "a key must be a string"}}
		}
		keys[i] = s
	}
	type group struct {
		slot int
		idx  []int
		res  Result[[]any]
	}
	var groups []*group
	bySlot := map[int]*group{}
	for i, key := range keys {
		s := Slot(key)
		g := bySlot[s]
		if g == nil {
			g = &group{slot: s}
			bySlot[s] = g
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
	}
	out := make([]any, len(keys))
	minTTL := int64(-1)
	var rest []*group
	for _, g := range groups {
		node, err := e.router.Node(g.slot, false)
		if err == nil && node.cache != nil && node.cache.peekGets(keys, g.idx, out, &minTTL) {
			continue
		}
		rest = append(rest, g)
	}
	if len(rest) == 0 {
		return Result[[]any]{val: out, cache: minTTL}
	}
	run := func(g *group) {
		gargs := make([]any, 1, 1+len(g.idx))
		gargs[0] = "MGET"
		for _, i := range g.idx {
			gargs = append(gargs, keys[i])
		}
		g.res = redirected(e, ctx, k, gargs, g.slot, false)
	}
	if len(rest) == 1 {
		run(rest[0])
	} else {
		var wg sync.WaitGroup
		for _, g := range rest[1:] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(g)
			}()
		}
		run(rest[0])
		wg.Wait()
	}
	for _, g := range rest {
		if g.res.err != nil {
			return Result[[]any]{err: g.res.err}
		}
		if len(g.res.val) != len(g.idx) {
			return Result[[]any]{err: &redis.ProtocolError{Msg: "MGET of " + strconv.Itoa(len(g.idx)) + " keys got " + strconv.Itoa(len(g.res.val)) + " values"}}
		}
		for j, i := range g.idx {
			out[i] = g.res.val[j]
		}
	}
	return Result[[]any]{val: out}
}

// crossSlot returns the error of a command whose keys (at pos) are in
// several slots.
func crossSlot(name string, args []any, pos []int) error {
	var slots []int
	first := argSlot(args[pos[0]])
	for _, p := range pos {
		slots = addSlot(slots, argSlot(args[p]), first)
	}
	return &redis.CrossSlotError{Command: strings.Clone(name), Slots: slots}
}

// redirected runs a command on the node of slot, following MOVED and ASK
// and retrying as classify says.
func redirected[T any](e *Engine, ctx context.Context, k call[T], args []any, slot int, ro bool) Result[T] {
	r := e.router
	limit := r.MaxRedirects()
	var node *Engine
	asking, timedOut := false, false
	for try := 0; ; try++ {
		if node == nil {
			n, err := r.Node(slot, ro)
			if err != nil {
				if try >= limit || backoff(ctx, try) != nil {
					return Result[T]{err: err}
				}
				continue
			}
			node = n
		}
		var res Result[T]
		if asking {
			res = onceAsking(node, ctx, k, args)
		} else {
			res = once(node, ctx, k, args)
		}
		if res.err == nil || try >= limit || ctx.Err() != nil {
			return res
		}
		act, mslot, addr := classify(res.err, ro, true)
		if act == actDone && node.retryOnTimeout && !timedOut {
			var te *redis.TimeoutError
			if errors.As(res.err, &te) && (te.Op == "read" || te.Op == "write") {
				act, timedOut = actResend, true
			}
		}
		asking = false
		switch act {
		case actDone:
			return res
		case actMoved:
			r.Moved(mslot, addr)
			n, err := r.NodeAt(addr)
			if err != nil {
				return res
			}
			node = n
		case actAsk:
			n, err := r.NodeAt(addr)
			if err != nil {
				return res
			}
			node, asking = n, true
		case actRetry:
			r.Failed(node, res.err)
			node = nil
			if backoff(ctx, try) != nil {
				return res
			}
		case actResend:
			r.Failed(node, res.err)
			node = nil
			if try > 0 && backoff(ctx, try-1) != nil {
				return res
			}
		}
	}
}

var askingCmd = redis.AppendBulkString(redis.AppendArrayHeader(nil, 1), "ASKING")

// onceAsking sends ASKING and the command on one pooled connection of
// node (an ASK redirect: the flag lasts for one command).
func onceAsking[T any](node *Engine, ctx context.Context, k call[T], args []any) Result[T] {
	var res Result[T]
	cn, err := node.pool.Get(ctx)
	if err != nil {
		res.err = err
		return res
	}
	defer node.pool.Put(cn)
	cn.WriteRaw(askingCmd, 1)
	if err := cn.WriteArgs(args...); err != nil {
		res.err = err
		return res
	}
	reply := cn.Reply()
	if err := cn.RoundTrip(ctx, reply, k.block); err != nil {
		res.err = err
		return res
	}
	if err := cn.ReadReplyBlocking(ctx, reply, k.block); err != nil {
		res.err = err
		return res
	}
	res.val, res.err = decode(node, reply, k, args, "")
	return res
}

// replyHolder is a queued command whose reply is kept as it is (a deep
// copy), for split commands to join.
type replyHolder struct {
	r    redis.Reply
	err  error
	done bool
	name string
}

func (h *replyHolder) Name() string { return h.name }
func (h *replyHolder) Err() error {
	if !h.done && h.err == nil {
		return ErrPending
	}
	return h.err
}
func (h *replyHolder) Value() any  { return nil }
func (h *replyHolder) Args() []any { return nil }
func (h *replyHolder) fill(_ *Engine, r *redis.Reply, _ string) {
	if r.IsError() {
		h.err = r.Err()
	} else {
		h.r, h.err = r.Clone(), nil
	}
	h.done = true
}
func (h *replyHolder) fail(err error)      { h.err, h.done = err, true }
func (h *replyHolder) setName(name string) { h.name = name }
func (h *replyHolder) reset()              { h.r, h.err, h.done = redis.Reply{}, nil, false }

// split runs a multi-key command whose keys (at pos) are in several slots
// as one command per slot, sent together (one round trip per node), and
// joins the replies in the caller's key order. The commands per slot are
// built from the bytes of the whole command, encoded once; an MGET's
// values go straight into its result (mgetPart).
func split[T any](e *Engine, ctx context.Context, k call[T], args []any, name string, pos []int) Result[T] {
	size := 16
	for _, a := range args {
		switch v := a.(type) {
		case string:
			size += len(v) + 16
		case []byte:
			size += len(v) + 16
		default:
			size += 40
		}
	}
	raw, err := redis.AppendCommand(make([]byte, 0, size), args...)
	if err != nil {
		return Result[T]{err: err}
	}
	spans := argSpans(raw, len(args))
	if len(spans) != len(args) {
		return Result[T]{err: fmt.Errorf("redis: %s: %d arguments encoded as %d", name, len(args), len(spans))}
	}
	// The keys in slot order, each slot's keys in the caller's order.
	keys := make([]slotKey, len(pos))
	for i, p := range pos {
		keys[i] = slotKey{slot: int32(argSlot(args[p])), at: int32(i)}
	}
	slices.SortStableFunc(keys, func(a, b slotKey) int { return int(a.slot - b.slot) })
	parts := 1
	for i := 1; i < len(keys); i++ {
		if keys[i].slot != keys[i-1].slot {
			parts++
		}
	}
	q := &Queue{routed: true}
	defer q.Release()
	q.grab()
	per := 1 // arguments per key
	if name == "MSET" {
		per = 2
	}
	var mj *mgetJoin
	var mparts []mgetPart
	var holders []replyHolder
	if _, ok := any(k).(call[[]any]); ok && name == "MGET" {
		if cb, _ := e.override(args, name); cb == nil {
			mj = &mgetJoin{strs: make([]string, len(pos)), out: make([]any, len(pos))}
			mparts = make([]mgetPart, parts)
		}
	}
	if mj == nil {
		holders = make([]replyHolder, parts)
	}
	for i, part := 0, 0; i < len(keys); part++ {
		j := i + 1
		for j < len(keys) && keys[j].slot == keys[i].slot {
			j++
		}
		start := len(q.buf)
		q.buf = append(q.buf, '*')
		q.buf = strconv.AppendInt(q.buf, int64(1+per*(j-i)), 10)
		q.buf = append(q.buf, '\r', '\n')
		q.buf = append(q.buf, raw[spans[0].start:spans[0].end]...)
		for _, key := range keys[i:j] {
			p := pos[key.at]
			end := spans[p].end
			if per == 2 && p+1 < len(spans) {
				end = spans[p+1].end
			}
			q.buf = append(q.buf, raw[spans[p].start:end]...)
		}
		var f filler
		if mj != nil {
			mparts[part] = mgetPart{j: mj, keys: keys[i:j]}
			f = &mparts[part]
		} else {
			f = &holders[part]
		}
		f.setName(name)
		q.cmds = append(q.cmds, queued{f: f, name: name, slot: keys[i].slot, start: int32(start), end: int32(len(q.buf))})
		i = j
	}
	e.execRouted(ctx, q)
	if mj != nil {
		for i := range mparts {
			if mparts[i].err != nil {
				return Result[T]{err: mparts[i].err}
			}
		}
		var res Result[T]
		res.val = any(mj.out).(T)
		return res
	}
	for i := range holders {
		if holders[i].err != nil {
			return Result[T]{err: holders[i].err}
		}
	}
	var merged redis.Reply
	switch name {
	case "MGET":
		elems := make([]redis.Reply, len(pos))
		for i, part := 0, 0; i < len(keys); part++ {
			j := i + 1
			for j < len(keys) && keys[j].slot == keys[i].slot {
				j++
			}
			got := holders[part].r.Elems
			if len(got) != j-i {
				return Result[T]{err: &UnexpectedReplyError{Want: "array of " + strconv.Itoa(j-i), Got: holders[part].r.Kind}}
			}
			for n, key := range keys[i:j] {
				elems[key.at] = got[n]
			}
			i = j
		}
		merged = redis.Reply{Kind: redis.KindArray, Elems: elems}
	case "MSET":
		merged = holders[0].r
	default:
		merged = redis.Reply{Kind: redis.KindInteger}
		for i := range holders {
			merged.Int += holders[i].r.Int
		}
	}
	var res Result[T]
	res.val, res.err = decode(e, &merged, k, args, "")
	return res
}

// slotKey is a key of a split command: its slot and its index among the
// command's keys.
type slotKey struct{ slot, at int32 }

// argSpan is where one argument's encoding ("$<n>\r\n<bytes>\r\n") is in
// an encoded command.
type argSpan struct{ start, end int }

// argSpans returns where the n arguments of the encoded command raw are.
func argSpans(raw []byte, n int) []argSpan {
	_, rest, ok := header(raw, '*')
	if !ok {
		return nil
	}
	out := make([]argSpan, 0, n)
	for len(rest) > 0 {
		at := len(raw) - len(rest)
		l, tail, ok := header(rest, '$')
		if !ok || len(tail) < l+2 {
			return out
		}
		rest = tail[l+2:]
		out = append(out, argSpan{start: at, end: len(raw) - len(rest)})
	}
	return out
}

// mgetJoin is where the parts of a split MGET put their values: the
// result, and the strings its elements hold. The texts are copied into
// chunks of memory shared by many values, not one allocation each.
type mgetJoin struct {
	mu    sync.Mutex // the parts of different nodes fill in parallel
	chunk []byte
	strs  []string
	out   []any
}

// mgetChunk is the size of the chunks a split MGET's texts are copied to.
const mgetChunk = 4096

// text returns a string holding a copy of b, from the current chunk.
// Called with mu held.
func (j *mgetJoin) text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(j.chunk)-len(j.chunk) {
		j.chunk = make([]byte, 0, max(mgetChunk, len(b)))
	}
	at := len(j.chunk)
	j.chunk = append(j.chunk, b...)
	// The chunk's bytes are never written again: strings may share them.
	return unsafe.String(&j.chunk[at], len(b))
}

// mgetPart is the MGET of one slot's keys within a split MGET: its reply's
// elements go to their keys' places in the joined result.
type mgetPart struct {
	j    *mgetJoin
	keys []slotKey
	err  error
	done bool
	name string
}

func (h *mgetPart) Name() string { return h.name }
func (h *mgetPart) Err() error {
	if !h.done && h.err == nil {
		return ErrPending
	}
	return h.err
}
func (h *mgetPart) Value() any  { return nil }
func (h *mgetPart) Args() []any { return nil }
func (h *mgetPart) fill(_ *Engine, r *redis.Reply, _ string) {
	h.done = true
	if r.IsError() {
		h.err = r.Err()
		return
	}
	es, err := elems(r)
	if err == nil && len(es) != len(h.keys) {
		err = &UnexpectedReplyError{Want: "array of " + strconv.Itoa(len(h.keys)), Got: r.Kind}
	}
	if err != nil {
		h.err = err
		return
	}
	j := h.j
	j.mu.Lock()
	defer j.mu.Unlock()
	for n := range es {
		at := h.keys[n].at
		switch {
		case es[n].Kind == redis.KindNull:
			j.out[at] = nil
			continue
		case isText(&es[n]):
			j.strs[at] = j.text(es[n].Str)
		default:
			// A number, say: decoded as a single-node MGET would.
			if err := stringsInto(j.strs[at:at+1], es[n:n+1]); err != nil {
				h.err = err
				return
			}
		}
		// An interface holding the string header in strs: no allocation.
		e := (*[2]unsafe.Pointer)(unsafe.Pointer(&j.out[at]))
		e[0], e[1] = stringType, unsafe.Pointer(&j.strs[at])
	}
}
func (h *mgetPart) fail(err error)      { h.err, h.done = err, true }
func (h *mgetPart) setName(name string) { h.name = name }
func (h *mgetPart) reset()              { h.err, h.done = nil, false }

// cloneReply is the decoder of fan-out commands: the reply as it is.
func cloneReply(r *redis.Reply) (redis.Reply, error) { return r.Clone(), nil }

// fanout runs a keyless command on every master in parallel and joins the
// replies as pol says.
func fanout[T any](e *Engine, ctx context.Context, k call[T], args []any, pol int) Result[T] {
	raw, err := redis.AppendCommand(nil, args...)
	if err != nil {
		return Result[T]{err: err}
	}
	argv := argsOf(raw)
	masters, err := e.router.Masters()
	if err != nil {
		return Result[T]{err: err}
	}
	replies := make([]redis.Reply, len(masters))
	errs := make([]error, len(masters))
	var wg sync.WaitGroup
	for i, m := range masters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := once(m, ctx, call[redis.Reply]{dec: cloneReply, block: k.block}, argv)
			replies[i], errs[i] = res.val, res.err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Result[T]{err: err}
	}
	var merged redis.Reply
	switch pol {
	case fanSum:
		merged.Kind = redis.KindInteger
		for i := range replies {
			merged.Int += replies[i].Int
		}
	case fanConcat:
		merged.Kind = redis.KindArray
		merged.Elems = []redis.Reply{}
		for i := range replies {
			merged.Elems = append(merged.Elems, replies[i].Elems...)
		}
	case fanAnd:
		merged = replies[0]
		for i := 1; i < len(replies); i++ {
			for j := range merged.Elems {
				if j < len(replies[i].Elems) && replies[i].Elems[j].Int == 0 {
					merged.Elems[j].Int = 0
				}
			}
		}
	default:
		if len(replies) > 0 {
			merged = replies[0]
		}
	}
	var res Result[T]
	res.val, res.err = decode(e, &merged, k, args, "")
	return res
}

// rstate is where a queued command of a routed batch stands.
type rstate struct {
	node   *Engine
	asking bool
	got    bool // its reply was read
	act    int
	slot   int
	addr   string
}

// execRouted runs the batch q (not a transaction) over the nodes that
// serve its commands' slots: one round trip per node, in parallel; the
// commands that got MOVED, ASK, TRYAGAIN, CLUSTERDOWN or LOADING are sent
// again, and only those (ASKING before each ASK'd one). A connection
// error fails the commands of that node only.
func (e *Engine) execRouted(ctx context.Context, q *Queue) error {
	r := e.router
	n := len(q.cmds)
	st := make([]rstate, n)
	todo := make([]int, n)
	for i := range todo {
		todo[i] = i
	}
	limit := r.MaxRedirects()
	type group struct {
		node *Engine
		idx  []int
		n    int
	}
	var groups []group
	gi := make([]int32, n) // the group of each command of todo
	flat := make([]int, n) // the groups' idx, one after the other
	for try := 0; len(todo) > 0; try++ {
		groups = groups[:0]
		for t, i := range todo {
			gi[t] = -1
			c := &q.cmds[i]
			st[i].act, st[i].got = actDone, false
			node := st[i].node
			if node == nil && i > 0 && st[i-1].node != nil && followsPrevious(c) {
				// WAIT counts the replicas that have the writes sent
				// before it on its connection: it goes with the command
				// before it.
				node = st[i-1].node
			}
			if node == nil {
				var err error
				if node, err = r.Node(int(c.slot), readOnlyCommand(c.name)); err != nil {
					c.f.fail(err)
					st[i].act = actRetry
					continue
				}
				st[i].node = node
			}
			j := 0
			for j < len(groups) && groups[j].node != node {
				j++
			}
			if j == len(groups) {
				groups = append(groups, group{node: node})
			}
			groups[j].n++
			gi[t] = int32(j)
		}
		off := 0
		for j := range groups {
			c := groups[j].n
			groups[j].idx, off = flat[off:off:off+c], off+c
		}
		for t, i := range todo {
			if j := gi[t]; j >= 0 {
				groups[j].idx = append(groups[j].idx, i)
			}
		}
		if len(groups) == 1 {
			e.sendGroup(ctx, groups[0].node, q, groups[0].idx, st)
		} else {
			var wg sync.WaitGroup
			for _, g := range groups {
				wg.Add(1)
				go func() {
					defer wg.Done()
					e.sendGroup(ctx, g.node, q, g.idx, st)
				}()
			}
			wg.Wait()
		}
		next := todo[:0]
		wait := false
		for _, i := range todo {
			s := &st[i]
			if s.act == actDone || try >= limit || ctx.Err() != nil {
				continue
			}
			switch s.act {
			case actMoved:
				r.Moved(s.slot, s.addr)
				node, err := r.NodeAt(s.addr)
				if err != nil {
					continue
				}
				s.node, s.asking = node, false
			case actAsk:
				node, err := r.NodeAt(s.addr)
				if err != nil {
					continue
				}
				s.node, s.asking = node, true
			case actRetry:
				if s.node != nil {
					r.Failed(s.node, q.cmds[i].f.Err())
				}
				s.node, s.asking, wait = nil, false, true
			case actResend:
				if s.node != nil {
					r.Failed(s.node, q.cmds[i].f.Err())
				}
				s.node, s.asking = nil, false
				wait = wait || try > 0
			}
			q.cmds[i].f.reset()
			next = append(next, i)
			if w := i + 1; w < n && st[w].act == actDone && followsPrevious(&q.cmds[w]) {
				// A WAIT that went with this command counted the replicas
				// of a node that did not run it: it goes again with it.
				q.cmds[w].f.reset()
				next = append(next, w)
			}
		}
		todo = next
		if len(todo) > 0 && wait {
			if err := backoff(ctx, try); err != nil {
				for _, i := range todo {
					q.cmds[i].f.fail(err)
				}
				return err
			}
		}
	}
	return firstErr(q)
}

// followsPrevious reports whether c, in a routed batch, goes to the node
// of the command before it: WAIT and WAITAOF count the replicas that have
// the writes sent before them on their connection.
func followsPrevious(c *queued) bool {
	return c.slot < 0 && (c.name == "WAIT" || c.name == "WAITAOF")
}

// sendGroup sends the commands idx of q to node on one pooled connection
// and reads their replies.
func (e *Engine) sendGroup(ctx context.Context, node *Engine, q *Queue, idx []int, st []rstate) {
	cn, err := node.pool.Get(ctx)
	if err != nil {
		for _, i := range idx {
			q.cmds[i].f.fail(err)
			st[i].act, _, _ = classify(err, true, false)
		}
		return
	}
	defer node.pool.Put(cn)
	// order maps each reply to its command (-1: an ASKING's).
	order := make([]int, 0, len(idx))
	for _, i := range idx {
		c := &q.cmds[i]
		if st[i].asking {
			cn.WriteRaw(askingCmd, 1)
			order = append(order, -1)
		}
		cn.WriteRaw(q.buf[c.start:c.end], 1)
		order = append(order, i)
	}
	err = cn.ReadReplies(ctx, len(order), q.block, func(j int, r *redis.Reply) {
		i := order[j]
		if i < 0 {
			return
		}
		c := &q.cmds[i]
		st[i].got = true
		if r.IsError() {
			st[i].act, st[i].slot, st[i].addr = classify(r.Err(), false, true)
		}
		c.f.fill(node, r, c.name)
	})
	if err != nil {
		for _, i := range idx {
			if !st[i].got {
				q.cmds[i].f.fail(err)
				st[i].act, _, _ = classify(err, readOnlyCommand(q.cmds[i].name), true)
			}
		}
	}
}

// execRoutedTx runs the batch q as one MULTI/EXEC transaction on the
// master of its slot: every command's keys must be in that one slot
// (checked before sending). A transaction that the server refused with a
// redirect (MOVED or ASK on a queued command, then EXECABORT) or with
// TRYAGAIN or CLUSTERDOWN ran nothing, and is sent again, whole (ASKING
// once before MULTI after an ASK).
func (e *Engine) execRoutedTx(ctx context.Context, q *Queue) error {
	slot := -1
	var slots []int
	for i := range q.cmds {
		s := int(q.cmds[i].slot)
		if s < 0 {
			continue
		}
		if slot < 0 {
			slot = s
		}
		if s != slot || slots != nil {
			slots = addSlot(slots, s, slot)
		}
	}
	if pin := int(e.pin) - 1; e.conn != nil && pin >= 0 && slot >= 0 && slot != pin {
		slots = addSlot(addSlot(nil, slot, pin), slot, pin)
	}
	if slots != nil {
		return failFrom(q, 0, &redis.CrossSlotError{Command: "MULTI", Slots: slots})
	}
	if e.conn != nil {
		return e.execOn(ctx, e.conn, q, true, false)
	}
	r := e.router
	limit := r.MaxRedirects()
	var node *Engine
	asking := false
	for try := 0; ; try++ {
		if node == nil {
			n, err := r.Node(slot, false)
			if err != nil {
				if try >= limit || backoff(ctx, try) != nil {
					return failFrom(q, 0, err)
				}
				continue
			}
			node = n
		}
		err := node.execTx(ctx, q, asking)
		if try >= limit || ctx.Err() != nil {
			return err
		}
		act, mslot, addr := actDone, 0, ""
		if err != nil {
			if notSent(err) {
				act = actResend
			}
		} else {
			for i := range q.cmds {
				if a, s, ad := classify(q.cmds[i].f.Err(), false, true); a == actMoved || a == actAsk || (a == actRetry && act == actDone) {
					act, mslot, addr = a, s, ad
					if a != actRetry {
						break
					}
				}
			}
		}
		asking = false
		switch act {
		case actDone:
			return err
		case actMoved:
			r.Moved(mslot, addr)
			n, nerr := r.NodeAt(addr)
			if nerr != nil {
				return err
			}
			node = n
		case actAsk:
			n, nerr := r.NodeAt(addr)
			if nerr != nil {
				return err
			}
			node, asking = n, true
		case actRetry, actResend:
			r.Failed(node, q.cmds[0].f.Err())
			node = nil
			if backoff(ctx, try) != nil {
				return err
			}
		}
		for i := range q.cmds {
			q.cmds[i].f.reset()
		}
	}
}

// execTx runs q as a transaction on a pooled connection of the node
// engine e, with ASKING before MULTI when asking.
func (e *Engine) execTx(ctx context.Context, q *Queue, asking bool) error {
	cn, err := e.pool.Get(ctx)
	if err != nil {
		return failFrom(q, 0, err)
	}
	defer e.pool.Put(cn)
	return e.execOn(ctx, cn, q, true, asking)
}
