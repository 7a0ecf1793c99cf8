package command

// Client-side caching (RESP3 CLIENT TRACKING): the design.
//
// One Cache per client (per node, for a cluster client), with one byte
// budget. An entry is the decoded value of one read command, keyed by the
// command as encoded (name and arguments: "GET k", "HGET k f" are two
// entries of key k). MGET is split: each of its keys is a "GET key" entry,
// shared with GET, and an MGET fetches only the keys it misses.
//
// Tracking. Cached reads never use the pool's connections: they go to a
// pool.Tracker, a small set (CacheOptions.Conns, default 2) of connections
// of their own, in RESP3 whatever the client's Protocol, with CLIENT
// TRACKING ON OPTIN (or BCAST PREFIX ...) sent right after the handshake.
// Each has a reader goroutine that reads all the time, as the
// auto-pipelining connections do, so an invalidation is read as soon as it
// arrives, whether or not a command is in flight (pooled idle connections
// would hold theirs unread until their next use; go-redis polls them
// every 5 ms). Commands of many goroutines share these connections; the
// commands of one miss are written as one group, with nothing between
// them:
//
//	OPTIN:  CLIENT CACHING YES; <read>; PTTL key [PTTL key2 ...]
//	BCAST:  <read>; PTTL key ...
//
// CLIENT CACHING YES tracks exactly the next command (measured on 7.0.15).
// The PTTL replies come after the value on the same connection; a write
// that the server ran between the read and the PTTL sent its invalidation
// before the PTTL's reply, so it is seen before the miss completes (the
// pending-entry rule below). An entry lives min(client TTL, PTTL), counted
// from before the group was sent; nil replies are cached, errors are not.
//
// Misses are single-flight: one "flight" per entry key; others wait for
// it. The pending-entry rule: an invalidation of the flight's key, a null
// invalidation (FLUSHALL) or the loss of its connection, arriving while
// the flight is in flight, dooms it: its value goes to its leader (whose
// read the server ran after the leader began) and is not cached; waiters
// fetch again.
//
// Confirmation. A reply can be delayed (a slow network, the fault proxy)
// while another client writes the key and hears back: the server then sent
// our invalidation right behind the delayed reply. So a fetched value is
// not published at once: its connection is sent a PING, and the value is
// cached (and handed to the waiters) only when the PONG comes without an
// invalidation of the key before it. The PING left after the reply came,
// so every write acknowledged before that moment sent its invalidation
// before the PONG. The leader's own read does not wait for the PONG.
//
// Ownership. Every entry belongs to the connection (slot and generation)
// that fetched it, whose tracking covers it. When that connection closes
// for any reason (an I/O error, a timeout, a failed heartbeat or health
// check, a reconnect, Close), exactly its entries are dropped, and its
// flights are doomed. A value fetched on a connection that closed
// meanwhile is never stored. An idle tracked connection is PINGed every
// Heartbeat (default 1 s), so a half-open one fails within Heartbeat plus
// ReadTimeout. A null invalidation (FLUSHALL, FLUSHDB: tracking ignores
// the database) drops everything of its connection and dooms every
// flight.
//
// This client's own writes. The server invalidates the tracked
// connection also when the writer is this client (on another connection),
// but that push may be read after the write's reply. So every command
// this client runs that is not known to be read-only drops the entries
// of its keys (and dooms their flights) when its reply has come: a read
// that follows one's own write never sees the value from before it.
// FLUSHALL, FLUSHDB and SWAPDB drop everything.
//
// REDIRECT (CacheRedirect, CacheBroadcastRedirect), for servers or
// proxies where the tracked connections must speak RESP2: the tracked
// connections speak the client's Protocol and send CLIENT TRACKING ON
// REDIRECT id, id being that of a redirect connection of the Tracker's, a
// RESP2 connection subscribed to __redis__:invalidate, read all the time.
// Values and their invalidations now come on different connections, so
// the order of one connection no longer orders them. The guard:
//
//   - The pending-entry rule holds as before (an invalidation read on the
//     redirect connection while a flight is in flight dooms it).
//   - The confirmation PING goes on the redirect connection (where a
//     subscribed RESP2 connection answers "pong"): when it comes, every
//     invalidation the server sent before it ran the PING has been read,
//     which covers every write acknowledged before the value came.
//   - A value is cached only if its tracked connection redirects to the
//     redirect connection open now (RedirectOK), at its reply and at its
//     confirmation. When the redirect connection is lost (an I/O error, a
//     failed heartbeat, CLIENT KILL, a tracking-redir-broken push on a
//     RESP3 tracked connection naming it), every entry is dropped and
//     every flight doomed: invalidations sent to it meanwhile are lost.
//     A new one is dialed, and the tracked connections are pointed at it
//     in place (CLIENT TRACKING OFF, ON REDIRECT newid, as one group);
//     values read before that group's reply are not cached. So nothing
//     fetched while the redirect connection is down or being dialed
//     again is ever cached.
//
// A RESP2 tracked connection is not told that its redirect connection is
// gone (the server tells only RESP3 ones, tracking-redir-broken, at the
// first invalidation it cannot deliver): a redirect connection lost
// silently is found by its heartbeat, within Heartbeat plus ReadTimeout.
//
// What can be stale, for how long: a value is served while no
// invalidation for it has been read. Another client's write is thus
// visible here once its invalidation has been read: on loopback tens of
// microseconds after the write's reply, and no later than the delivery
// delay of the tracked connection (the network's, or our reader's when
// the machine is overloaded). If the tracked connection is cut silently,
// until that is detected: Heartbeat plus ReadTimeout at most. Values of
// keys outside the BCAST prefixes are never cached.
//
// Memory. The budget counts each entry's key, command, value and a fixed
// overhead for its bookkeeping (maps, queues), plus the eviction policy's
// ghost list. The policy is S3-FIFO: new entries go to a small FIFO queue
// (10% of the budget); those hit again while in it move to the main queue;
// the rest are evicted, their hash remembered in a ghost FIFO so that
// they go to the main queue if they come back. A hit only sets a small
// counter (no lock held for writing, no list moved), which is what makes
// the hit path cheap and safe for many readers. See cache_policy_test.go
// for the measurement against LRU and CLOCK.

