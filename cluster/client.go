package cluster

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/pipeline"
	"github.com/duoredis/redis/pool"
)

// Client is a Redis Cluster client: the whole command set of client.Client,
// each command routed to the node that serves its keys' hash slot. It is
// safe for concurrent use by many goroutines; make one per cluster and
// share it. See the package documentation.
type Client struct {
	command.Cmdable
	opts   Options
	engine *command.Engine
	router *router
	state  atomic.Pointer[state]

	mu     sync.Mutex // guards nodes, byEngine, hooks, closed
	nodes  map[string]*node
	byEng  map[*command.Engine]*node
	hooks  []client.Hook
	closed bool

	rmu       sync.Mutex // guards pending and last
	pending   bool       // a refresh is scheduled
	last      time.Time  // when the last refresh started
	loadMu    sync.Mutex // serializes refreshes
	refreshes atomic.Uint64
	version   atomic.Uint64                    // changes with every slot map installed and every MOVED applied
	lastEpoch uint64                           // the epoch of the last map installed, 0 before; guarded by loadMu
	caches    atomic.Pointer[[]*command.Cache] // the nodes' caches (Options.CacheSize)
	fetched   atomic.Pointer[func(*topology)]  // tests: sees (and may change) each map fetched
	chaseMu   sync.Mutex
	chasing   map[int]bool // slots whose owner the map is known to have wrong (see chaseSlot)
	stop      chan struct{}
	wg        sync.WaitGroup
}

// node is one server of the cluster, with its own client (pool and
// auto-pipelining) and the engine that runs routed commands on it.
type node struct {
	addr      string
	cl        *client.Client
	eng       *command.Engine
	latency   atomic.Int64 // nanoseconds, 0 when not measured
	failUntil atomic.Int64 // unix nanoseconds: avoid it for replica reads until then
	mapCmd    atomic.Int32 // mapUnknown, mapShards or mapSlots: how fetch asks it for the slot map
	absent    int          // consecutive slot maps without it (guarded by Client.mu)
}

// shard is a master and its replicas.
type shard struct {
	master   *node
	replicas []*node
}

// state is the slot map in use. MOVED redirects update its slots in
// place; a refresh replaces it.
type state struct {
	slots  [NumSlots]atomic.Pointer[shard]
	shards []*shard
	epoch  uint64
	mapCmd string // the command it was read with (Stats.SlotMapCommand)
}

// New returns a cluster client for opts. It does not connect: the slot map
// is loaded by the first command (or by Refresh), from the first seed that
// answers.
func New(opts Options) (*Client, error) {
	if err := opts.init(); err != nil {
		return nil, err
	}
	c := &Client{opts: opts, nodes: map[string]*node{}, byEng: map[*command.Engine]*node{}, stop: make(chan struct{})}
	c.router = &router{c: c}
	c.engine = command.NewRoutedEngine(c.router, opts.DecodeResponses)
	c.engine.SetRetryOnTimeout(opts.RetryOnTimeout)
	if opts.CacheSize > 0 {
		c.engine.SetNodeCaches(&c.caches)
	}
	c.Cmdable = command.NewCmdable(c.engine)
	// The first seed's client checks the node options (it connects only
	// when first used).
	if _, err := c.nodeAt(opts.Addrs[0]); err != nil {
		return nil, err
	}
	if opts.RefreshInterval > 0 {
		c.wg.Add(1)
		go c.periodic(opts.RefreshInterval, func() { c.requestRefresh() })
	}
	if opts.RouteByLatency {
		c.wg.Add(1)
		go c.periodic(opts.LatencyInterval, c.measureLatency)
	}
	return c, nil
}

// NewFromURL is ParseURL followed by New.
func NewFromURL(rawURL string) (*Client, error) {
	o, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return New(*o)
}

// Options returns the options the client was made with, defaults applied.
func (c *Client) Options() Options { return c.opts }

// String describes the client without secrets.
func (c *Client) String() string {
	return "cluster.Client<" + strings.Join(c.opts.Addrs, ",") + ">"
}

// nodeOptions returns the client options of the node at addr.
func (c *Client) nodeOptions(addr string) client.Options {
	o := c.opts.Options
	o.Addr, o.Network = addr, "tcp"
	if c.opts.ReadOnly {
		// Every connection says READONLY: replicas then serve reads of
		// their master's slots, and on a master it changes nothing (a node
		// may change roles in a failover).
		base := o.NewConn
		if base == nil {
			base = pool.Dial
		}
		o.NewConn = func(ctx context.Context, po *pool.Options) (*pool.Conn, error) {
			cn, err := base(ctx, po)
			if err != nil {
				return nil, err
			}
			r := cn.Reply()
			if err := cn.Do(ctx, r, "READONLY"); err != nil {
				cn.Close()
				return nil, err
			}
			if r.IsError() {
				cn.Close()
				return nil, &pool.HandshakeError{Addr: po.Addr, Command: "READONLY", Err: r.Err()}
			}
			return cn, nil
		}
	}
	return o
}

