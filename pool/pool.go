package pool

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by Get after Close. It is also what client
// re-exports as the error of a closed client.
const ErrClosed = poolError("redis: connection pool is closed")

// ErrPoolTimeout is what a *PoolTimeoutError matches with errors.Is: Get
// waited PoolTimeout for a free connection in vain. No connection is
// affected.
const ErrPoolTimeout = poolError("redis: connection pool timeout")

type poolError string

// Error implements the error interface.
func (e poolError) Error() string { return string(e) }

// RedisError marks the type as an error of this package.
func (poolError) RedisError() {}

// PoolTimeoutError is returned by Get when every connection stayed in use
// for PoolTimeout. It says how busy the pool was; errors.Is(err,
// ErrPoolTimeout) matches it.
type PoolTimeoutError struct {
	Waited   time.Duration // the PoolTimeout waited
	PoolSize int           // the PoolSize option
	InUse    int           // connections checked out (or being dialed) at the time
	Waiting  int           // callers waiting for one, this one included
}

// Error implements the error interface.
func (e *PoolTimeoutError) Error() string {
	return "redis: connection pool timeout: no connection free after " + e.Waited.String() +
		" (pool size " + strconv.Itoa(e.PoolSize) + ", " + strconv.Itoa(e.InUse) + " in use, " +
		strconv.Itoa(e.Waiting) + " waiting); a common cause is blocking commands (BLPOP, XREAD BLOCK, " +
		"WAIT, ...) or long pipelines holding every connection: raise PoolSize, or give them a pool of their own"
}

// Is reports whether target is ErrPoolTimeout.
func (e *PoolTimeoutError) Is(target error) bool { return target == ErrPoolTimeout }

// Timeout reports true, as net.Error's Timeout does.
func (e *PoolTimeoutError) Timeout() bool { return true }

// RedisError marks the type as an error of this package.
func (e *PoolTimeoutError) RedisError() {}

// Stats are the pool's counters.
type Stats struct {
	Hits       uint64 // Get found a usable idle connection
	Misses     uint64 // Get had to open a new connection
	Timeouts   uint64 // Get gave up after PoolTimeout
	TotalConns int    // open connections now: idle, in use, and the Mux's shared ones
	IdleConns  int    // idle connections now
	StaleConns uint64 // connections closed as stale: idle or old beyond the limits, closed by the server, or failing the health check

	WaitCount    uint64        // Gets that had to wait for a free connection
	WaitDuration time.Duration // the time those Gets waited, in all
	Unusable     uint64        // idle connections found dead or failing the health check at checkout (counted in StaleConns too)

	// SharedConns are the open connections that carry auto-pipelined
	// commands (counted in TotalConns), and PendingRequests the commands
	// in flight on them.
	SharedConns     int
	PendingRequests int

	// Closed counts the connections closed, by reason.
	Closed CloseStats
}

// CloseStats counts closed connections by reason.
type CloseStats struct {
	IdleTimeout uint64 // idle longer than IdleTimeout
	MaxLifetime uint64 // older than MaxLifetime
	Dead        uint64 // found closed by the server, or failing the health check, before use
	Error       uint64 // saw an error (I/O, timeout, protocol, cancelled context) or was removed
	PoolClosed  uint64 // closed with the pool
}