import (
	"errors"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// CacheMode is the tracking mode of a client-side cache.
type CacheMode int

const (
	// CacheOptIn (the default): CLIENT TRACKING ON OPTIN; the server
	// tracks only the keys of the reads that asked (CLIENT CACHING YES).
	CacheOptIn CacheMode = iota
	// CacheBroadcast: CLIENT TRACKING ON BCAST with prefixes; the server
	// sends invalidations for every key with one of the prefixes, read
	// or not. Keys outside them are not cached.
	CacheBroadcast
	// CacheRedirect: OPTIN tracking whose invalidations go to a
	// connection of their own (CLIENT TRACKING ON REDIRECT), a RESP2
	// connection subscribed to __redis__:invalidate; the tracked
	// connections speak the client's Protocol, RESP2 included. For
	// servers and proxies where the tracked connections cannot speak
	// RESP3. See "REDIRECT" in the design at the top of cache.go.
	CacheRedirect
	// CacheBroadcastRedirect: BCAST (with Prefixes) through a redirect
	// connection, as CacheRedirect.
	CacheBroadcastRedirect
)

// optIn reports whether the mode tracks only the reads that ask (OPTIN).
func (m CacheMode) optIn() bool { return m == CacheOptIn || m == CacheRedirect }

// broadcast reports whether the mode is BCAST.
func (m CacheMode) broadcast() bool { return m == CacheBroadcast || m == CacheBroadcastRedirect }

// redirect reports whether the mode sends invalidations to a redirect
// connection.
func (m CacheMode) redirect() bool { return m == CacheRedirect || m == CacheBroadcastRedirect }

// CacheOptions configure a client-side cache.
type CacheOptions struct {
	// Size is the byte budget (required, > 0).
	Size int64
	// Mode is the tracking mode; Prefixes are BCAST's key prefixes (none:
	// every key).
	Mode     CacheMode
	Prefixes []string
	// Conns is how many tracked connections carry the cached reads;
	// default 2.
	Conns int
	// Heartbeat is how often idle tracked connections are PINGed; default
	// 1s.
	Heartbeat time.Duration
}

// CacheStats are a cache's counters.
type CacheStats struct {
	Hits   uint64 // reads served from memory
	Misses uint64 // reads that went to the server (Shared of them waited for another's)
	Shared uint64
	// Discarded: fetched values not cached (an invalidation or the loss of
	// the connection came while in flight, or the key had expired).
	Discarded uint64
	// Bypassed: cached reads run uncached (BCAST key outside the
	// prefixes, a Conn whose state changed, a value of another type).
	Bypassed uint64
	// Invalidations: keys the server invalidated (and null
	// invalidations), whether cached or not.
	Invalidations uint64
	// Evictions by reason: the byte budget, a lifetime that ended, an
	// invalidation from the server, a null invalidation, a lost
	// connection (a tracked one, or in REDIRECT mode the redirect
	// connection), a write by this client, and (a cluster client's node
	// cache) the key's slot moving to another node.
	EvictedSize, Expired, Invalidated, Flushed, ConnLost, OwnWrites, SlotMoved uint64
	// RedirectsLost: REDIRECT mode's redirect connections lost (each
	// dropped every entry).
	RedirectsLost uint64
	Entries       int
	Bytes, Budget int64
}

// ErrNotCacheable is the error of a command run on a Cached command set
// that is not in the cache's allow-list (a write, a command whose reply
// depends on time or chance, a multi-key command other than MGET).
var ErrNotCacheable = errors.New("redis: command cannot be cached")

// Eviction reasons.
const (
	evSize = iota
	evExpired
	evInvalidated
	evFlushed
	evConnLost
	evOwnWrite
	evSlotMoved
	nReasons
)

// entry is one cached value.
type entry struct {
	sig    string // the command, encoded
	key    string // its key (a substring of sig)
	val    any
	err    error // nil or redis.Nil
	expire int64 // in Cache.now's time
	size   int64
	owner  pool.ConnID
	freq   atomic.Int32
	q      uint8  // qNone, qSmall, qMain
	slot   uint16 // the key's hash slot, when the cache tracks slots
	// queue, same-key chain, same-owner chain, same-slot chain
	prev, next   *entry
	kprev, knext *entry
	oprev, onext *entry
	sprev, snext *entry
}

const (
	qNone = iota
	qSmall
	qMain
)

// flight is a miss in progress.
type flight struct {
	sig, key string
	knext    *flight // flights of the same key
	doomed   bool
	conn     pool.ConnID // set when the value came (confirming)
	state    uint8       // flFetching, flConfirming, flDone
	val      any
	err      error
	expire   int64
	size     int64
	ok       bool // resolved with a cached value
	done     chan struct{}
}

const (
	flFetching = iota
	flConfirming
	flDone
)

// list is a doubly-linked queue of entries; push at head, pop at tail.
type list struct{ head, tail *entry }

func (l *list) push(e *entry) {
	e.prev, e.next = nil, l.head
	if l.head != nil {
		l.head.prev = e
	} else {
		l.tail = e
	}
	l.head = e
}

func (l *list) remove(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// Cache is a client-side cache: see the design at the top of cache.go.
type Cache struct {
	opts CacheOptions
	tr   *pool.Tracker
	base time.Time

	mu      sync.RWMutex
	entries map[string]*entry  // by sig
	keys    map[string]*entry  // key -> its entries (knext chain)
	flights map[string]*flight // by sig
	fkeys   map[string]*flight // key -> its flights (knext chain)
	owners  []*entry           // slot -> its entries (onext chain)
	slots   []*entry           // hash slot -> its entries (snext chain), with TrackSlots
	live    []uint64           // slot -> the generation open, 0 if none
	small   list
	main    list
	sBytes  int64
	bytes   int64
	budget  int64 // for entries: Size less the ghost list
	ghost   map[uint64]int32
	ring    []uint64
	ringPos int
	seed    maphash.Seed
	nflight atomic.Int32 // len(flights), read without the lock
	nent    atomic.Int32 // len(entries), read without the lock

	hits, misses, shared, discarded, bypassed, invals atomic.Uint64
	ev                                                [nReasons]atomic.Uint64
}

// entryOverhead is what an entry costs besides its strings and value: the
// struct, and its share of the maps.
const entryOverhead = int64(unsafe.Sizeof(entry{})) + 2*48

// ghostCost is what one ghost slot costs: the ring's word and a map entry.
const ghostCost = 8 + 24

// NewCache returns a cache that reads through tracked connections of p
// (see pool.Tracker). Close it with Close.
func NewCache(p *pool.Pool, o CacheOptions) (*Cache, error) {
	if o.Size <= 0 {
		return nil, errors.New("redis: CacheOptions.Size must be positive")
	}
	if o.Conns <= 0 {
		o.Conns = 2
	}
	c := &Cache{
		opts:    o,
		base:    time.Now(),
		entries: map[string]*entry{},
		keys:    map[string]*entry{},
		flights: map[string]*flight{},
		fkeys:   map[string]*flight{},
		owners:  make([]*entry, o.Conns),
		live:    make([]uint64, o.Conns),
		ghost:   map[uint64]int32{},
		seed:    maphash.MakeSeed(),
	}
	n := o.Size / 512
	if n < 16 {
		n = 16
	}
	c.ring = make([]uint64, 0, n)
	c.budget = o.Size - n*ghostCost
	if c.budget < o.Size/2 {
		c.budget = o.Size / 2
	}
	c.tr = p.NewTracker(pool.TrackingOptions{
		Conns: o.Conns, BCAST: o.Mode.broadcast(), Prefixes: o.Prefixes, Redirect: o.Mode.redirect(),
		Heartbeat: o.Heartbeat, Events: (*cacheEvents)(c),
	})
	return c, nil
}

// Close closes the tracked connections and drops every entry.
func (c *Cache) Close() { c.tr.Close() }

// Tracker returns the cache's tracked connections.
func (c *Cache) Tracker() *pool.Tracker { return c.tr }

// Options returns the cache's options.
func (c *Cache) Options() CacheOptions { return c.opts }

// now is the cache's clock: monotonic nanoseconds.
func (c *Cache) now() int64 { return int64(time.Since(c.base)) }

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.RLock()
	n, b := len(c.entries), c.bytes+int64(cap(c.ring))*ghostCost
	c.mu.RUnlock()
	return CacheStats{
		Hits: c.hits.Load(), Misses: c.misses.Load(), Shared: c.shared.Load(),
		Discarded: c.discarded.Load(), Bypassed: c.bypassed.Load(), Invalidations: c.invals.Load(),
		EvictedSize: c.ev[evSize].Load(), Expired: c.ev[evExpired].Load(),
		Invalidated: c.ev[evInvalidated].Load(), Flushed: c.ev[evFlushed].Load(),
		ConnLost: c.ev[evConnLost].Load(), OwnWrites: c.ev[evOwnWrite].Load(), SlotMoved: c.ev[evSlotMoved].Load(),
		RedirectsLost: c.tr.RedirectsLost(), Entries: n, Bytes: b, Budget: c.opts.Size,
	}
}

// Flush drops every entry and dooms every flight.
func (c *Cache) Flush() {
	c.mu.Lock()
	c.flushLocked(evFlushed)
	c.mu.Unlock()
}

func (c *Cache) flushLocked(reason int) {
	for _, e := range c.entries {
		c.removeLocked(e, reason)
	}
	for _, f := range c.flights {
		f.doomed = true
	}
}

// lookup returns the live entry of sig, bumping its frequency, or nil.
// The returned entry's val, err and expire never change.
func (c *Cache) lookup(sig []byte, now int64) *entry {
	if c.nent.Load() == 0 {
		return nil
	}
	c.mu.RLock()
	e := c.entries[string(sig)]
	c.mu.RUnlock()
	if e == nil || e.expire <= now {
		return nil
	}
	if f := e.freq.Load(); f < 3 {
		e.freq.CompareAndSwap(f, f+1)
	}
	return e
}

// insertLocked caches the value of a confirmed flight, owned by conn.
func (c *Cache) insertLocked(f *flight, conn pool.ConnID) {
	if old := c.entries[f.sig]; old != nil {
		c.removeLocked(old, evInvalidated)
	}
	size := entryOverhead + int64(len(f.sig)) + f.size
	if size > c.budget/2 {
		c.discarded.Add(1)
		return
	}
	e := &entry{sig: f.sig, key: f.key, val: f.val, err: f.err, expire: f.expire, size: size, owner: conn}
	c.entries[e.sig] = e
	c.nent.Store(int32(len(c.entries)))
	// same-key chain
	if h := c.keys[e.key]; h != nil {
		h.kprev = e
		e.knext = h
	}
	c.keys[e.key] = e
	// owner chain
	if h := c.owners[conn.Slot]; h != nil {
		h.oprev = e
		e.onext = h
	}
	c.owners[conn.Slot] = e
	// slot chain
	if c.slots != nil {
		e.slot = uint16(Slot(e.key))
		if h := c.slots[e.slot]; h != nil {
			h.sprev = e
			e.snext = h
		}
		c.slots[e.slot] = e
	}
	// S3-FIFO
	h := maphash.String(c.seed, e.sig)
	if c.ghost[h] > 0 {
		e.q = qMain
		c.main.push(e)
	} else {
		e.q = qSmall
		c.small.push(e)
		c.sBytes += size
	}
	c.bytes += size
	for c.bytes > c.budget {
		c.evictLocked()
	}
}

// evictLocked evicts (or moves) one entry, S3-FIFO's way.
func (c *Cache) evictLocked() {
	if c.small.tail != nil && (c.sBytes > c.budget/10 || c.main.tail == nil) {
		e := c.small.tail
		c.small.remove(e)
		c.sBytes -= e.size
		if e.freq.Load() > 0 {
			e.q = qMain
			e.freq.Store(0)
			c.main.push(e)
			return
		}
		e.q = qNone
		c.addGhost(maphash.String(c.seed, e.sig))
		c.removeLocked(e, evSize)
		return
	}
	e := c.main.tail
	if e == nil {
		return
	}
	if f := e.freq.Load(); f > 0 {
		e.freq.Store(f - 1)
		c.main.remove(e)
		c.main.push(e)
		return
	}
	c.removeLocked(e, evSize)
}

func (c *Cache) addGhost(h uint64) {
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, h)
	} else {
		old := c.ring[c.ringPos]
		if n := c.ghost[old] - 1; n > 0 {
			c.ghost[old] = n
		} else {
			delete(c.ghost, old)
		}
		c.ring[c.ringPos] = h
		c.ringPos = (c.ringPos + 1) % len(c.ring)
	}
	c.ghost[h]++
}

