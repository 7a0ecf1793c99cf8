package sentinel

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/pool"
)

// dataOptions checks the options of a data-node client and returns a copy
// ready for a binding to fill in.
func dataOptions(o *client.Options) (client.Options, error) {
	co := *o
	if co.Pool != nil {
		return co, errors.New("redis: a sentinel client cannot use a shared pool (Options.Pool): its address changes with failovers")
	}
	if co.Network != "" && !strings.HasPrefix(co.Network, "tcp") {
		return co, fmt.Errorf("redis: a sentinel client connects over TCP, not %q", co.Network)
	}
	return co, nil
}

// clientOptions returns the options of a client bound to name: opts, or
// Options.Client when opts is nil, with the connection factory next to
// wrap (pool.Dial unless the options name one).
func (s *Sentinel) clientOptions(name string, opts *client.Options) (co client.Options, next func(context.Context, *pool.Options) (*pool.Conn, error), err error) {
	if opts == nil {
		opts = &s.opts.Client
	}
	if co, err = dataOptions(opts); err != nil {
		return co, nil, err
	}
	next = co.NewConn
	if next == nil {
		next = pool.Dial
	}
	// Addr names the service in String and in the pool's errors; every
	// connection is made at the address the sentinels give.
	co.Network = "tcp"
	co.Addr = "sentinel:" + name
	return co, next, nil
}

// MasterFor returns a client whose connections go to the current master
// of name (redis-py's master_for). opts are the client's options (nil:
// Options.Client); Addr is ignored, and a NewConn or Dialer in them is
// kept and wrapped.
//
// Each new connection asks the sentinels for the master's address first
// (DiscoverMaster), and checks with ROLE that the server it reached is a
// master, so after a failover new connections reach the new master with
// no restart of the program. When a sentinel announces a new master
// (+switch-master, see Options.DisableEvents), or a discovery (of a new
// connection, or of the watch every WatchInterval) finds that the master
// moved, the client's connections to the former master, pooled and
// auto-pipelined alike, are closed at once, and none is made there any
// more: commands in flight on them fail with a connection error, and
// later ones get new connections to the new master. (With a Dialer whose
// connections have no file descriptor, the pool cannot see that an idle
// connection was closed, and the first command on it fails with a
// connection error.) A connection that gets a READONLY error (it reached
// the old master after its demotion) is closed rather than reused
// (pool.Options.RetireOnReadOnly). When no master is found, commands
// fail with a [*redis.MasterNotFoundError].
func (s *Sentinel) MasterFor(name string, opts *client.Options) (*client.Client, error) {
	co, next, err := s.clientOptions(name, opts)
	if err != nil {
		return nil, err
	}
	b := &masterBinding{s: s, name: name, next: next}
	co.NewConn = b.newConn
	return client.New(co)
}

// ReplicaFor returns a client whose connections go to the replicas of
// name (redis-py's slave_for): each new connection asks the sentinels for
// the replicas that are up (DiscoverReplicas: also while the master is
// down, unless Options.SyncedReplicasOnly) and tries them in turn, round
// robin, starting where the previous connection left off. It asks each
// replica it reaches for its INFO and passes over one that holds none of
// its master's data yet (restarted and not yet resynchronised: the
// sentinels learn of that only at their next INFO, seconds later), is
// loading its dataset, or is in a full resynchronisation; such a replica
// serves only when neither another replica nor the master can be
// reached. When no replica can be reached it falls back to the master.
// When neither can, commands fail with a [*redis.ReplicaNotFoundError].
// When a sentinel announces that a replica is down (+sdown), the client's
// connections to it are closed. opts are as for MasterFor. Writes through
// such a client fail with a [*redis.ReadOnlyError] while it is connected
// to a replica.
func (s *Sentinel) ReplicaFor(name string, opts *client.Options) (*client.Client, error) {
	co, next, err := s.clientOptions(name, opts)
	if err != nil {
		return nil, err
	}
	b := &replicaBinding{s: s, name: name, next: next}
	b.turn.Store(rand.Uint32())
	co.NewConn = b.newConn
	return client.New(co)
}

