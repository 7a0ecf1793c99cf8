package pubsub

import (
	"context"
	"errors"
	"iter"
	"time"

	redis "github.com/duoredis/redis"
)

// GetMessage returns the next message, waiting for it no longer than
// timeout: with timeout 0 it only polls and never blocks (redis-py's
// get_message), with a negative timeout it waits as long as ctx allows. It
// returns (nil, nil) when no message came in time, and also when the one
// that came was handled instead of returned: a message whose channel,
// pattern or shard channel has a Handler (which GetMessage calls), or a
// confirmation with IgnoreSubscribeMessages. The pong of a health check
// is not a message: GetMessage drops it and goes on waiting.
//
// Before it reads, GetMessage reconnects and subscribes again if the
// connection was lost (returning the error of the dial if that fails) and
// sends a health check PING if one is due. A lost connection is returned
// once as an error (a *redis.ConnectionError, or a *redis.TimeoutError
// for a health check that got no answer); a server error reply as its
// typed error. After Close it returns ErrClosed; when ctx ends, ctx's
// error.
func (p *PubSub) GetMessage(ctx context.Context, timeout time.Duration) (*Message, error) {
	ev, ok, err := p.next(ctx, timeout)
	if err != nil || !ok {
		return nil, err
	}
	return p.handle(ev)
}

// Receive waits for the next message that is returned rather than handled
// (see GetMessage) and returns it, or an error as GetMessage does. Only
// ctx bounds the wait.
func (p *PubSub) Receive(ctx context.Context) (*Message, error) {
	for {
		ev, _, err := p.next(ctx, -1)
		if err != nil {
			return nil, err
		}
		if m, err := p.handle(ev); m != nil || err != nil {
			return m, err
		}
	}
}

// Listen returns an iterator over the messages that Receive returns, the
// counterpart of redis-py's listen():
//
//	for msg, err := range ps.Listen(ctx) {
//		if err != nil {
//			log.Print(err) // the connection was lost; the next step reconnects
//			continue
//		}
//		fmt.Println(msg.Channel, msg.Text())
//	}
//
// Errors are yielded and the iteration goes on (breaking out of the loop
// ends it): after a lost connection the next step reconnects and
// subscribes again, waiting a little longer after each error in a row (up
// to a second). The iteration ends when ctx ends or the PubSub is closed.
func (p *PubSub) Listen(ctx context.Context) iter.Seq2[*Message, error] {
	return func(yield func(*Message, error) bool) {
		fails := 0
		for {
			m, err := p.Receive(ctx)
			if err != nil {
				if errors.Is(err, ErrClosed) || ctx.Err() != nil {
					return
				}
				if !yield(nil, err) {
					return
				}
				fails++
				if !p.sleep(ctx, backoff(fails)) {
					return
				}
				continue
			}
			fails = 0
			if !yield(m, nil) {
				return
			}
		}
	}
}

// Channel returns a Go channel of the messages that Receive returns, fed
// by a goroutine that the first call starts (later calls return the same
// channel). Errors go to Options.ErrorHandler, and a lost connection is
// reconnected as Listen does. The channel holds up to QueueSize messages;
// when it is full the goroutine waits. Close closes the channel and ends
// the goroutine. Read either the channel or the other read methods, not
// both.
func (p *PubSub) Channel() <-chan *Message {
	p.chanOnce.Do(func() {
		p.ch = make(chan *Message, p.opts.QueueSize)
		go p.pump()
	})
	return p.ch
}

func (p *PubSub) pump() {
	defer close(p.ch)
	for m, err := range p.Listen(p.ctx) {
		if err != nil {
			p.report(err)
			continue
		}
		select {
		case p.ch <- m:
		case <-p.ctx.Done():
			return
		}
	}
}

// report passes an error that a loop gets over to Options.ErrorHandler.
func (p *PubSub) report(err error) {
	if h := p.opts.ErrorHandler; h != nil {
		h(err)
	}
}

// backoff is the pause after the n-th error in a row: none after the first
// (a lost connection is reconnected at once), then 25ms doubling up to 1s.
func backoff(n int) time.Duration {
	if n <= 1 {
		return 0
	}
	d := 25 * time.Millisecond << min(n-2, 6)
	return min(d, time.Second)
}

// sleep waits d; it reports false if ctx ended or the PubSub was closed
// first. With a Router, it ends early when the Router's slot map changes
// (a failover is over: the channels can be subscribed on the new node).
func (p *PubSub) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	var poll <-chan time.Time
	if p.opts.Router != nil {
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		poll = tk.C
	}
	for {
		select {
		case <-t.C:
			return true
		case <-poll:
			if p.opts.Router.Version() != p.rt.version.Load() {
				return true
			}
		case <-ctx.Done():
			return false
		case <-p.ctx.Done():
			return false
		}
	}
}