// removeLocked drops an entry from every index.
func (c *Cache) removeLocked(e *entry, reason int) {
	if c.entries[e.sig] != e {
		return
	}
	delete(c.entries, e.sig)
	c.nent.Store(int32(len(c.entries)))
	switch e.q {
	case qSmall:
		c.small.remove(e)
		c.sBytes -= e.size
	case qMain:
		c.main.remove(e)
	}
	e.q = qNone
	c.bytes -= e.size
	if e.kprev != nil {
		e.kprev.knext = e.knext
	} else if e.knext != nil {
		c.keys[e.key] = e.knext
	} else {
		delete(c.keys, e.key)
	}
	if e.knext != nil {
		e.knext.kprev = e.kprev
	}
	if e.oprev != nil {
		e.oprev.onext = e.onext
	} else {
		c.owners[e.owner.Slot] = e.onext
	}
	if e.onext != nil {
		e.onext.oprev = e.oprev
	}
	if c.slots != nil {
		if e.sprev != nil {
			e.sprev.snext = e.snext
		} else {
			c.slots[e.slot] = e.snext
		}
		if e.snext != nil {
			e.snext.sprev = e.sprev
		}
	}
	e.kprev, e.knext, e.oprev, e.onext, e.sprev, e.snext = nil, nil, nil, nil, nil, nil
	c.ev[reason].Add(1)
}

