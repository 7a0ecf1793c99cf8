package command

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// SetCache makes e (and the engines derived from it afterwards: Conns,
// pipelines) serve the reads of Cached command sets from c, and drop c's
// entries of the keys its other commands write. nil turns caching off.
// Call it before e is used.
func (e *Engine) SetCache(c *Cache) { e.cache = c }

// Cache returns the engine's client-side cache, or nil.
func (e *Engine) Cache() *Cache { return e.cache }

// SetNodeCaches makes a routed engine (and the engines derived from it
// afterwards: pipelines) serve the reads of Cached command sets from the
// cache of the master that serves their slot (its node engine's, see
// SetCache; never a replica's), MGET split by slot, and drop the entries
// of the keys its other commands write from every cache caches holds. The
// cluster client keeps caches up to date as nodes come and go, and drops
// the entries of the slots a node no longer serves (Cache.DropSlots).
// Call it before e is used.
func (e *Engine) SetNodeCaches(caches *atomic.Pointer[[]*Cache]) { e.caches = caches }

// wrote drops, from the engine's cache or its nodes' caches, the entries
// of the keys that args, a command just run (not a cached read), may have
// changed.
func (e *Engine) wrote(args []any) {
	if e.cache != nil {
		e.cache.wrote(args)
	} else if e.caches != nil {
		if cs := e.caches.Load(); cs != nil {
			for _, c := range *cs {
				c.wrote(args)
			}
		}
	}
}

// Cached returns the command set with its reads served from the client's
// cache (see Options.CacheSize of package client): a read of the
// allow-list (GET, MGET, HGET, HGETALL, SMEMBERS, EXISTS of one key,
// STRLEN, ZSCORE, LRANGE, ...; see Cacheable) is answered from memory
// while the server has not invalidated it and for at most ttl, else
// fetched and cached; any other command fails with ErrNotCacheable.
// Result.IsCacheHit and CacheTTL tell how a read was served. Without a
// cache on the client (or ttl <= 0), reads run as usual. In a pipeline,
// Cached reads are queued as usual reads.
func (c Cmdable) Cached(ttl time.Duration) Cmdable {
	c.ttl = ttl
	return c
}

// Cacheable reports whether the command name (upper case) may be run on a
// Cached command set.
func Cacheable(name string) bool {
	switch name {
	case "GET", "MGET", "GETRANGE", "STRLEN", "EXISTS", "TYPE",
		"HGET", "HGETALL", "HMGET", "HEXISTS", "HLEN", "HKEYS", "HVALS", "HSTRLEN",
		"LINDEX", "LLEN", "LRANGE", "LPOS",
		"SCARD", "SISMEMBER", "SMISMEMBER", "SMEMBERS",
		"ZCARD", "ZCOUNT", "ZLEXCOUNT", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK",
		"ZRANGE", "ZRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGE", "ZREVRANGEBYSCORE", "ZREVRANGEBYLEX",
		"BITCOUNT", "BITPOS", "GETBIT", "GEOPOS", "GEODIST", "GEOHASH", "XLEN":
		return true
	}
	return false
}

// IsCacheHit reports whether the result was served from the client-side
// cache.
func (r Result[T]) IsCacheHit() bool { return r.cache > 0 }

// CacheTTL returns, for a cache hit, how long its entry has still to live
// (it may be invalidated sooner); 0 otherwise.
func (r Result[T]) CacheTTL() time.Duration {
	if r.cache > 0 {
		return time.Duration(r.cache)
	}
	return 0
}

var cachingYes = []byte("*3\r\n$6\r\nCLIENT\r\n$7\r\nCACHING\r\n$3\r\nYES\r\n")

