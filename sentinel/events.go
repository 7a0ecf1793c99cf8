package sentinel

import (
	"context"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/duoredis/redis/pool"
	"github.com/duoredis/redis/pubsub"
)

// eventChannels are the sentinels' event channels a Sentinel listens to:
// the switch of a master, and the changes of the replica set.
var eventChannels = []string{
	"+switch-master",
	"+sdown", "-sdown", "+odown", "-odown",
	"+slave", "+convert-to-slave",
}

// eventHealthCheck is how long a subscription to a sentinel may stay
// quiet before it is checked with a PING (sentinels publish nothing while
// nothing happens): a sentinel cut off without a reset of the connection
// is noticed within this plus ReadTimeout.
const eventHealthCheck = time.Second

// staleWindow is how long an answer that names an older configuration of
// a master (a lower config-epoch) than one already seen is refused. A
// sentinel that has not yet heard of a failover answers with the former
// master for a few seconds; the window bounds the refusal in case the
// sentinels' epochs went backwards (a sentinel set deployed anew).
const staleWindow = time.Minute

// masterRecord is the newest known configuration of a master: its address
// and config-epoch, and a sequence number that orders the records of all
// masters, so that a binding never goes back to an older one.
type masterRecord struct {
	addr  string
	epoch int64
	seq   uint64
	at    time.Time // when a sentinel or an event last vouched for it
}

// accept records what a sentinel answered about the master of name, and
// returns the record's sequence number. It refuses (ok false) an answer
// with an older configuration than the one known, from a sentinel that
// has not yet heard of the latest failover.
func (s *Sentinel) accept(name, addr string, epoch int64) (seq uint64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, known := s.masters[name]
	now := time.Now()
	switch {
	case known && epoch < rec.epoch && now.Sub(rec.at) < staleWindow:
		return 0, false
	case known && rec.addr == addr && epoch <= rec.epoch:
		rec.at = now
		s.masters[name] = rec
		return rec.seq, true
	}
	s.seq++
	s.masters[name] = masterRecord{addr: addr, epoch: epoch, seq: s.seq, at: now}
	return s.seq, true
}

// switched records the announcement of a sentinel that the master of name
// moved from old to addr. It returns the record's sequence number, and
// false when the announcement is not news or cannot be ordered with what
// is known (the last known master is neither old nor addr: a discovery
// settles it).
func (s *Sentinel) switched(name, old, addr string) (seq uint64, moved bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, known := s.masters[name]
	if known && rec.addr != old {
		return rec.seq, false
	}
	// The new configuration's epoch is at least one more than the old
	// one's: answers that still name the old master are refused.
	s.seq++
	s.masters[name] = masterRecord{addr: addr, epoch: rec.epoch + 1, seq: s.seq, at: time.Now()}
	return s.seq, true
}

// events keeps a subscription to the event channels of every sentinel,
// each in a goroutine of its own that reconnects and subscribes again when
// its sentinel goes away. It runs from the first connection of a client
// made by MasterFor or ReplicaFor to Sentinel.Close.
type events struct {
	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// start subscribes to the sentinels' events, once.
func (e *events) start(s *Sentinel) {
	if s.opts.DisableEvents {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started || e.stopped {
		return
	}
	e.started = true
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	for _, addr := range s.Addrs() {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			s.listen(ctx, addr)
		}()
	}
}

// stop ends the subscriptions and waits for their goroutines.
func (e *events) stop() {
	e.mu.Lock()
	e.stopped = true
	cancel := e.cancel
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	e.wg.Wait()
}

// listen subscribes to the events of the sentinel at addr and handles them
// until ctx ends. A lost connection is reconnected (at once, then after a
// growing pause up to a second), and each (re)subscription is followed by
// a discovery of the watched masters, for the events missed meanwhile.
func (s *Sentinel) listen(ctx context.Context, addr string) {
	ps := pubsub.New(pubsub.Options{
		Conn: pool.Options{
			Addr:        addr,
			Dialer:      s.opts.Dialer,
			TLSConfig:   s.opts.TLSConfig,
			DialTimeout: s.opts.DialTimeout,
			ReadTimeout: s.opts.ReadTimeout,
			Username:    s.opts.Username,
			Password:    s.opts.Password,
		},
		DecodeResponses:     true,
		HealthCheckInterval: eventHealthCheck,
		QueueSize:           64,
	})
	defer ps.Close()
	for fails := 0; ps.Subscribe(ctx, eventChannels...) != nil; fails++ {
		if !sleep(ctx, retryPause(fails)) {
			return
		}
	}
	for msg, err := range ps.Listen(ctx) {
		if err != nil {
			continue // the next step reconnects and subscribes again
		}
		switch msg.Type {
		case "subscribe":
			if msg.Channel == eventChannels[0] {
				s.watch.kick()
			}
		case "message":
			s.handleEvent(addr, msg.Channel, msg.Text())
		}
	}
}

// retryPause is the pause before the next try after fails failures in a
// row: 50ms doubling up to a second.
func retryPause(fails int) time.Duration {
	return min(50*time.Millisecond<<min(fails, 5), time.Second)
}

// sleep waits d, or less when ctx ends; it reports whether ctx is still
// live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// handleEvent applies an event published by the sentinel at from.
func (s *Sentinel) handleEvent(from, channel, payload string) {
	f := strings.Fields(payload)
	if channel == "+switch-master" {
		// <name> <old ip> <old port> <new ip> <new port>
		if len(f) != 5 {
			return
		}
		name := f[0]
		old, addr := net.JoinHostPort(f[1], f[2]), net.JoinHostPort(f[3], f[4])
		seq, moved := s.switched(name, old, addr)
		if !moved {
			s.watch.kick()
			return
		}
		// This sentinel knows the new configuration: ask it first.
		s.promote(from)
		s.watch.observe(name, addr, seq)
		return
	}
	// <type> <name> <ip> <port> @ <master name> <master ip> <master port>
	if len(f) != 8 || f[0] != "slave" || f[4] != "@" {
		return
	}
	switch channel {
	case "+sdown", "+odown":
		// Reads in flight on a replica the sentinels cannot reach would
		// wait for ReadTimeout; new connections skip it.
		s.watch.replicaDown(f[5], net.JoinHostPort(f[2], f[3]))
	}
}