// TrackSlots makes the cache index its entries by hash slot, for
// DropSlots: a cluster client's node caches do. Call it before the cache
// is used.
func (c *Cache) TrackSlots() {
	c.mu.Lock()
	if c.slots == nil {
		c.slots = make([]*entry, numSlots)
	}
	c.mu.Unlock()
}

// DropSlots drops the entries of the keys in the given hash slots and
// dooms their flights: a cluster client calls it on the cache of a node
// that no longer serves them. It needs TrackSlots.
func (c *Cache) DropSlots(slots ...int) {
	if len(slots) == 0 || c.nent.Load() == 0 && c.nflight.Load() == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.slots == nil {
		return
	}
	for _, s := range slots {
		if s < 0 || s >= numSlots {
			continue
		}
		for e := c.slots[s]; e != nil; {
			next := e.snext
			c.removeLocked(e, evSlotMoved)
			e = next
		}
	}
	if len(c.fkeys) == 0 {
		return
	}
	drop := make(map[int]bool, len(slots))
	for _, s := range slots {
		drop[s] = true
	}
	for key, f := range c.fkeys {
		if drop[Slot(key)] {
			for ; f != nil; f = f.knext {
				f.doomed = true
			}
		}
	}
}

// dropKeyLocked drops the entries of key and dooms its flights.
func (c *Cache) dropKeyLocked(key string, reason int) {
	for e := c.keys[key]; e != nil; {
		next := e.knext
		c.removeLocked(e, reason)
		e = next
	}
	for f := c.fkeys[key]; f != nil; f = f.knext {
		f.doomed = true
	}
}