// cacheSpec returns the command's name and key, and whether it can be
// cached.
func cacheSpec(args []any) (name, key string, ok bool) {
	if len(args) < 2 {
		return "", "", false
	}
	name, ok = args[0].(string)
	if !ok {
		return "", "", false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= 'a' && c <= 'z' {
			name = strings.ToUpper(name)
			break
		}
	}
	if !Cacheable(name) || name == "EXISTS" && len(args) != 2 {
		return name, "", false
	}
	if name == "MGET" {
		return name, "", true
	}
	key, ok = args[1].(string)
	if !ok {
		key, ok = argText(args[1])
	}
	return name, key, ok
}

// covered reports whether the cache's tracking covers key (BCAST
// prefixes).
func (c *Cache) covered(key string) bool {
	if !c.opts.Mode.broadcast() || len(c.opts.Prefixes) == 0 {
		return true
	}
	for _, p := range c.opts.Prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// cachedOnce runs a read of a Cached command set.
func cachedOnce[T any](e *Engine, ctx context.Context, k call[T], args []any) Result[T] {
	c := e.cache
	if c == nil {
		// A cluster node's engine without a cache (none is made for it).
		k.cache = 0
		return once(e, ctx, k, args)
	}
	uncached := func() Result[T] {
		c.bypassed.Add(1)
		k.cache = 0
		return once(e, ctx, k, args)
	}
	if e.own != nil && e.own.Changed || e.conn != nil && e.own == nil {
		// A Conn on another database or user, a pipeline's bound
		// connection: the client's cache does not speak for it.
		return uncached()
	}
	name, key, ok := cacheSpec(args)
	if !ok {
		return Result[T]{err: ErrNotCacheable}
	}
	if e.own != nil && e.own.Closed {
		return Result[T]{err: ErrConnClosed}
	}
	if name == "MGET" {
		if r, ok := any(cachedMGet(c, ctx, k.cache, args)).(Result[T]); ok {
			return r
		}
		return uncached()
	}
	if !c.covered(key) {
		return uncached()
	}
	var buf [128]byte
	sig, err := redis.AppendCommand(buf[:0], args...)
	if err != nil {
		return Result[T]{err: err}
	}
	for try := 0; ; try++ {
		now := c.now()
		if ent := c.lookup(sig, now); ent != nil {
			v, ok := ent.val.(T)
			if !ok {
				return uncached()
			}
			c.hits.Add(1)
			return Result[T]{val: cloneVal(v), err: ent.err, cache: ent.expire - now}
		}
		if try >= 3 {
			return uncached()
		}
		// Nothing kept may point into args (the caller's, often on its
		// stack): the key is copied.
		f, leader := c.startFlight(string(sig), strings.Clone(key))
		if !leader {
			c.misses.Add(1)
			c.shared.Add(1)
			if ctx.Done() == nil {
				<-f.done
			} else {
				select {
				case <-f.done:
				case <-ctx.Done():
					return Result[T]{err: ctxErr(ctx.Err())}
				}
			}
			if f.ok {
				if v, ok := f.val.(T); ok {
					return Result[T]{val: cloneVal(v), err: f.err}
				}
				return uncached()
			}
			continue // doomed: fetch again
		}
		c.misses.Add(1)
		h := &fetch[T]{c: c, e: e, k: k, name: strings.Clone(name), f: f, optin: c.opts.Mode.optIn(), ttl: int64(k.cache)}
		var grp []byte
		n := 2
		if h.optin {
			grp = append(grp, cachingYes...)
			n++
		}
		grp = append(grp, sig...)
		grp = redis.AppendArrayHeader(grp, 2)
		grp = redis.AppendBulkString(grp, "PTTL")
		grp = redis.AppendBulkString(grp, key)
		h.sent = c.now()
		if err := c.tr.Do(ctx, grp, n, h); err != nil {
			c.abort(f)
			return Result[T]{err: err}
		}
		return Result[T]{val: h.val, err: h.err}
	}
}

// ctxErr is a context's error as a command's: a deadline is a timeout.
func ctxErr(err error) error {
	if err == context.DeadlineExceeded {
		return &redis.TimeoutError{Op: "read", Err: err}
	}
	return err
}

// fetch receives the replies of one miss: [CLIENT CACHING YES,] the read,
// PTTL.
type fetch[T any] struct {
	c     *Cache
	e     *Engine
	k     call[T]
	name  string
	f     *flight
	optin bool
	i     int
	bad   bool // CLIENT CACHING failed: the read is not tracked
	val   T
	err   error
	sent  int64
	ttl   int64
}

func (h *fetch[T]) HandleGroupReply(conn pool.ConnID, r *redis.Reply, last bool) {
	i := h.i
	h.i++
	if h.optin {
		if i == 0 {
			h.bad = r.IsError()
			return
		}
		i--
	}
	switch i {
	case 0:
		h.val, h.err = decode(h.e, r, h.k, nil, h.name)
	case 1:
		f := h.f
		f.expire = lifetime(h.sent, h.ttl, r)
		if h.bad || h.err != nil && h.err != redis.Nil {
			f.expire = 0
		} else {
			f.val, f.err = storeVal(h.val), h.err
			f.size = int64(len(f.key)) + sizeOf(f.val)
		}
	}
	if last {
		h.c.fetched(conn, []*flight{h.f})
	}
}

// lifetime is when an entry fetched at sent expires: after the client's
// ttl or the key's PTTL r, whichever ends first.
func lifetime(sent, ttl int64, r *redis.Reply) int64 {
	if r.Kind == redis.KindInteger && r.Int >= 0 {
		if p := r.Int * int64(time.Millisecond); p < ttl {
			ttl = p
		}
	} else if r.Kind != redis.KindInteger {
		return 0
	}
	return sent + ttl
}

// fetched is told, on the reader goroutine, that the values of the flights
// fs (set in them) came on conn: those still valid await confirmation
// (see the design).
func (c *Cache) fetched(conn pool.ConnID, fs []*flight) {
	now := c.now()
	// REDIRECT: conn's invalidations go to the redirect connection open
	// now (not to an older one, whose loss already flushed everything).
	_, redirOK := c.tr.RedirectOK(conn)
	c.mu.Lock()
	confirm := fs[:0:0]
	for _, f := range fs {
		if f.state != flFetching {
			continue
		}
		f.conn = conn
		if f.doomed || c.live[conn.Slot] != conn.Gen || f.expire <= now || !redirOK {
			f.doomed = true
			c.finishLocked(f)
			continue
		}
		f.state = flConfirming
		confirm = append(confirm, f)
	}
	c.mu.Unlock()
	if len(confirm) == 0 {
		return
	}
	if !c.tr.Confirm(conn, &confirmation{c: c, fs: confirm}) {
		c.mu.Lock()
		for _, f := range confirm {
			f.doomed = true
			c.finishLocked(f)
		}
		c.mu.Unlock()
	}
}

// confirmation is the PING that publishes fetched values.
type confirmation struct {
	c  *Cache
	fs []*flight
}

func (h *confirmation) HandleGroupReply(conn pool.ConnID, r *redis.Reply, _ bool) {
	c := h.c
	now := c.now()
	pong := r.Kind == redis.KindSimpleString && string(r.Str) == "PONG"
	c.mu.Lock()
	for _, f := range h.fs {
		if f.state != flConfirming {
			continue
		}
		if !f.doomed && pong && f.conn == conn && c.live[conn.Slot] == conn.Gen && f.expire > now {
			c.insertLocked(f, conn)
			f.ok = true
		}
		c.finishLocked(f)
	}
	c.mu.Unlock()
}

// peekGets serves the keys at idx of an MGET from memory, into out, when
// every one of them has a live entry; it reports whether it did. minTTL
// is lowered to the shortest remaining lifetime among them.
func (c *Cache) peekGets(keys []string, idx []int, out []any, minTTL *int64) bool {
	if c.nent.Load() == 0 {
		return false
	}
	var buf [128]byte
	now := c.now()
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, i := range idx {
		if !c.covered(keys[i]) {
			return false
		}
		e := c.entries[string(appendGet(buf[:0], keys[i]))]
		if e == nil || e.expire <= now {
			return false
		}
		if _, ok := e.val.(string); !ok {
			return false
		}
	}
	for _, i := range idx {
		e := c.entries[string(appendGet(buf[:0], keys[i]))]
		if e.err == nil {
			out[i] = e.val // the entry's own boxed string: nothing allocated
		}
		if f := e.freq.Load(); f < 3 {
			e.freq.CompareAndSwap(f, f+1)
		}
		if r := e.expire - now; *minTTL < 0 || r < *minTTL {
			*minTTL = r
		}
	}
	c.hits.Add(uint64(len(idx)))
	return true
}

// cachedMGet is MGET through the cache: each key a "GET key" entry; the
// keys missed are fetched with one MGET.
func cachedMGet(c *Cache, ctx context.Context, ttl time.Duration, args []any) Result[[]any] {
	keys := make([]string, len(args)-1)
	for i, a := range args[1:] {
		s, ok := a.(string)
		if !ok {
			if s, ok = argText(a); !ok {
				return Result[[]any]{err: &redis.DataError{Pos: i + 1, Type: "key", Msg: "a key must be a string"}}
			}
		}
		if !c.covered(s) {
			return Result[[]any]{err: ErrNotCacheable}
		}
		keys[i] = s
	}
	out := make([]any, len(keys))
	var missing []int
	var buf [128]byte
	now := c.now()
	minTTL := int64(-1)
	c.mu.RLock()
	for i, k := range keys {
		sig := appendGet(buf[:0], k)
		e := c.entries[string(sig)]
		if e == nil || e.expire <= now {
			missing = append(missing, i)
			continue
		}
		if _, ok := e.val.(string); !ok {
			missing = append(missing, i)
			continue
		}
		if e.err == nil {
			out[i] = e.val // the entry's own boxed string: nothing allocated
		}
		if f := e.freq.Load(); f < 3 {
			e.freq.CompareAndSwap(f, f+1)
		}
		if r := e.expire - now; minTTL < 0 || r < minTTL {
			minTTL = r
		}
	}
	c.mu.RUnlock()
	c.hits.Add(uint64(len(keys) - len(missing)))
	if len(missing) == 0 {
		return Result[[]any]{val: out, cache: minTTL}
	}
	c.misses.Add(uint64(len(missing)))
	h := &fetchMGet{c: c, optin: c.opts.Mode.optIn(), ttl: int64(ttl), fs: make([]*flight, len(missing))}
	for j, i := range missing {
		if f, leader := c.startFlight(string(appendGet(buf[:0], keys[i])), strings.Clone(keys[i])); leader {
			h.fs[j] = f
		}
	}
	var grp []byte
	n := 1 + len(missing)
	if h.optin {
		grp = append(grp, cachingYes...)
		n++
	}
	grp = redis.AppendArrayHeader(grp, 1+len(missing))
	grp = redis.AppendBulkString(grp, "MGET")
	for _, i := range missing {
		grp = redis.AppendBulkString(grp, keys[i])
	}
	for _, i := range missing {
		grp = redis.AppendArrayHeader(grp, 2)
		grp = redis.AppendBulkString(grp, "PTTL")
		grp = redis.AppendBulkString(grp, keys[i])
	}
	h.vals = make([]any, len(missing))
	h.sent = c.now()
	if err := c.tr.Do(ctx, grp, n, h); err != nil {
		for _, f := range h.fs {
			if f != nil {
				c.abort(f)
			}
		}
		return Result[[]any]{err: err}
	}
	if h.err != nil {
		return Result[[]any]{err: h.err}
	}
	for j, i := range missing {
		out[i] = h.vals[j]
	}
	return Result[[]any]{val: out}
}

func appendGet(b []byte, key string) []byte {
	b = redis.AppendArrayHeader(b, 2)
	b = redis.AppendBulkString(b, "GET")
	return redis.AppendBulkString(b, key)
}

// fetchMGet receives the replies of an MGET miss.
type fetchMGet struct {
	c     *Cache
	optin bool
	bad   bool
	i     int
	fs    []*flight // nil where another flight leads
	vals  []any
	err   error
	sent  int64
	ttl   int64
}

func (h *fetchMGet) HandleGroupReply(conn pool.ConnID, r *redis.Reply, last bool) {
	i := h.i
	h.i++
	if h.optin {
		if i == 0 {
			h.bad = r.IsError()
			return
		}
		i--
	}
	if i == 0 {
		if r.IsError() {
			h.err = r.Err()
			h.bad = true
		} else if len(r.Elems) != len(h.vals) {
			h.err = &redis.ProtocolError{Msg: "MGET answered with " + strconv.Itoa(len(r.Elems)) + " values"}
			h.bad = true
		} else {
			for j := range r.Elems {
				if r.Elems[j].Kind != redis.KindNull {
					h.vals[j] = string(r.Elems[j].Str)
				}
			}
		}
	} else if j := i - 1; j < len(h.fs) && h.fs[j] != nil {
		f := h.fs[j]
		f.expire = lifetime(h.sent, h.ttl, r)
		if h.bad {
			f.expire = 0
		} else if s, ok := h.vals[j].(string); ok {
			f.val, f.err = s, nil
			f.size = int64(len(f.key)) + int64(len(s))
		} else {
			f.val, f.err = "", redis.Nil
			f.size = int64(len(f.key))
		}
	}
	if last {
		fs := make([]*flight, 0, len(h.fs))
		for _, f := range h.fs {
			if f != nil {
				fs = append(fs, f)
			}
		}
		h.c.fetched(conn, fs)
	}
}

// storeVal returns the value to keep in an entry: a copy of what the
// caller could change.
func storeVal[T any](v T) any { return any(cloneVal(v)) }

// cloneVal copies the values a caller could change (slices, maps), so that
// the cache's copy stays as fetched.
func cloneVal[T any](v T) T {
	switch x := any(v).(type) {
	case string, int64, float64, bool:
		return v
	case []byte:
		return any(append([]byte(nil), x...)).(T)
	case []string:
		return any(append([]string(nil), x...)).(T)
	case []any:
		return any(cloneAnys(x)).(T)
	case []bool:
		return any(append([]bool(nil), x...)).(T)
	case []float64:
		return any(append([]float64(nil), x...)).(T)
	case []int64:
		return any(append([]int64(nil), x...)).(T)
	case map[string]string:
		m := make(map[string]string, len(x))
		for k, s := range x {
			m[k] = s
		}
		return any(m).(T)
	}
	return v
}

func cloneAnys(x []any) []any {
	if x == nil {
		return nil
	}
	out := make([]any, len(x))
	for i, v := range x {
		out[i] = cloneVal(v)
	}
	return out
}

// sizeOf estimates the bytes a cached value holds.
func sizeOf(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		return 16 + int64(len(x))
	case []byte:
		return 24 + int64(len(x))
	case []string:
		n := int64(24)
		for _, s := range x {
			n += 16 + int64(len(s))
		}
		return n
	case []any:
		n := int64(24)
		for _, e := range x {
			n += 16 + sizeOf(e)
		}
		return n
	case map[string]string:
		n := int64(48)
		for k, s := range x {
			n += 48 + int64(len(k)+len(s))
		}
		return n
	case []bool, []float64, []int64:
		return 24 + 8*int64(sliceLen(x))
	}
	return 16
}

func sliceLen(v any) int {
	switch x := v.(type) {
	case []bool:
		return len(x)
	case []float64:
		return len(x)
	case []int64:
		return len(x)
	}
	return 0
}