// next takes the next event from the queue, waiting up to timeout (< 0:
// no limit but ctx). ok is false when none came in time.
func (p *PubSub) next(ctx context.Context, timeout time.Duration) (ev event, ok bool, err error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if p.needsRouting() {
			// Shard channels to subscribe again on their (new) node: not
			// delayed by a busy queue.
			if _, err := p.prepare(ctx); err != nil {
				return event{}, false, err
			}
		}
		// What was read comes first: an error of the last connection must
		// be returned before the next read reconnects.
		select {
		case ev := <-p.queue:
			if ev, ok := p.take(ev); ok {
				return ev, true, nil
			}
			continue
		default:
		}
		wake, err := p.prepare(ctx)
		if err != nil {
			return event{}, false, err
		}
		if timeout == 0 {
			return event{}, false, nil
		}
		wait := time.Duration(-1)
		if timeout > 0 {
			if wait = time.Until(deadline); wait <= 0 {
				return event{}, false, nil
			}
		}
		if wake > 0 && (wait < 0 || wake < wait) {
			wait = wake
		}
		var tc <-chan time.Time
		if wait >= 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			tc = timer.C
		}
		select {
		case ev := <-p.queue:
			if ev, ok := p.take(ev); ok {
				return ev, true, nil
			}
		case <-tc:
			// The deadline, or time for a health check: look again.
		case <-ctx.Done():
			return event{}, false, ctx.Err()
		case <-p.ctx.Done():
			return event{}, false, ErrClosed
		}
	}
}

// take looks at an event taken from the queue: it drops the pong of a
// health check (ok false), and forgets the link that an error ended, so
// that the next read reconnects.
func (p *PubSub) take(ev event) (event, bool) {
	if ev.health {
		return ev, false
	}
	if ev.dead != nil {
		p.mu.Lock()
		p.dropLink(ev.dead)
		p.mu.Unlock()
	}
	return ev, true
}

// prepare readies the connections for a read: it subscribes the shard
// channels that wait for their node (with a Router), reconnects (and
// subscribes again) when the connection of channels and patterns was lost
// and there is something to listen to, and runs the health checks. It
// returns how soon a health check wants to look again (0: no need).
func (p *PubSub) prepare(ctx context.Context) (time.Duration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, ErrClosed
	}
	if err := p.place(ctx); err != nil {
		return 0, err
	}
	// A broken link: the reader is about to queue the error.
	if l, err := p.live(""); err == nil && l == nil && p.hasMainSubs() {
		if err := p.connect(ctx, ""); err != nil {
			return 0, err
		}
	}
	if p.hc <= 0 {
		return 0, nil
	}
	var wake time.Duration
	for _, l := range p.links {
		if l.reason != nil {
			continue
		}
		if w := p.check(ctx, l); w > 0 && (wake == 0 || w < wake) {
			wake = w
		}
	}
	return wake, nil
}

// hasMainSubs reports whether a subscription lives on the route "" (every
// subscription without a Router; channels and patterns with one). p.mu
// must be held.
func (p *PubSub) hasMainSubs() bool {
	for f := range p.subs {
		if !p.routed(family(f)) && len(p.subs[f].active) > 0 {
			return true
		}
	}
	return false
}

// check runs the health check of l: it sends a PING when l has been quiet
// for HealthCheckInterval, and breaks l when a PING got no answer in time.
// It returns how soon it wants to look again. p.mu must be held.
func (p *PubSub) check(ctx context.Context, l *link) time.Duration {
	now := time.Now()
	lastRead := time.Unix(0, l.lastRead.Load())
	limit := l.readTO
	if limit <= 0 {
		limit = p.hc
	}
	if !l.hcSent.IsZero() {
		if lastRead.Before(l.hcSent) {
			left := l.hcSent.Add(limit).Sub(now)
			if left > 0 {
				return left
			}
			// No answer: the connection is dead (or the server hangs).
			// Its reader reports this error, and the next read
			// reconnects.
			p.breakLink(l, &redis.TimeoutError{Op: "health check", Addr: l.addr,
				Err: errors.New("PING not answered within " + limit.String())})
			return 0
		}
		l.hcSent = time.Time{} // something came after the PING
	}
	last := lastRead
	if l.lastWrite.After(last) {
		last = l.lastWrite
	}
	if idle := now.Sub(last); idle < p.hc {
		return p.hc - idle
	}
	// The check is the PubSub's, not the caller's: the caller's deadline,
	// which may be about to pass, does not bound its write (WriteTimeout
	// does).
	if err := p.send(context.WithoutCancel(ctx), l, "PING", healthPayload); err != nil {
		// The link is closed; its reader reports the error.
		return 0
	}
	l.hcSent = now
	return limit
}

// handle applies a queued event: it returns its error or message, or
// (nil, nil) for a message that a handler took or that is not returned.
func (p *PubSub) handle(ev event) (*Message, error) {
	if ev.err != nil {
		if ev.dead == nil && ev.from != nil && p.serverError(ev.from, ev.err) {
			return nil, nil
		}
		return nil, ev.err
	}
	m := ev.msg
	if f, sub, ok := confirmation(m.Type); ok {
		if !sub {
			p.mu.Lock()
			if _, ok := p.subs[f].leaving[m.Channel]; ok {
				delete(p.subs[f].leaving, m.Channel)
			} else if p.routed(f) && ev.from != nil {
				p.dropped(ev.from, m.Channel)
			}
			p.mu.Unlock()
		}
		if p.opts.IgnoreSubscribeMessages {
			return nil, nil
		}
		return m, nil
	}
	var h Handler
	switch m.Type {
	case "message":
		h = p.handler(famChannel, m.Channel)
	case "pmessage":
		h = p.handler(famPattern, m.Pattern)
	case "smessage":
		h = p.handler(famShard, m.Channel)
	}
	if h != nil {
		h(m)
		return nil, nil
	}
	return m, nil
}

// handler returns the handler of a subscription, also of one being
// unsubscribed, or nil.
func (p *PubSub) handler(f family, name string) Handler {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &p.subs[f]
	if h, ok := s.active[name]; ok {
		return h
	}
	return s.leaving[name]
}