// nodeLocked returns the node at addr, making its client if it is new.
// c.mu is held.
func (c *Client) nodeLocked(addr string) (*node, error) {
	if n := c.nodes[addr]; n != nil {
		return n, nil
	}
	if c.closed {
		return nil, pool.ErrClosed
	}
	cl, err := client.New(c.nodeOptions(addr))
	if err != nil {
		return nil, err
	}
	for _, h := range c.hooks {
		cl.AddHook(h)
	}
	n := &node{addr: addr, cl: cl}
	n.eng = c.engine.NodeEngine(cl.Pool(), cl.Engine().Mux())
	if cache := cl.Engine().Cache(); cache != nil {
		// The node's client made its cache (Options.CacheSize): its
		// tracked connections dial when a Cached read first comes (only
		// masters get them).
		cache.TrackSlots()
		n.eng.SetCache(cache)
	}
	c.nodes[addr] = n
	c.byEng[n.eng] = n
	c.publishCachesLocked()
	return n, nil
}

// publishCachesLocked makes the caches of the nodes in c.nodes those that
// the engine's writes drop their keys from. c.mu is held.
func (c *Client) publishCachesLocked() {
	if c.opts.CacheSize <= 0 {
		return
	}
	cs := make([]*command.Cache, 0, len(c.nodes))
	for _, n := range c.nodes {
		if cache := n.eng.Cache(); cache != nil {
			cs = append(cs, cache)
		}
	}
	c.caches.Store(&cs)
}

// nodeAt is nodeLocked, taking the lock.
func (c *Client) nodeAt(addr string) (*node, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodeLocked(addr)
}

// mapAddr applies Options.MapAddr.
func (c *Client) mapAddr(addr string) string {
	if c.opts.MapAddr != nil {
		return c.opts.MapAddr(addr)
	}
	return addr
}

// current returns the slot map, loading it first if there is none yet.
func (c *Client) current() (*state, error) {
	if st := c.state.Load(); st != nil {
		return st, nil
	}
	c.loadMu.Lock()
	defer c.loadMu.Unlock()
	if st := c.state.Load(); st != nil {
		return st, nil
	}
	if err := c.refreshLocked(); err != nil {
		return nil, err
	}
	if st := c.state.Load(); st != nil {
		return st, nil
	}
	return nil, errors.New("redis: cluster: no slot map")
}

// Refresh loads the slot map now, from the nodes of the current one and
// the seeds, and returns once it is installed (or when no node answered).
// The client refreshes by itself when it needs to; Refresh is for tests
// and for programs that know the cluster changed.
func (c *Client) Refresh(ctx context.Context) error {
	c.loadMu.Lock()
	defer c.loadMu.Unlock()
	c.rmu.Lock()
	c.last = time.Now()
	c.rmu.Unlock()
	return c.refreshCtx(ctx)
}

// requestRefresh schedules a refresh of the slot map: requests that come
// while one is scheduled are coalesced into it, and refreshes start at
// least MinRefreshInterval apart, after a random extra delay of up to half
// of that.
func (c *Client) requestRefresh() {
	c.rmu.Lock()
	if c.pending {
		c.rmu.Unlock()
		return
	}
	c.pending = true
	wait := time.Until(c.last.Add(c.opts.MinRefreshInterval))
	if wait < 0 {
		wait = 0
	}
	wait += rand.N(c.opts.MinRefreshInterval/2 + 1)
	c.rmu.Unlock()
	time.AfterFunc(wait, c.runRefresh)
}

// runRefresh is a scheduled refresh.
func (c *Client) runRefresh() {
	c.loadMu.Lock()
	defer c.loadMu.Unlock()
	c.rmu.Lock()
	c.pending = false
	c.last = time.Now()
	c.rmu.Unlock()
	select {
	case <-c.stop:
		return
	default:
	}
	_ = c.refreshLocked()
}

// refreshLocked loads and installs a slot map, bounded by the node
// options' timeouts. c.loadMu is held.
func (c *Client) refreshLocked() error {
	d := c.opts.DialTimeout
	if d <= 0 {
		d = pool.DefaultDialTimeout
	}
	r := c.opts.ReadTimeout
	if r <= 0 {
		r = pool.DefaultReadTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), d+r)
	defer cancel()
	return c.refreshCtx(ctx)
}