// Pool is a pool of connections to one server, safe for concurrent use.
//
//	p := pool.New(pool.Options{Addr: "localhost:6379", PoolSize: 20})
//	defer p.Close()
//	c, err := p.Get(ctx)
//	if err != nil {
//		return err
//	}
//	var r redis.Reply
//	err = c.Do(ctx, &r, "GET", "k")
//	p.Put(c) // closed instead of kept if Do failed
//
// At most PoolSize connections are open at once, the shared connections of
// the pool's [Mux] (auto-pipelining) included; Get waits for one to come
// back, for at most PoolTimeout and no longer than ctx allows. Idle
// connections are kept on a stack, so the most recently used goes out
// first and the rest age out (IdleTimeout, MaxLifetime). Before a
// connection is handed out, it is checked without blocking for signs that
// the server closed it (after a restart, its own idle timeout or CLIENT
// KILL), and PINGed if it was idle longer than HealthCheckInterval; a dead
// one is closed and replaced, so the pool recovers by itself after an
// outage.
//
// Put closes, instead of keeping, a connection that saw an error (a
// protocol error, a timeout, a cancelled context, a network error) or
// that still has replies to read: the next caller never gets a reply meant
// for someone else.
type Pool struct {
	opts *Options // behind a pointer, so that fmt's reflection never prints the password

	// sem holds one token per connection checked out or being dialed, and
	// one per shared connection of the Mux, open or being dialed. Idle
	// connections hold none: a caller takes a token first, then an idle
	// connection or, if there is none, dials. Since a dial starts only when
	// no connection is idle, open connections never exceed PoolSize.
	sem chan struct{}

	mu     sync.Mutex
	idle   []*Conn // a stack: Put and Get work at the end
	conns  int     // open connections: idle, in use and shared
	shared int     // open shared connections of mux
	closed bool

	mux *Mux // auto-pipelining over connections of this pool

	isClosed atomic.Bool
	ctx      context.Context // cancelled by Close; bounds background dials
	cancel   context.CancelFunc
	kick     chan struct{} // wakes the maintenance goroutine
	wg       sync.WaitGroup

	waiting                        atomic.Int64
	hits, misses, timeouts, staled atomic.Uint64
	waits, waitNanos, unusable     atomic.Uint64
	closedIdle, closedLife         atomic.Uint64
	closedDead, closedErr          atomic.Uint64
	closedPool                     atomic.Uint64
}

// New returns a pool with the given options (defaults applied as Options
// describes). It opens no connection unless MinIdle is set; the background
// goroutine that keeps MinIdle connections and closes expired idle ones
// stops on Close.
func New(opts Options) *Pool {
	opts.init()
	if opts.dialHooks == nil {
		opts.dialHooks = &dialHooks{}
	}
	p := &Pool{
		opts: &opts,
		sem:  make(chan struct{}, opts.PoolSize),
		idle: make([]*Conn, 0, opts.PoolSize),
		kick: make(chan struct{}, 1),
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.mux = newMux(p)
	if iv := maintenanceInterval(p.opts); iv > 0 {
		p.wg.Add(1)
		go p.maintain(iv)
	}
	return p
}

// maintenanceInterval returns how often the background goroutine runs, or
// 0 when nothing needs it.
func maintenanceInterval(o *Options) time.Duration {
	if o.MinIdle <= 0 && o.IdleTimeout <= 0 && o.MaxLifetime <= 0 {
		return 0
	}
	iv := time.Minute
	if o.MinIdle > 0 {
		iv = 5 * time.Second // retry failed dials this often
	}
	for _, d := range []time.Duration{o.IdleTimeout, o.MaxLifetime} {
		if d > 0 && d/2 < iv {
			iv = d / 2
		}
	}
	return max(iv, 50*time.Millisecond)
}

// Mux returns the pool's auto-pipelining Mux, which every client of the
// pool shares. Its connections count towards PoolSize (see
// Options.MuxConns); they are opened when first needed and closed by
// Close.
func (p *Pool) Mux() *Mux { return p.mux }

// Options returns a copy of the pool's options, defaults applied.
func (p *Pool) Options() Options { return *p.opts }

// String describes the pool without secrets.
func (p *Pool) String() string {
	st := p.Stats()
	return "pool.Pool{" + p.opts.Network + " " + p.opts.Addr + ", " + strconv.Itoa(st.TotalConns) + "/" +
		strconv.Itoa(p.opts.PoolSize) + " open, " + strconv.Itoa(st.IdleConns) + " idle}"
}

// Get returns a connection for the caller's exclusive use; give it back
// with Put (or Remove). It waits for a free one as long as PoolTimeout and
// ctx allow. Errors: ErrClosed after Close, a *PoolTimeoutError, an error
// wrapping ctx.Err(), or the error of opening a new connection (a
// *redis.ConnectionError, *redis.TimeoutError or *HandshakeError).
func (p *Pool) Get(ctx context.Context) (*Conn, error) {
	if p.isClosed.Load() {
		return nil, ErrClosed
	}
	if err := p.acquire(ctx); err != nil {
		return nil, err
	}
	for {
		c, closed := p.popIdle()
		if closed {
			p.release()
			return nil, ErrClosed
		}
		if c == nil {
			break
		}
		if p.usable(ctx, c) {
			p.hits.Add(1)
			return c, nil
		}
		p.staled.Add(1)
		p.countClose(c, time.Now(), true)
		p.drop(c)
	}
	p.misses.Add(1)
	c, err := p.opts.NewConn(ctx, p.opts)
	if err == nil && c == nil {
		err = errNilConn
	}
	if err != nil {
		p.release()
		p.wakeMaintenance()
		return nil, err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = c.Close()
		p.release()
		return nil, ErrClosed
	}
	c.pool, c.inUse = p, true
	p.conns++
	p.mu.Unlock()
	return c, nil
}

// acquire takes a token: at once if one is free, otherwise waiting for
// PoolTimeout, ctx or Close.
func (p *Pool) acquire(ctx context.Context) error {
	select {
	case p.sem <- struct{}{}:
		return nil
	default:
	}
	if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			return p.waitError(err)
		}
	}
	// A shared connection with nothing to do gives its place to the
	// caller that needs one.
	p.mux.shed()
	p.waiting.Add(1)
	start := time.Now()
	defer func() {
		p.waiting.Add(-1)
		p.waits.Add(1)
		p.waitNanos.Add(uint64(time.Since(start)))
	}()
	var expired <-chan time.Time
	if p.opts.PoolTimeout > 0 {
		t := timers.Get().(*time.Timer)
		t.Reset(p.opts.PoolTimeout)
		defer func() {
			t.Stop()
			timers.Put(t)
		}()
		expired = t.C
	}
	select {
	case p.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return p.waitError(ctx.Err())
	case <-expired:
		if ctx.Done() != nil {
			// Both may be ready at once (after a long descheduling):
			// the context's end is the caller's, and comes first.
			if err := ctx.Err(); err != nil {
				return p.waitError(err)
			}
		}
		p.timeouts.Add(1)
		return &PoolTimeoutError{Waited: p.opts.PoolTimeout, PoolSize: p.opts.PoolSize,
			InUse: len(p.sem), Waiting: int(p.waiting.Load())}
	case <-p.ctx.Done():
		return ErrClosed
	}
}