// dialAt makes a connection to addr with next, the options' factory.
func dialAt(ctx context.Context, next func(context.Context, *pool.Options) (*pool.Conn, error), opts *pool.Options, addr string, dialer func(ctx context.Context, network, addr string) (net.Conn, error)) (*pool.Conn, error) {
	o := *opts
	o.Addr = addr
	o.Network = "tcp"
	if dialer != nil {
		o.Dialer = dialer
	}
	return next(ctx, &o)
}

// tracker keeps the network connections a binding made, by server
// address, to close those to a server at once when the sentinels say it
// is no longer the master, or down.
type tracker struct {
	mu      sync.Mutex
	conns   map[net.Conn]string // open connections (pruned as they close) and their servers
	dialing int                 // connections being made
}

// trackLocked records nc as a connection to addr, and returns what the
// pool should use: nc itself when its closing can be seen through its
// descriptor, a wrapper that reports Close otherwise. t.mu is held.
func (t *tracker) trackLocked(nc net.Conn, addr string) net.Conn {
	t.pruneLocked()
	if t.conns == nil {
		t.conns = make(map[net.Conn]string)
	}
	if _, ok := nc.(syscall.Conn); !ok {
		nc = &closeConn{Conn: nc, t: t}
	}
	t.conns[nc] = addr
	return nc
}

// closeWhereLocked closes the connections to the servers for which drop is
// true: idle ones are replaced at their next checkout, and commands in
// flight on the others fail. t.mu is held, and released.
func (t *tracker) closeWhereLocked(drop func(addr string) bool) {
	var stale []net.Conn
	for nc, a := range t.conns {
		if drop(a) {
			stale = append(stale, nc)
			delete(t.conns, nc)
		}
	}
	t.mu.Unlock()
	for _, nc := range stale {
		_ = nc.Close()
	}
}

// begin and end bracket the making of a connection: a binding with a
// connection on the way counts as live.
func (t *tracker) begin() {
	t.mu.Lock()
	t.dialing++
	t.mu.Unlock()
}

func (t *tracker) end() {
	t.mu.Lock()
	t.dialing--
	t.mu.Unlock()
}

// live drops the connections that were closed and returns how many are
// left, counting those being made.
func (t *tracker) live() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pruneLocked()
	return len(t.conns) + t.dialing
}

func (t *tracker) pruneLocked() {
	for nc := range t.conns {
		if isClosed(nc) {
			delete(t.conns, nc)
		}
	}
}

// isClosed reports whether nc was closed, through its descriptor; a
// closeConn removes itself when closed, so it is never found here closed.
func isClosed(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	return raw.Control(func(uintptr) {}) != nil
}

// closeConn is a net.Conn without a descriptor (from a custom Dialer)
// whose Close removes it from its tracker.
type closeConn struct {
	net.Conn
	t *tracker
}

func (c *closeConn) Close() error {
	c.t.mu.Lock()
	delete(c.t.conns, c)
	c.t.mu.Unlock()
	return c.Conn.Close()
}

// baseDialer returns opts' Dialer, or a net.Dialer's.
func baseDialer(opts *pool.Options) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if opts.Dialer != nil {
		return opts.Dialer
	}
	return (&net.Dialer{}).DialContext
}

// masterBinding is the connection factory of a MasterFor client. It keeps
// the network connections it made, by server address, to close those to a
// former master when the master moves. Every connection of the client,
// pooled or auto-pipelined, is made here.
type masterBinding struct {
	s    *Sentinel
	name string
	next func(context.Context, *pool.Options) (*pool.Conn, error)

	tracker
	addr string // the master, as last observed; guarded by mu
	seq  uint64 // the masterRecord.seq of addr; guarded by mu
}

// errNotMaster is the cause of the error of a connection that reached a
// server that is not (or no longer) a master.
var errNotMaster = errors.New("the server is not a master (ROLE)")

// errMoved is the cause of the error of a connection made to a master
// that the sentinels replaced while it was being made.
var errMoved = errors.New("the sentinels named another master while connecting")

// moveRetries is how many times a connection is made again when the
// master moved while it was being made.
const moveRetries = 3

