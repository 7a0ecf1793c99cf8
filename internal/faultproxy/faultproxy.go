// Package faultproxy is a loopback TCP proxy for fault tests: it forwards
// traffic between clients and one server on the same machine, and can delay
// it, cut connections (close both sides) and truncate replies (forward only
// the first part of a server->client chunk, then close), on command or at
// random from a seed.
//
//	px, err := faultproxy.New(srv.Addr())
//	defer px.Close()
//	px.SetFaults(faultproxy.Faults{Seed: 1, DelayProb: 0.05, MaxDelay: time.Millisecond, CutProb: 0.01})
//	opts := pool.Options{Addr: px.Addr()}
//
// It is bounded by design: it listens on 127.0.0.1 only and connects only to
// the loopback target it was created with.
package faultproxy

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// chunkSize is the largest chunk read and forwarded at once; faults apply
// per chunk.
const chunkSize = 16 << 10

// Faults sets the random faults. Each probability is per chunk of data read
// from one side (a command batch or a reply batch, typically). The zero
// value injects nothing.
type Faults struct {
	// Seed seeds the random choices, so a failing run can be repeated.
	Seed uint64
	// DelayProb is the chance that a chunk waits a random time of up to
	// MaxDelay before it is forwarded.
	DelayProb float64
	MaxDelay  time.Duration
	// CutProb is the chance that a chunk is dropped and its connection cut.
	CutProb float64
	// TruncateProb is the chance that a server->client chunk is forwarded
	// only in part (the first half) before the connection is cut.
	TruncateProb float64
	// IdleDrop, when positive, forgets a link that carried no data either
	// way for longer than this, silently, as a load balancer or a NAT
	// that dropped the flow does: from then on the bytes of both sides are
	// read and discarded, and neither side is closed (no FIN, no RST).
	IdleDrop time.Duration
}

// Stats counts what the proxy did.
type Stats struct {
	Conns       int64 // client connections accepted
	Open        int64 // links open now
	Delays      int64 // chunks delayed
	Cuts        int64 // links cut (randomly or by Cut)
	Truncations int64 // server->client chunks truncated
	Dropped     int64 // links forgotten after IdleDrop
	BytesUp     int64 // client->server bytes forwarded
	BytesDown   int64 // server->client bytes forwarded
}

// Proxy is a running fault proxy. Its methods are safe for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener

	mu        sync.Mutex
	faults    Faults
	rng       *rand.Rand
	delay     time.Duration   // fixed delay for every chunk, set by SetDelay
	truncNext int             // server->client chunks still to truncate
	inject    [][]byte        // bytes to put before the next server->client chunks, in turn
	holdNext  []time.Duration // extra delays of the next server->client chunks, in turn
	links     map[*link]struct{}
	closed    bool

	wg                                             sync.WaitGroup
	conns, delays, cuts, truncs, up, down, dropped atomic.Int64
}

// link is one proxied connection: a client and the server connection made
// for it.
type link struct {
	client, server net.Conn
	once           sync.Once
	done           chan struct{} // closed when the link is cut
	last           atomic.Int64  // when data last went through, in Unix nanoseconds
	forgotten      atomic.Bool   // IdleDrop passed: data is discarded
}

// close cuts the link and reports whether this call did. When it did and
// count is not nil, count is incremented first, so that the proxy's Stats
// show the cut before either side can see it.
func (l *link) close(count *atomic.Int64) bool {
	first := false
	l.once.Do(func() {
		first = true
		if count != nil {
			count.Add(1)
		}
		close(l.done)
		_ = l.client.Close()
		_ = l.server.Close()
	})
	return first
}

// New starts a proxy in front of target, which must be a loopback address
// ("127.0.0.1:6379", "[::1]:6379" or "localhost:6379").
func New(target string) (*Proxy, error) {
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: target %q: %w", target, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("faultproxy: target %q is not a loopback address", target)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	p := &Proxy{target: target, ln: ln, links: make(map[*link]struct{}), rng: rand.New(rand.NewPCG(0, 0))}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the address clients connect to, "127.0.0.1:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetFaults replaces the random faults and reseeds the random source.
func (p *Proxy) SetFaults(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
	p.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
}

// SetDelay delays every chunk, in both directions, by d (0 to stop).
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// Cut closes every open link, both sides, and returns how many it closed.
// New connections are still accepted.
func (p *Proxy) Cut() int {
	p.mu.Lock()
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	p.mu.Unlock()
	n := 0
	for _, l := range links {
		if l.close(&p.cuts) {
			n++
		}
	}
	return n
}

// TruncateNext makes the next server->client chunk, on any link, arrive only
// in part; then that link is cut.
func (p *Proxy) TruncateNext() {
	p.mu.Lock()
	p.truncNext++
	p.mu.Unlock()
}

// InjectNext makes the next server->client chunk, on any link, arrive
// preceded by b, as if the server had sent b first: a way to feed a client
// malformed or unexpected data in the middle of a real server's stream.
// Calls queue up, one per chunk.
func (p *Proxy) InjectNext(b []byte) {
	p.mu.Lock()
	p.inject = append(p.inject, append([]byte(nil), b...))
	p.mu.Unlock()
}

// DelayNext holds the next server->client chunk, on any link, for d more
// before forwarding it (a reply that comes late); if the link is cut
// meanwhile, the chunk is dropped. Calls queue up, one per chunk.
func (p *Proxy) DelayNext(d time.Duration) {
	p.mu.Lock()
	p.holdNext = append(p.holdNext, d)
	p.mu.Unlock()
}

// Stats returns the proxy's counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	open := int64(len(p.links))
	p.mu.Unlock()
	return Stats{
		Conns: p.conns.Load(), Open: open, Delays: p.delays.Load(), Cuts: p.cuts.Load(),
		Truncations: p.truncs.Load(), BytesUp: p.up.Load(), BytesDown: p.down.Load(), Dropped: p.dropped.Load(),
	}
}