// refreshCtx asks the known nodes (in random order) and then the seeds for
// the slot map, and installs the first answer whose config epoch is not
// older than the map in use. c.loadMu is held.
func (c *Client) refreshCtx(ctx context.Context) error {
	c.refreshes.Add(1)
	cur := c.state.Load()
	var cands []string
	seen := map[string]bool{}
	if cur != nil {
		for _, sh := range cur.shards {
			for _, n := range append([]*node{sh.master}, sh.replicas...) {
				if !seen[n.addr] {
					seen[n.addr] = true
					cands = append(cands, n.addr)
				}
			}
		}
		rand.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	}
	seeds := append([]string(nil), c.opts.Addrs...)
	rand.Shuffle(len(seeds), func(i, j int) { seeds[i], seeds[j] = seeds[j], seeds[i] })
	for _, s := range seeds {
		if !seen[s] {
			seen[s] = true
			cands = append(cands, s)
		}
	}
	var errs []error
	older := 0
	for _, addr := range cands {
		if ctx.Err() != nil {
			break
		}
		c.mu.Lock()
		n := c.nodes[addr]
		c.mu.Unlock()
		if n != nil && cur != nil && n.failUntil.Load() > time.Now().UnixNano() {
			errs = append(errs, errors.New(addr+": failing, skipped"))
			continue // failed a moment ago: ask the others
		}
		t, err := c.fetch(ctx, addr)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if f := c.fetched.Load(); f != nil {
			(*f)(t)
		}
		if cur != nil && t.epoch < cur.epoch {
			// This node has not heard of the latest change yet.
			if older++; older < 3 {
				continue
			}
			return nil
		}
		return c.install(t)
	}
	if len(errs) == 0 {
		errs = append(errs, errors.New("no node to ask"))
	}
	return &RefreshError{Errs: errs}
}

// RefreshError is the error of a refresh of the slot map that no node
// answered: one error per node asked.
type RefreshError struct{ Errs []error }

// Error implements the error interface.
func (e *RefreshError) Error() string {
	return "redis: cluster: cannot load the slot map: " + errors.Join(e.Errs...).Error()
}

// Unwrap returns the errors of the nodes asked.
func (e *RefreshError) Unwrap() []error { return e.Errs }

// RedisError marks the type as an error of this module.
func (e *RefreshError) RedisError() {}

// Which command describes a node's slot map (node.mapCmd).
const (
	mapUnknown int32 = iota // not asked yet: HELLO tells
	mapShards               // CLUSTER SHARDS (see trustShards)
	mapSlots                // CLUSTER SLOTS
)

// fetch asks the node at addr for its slot map (CLUSTER SHARDS or CLUSTER
// SLOTS) and CLUSTER NODES (for the config epochs), in one round trip. The
// first time, HELLO comes first and both map commands are sent: the
// server's name and version choose the one used from then on.
func (c *Client) fetch(ctx context.Context, addr string) (*topology, error) {
	c.mu.Lock()
	n, err := c.nodeLocked(addr)
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	cn, err := n.cl.Pool().Get(ctx)
	if err != nil {
		n.failUntil.Store(time.Now().Add(time.Second).UnixNano())
		return nil, err
	}
	defer n.cl.Pool().Put(cn)
	mode := n.mapCmd.Load()
	var cmds [][]string
	if mode == mapUnknown {
		cmds = append(cmds, []string{"HELLO"})
	}
	if mode != mapSlots {
		cmds = append(cmds, []string{"CLUSTER", "SHARDS"})
	}
	if mode != mapShards {
		cmds = append(cmds, []string{"CLUSTER", "SLOTS"})
	}
	cmds = append(cmds, []string{"CLUSTER", "NODES"})
	for _, cmd := range cmds {
		if err := cn.WriteStrings(cmd...); err != nil {
			return nil, err
		}
	}
	var byShards, bySlots *topology
	var shardsErr, slotsErr, eerr error
	var epoch uint64
	trusted := false
	useTLS := c.opts.TLSConfig != nil
	err = cn.ReadReplies(ctx, len(cmds), 0, func(i int, r *redis.Reply) {
		switch cmds[i][len(cmds[i])-1] {
		case "HELLO":
			trusted = !r.IsError() && trustShards(text(field(r, "server")), text(field(r, "version")))
		case "SHARDS":
			byShards, shardsErr = parseShards(r, addr, useTLS, c.opts.MapAddr)
		case "SLOTS":
			bySlots, slotsErr = parseSlots(r, addr, c.opts.MapAddr)
		case "NODES":
			if r.IsError() {
				eerr = r.Err()
				return
			}
			epoch, eerr = maxEpoch(string(r.Str))
		}
	})
	if err != nil {
		return nil, err
	}
	if mode == mapUnknown {
		mode = mapSlots
		if trusted {
			mode = mapShards
		}
		n.mapCmd.Store(mode)
	}
	t, perr := bySlots, slotsErr
	if mode == mapShards {
		t, perr = byShards, shardsErr
		if t != nil {
			t.cmd = "CLUSTER SHARDS"
		} else if bySlots != nil {
			// SHARDS failed where SLOTS answered (an ACL, a proxy):
			// use SLOTS from now on.
			n.mapCmd.Store(mapSlots)
			t, perr = bySlots, nil
		} else if slotsErr == nil {
			n.mapCmd.Store(mapSlots) // SLOTS was not asked: next time
		}
	}
	if perr != nil {
		return nil, perr
	}
	if t.cmd == "" {
		t.cmd = "CLUSTER SLOTS"
	}
	if eerr == nil {
		t.epoch = epoch
	}
	return t, nil
}