// timers recycles the timers of waits for a token. Since Go 1.23 a stopped
// timer's channel holds no stale value, so Reset needs no draining.
var timers = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}}

func (p *Pool) waitError(err error) error {
	return &waitError{err: err, size: p.opts.PoolSize, inUse: len(p.sem), waiting: int(p.waiting.Load())}
}

// waitError is the error of a wait for a connection that ctx ended. It
// wraps ctx.Err().
type waitError struct {
	err                  error
	size, inUse, waiting int
}

// Error implements the error interface.
func (e *waitError) Error() string {
	return "redis: waiting for a free connection (pool size " + strconv.Itoa(e.size) + ", " +
		strconv.Itoa(e.inUse) + " in use, " + strconv.Itoa(e.waiting) + " waiting): " + e.err.Error()
}

func (e *waitError) Unwrap() error { return e.err }

func (p *Pool) release() { <-p.sem }

// tryAcquire takes a token if one is free, without waiting.
func (p *Pool) tryAcquire() bool {
	select {
	case p.sem <- struct{}{}:
		return true
	default:
		return false
	}
}

// sharedConn returns a connection for the Mux, whose token the caller
// took: an idle one of the pool if there is a usable one (as Get would
// hand out), otherwise a new one, since idle connections hold no token.
func (p *Pool) sharedConn() (*Conn, error) {
	for {
		c, closed := p.popIdle()
		if closed {
			return nil, ErrClosed
		}
		if c == nil {
			break
		}
		if p.usable(p.ctx, c) {
			p.hits.Add(1)
			p.mu.Lock()
			c.pool, c.inUse = nil, false // the Mux's now, not to be Put
			p.shared++
			p.mu.Unlock()
			return p.takeShared(c)
		}
		p.staled.Add(1)
		p.drop(c)
	}
	p.misses.Add(1)
	c, err := p.opts.NewConn(p.ctx, p.opts)
	if err == nil && c == nil {
		err = errNilConn
	}
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.conns++
	p.shared++
	p.mu.Unlock()
	return p.takeShared(c)
}