// Close stops accepting, cuts every link and waits for the proxy's
// goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return // closed
		}
		p.conns.Add(1)
		s, err := net.DialTimeout("tcp", p.target, 2*time.Second)
		if err != nil {
			_ = c.Close()
			continue
		}
		l := &link{client: c, server: s, done: make(chan struct{})}
		l.last.Store(time.Now().UnixNano())
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			l.close(nil)
			return
		}
		p.links[l] = struct{}{}
		p.wg.Add(2)
		p.mu.Unlock()
		go p.pump(l, false)
		go p.pump(l, true)
	}
}

// action is what happens to one chunk.
type action struct {
	delay    time.Duration
	cut      bool
	truncate bool
	prefix   []byte // injected before the chunk
}

func (p *Proxy) decide(down bool) action {
	p.mu.Lock()
	defer p.mu.Unlock()
	var a action
	a.delay = p.delay
	f := &p.faults
	if f.DelayProb > 0 && f.MaxDelay > 0 && p.rng.Float64() < f.DelayProb {
		a.delay += time.Duration(p.rng.Int64N(int64(f.MaxDelay)) + 1)
	}
	if down && len(p.inject) > 0 {
		a.prefix = p.inject[0]
		p.inject = p.inject[1:]
	}
	if down && len(p.holdNext) > 0 {
		a.delay += p.holdNext[0]
		p.holdNext = p.holdNext[1:]
	}
	if down && p.truncNext > 0 {
		p.truncNext--
		a.truncate = true
		return a
	}
	if f.CutProb > 0 && p.rng.Float64() < f.CutProb {
		a.cut = true
		return a
	}
	if down && f.TruncateProb > 0 && p.rng.Float64() < f.TruncateProb {
		a.truncate = true
	}
	return a
}

// forget reports whether the link is forgotten (see Faults.IdleDrop),
// which a chunk that comes after the link was idle too long makes it, and
// otherwise notes the chunk's time.
func (p *Proxy) forget(l *link) bool {
	if l.forgotten.Load() {
		return true
	}
	p.mu.Lock()
	idle := p.faults.IdleDrop
	p.mu.Unlock()
	now := time.Now().UnixNano()
	if idle > 0 && now-l.last.Load() > int64(idle) {
		if l.forgotten.CompareAndSwap(false, true) {
			p.dropped.Add(1)
		}
		return true
	}
	l.last.Store(now)
	return false
}

// pump forwards one direction of a link: client->server, or
// server->client when down is set.
func (p *Proxy) pump(l *link, down bool) {
	defer p.wg.Done()
	defer func() {
		l.close(nil)
		p.mu.Lock()
		delete(p.links, l)
		p.mu.Unlock()
	}()
	src, dst, count := l.client, l.server, &p.up
	if down {
		src, dst, count = l.server, l.client, &p.down
	}
	buf := make([]byte, chunkSize)
	for {
		n, err := src.Read(buf)
		if n > 0 && p.forget(l) {
			n = 0 // a forgotten link: the data goes nowhere
		}
		if n > 0 {
			a := p.decide(down)
			if a.delay > 0 {
				p.delays.Add(1)
				t := time.NewTimer(a.delay)
				select {
				case <-t.C:
				case <-l.done:
					t.Stop()
					return
				}
			}
			select {
			case <-l.done: // cut while waiting: the chunk is dropped
				return
			default:
			}
			switch {
			case a.cut:
				l.close(&p.cuts)
				return
			case a.truncate:
				if n/2 > 0 {
					m, _ := dst.Write(buf[:n/2])
					count.Add(int64(m))
				}
				l.close(&p.truncs)
				return
			}
			out := buf[:n]
			if a.prefix != nil {
				out = append(a.prefix, out...)
			}
			m, werr := dst.Write(out)
			count.Add(int64(m))
			if werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