// install makes t the slot map in use, and closes the clients of nodes
// that have been out of the map for three refreshes.
func (c *Client) install(t *topology) error {
	st := &state{epoch: t.epoch, mapCmd: t.cmd}
	c.mu.Lock()
	shards := make([]*shard, len(t.shards))
	used := map[string]bool{}
	for i, si := range t.shards {
		m, err := c.nodeLocked(si.Master)
		if err != nil {
			c.mu.Unlock()
			return err
		}
		sh := &shard{master: m}
		used[si.Master] = true
		for _, ra := range si.Replicas {
			r, err := c.nodeLocked(ra)
			if err != nil {
				c.mu.Unlock()
				return err
			}
			sh.replicas = append(sh.replicas, r)
			used[ra] = true
		}
		shards[i] = sh
	}
	st.shards = shards
	for s, o := range t.owner {
		if o >= 0 {
			st.slots[s].Store(shards[o])
		}
	}
	seeds := map[string]bool{}
	for _, s := range c.opts.Addrs {
		seeds[s] = true
	}
	var gone []*node
	for addr, n := range c.nodes {
		if used[addr] || seeds[addr] {
			n.absent = 0
			continue
		}
		if n.absent++; n.absent >= 3 {
			delete(c.nodes, addr)
			delete(c.byEng, n.eng)
			gone = append(gone, n)
		}
	}
	if len(gone) > 0 {
		c.publishCachesLocked()
	}
	c.mu.Unlock()
	old := c.state.Swap(st)
	c.version.Add(1)
	if old != nil && c.opts.CacheSize > 0 {
		// Each node's cache drops the entries of the slots it no longer
		// serves: should a slot come back to it, nothing from before
		// may be served.
		lost := map[*node][]int{}
		for s := range old.slots {
			was := old.slots[s].Load()
			if now := st.slots[s].Load(); was != nil && (now == nil || now.master != was.master) {
				lost[was.master] = append(lost[was.master], s)
			}
		}
		for n, slots := range lost {
			if cache := n.eng.Cache(); cache != nil {
				cache.DropSlots(slots...)
			}
		}
	}
	prev := c.lastEpoch
	c.lastEpoch = t.epoch
	if prev != 0 && prev != t.epoch {
		// The cluster changed (a failover, a slot moved): the nodes learn
		// of it by gossip, so the map just read may lack part of it (say,
		// a slot of the failed master that the new one did not know of
		// yet). Look again in a moment; a command that reaches a replica
		// without a redirect (SPUBLISH) would not tell.
		time.AfterFunc(settleDelay, c.requestRefresh)
	}
	for _, n := range gone {
		// Commands in flight on it finish first; new ones fail as not
		// sent, and are routed again.
		go n.cl.Close()
	}
	return nil
}

// settleDelay is how long after installing a map of a new config epoch the
// client loads the map again.
const settleDelay = time.Second

// chaseFor bounds how long chaseSlot refreshes the slot map.
const chaseFor = 15 * time.Second

// chaseSlot is told that the node at addr no longer serves slot (it ended
// a shard channel subscription of the slot by itself). While the slot map
// still names addr as the slot's master (the nodes asked had not heard of
// the change yet: a failover, a migration), the map is refreshed again,
// at the pace of MinRefreshInterval, for up to chaseFor: a map whose
// config epoch did not change would otherwise be trusted until the
// periodic refresh. One chase per slot at a time.
func (c *Client) chaseSlot(slot int, addr string) {
	stale := func() bool {
		st := c.state.Load()
		if st == nil {
			return false
		}
		sh := st.slots[slot].Load()
		return sh != nil && sh.master.addr == addr
	}
	if !stale() {
		return
	}
	c.chaseMu.Lock()
	if c.chasing == nil {
		c.chasing = map[int]bool{}
	}
	if c.chasing[slot] {
		c.chaseMu.Unlock()
		return
	}
	c.chasing[slot] = true
	c.chaseMu.Unlock()
	go func() { // ends at Close (c.stop), or within chaseFor
		defer func() {
			c.chaseMu.Lock()
			delete(c.chasing, slot)
			c.chaseMu.Unlock()
		}()
		t := time.NewTimer(0)
		defer t.Stop()
		for end := time.Now().Add(chaseFor); stale() && time.Now().Before(end); {
			c.requestRefresh()
			t.Reset(c.opts.MinRefreshInterval + rand.N(c.opts.MinRefreshInterval/2+1))
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// periodic calls fn every d until Close.
func (c *Client) periodic(d time.Duration, fn func()) {
	defer c.wg.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			fn()
		}
	}
}

// measureLatency PINGs every node of the map and keeps a moving average
// of the round trip (RouteByLatency).
func (c *Client) measureLatency() {
	st := c.state.Load()
	if st == nil {
		return
	}
	for _, sh := range st.shards {
		for _, n := range append([]*node{sh.master}, sh.replicas...) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			start := time.Now()
			err := n.cl.Ping(ctx).Err()
			cancel()
			d := time.Since(start)
			if err != nil {
				d = time.Hour
			}
			old := n.latency.Load()
			if old > 0 && err == nil {
				d = (3*time.Duration(old) + d) / 4
			}
			n.latency.Store(int64(d))
		}
	}
}