// takeShared readies a connection counted as shared for the Mux, or
// closes it and uncounts it.
func (p *Pool) takeShared(c *Conn) (*Conn, error) {
	if err := c.clearDeadlines(); err != nil {
		p.mu.Lock()
		p.conns--
		p.shared--
		p.mu.Unlock()
		return nil, err
	}
	return c, nil
}

// sharedClosed counts a shared connection that was closed, and gives back
// its token unless keepToken (the token goes to its replacement).
func (p *Pool) sharedClosed(keepToken bool) {
	p.mu.Lock()
	p.conns--
	p.shared--
	p.mu.Unlock()
	if !keepToken {
		p.release()
		p.wakeMaintenance()
	}
}

// popIdle takes the most recently used idle connection, or nil.
func (p *Pool) popIdle() (c *Conn, closed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, true
	}
	n := len(p.idle)
	if n == 0 {
		return nil, false
	}
	c = p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	c.inUse = true
	return c, false
}

// usable checks an idle connection before it is handed out.
func (p *Pool) usable(ctx context.Context, c *Conn) bool {
	o := p.opts
	now := time.Now()
	if p.expired(c, now) || c.peek() != nil {
		return false
	}
	if o.HealthCheckInterval > 0 && now.Sub(c.usedAt) >= o.HealthCheckInterval {
		return c.ping(ctx) == nil
	}
	return true
}

// expired reports whether an idle connection is past IdleTimeout or
// MaxLifetime.
func (p *Pool) expired(c *Conn, now time.Time) bool {
	o := p.opts
	return c.err != nil ||
		o.IdleTimeout > 0 && now.Sub(c.usedAt) >= o.IdleTimeout ||
		o.MaxLifetime > 0 && now.Sub(c.createdAt) >= o.MaxLifetime
}

// drop closes a checked-out connection whose token the caller keeps.
func (p *Pool) drop(c *Conn) {
	p.mu.Lock()
	c.inUse = false
	p.conns--
	p.mu.Unlock()
	_ = c.Close()
}

// Put gives back a connection that Get returned. It is kept for reuse
// only if it is healthy: no error (Err() == nil), every reply read
// (Pending() == 0) and nothing unread received (Buffered() == 0).
// Otherwise, or after Close, it is closed and its place freed. The caller
// must not use c, nor replies read from it, after Put.
func (p *Pool) Put(c *Conn) {
	if c == nil {
		return
	}
	keep := c.err == nil && !c.retired && c.pending == 0 && c.parser.Buffered() == 0
	if keep {
		c.dropQueued()
	}
	p.mu.Lock()
	if c.pool != p || !c.inUse {
		p.mu.Unlock()
		panic("pool: Put or Remove of a connection that is not checked out of this pool")
	}
	c.inUse = false
	if keep && !p.closed {
		p.idle = append(p.idle, c)
		p.mu.Unlock()
		p.release()
		return
	}
	p.conns--
	closed := p.closed
	p.mu.Unlock()
	_ = c.Close()
	if closed && keep {
		p.closedPool.Add(1)
	} else {
		p.closedErr.Add(1)
	}
	p.release()
	p.wakeMaintenance()
}

// Remove closes a connection that Get returned instead of giving it back,
// and frees its place. reason, if not nil, becomes the connection's Err.
// Use it for connections whose state the pool cannot see, such as one in
// pub/sub mode.
func (p *Pool) Remove(c *Conn, reason error) {
	if c == nil {
		return
	}
	if c.err == nil {
		if reason == nil {
			reason = &removedError{}
		}
		c.err = reason
	}
	p.Put(c)
}

var errNilConn = errors.New("redis: Options.NewConn returned neither a connection nor an error")

type removedError struct{}

// Error implements the error interface.
func (*removedError) Error() string { return "redis: connection removed from the pool" }