func (b *masterBinding) newConn(ctx context.Context, opts *pool.Options) (*pool.Conn, error) {
	// From here on the binding hears of the master's moves, this
	// connection included.
	b.begin()
	defer b.end()
	b.s.watch.add(b)
	base := baseDialer(opts)
	// A connection that gets READONLY is on a demoted master: it is
	// closed rather than reused, and the next one is made through
	// discovery.
	o := *opts
	o.RetireOnReadOnly = true
	var last error
	for try := 0; try < moveRetries; try++ {
		addr, seq, err := b.s.discoverMaster(ctx, b.name)
		if err != nil {
			return nil, err
		}
		b.observe(addr, seq)
		var tracked net.Conn
		dialer := func(ctx context.Context, network, a string) (net.Conn, error) {
			nc, err := base(ctx, network, a)
			if err != nil {
				return nil, err
			}
			if tracked = b.track(nc, addr); tracked == nil {
				return nil, errMoved
			}
			return tracked, nil
		}
		cn, err := dialAt(ctx, b.next, &o, addr, dialer)
		if err == nil {
			err = checkRole(ctx, cn)
			if err == nil && !b.current(tracked, addr) {
				err = errMoved
			}
			if err != nil {
				_ = cn.Close()
			}
		}
		if err == nil {
			return cn, nil
		}
		last = &redis.ConnectionError{Op: "dial", Addr: addr, Err: err}
		if !b.moved(addr) || ctx.Err() != nil {
			if errors.Is(err, errNotMaster) {
				return nil, &redis.MasterNotFoundError{Name: b.name, Err: last}
			}
			return nil, err
		}
	}
	return nil, &redis.MasterNotFoundError{Name: b.name, Err: last}
}

// checkRole reports errNotMaster when ROLE says the server is not a
// master. A server that refuses ROLE (an ACL, a renamed command) passes:
// the sentinels' word is taken then.
func checkRole(ctx context.Context, cn *pool.Conn) error {
	r := cn.Reply()
	if err := cn.Do(ctx, r, "ROLE"); err != nil {
		return err
	}
	if r.IsError() || len(r.Elems) == 0 {
		return nil
	}
	if string(r.Elems[0].Str) != "master" {
		return errNotMaster
	}
	return nil
}

// track records nc as a connection to addr (see trackLocked). When the
// master is no longer addr, it closes nc and returns nil: no command is
// sent to a former master once its replacement is known.
func (b *masterBinding) track(nc net.Conn, addr string) net.Conn {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.addr != "" && b.addr != addr {
		_ = nc.Close()
		return nil
	}
	return b.trackLocked(nc, addr)
}

// current reports whether addr is still the master and nc (when the
// options' factory dialed through the binding) still open.
func (b *masterBinding) current(nc net.Conn, addr string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.addr != addr {
		return false
	}
	if nc == nil {
		return true
	}
	_, ok := b.conns[nc]
	return ok
}

// moved reports whether the master is known to be another server than
// addr.
func (b *masterBinding) moved(addr string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr != addr
}

// observe notes the master's address, as of the configuration seq (an
// older one than already observed is ignored). When it changed, the
// connections to any other server are closed.
func (b *masterBinding) observe(addr string, seq uint64) {
	b.mu.Lock()
	if seq < b.seq {
		b.mu.Unlock()
		return
	}
	moved := b.addr != "" && b.addr != addr
	b.addr, b.seq = addr, seq
	if !moved {
		b.mu.Unlock()
		return
	}
	b.closeWhereLocked(func(a string) bool { return a != addr })
}

// replicaBinding is the connection factory of a ReplicaFor client.
type replicaBinding struct {
	s    *Sentinel
	name string
	next func(context.Context, *pool.Options) (*pool.Conn, error)
	turn atomic.Uint32 // where the next connection starts in the list

	tracker
}