// pickRead returns the node of a read-only command on shard sh, as the
// replica-read options say.
func (c *Client) pickRead(sh *shard, slot int) *node {
	now := time.Now().UnixNano()
	ok := func(n *node) bool { return n.failUntil.Load() < now }
	o := &c.opts
	switch {
	case o.NodeSelector != nil:
		addrs := make([]string, len(sh.replicas))
		for i, r := range sh.replicas {
			addrs[i] = r.addr
		}
		want := o.NodeSelector(slot, sh.master.addr, addrs)
		for _, r := range sh.replicas {
			if r.addr == want {
				return r
			}
		}
		return sh.master
	case o.RouteByLatency:
		var best *node
		cands := make([]*node, 0, 1+len(sh.replicas))
		for _, n := range append([]*node{sh.master}, sh.replicas...) {
			if ok(n) {
				cands = append(cands, n)
				if best == nil || n.latency.Load() < best.latency.Load() {
					best = n
				}
			}
		}
		if best == nil {
			return sh.master
		}
		limit := best.latency.Load() + int64(o.LatencyTolerance)
		near := cands[:0]
		for _, n := range cands {
			if n.latency.Load() <= limit {
				near = append(near, n)
			}
		}
		return near[rand.N(len(near))]
	case o.RouteRandomly:
		i := rand.N(1 + len(sh.replicas))
		if i == 0 || !ok(sh.replicas[i-1]) {
			return sh.master
		}
		return sh.replicas[i-1]
	}
	if len(sh.replicas) == 0 {
		return sh.master
	}
	start := rand.N(len(sh.replicas))
	for i := range sh.replicas {
		if r := sh.replicas[(start+i)%len(sh.replicas)]; ok(r) {
			return r
		}
	}
	return sh.master
}

// UncoveredSlotError is the error of a command whose slot no node serves
// in the client's slot map (a refresh is under way).
type UncoveredSlotError struct{ Slot int }

// Error implements the error interface.
func (e *UncoveredSlotError) Error() string {
	return "redis: cluster: no node serves slot " + strconv.Itoa(e.Slot)
}

// Is makes errors.Is(err, redis.ErrClusterDown) match.
func (e *UncoveredSlotError) Is(target error) bool { return target == redis.ErrClusterDown }

// RedisError marks the type as an error of this module.
func (e *UncoveredSlotError) RedisError() {}

// router is the command.Router of a Client.
type router struct{ c *Client }

// Node implements command.Router.
func (r *router) Node(slot int, readOnly bool) (*command.Engine, error) {
	st, err := r.c.current()
	if err != nil {
		return nil, err
	}
	if slot < 0 {
		if len(st.shards) == 0 {
			return nil, &UncoveredSlotError{Slot: 0}
		}
		return st.shards[rand.N(len(st.shards))].master.eng, nil
	}
	sh := st.slots[slot].Load()
	if sh == nil {
		r.c.requestRefresh()
		return nil, &UncoveredSlotError{Slot: slot}
	}
	if readOnly && r.c.opts.ReadOnly {
		return r.c.pickRead(sh, slot).eng, nil
	}
	return sh.master.eng, nil
}

// NodeAt implements command.Router.
func (r *router) NodeAt(addr string) (*command.Engine, error) {
	n, err := r.c.nodeAt(r.c.mapAddr(addr))
	if err != nil {
		return nil, err
	}
	return n.eng, nil
}

// Masters implements command.Router.
func (r *router) Masters() ([]*command.Engine, error) {
	st, err := r.c.current()
	if err != nil {
		return nil, err
	}
	out := make([]*command.Engine, len(st.shards))
	for i, sh := range st.shards {
		out[i] = sh.master.eng
	}
	return out, nil
}

