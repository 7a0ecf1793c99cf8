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
// no restart of the program. Connections already open to a server that is
// no longer the master are closed as soon as a discovery (of a new
// connection, or of the watch every WatchInterval) sees the master move;
// commands in flight on them fail with a connection error, and later ones
// get new connections. (With a Dialer whose connections have no file
// descriptor, the pool cannot see that an idle connection was closed, and
// the first command on it fails with a connection error.) The sentinels
// also kill the clients of a demoted master when they reconfigure it, and
// a connection that gets a READONLY error (it reached the old master after
// its demotion) is closed rather than reused (pool.Options.RetireOnReadOnly).
// When no master is found, commands fail with a
// [*redis.MasterNotFoundError].
func (s *Sentinel) MasterFor(name string, opts *client.Options) (*client.Client, error) {
	co, next, err := s.clientOptions(name, opts)
	if err != nil {
		return nil, err
	}
	b := &masterBinding{s: s, name: name, next: next, conns: make(map[net.Conn]string)}
	co.NewConn = b.newConn
	return client.New(co)
}

// ReplicaFor returns a client whose connections go to the replicas of
// name (redis-py's slave_for): each new connection asks the sentinels for
// the replicas that are up (DiscoverReplicas) and tries them in turn,
// round robin, starting where the previous connection left off; when none
// can be reached it falls back to the master. When neither can, commands
// fail with a [*redis.ReplicaNotFoundError]. opts are as for MasterFor.
// Writes through such a client fail with a [*redis.ReadOnlyError] while it
// is connected to a replica.
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

// masterBinding is the connection factory of a MasterFor client. It keeps
// the network connections it made, by server address, to close those to a
// former master when the master moves.
type masterBinding struct {
	s    *Sentinel
	name string
	next func(context.Context, *pool.Options) (*pool.Conn, error)

	mu    sync.Mutex
	addr  string              // the master, as last discovered
	conns map[net.Conn]string // open connections (pruned as they close) and their servers
}

// errNotMaster is the cause of the error of a connection that reached a
// server that is not (or no longer) a master.
var errNotMaster = errors.New("the server is not a master (ROLE)")

func (b *masterBinding) newConn(ctx context.Context, opts *pool.Options) (*pool.Conn, error) {
	addr, err := b.s.DiscoverMaster(ctx, b.name)
	if err != nil {
		return nil, err
	}
	b.observe(addr)
	base := opts.Dialer
	if base == nil {
		base = (&net.Dialer{}).DialContext
	}
	dialer := func(ctx context.Context, network, a string) (net.Conn, error) {
		nc, err := base(ctx, network, a)
		if err != nil {
			return nil, err
		}
		return b.track(nc, addr), nil
	}
	// A connection that gets READONLY is on a demoted master: it is
	// closed rather than reused, and the next one is dialed through
	// discovery.
	o := *opts
	o.RetireOnReadOnly = true
	cn, err := dialAt(ctx, b.next, &o, addr, dialer)
	if err != nil {
		return nil, err
	}
	if err := checkRole(ctx, cn); err != nil {
		_ = cn.Close()
		return nil, &redis.MasterNotFoundError{Name: b.name, Err: &redis.ConnectionError{Op: "dial", Addr: addr, Err: err}}
	}
	b.s.watch.add(b)
	return cn, nil
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

// track records nc as a connection to addr, and returns what the pool
// should use: nc itself when its closing can be seen through its
// descriptor, a wrapper that reports Close otherwise.
func (b *masterBinding) track(nc net.Conn, addr string) net.Conn {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneLocked()
	if _, ok := nc.(syscall.Conn); !ok {
		nc = &closeConn{Conn: nc, b: b}
	}
	b.conns[nc] = addr
	return nc
}

// observe notes the master's address. When it changed, the connections
// to any other server are closed: idle ones are replaced at their next
// checkout, and commands in flight on the others fail.
func (b *masterBinding) observe(addr string) {
	b.mu.Lock()
	moved := b.addr != "" && b.addr != addr
	b.addr = addr
	var stale []net.Conn
	if moved {
		for nc, a := range b.conns {
			if a != addr {
				stale = append(stale, nc)
				delete(b.conns, nc)
			}
		}
	}
	b.mu.Unlock()
	for _, nc := range stale {
		_ = nc.Close()
	}
}

// live drops the connections that were closed and returns how many are
// left.
func (b *masterBinding) live() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneLocked()
	return len(b.conns)
}