// dropConnLocked drops the entries owned by conn.
func (c *Cache) dropConnLocked(conn pool.ConnID, reason int) {
	for e := c.owners[conn.Slot]; e != nil; {
		next := e.onext
		if e.owner == conn {
			c.removeLocked(e, reason)
		}
		e = next
	}
}

// cacheEvents receives the Tracker's events.
type cacheEvents Cache

func (ce *cacheEvents) Opened(conn pool.ConnID) {
	if conn.Slot == pool.RedirectSlot {
		return
	}
	c := (*Cache)(ce)
	c.mu.Lock()
	c.live[conn.Slot] = conn.Gen
	c.mu.Unlock()
}

func (ce *cacheEvents) Closed(conn pool.ConnID) {
	c := (*Cache)(ce)
	c.mu.Lock()
	if conn.Slot == pool.RedirectSlot {
		// Every entry relied on it for its invalidations.
		c.flushLocked(evConnLost)
		var resolve []*flight
		for _, f := range c.flights {
			if f.state == flConfirming {
				resolve = append(resolve, f)
			}
		}
		for _, f := range resolve {
			c.finishLocked(f)
		}
		c.mu.Unlock()
		return
	}
	if c.live[conn.Slot] == conn.Gen {
		c.live[conn.Slot] = 0
	}
	c.dropConnLocked(conn, evConnLost)
	var resolve []*flight
	for _, f := range c.flights {
		if f.state == flConfirming && f.conn == conn {
			f.doomed = true
			resolve = append(resolve, f)
		}
	}
	for _, f := range resolve {
		c.finishLocked(f)
	}
	c.mu.Unlock()
}