// Len returns the number of open connections, idle and in use.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns
}

// IdleLen returns the number of idle connections.
func (p *Pool) IdleLen() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// Stats returns the pool's counters.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	total, idle, shared := p.conns, len(p.idle), p.shared
	p.mu.Unlock()
	return Stats{
		Hits:        p.hits.Load(),
		Misses:      p.misses.Load(),
		Timeouts:    p.timeouts.Load(),
		TotalConns:  total,
		IdleConns:   idle,
		SharedConns: shared,
		StaleConns:  p.staled.Load(),

		PendingRequests: p.mux.pending(),

		WaitCount:    p.waits.Load(),
		WaitDuration: time.Duration(p.waitNanos.Load()),
		Unusable:     p.unusable.Load(),
		Closed: CloseStats{
			IdleTimeout: p.closedIdle.Load(),
			MaxLifetime: p.closedLife.Load(),
			Dead:        p.closedDead.Load(),
			Error:       p.closedErr.Load(),
			PoolClosed:  p.closedPool.Load(),
		},
	}
}

// countClose counts the close of a connection found unfit at checkout
// (checkout) or by the maintenance goroutine, by its reason.
func (p *Pool) countClose(c *Conn, now time.Time, checkout bool) {
	o := p.opts
	switch {
	case o.MaxLifetime > 0 && now.Sub(c.createdAt) >= o.MaxLifetime:
		p.closedLife.Add(1)
	case o.IdleTimeout > 0 && now.Sub(c.usedAt) >= o.IdleTimeout:
		p.closedIdle.Add(1)
	case checkout:
		// Closed by the server, or its health check failed.
		p.closedDead.Add(1)
		p.unusable.Add(1)
	default:
		p.closedErr.Add(1)
	}
}

// Close closes the idle connections and the Mux's shared connections
// (failing the commands in flight on them), stops the background goroutine
// and makes Get return ErrClosed; callers waiting in Get get ErrClosed too.
// Connections in use are closed when they are given back. Close returns
// the first error of closing a connection; closing twice does nothing.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.isClosed.Store(true)
	idle := p.idle
	p.idle = nil
	p.conns -= len(idle)
	p.mu.Unlock()
	p.mux.close()
	p.cancel()
	p.closedPool.Add(uint64(len(idle)))
	var first error
	for _, c := range idle {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	p.wg.Wait()
	return first
}

func (p *Pool) wakeMaintenance() {
	if p.opts.MinIdle <= 0 {
		return
	}
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// maintain is the pool's one background goroutine: it closes idle
// connections past IdleTimeout or MaxLifetime and keeps MinIdle idle ones.
func (p *Pool) maintain(interval time.Duration) {
	defer p.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p.reap()
		p.fill()
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
		case <-p.kick:
		}
	}
}

// reap closes the expired idle connections.
func (p *Pool) reap() {
	now := time.Now()
	var dead []*Conn
	p.mu.Lock()
	keep := p.idle[:0]
	for _, c := range p.idle {
		if p.expired(c, now) {
			dead = append(dead, c)
		} else {
			keep = append(keep, c)
		}
	}
	clear(p.idle[len(keep):])
	p.idle = keep
	p.conns -= len(dead)
	p.mu.Unlock()
	for _, c := range dead {
		p.staled.Add(1)
		p.countClose(c, now, false)
		_ = c.Close()
	}
}

// fill opens connections until MinIdle are idle, as long as tokens are
// free (it never makes a caller wait) and dials succeed.
func (p *Pool) fill() {
	for {
		p.mu.Lock()
		need := !p.closed && len(p.idle) < p.opts.MinIdle && p.conns < p.opts.PoolSize
		p.mu.Unlock()
		if !need {
			return
		}
		select {
		case p.sem <- struct{}{}:
		default:
			return
		}
		c, err := p.opts.NewConn(p.ctx, p.opts)
		if err != nil || c == nil {
			p.release()
			return // retried at the next tick
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = c.Close()
			p.release()
			return
		}
		c.pool = p
		p.conns++
		p.idle = append(p.idle, c)
		p.mu.Unlock()
		p.release()
	}
}