// Moved implements command.Router: the slot goes to the shard whose master
// is at addr (a new shard when none is), and a refresh is scheduled.
func (r *router) Moved(slot int, addr string) {
	c := r.c
	addr = c.mapAddr(addr)
	if st := c.state.Load(); st != nil && slot >= 0 && slot < NumSlots {
		if cur := st.slots[slot].Load(); cur == nil || cur.master.addr != addr {
			var to *shard
			for _, sh := range st.shards {
				if sh.master.addr == addr {
					to = sh
					break
				}
			}
			if to == nil {
				if n, err := c.nodeAt(addr); err == nil {
					to = &shard{master: n}
				}
			}
			if to != nil {
				st.slots[slot].Store(to)
				c.version.Add(1)
				if cur != nil && cur.master != to.master {
					if cache := cur.master.eng.Cache(); cache != nil {
						cache.DropSlots(slot)
					}
				}
			}
		}
	}
	c.requestRefresh()
}

// Failed implements command.Router: a connection error marks the node as
// failing for a second (replica reads avoid it); every failure reported
// schedules a refresh.
func (r *router) Failed(e *command.Engine, err error) {
	c := r.c
	var ce *redis.ConnectionError
	var te *redis.TimeoutError
	var he *pool.HandshakeError
	if errors.As(err, &ce) || errors.As(err, &te) || errors.As(err, &he) {
		c.mu.Lock()
		n := c.byEng[e]
		c.mu.Unlock()
		if n != nil {
			n.failUntil.Store(time.Now().Add(time.Second).UnixNano())
		}
	}
	c.requestRefresh()
}

// MaxRedirects implements command.Router.
func (r *router) MaxRedirects() int { return r.c.opts.MaxRedirects }

// Close closes every node's client. Commands in flight finish first; new
// ones fail.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	nodes := make([]*node, 0, len(c.nodes))
	for _, n := range c.nodes {
		nodes = append(nodes, n)
	}
	c.mu.Unlock()
	close(c.stop)
	c.wg.Wait()
	var errs []error
	for _, n := range nodes {
		if err := n.cl.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// AddHook installs h: every command, pipeline and transaction of the client
// from then on passes through it, one call per command whatever the
// redirects and retries inside it (a split MGET or a fan-out DBSIZE is one
// call too), and every connection to any node (present or future) passes
// through its dial hook. The node clients that ForEachMaster and friends
// hand out have it too. Hooks added first run first.
func (c *Client) AddHook(h client.Hook) {
	c.engine.AddHook(h)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = append(c.hooks, h)
	for _, n := range c.nodes {
		n.cl.AddHook(h)
	}
}

// SetResponseCallback overrides the response callback of the command name
// for this client (see client.Client.SetResponseCallback); nil restores
// the default.
func (c *Client) SetResponseCallback(name string, cb command.Callback) {
	c.engine.SetResponseCallback(name, cb)
}

// Pipeline returns a pipeline whose Exec runs the buffered commands as one
// MULTI/EXEC transaction on the master of their slot: every command's keys
// must be in one slot (a *redis.CrossSlotError otherwise, before anything
// is sent). A transaction refused with MOVED, ASK, TRYAGAIN or CLUSTERDOWN
// ran nothing and is sent again by itself.
func (c *Client) Pipeline() *pipeline.Pipeline { return pipeline.New(c.engine, true) }

// PipelineNoTx returns a pipeline without MULTI/EXEC whose commands may be
// in any slots: Exec sends each node its commands in one round trip, all
// nodes in parallel, and returns every command's own result in the order
// they were queued. WAIT and WAITAOF go with the command queued just before
// them (same node, same connection), so that SET k v followed by WAIT 1 t
// tells how many replicas have the write. Commands redirected by MOVED or ASK (or told TRYAGAIN)
// are sent again, and only those; a node that fails fails its commands
// only. A multi-key command must still keep its keys in one slot (MGET and
// friends are split only when run directly on the Client).
func (c *Client) PipelineNoTx() *pipeline.Pipeline { return pipeline.New(c.engine, false) }

// ErrTooManyRetries is returned by Transaction when the transaction was
// retried MaxTransactionRetries times (a watched key kept changing, or the
// slot kept moving). It wraps the last error.
var ErrTooManyRetries = client.ErrTooManyRetries

// Transaction is client.Client.Transaction on the master of the keys'
// slot: it WATCHes keys (which must share one slot), calls fn with a
// pipeline in immediate mode, and sends what fn queued after p.Multi() as
// one MULTI/EXEC; the queued commands must be in the same slot. It starts
// over when a watched key changed, and when the slot moved (MOVED or ASK
// on the WATCH or in the transaction), up to MaxTransactionRetries times.
func (c *Client) Transaction(ctx context.Context, fn func(p *pipeline.Pipeline) error, keys ...string) ([]pipeline.Cmder, error) {
	retries := c.opts.MaxTransactionRetries
	if retries <= 0 {
		retries = 100
	}
	p := c.Pipeline()
	defer p.Close()
	var lastErr error
	for attempt := 0; attempt <= retries; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(keys) > 0 {
			if err := p.Watch(ctx, keys...); err != nil {
				p.Reset()
				if c.redirected(ctx, err, attempt) {
					lastErr = err
					continue
				}
				return nil, err
			}
		}
		if err := fn(p); err != nil {
			p.Reset()
			if c.redirected(ctx, err, attempt) {
				lastErr = err
				continue
			}
			return nil, err
		}
		res, err := p.Exec(ctx)
		var we *redis.WatchError
		if errors.As(err, &we) {
			lastErr = err
			p.Reset()
			continue
		}
		if err != nil && len(keys) > 0 {
			// A bound transaction cannot be sent again by the engine: start
			// over when a command of it was redirected.
			for _, r := range res {
				if c.redirected(ctx, r.Err(), attempt) {
					err, lastErr = nil, r.Err()
					break
				}
			}
			if err == nil {
				p.Reset()
				continue
			}
		}
		return res, err
	}
	return nil, errors.Join(ErrTooManyRetries, lastErr)
}