func (ce *cacheEvents) Invalidate(conn pool.ConnID, keys []redis.Reply, all bool) {
	c := (*Cache)(ce)
	c.mu.Lock()
	if all && conn.Slot == pool.RedirectSlot {
		c.invals.Add(1)
		c.flushLocked(evFlushed)
	} else if all {
		c.invals.Add(1)
		c.dropConnLocked(conn, evFlushed)
		for _, f := range c.flights {
			f.doomed = true
		}
	} else {
		c.invals.Add(uint64(len(keys)))
		for i := range keys {
			c.dropKeyLocked(string(keys[i].Str), evInvalidated)
		}
	}
	c.mu.Unlock()
}

// wrote drops what this client's command args (just answered) may have
// changed: the entries of its keys, or everything for FLUSHALL and the
// like.
func (c *Cache) wrote(args []any) {
	if len(args) < 1 || c.nent.Load() == 0 && c.nflight.Load() == 0 {
		return
	}
	name := CommandName(args)
	if readOnlyCommand(name) {
		return
	}
	switch name {
	case "FLUSHALL", "FLUSHDB", "SWAPDB":
		c.mu.Lock()
		c.flushLocked(evOwnWrite)
		c.mu.Unlock()
		return
	}
	var buf [8]int
	pos := KeyPositions(buf[:0], args)
	if len(pos) == 0 {
		return
	}
	c.mu.Lock()
	for _, i := range pos {
		if i < len(args) {
			if k, ok := argText(args[i]); ok {
				c.dropKeyLocked(k, evOwnWrite)
			}
		}
	}
	c.mu.Unlock()
}

// startFlight returns the flight of sig, made (leader) or joined.
func (c *Cache) startFlight(sig, key string) (f *flight, leader bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.flights[sig]; f != nil {
		return f, false
	}
	f = &flight{sig: sig, key: key, done: make(chan struct{})}
	c.flights[sig] = f
	f.knext = c.fkeys[key]
	c.fkeys[key] = f
	c.nflight.Store(int32(len(c.flights)))
	return f, true
}

// finishLocked resolves a flight: cached (f.ok) or not, its waiters
// wake.
func (c *Cache) finishLocked(f *flight) {
	if f.state == flDone {
		return
	}
	f.state = flDone
	if c.flights[f.sig] == f {
		delete(c.flights, f.sig)
	}
	c.nflight.Store(int32(len(c.flights)))
	var prev *flight
	for g := c.fkeys[f.key]; g != nil; prev, g = g, g.knext {
		if g == f {
			if prev == nil {
				if f.knext == nil {
					delete(c.fkeys, f.key)
				} else {
					c.fkeys[f.key] = f.knext
				}
			} else {
				prev.knext = f.knext
			}
			break
		}
	}
	if !f.ok {
		c.discarded.Add(1)
	}
	close(f.done)
}

// abort resolves a flight whose fetch failed.
func (c *Cache) abort(f *flight) {
	c.mu.Lock()
	if f.state == flFetching {
		f.doomed = true
		c.finishLocked(f)
	}
	c.mu.Unlock()
}