func (b *masterBinding) pruneLocked() {
	for nc := range b.conns {
		if isClosed(nc) {
			delete(b.conns, nc)
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
// whose Close removes it from its binding.
type closeConn struct {
	net.Conn
	b *masterBinding
}

func (c *closeConn) Close() error {
	c.b.mu.Lock()
	delete(c.b.conns, c)
	c.b.mu.Unlock()
	return c.Conn.Close()
}

// watcher asks, every WatchInterval, where the master of each MasterFor
// binding with open connections is. Its goroutine runs only while there
// are such bindings, and ends with Sentinel.Close.
type watcher struct {
	s        *Sentinel
	mu       sync.Mutex
	bindings map[*masterBinding]bool
	running  bool
	stopped  bool
	ctx      context.Context // cancelled by stop
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

func (w *watcher) add(b *masterBinding) {
	if w.s.opts.WatchInterval < 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	if w.bindings == nil {
		w.bindings = make(map[*masterBinding]bool)
		w.ctx, w.cancel = context.WithCancel(context.Background())
	}
	w.bindings[b] = true
	if !w.running {
		w.running = true
		w.wg.Add(1)
		go w.run()
	}
}

// observe tells the bindings of name where the master is, as just
// discovered (by anyone: a dial, the watch, or a call of DiscoverMaster).
func (w *watcher) observe(name, addr string) {
	w.mu.Lock()
	var bs []*masterBinding
	for b := range w.bindings {
		if b.name == name {
			bs = append(bs, b)
		}
	}
	w.mu.Unlock()
	for _, b := range bs {
		b.observe(addr)
	}
}

func (w *watcher) run() {
	defer w.wg.Done()
	t := time.NewTicker(w.s.opts.WatchInterval)
	defer t.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-t.C:
		}
		if !w.round() {
			return
		}
	}
}

// round checks each binding once. It returns false, and the goroutine
// ends, when no binding has connections left.
func (w *watcher) round() bool {
	w.mu.Lock()
	bs := make([]*masterBinding, 0, len(w.bindings))
	for b := range w.bindings {
		bs = append(bs, b)
	}
	w.mu.Unlock()
	for _, b := range bs {
		if b.live() == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(w.ctx, w.s.opts.DialTimeout+w.s.opts.ReadTimeout)
		_, _ = w.s.DiscoverMaster(ctx, b.name) // observes what it finds
		cancel()
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

// replicaBinding is the connection factory of a ReplicaFor client.
type replicaBinding struct {
	s    *Sentinel
	name string
	next func(context.Context, *pool.Options) (*pool.Conn, error)
	turn atomic.Uint32 // where the next connection starts in the list
}

func (b *replicaBinding) newConn(ctx context.Context, opts *pool.Options) (*pool.Conn, error) {
	var last error
	replicas, err := b.s.DiscoverReplicas(ctx, b.name)
	if err != nil {
		last = err
	}
	if n := len(replicas); n > 0 {
		start := int(b.turn.Add(1) % uint32(n))
		for i := 0; i < n; i++ {
			cn, err := dialAt(ctx, b.next, opts, replicas[(start+i)%n], nil)
			if err == nil {
				return cn, nil
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
		return nil, &redis.ReplicaNotFoundError{Name: b.name, Err: err}
	}
	cn, err := dialAt(ctx, b.next, opts, addr, nil)
	if err != nil {
		return nil, &redis.ReplicaNotFoundError{Name: b.name, Err: err}
	}
	return cn, nil
}