// redirected reports whether err is a MOVED, ASK, TRYAGAIN or CLUSTERDOWN
// that a transaction may start over after (after updating the slot map,
// or a backoff).
func (c *Client) redirected(ctx context.Context, err error, attempt int) bool {
	var moved *redis.MovedError
	var ask *redis.AskError
	var ta *redis.TryAgainError
	switch {
	case errors.As(err, &moved):
		c.router.Moved(moved.Slot, moved.Addr)
		return true
	case errors.As(err, &ask), errors.As(err, &ta), errors.Is(err, redis.ErrClusterDown):
		d := time.Duration(10<<min(attempt, 5)) * time.Millisecond
		t := time.NewTimer(d/2 + rand.N(d))
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	return false
}

// nodesOf returns the masters of the slot map, and each one's replicas.
func (c *Client) shards() ([]*shard, error) {
	st, err := c.current()
	if err != nil {
		return nil, err
	}
	return st.shards, nil
}

// ForEachMaster calls fn, in parallel, with the client of every master of
// the current slot map, and returns the errors joined. A node client runs
// commands on its node only (no redirects): use it for server commands
// (INFO, CONFIG SET, SCAN of that node's keys...).
func (c *Client) ForEachMaster(ctx context.Context, fn func(ctx context.Context, master *client.Client) error) error {
	shards, err := c.shards()
	if err != nil {
		return err
	}
	return forEach(ctx, shards, func(ctx context.Context, sh *shard) error { return fn(ctx, sh.master.cl) })
}

// ForEachShard calls fn, in parallel, once per shard of the current slot
// map, with the client of its master and those of its replicas, and
// returns the errors joined.
func (c *Client) ForEachShard(ctx context.Context, fn func(ctx context.Context, master *client.Client, replicas []*client.Client) error) error {
	shards, err := c.shards()
	if err != nil {
		return err
	}
	return forEach(ctx, shards, func(ctx context.Context, sh *shard) error {
		rs := make([]*client.Client, len(sh.replicas))
		for i, r := range sh.replicas {
			rs[i] = r.cl
		}
		return fn(ctx, sh.master.cl, rs)
	})
}

// ForEachNode calls fn, in parallel, with the client of every node of the
// current slot map, masters and replicas, and returns the errors joined.
func (c *Client) ForEachNode(ctx context.Context, fn func(ctx context.Context, node *client.Client) error) error {
	shards, err := c.shards()
	if err != nil {
		return err
	}
	var all []*shard
	for _, sh := range shards {
		all = append(all, &shard{master: sh.master})
		for _, r := range sh.replicas {
			all = append(all, &shard{master: r})
		}
	}
	return forEach(ctx, all, func(ctx context.Context, sh *shard) error { return fn(ctx, sh.master.cl) })
}

func forEach(ctx context.Context, shards []*shard, fn func(ctx context.Context, sh *shard) error) error {
	errs := make([]error, len(shards))
	var wg sync.WaitGroup
	for i, sh := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(ctx, sh)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// MasterForKey returns the client of the master that serves key's slot in
// the current slot map (loading the map first if there is none), and its
// address. The client runs commands on that node only.
func (c *Client) MasterForKey(key string) (*client.Client, error) {
	st, err := c.current()
	if err != nil {
		return nil, err
	}
	slot := command.Slot(key)
	sh := st.slots[slot].Load()
	if sh == nil {
		c.requestRefresh()
		return nil, &UncoveredSlotError{Slot: slot}
	}
	return sh.master.cl, nil
}

// Shards returns the current slot map: every shard's master and replica
// addresses and slot ranges (loading the map first if there is none).
// Slots moved by MOVED redirects since the last refresh show in the next
// refresh's map.
func (c *Client) Shards() ([]ShardInfo, error) {
	st, err := c.current()
	if err != nil {
		return nil, err
	}
	out := make([]ShardInfo, 0, len(st.shards))
	idx := map[*shard]int{}
	for _, sh := range st.shards {
		si := ShardInfo{Master: sh.master.addr}
		for _, r := range sh.replicas {
			si.Replicas = append(si.Replicas, r.addr)
		}
		idx[sh] = len(out)
		out = append(out, si)
	}
	for s := 0; s < NumSlots; s++ {
		sh := st.slots[s].Load()
		i, ok := idx[sh]
		if !ok {
			continue
		}
		rs := out[i].Ranges
		if n := len(rs); n > 0 && rs[n-1][1] == s-1 {
			rs[n-1][1] = s
		} else {
			out[i].Ranges = append(rs, [2]int{s, s})
		}
	}
	return out, nil
}

// Stats are a cluster client's statistics.
type Stats struct {
	// Nodes are the pool statistics of every node client, by address.
	Nodes map[string]pool.Stats
	// Total adds up the nodes' statistics.
	Total pool.Stats
	// Refreshes counts the loads of the slot map.
	Refreshes uint64
	// Epoch is the highest config epoch of the slot map in use.
	Epoch uint64
	// SlotMapCommand is the command the slot map in use was read with:
	// "CLUSTER SHARDS" from servers that report replicas' health
	// reliably (Valkey 7.2.6+, Redis 8+; replicas that are not online
	// are left out), else "CLUSTER SLOTS".
	SlotMapCommand string
}

// Stats returns the statistics of every node's pool, their total, and the
// slot map's.
func (c *Client) Stats() Stats {
	s := Stats{Nodes: map[string]pool.Stats{}, Refreshes: c.refreshes.Load()}
	if st := c.state.Load(); st != nil {
		s.Epoch, s.SlotMapCommand = st.epoch, st.mapCmd
	}
	c.mu.Lock()
	nodes := make([]*node, 0, len(c.nodes))
	for _, n := range c.nodes {
		nodes = append(nodes, n)
	}
	c.mu.Unlock()
	for _, n := range nodes {
		ps := n.cl.PoolStats()
		s.Nodes[n.addr] = ps
		t := &s.Total
		t.Hits += ps.Hits
		t.Misses += ps.Misses
		t.Timeouts += ps.Timeouts
		t.TotalConns += ps.TotalConns
		t.IdleConns += ps.IdleConns
		t.StaleConns += ps.StaleConns
		t.WaitCount += ps.WaitCount
		t.WaitDuration += ps.WaitDuration
		t.Unusable += ps.Unusable
		t.SharedConns += ps.SharedConns
		t.PendingRequests += ps.PendingRequests
		t.Closed.IdleTimeout += ps.Closed.IdleTimeout
		t.Closed.MaxLifetime += ps.Closed.MaxLifetime
		t.Closed.Dead += ps.Closed.Dead
		t.Closed.Error += ps.Closed.Error
		t.Closed.PoolClosed += ps.Closed.PoolClosed
	}
	return s
}

// PoolStats returns the total of every node's pool statistics.
func (c *Client) PoolStats() pool.Stats { return c.Stats().Total }

// CacheStats returns the statistics of the client-side caches of the
// nodes (Options.CacheSize), added up. Every node has a cache, but only
// masters serve Cached reads, so Budget is CacheSize times the masters of
// the slot map in use. Zero without caching.
func (c *Client) CacheStats() command.CacheStats {
	var t command.CacheStats
	cs := c.caches.Load()
	if cs == nil {
		return t
	}
	for _, cache := range *cs {
		s := cache.Stats()
		t.Hits += s.Hits
		t.Misses += s.Misses
		t.Shared += s.Shared
		t.Discarded += s.Discarded
		t.Bypassed += s.Bypassed
		t.Invalidations += s.Invalidations
		t.EvictedSize += s.EvictedSize
		t.Expired += s.Expired
		t.Invalidated += s.Invalidated
		t.Flushed += s.Flushed
		t.ConnLost += s.ConnLost
		t.OwnWrites += s.OwnWrites
		t.SlotMoved += s.SlotMoved
		t.RedirectsLost += s.RedirectsLost
		t.Entries += s.Entries
		t.Bytes += s.Bytes
	}
	if st := c.state.Load(); st != nil {
		t.Budget = c.opts.CacheSize * int64(len(st.shards))
	}
	return t
}

// FlushCache drops every entry of every node's client-side cache.
func (c *Client) FlushCache() {
	if cs := c.caches.Load(); cs != nil {
		for _, cache := range *cs {
			cache.Flush()
		}
	}
}