func (b *replicaBinding) newConn(ctx context.Context, opts *pool.Options) (*pool.Conn, error) {
	b.begin()
	defer b.end()
	b.s.watch.add(b)
	base := baseDialer(opts)
	dial := func(addr string) (*pool.Conn, error) {
		return dialAt(ctx, b.next, opts, addr, func(ctx context.Context, network, a string) (net.Conn, error) {
			nc, err := base(ctx, network, a)
			if err != nil {
				return nil, err
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			return b.trackLocked(nc, addr), nil
		})
	}
	var last error
	// spare is the first replica reached that holds no data of the
	// master yet (checkReplica): used only when neither a ready replica
	// nor the master can be reached.
	var spare *pool.Conn
	takeSpare := func() *pool.Conn { cn := spare; spare = nil; return cn }
	defer func() {
		if spare != nil {
			_ = spare.Close()
		}
	}()
	replicas, err := b.s.DiscoverReplicas(ctx, b.name)
	if err != nil {
		last = err
	}
	if n := len(replicas); n > 0 {
		start := int(b.turn.Add(1) % uint32(n))
		for i := 0; i < n; i++ {
			cn, err := dial(replicas[(start+i)%n])
			if err == nil {
				err = checkReplica(ctx, cn)
				if err == nil {
					return cn, nil
				}
				if errors.Is(err, errReplicaNotReady) && spare == nil {
					spare = cn
				} else {
					_ = cn.Close()
				}
				err = &redis.ConnectionError{Op: "dial", Addr: replicas[(start+i)%n], Err: err}
			}
			last = err
			if ctx.Err() != nil {
				return nil, &redis.ReplicaNotFoundError{Name: b.name, Err: last}
			}
		}
	}
	// No replica: the master serves reads too.
	addr, err := b.s.DiscoverMaster(ctx, b.name)
	if err != nil {
		if errors.Is(err, ErrClosed) {
			return nil, err
		}
		if cn := takeSpare(); cn != nil {
			return cn, nil
		}
		if last == nil {
			last = err
		}
		return nil, &redis.ReplicaNotFoundError{Name: b.name, Err: errors.Join(last, err)}
	}
	cn, err := dial(addr)
	if err != nil {
		if cn := takeSpare(); cn != nil {
			return cn, nil
		}
		return nil, &redis.ReplicaNotFoundError{Name: b.name, Err: err}
	}
	return cn, nil
}

// errReplicaNotReady is the cause of the error of a ReplicaFor connection
// made to a server that holds none of its master's data yet, or is about
// to replace what it holds (checkReplica).
var errReplicaNotReady = errors.New("the replica holds no data of its master yet (INFO)")

// checkReplica asks a server that the sentinels list as a replica for its
// INFO, and reports errReplicaNotReady when replicaReady says its reads
// would not come from its master's data: the sentinels learn of a
// restart or a resync only at their next INFO, seconds later. A server
// that refuses INFO (an ACL, a renamed command) passes: the sentinels'
// word is taken then.
func checkReplica(ctx context.Context, cn *pool.Conn) error {
	r := cn.Reply()
	if err := cn.Do(ctx, r, "INFO"); err != nil {
		return err
	}
	if r.IsError() {
		return nil
	}
	if why := replicaReady(string(r.Str)); why != "" {
		return fmt.Errorf("%w: %s", errReplicaNotReady, why)
	}
	return nil
}

// replicaReady reads an INFO reply and returns why the server should not
// serve replica reads while a better server is at hand, or "" when it
// may. It may not when it is loading a dataset (reads fail with LOADING),
// when it is a master (a replica that restarted and was not yet turned
// back into one: it holds what it saved, or nothing), when it is
// receiving a full resynchronisation (its dataset is about to be
// replaced), or when its link to the master is down and it never had
// any of the master's data (replication offset 0: a server that
// restarted empty, now told to replicate). A replica whose link went
// down after it had synced may: by default replica reads go on while the
// master is down.
func replicaReady(info string) string {
	var role, link, syncing, loading, offset string
	for line := range strings.SplitSeq(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\r"), ":")
		if !ok {
			continue
		}
		switch k {
		case "role":
			role = v
		case "master_link_status":
			link = v
		case "master_sync_in_progress":
			syncing = v
		case "loading":
			loading = v
		case "slave_repl_offset":
			offset = v
		}
	}
	switch {
	case loading == "1":
		return "loading"
	case role == "master":
		return "role master"
	case syncing == "1":
		return "full resynchronisation in progress"
	case link != "up" && (offset == "0" || strings.HasPrefix(offset, "-")):
		return "link to the master down, replication offset " + offset
	}
	return ""
}

// down closes the connections to the replica at addr, which the sentinels
// deem down: reads in flight there fail now rather than at ReadTimeout.
func (b *replicaBinding) down(addr string) {
	b.mu.Lock()
	b.closeWhereLocked(func(a string) bool { return a == addr })
}

// binding is a MasterFor or ReplicaFor connection factory, as the watcher
// keeps them.
type binding interface {
	live() int
}

// watcher keeps the bindings that have connections, for the sentinels'
// events to reach them, and asks, every WatchInterval (and when a
// subscription to events was renewed, as events may have been missed),
// where the master of each MasterFor binding with connections is. Its
// goroutine runs only while there are such bindings, and ends with
// Sentinel.Close.
type watcher struct {
	s        *Sentinel
	mu       sync.Mutex
	bindings map[binding]bool
	running  bool
	stopped  bool
	wake     chan struct{}   // a round is due now
	ctx      context.Context // cancelled by stop
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// add keeps b until it has no connection left, and starts the
// subscriptions to events.
func (w *watcher) add(b binding) {
	w.s.events.start(w.s)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	if w.bindings == nil {
		w.bindings = make(map[binding]bool)
		w.wake = make(chan struct{}, 1)
		w.ctx, w.cancel = context.WithCancel(context.Background())
	}
	w.bindings[b] = true
	if !w.running {
		w.running = true
		w.wg.Add(1)
		go w.run()
	}
}

// kick asks for a round of discovery now.
func (w *watcher) kick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.wake == nil {
		return
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// snapshot returns the bindings.
func (w *watcher) snapshot() []binding {
	w.mu.Lock()
	defer w.mu.Unlock()
	bs := make([]binding, 0, len(w.bindings))
	for b := range w.bindings {
		bs = append(bs, b)
	}
	return bs
}

// observe tells the MasterFor bindings of name where the master is, as of
// the configuration seq: just discovered (by anyone: a dial, the watch, or
// a call of DiscoverMaster), or announced by a sentinel.
func (w *watcher) observe(name, addr string, seq uint64) {
	for _, b := range w.snapshot() {
		if mb, ok := b.(*masterBinding); ok && mb.name == name {
			mb.observe(addr, seq)
		}
	}
}

// replicaDown tells the ReplicaFor bindings of name that the sentinels
// deem the replica at addr down.
func (w *watcher) replicaDown(name, addr string) {
	for _, b := range w.snapshot() {
		if rb, ok := b.(*replicaBinding); ok && rb.name == name {
			rb.down(addr)
		}
	}
}

// pruneInterval is how often the watcher forgets bindings without
// connections when it does not poll (WatchInterval -1).
const pruneInterval = 10 * time.Second

func (w *watcher) run() {
	defer w.wg.Done()
	every := w.s.opts.WatchInterval
	poll := every > 0
	if !poll {
		every = pruneInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		due := poll
		select {
		case <-w.ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
			due = true
		}
		if !w.round(due) {
			return
		}
	}
}

// round checks each MasterFor binding once when poll is set, and forgets
// the bindings without connections. It returns false, and the goroutine
// ends, when no binding is left.
func (w *watcher) round(poll bool) bool {
	if poll {
		asked := make(map[string]bool)
		for _, b := range w.snapshot() {
			mb, ok := b.(*masterBinding)
			if !ok || asked[mb.name] || mb.live() == 0 {
				continue
			}
			asked[mb.name] = true
			ctx, cancel := context.WithTimeout(w.ctx, w.s.opts.DialTimeout+w.s.opts.ReadTimeout)
			_, _ = w.s.DiscoverMaster(ctx, mb.name) // observes what it finds
			cancel()
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for b := range w.bindings {
		// A binding that makes a connection after this adds itself again.
		if b.live() == 0 {
			delete(w.bindings, b)
		}
	}
	if len(w.bindings) == 0 || w.stopped {
		w.running = false
		return false
	}
	return true
}

func (w *watcher) stop() {
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return
	}
	w.stopped = true
	if w.cancel != nil {
		w.cancel()
	}
	w.mu.Unlock()
	w.wg.Wait()
}
