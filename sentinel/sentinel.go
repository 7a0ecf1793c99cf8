package sentinel

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/pool"
)

// Options configures a [Sentinel]: the connections to the sentinels, and
// the options of the clients it makes for the data nodes. The sentinels'
// credentials are separate from the data nodes' (Client.Username and
// Client.Password), as redis-py's sentinel_kwargs are.
type Options struct {
	// Username and Password authenticate to the sentinels, when the
	// sentinels require it (requirepass or an ACL user). They never
	// appear in errors, logs or String.
	// default: none
	Username string
	Password string
	// DialTimeout bounds connecting to one sentinel; a sentinel that does
	// not answer in time is skipped for the next one.
	// default: 2 seconds
	DialTimeout time.Duration
	// ReadTimeout bounds each reply of a sentinel.
	// default: 2 seconds
	ReadTimeout time.Duration
	// TLSConfig enables TLS to the sentinels.
	// default: nil, plain TCP
	TLSConfig *tls.Config
	// Dialer opens the network connections to the sentinels.
	// default: a net.Dialer
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

	// MinOtherSentinels is how many other sentinels the answering
	// sentinel must know of for its answer to count (redis-py's
	// min_other_sentinels): a sentinel cut off from its peers may hold a
	// stale view.
	// default: 0
	MinOtherSentinels int
	// WatchInterval is how often a Sentinel asks which server is the
	// master of each name that a [Sentinel.MasterFor] client has
	// connections to. When the answer changes, the client's connections
	// to the former master are closed at once, so that none keeps serving
	// from a server that is no longer the master (new connections always
	// ask first). The watch is the fallback of the sentinels' events
	// (see DisableEvents), which move the clients sooner; -1 turns it
	// off.
	// default: 1 second
	WatchInterval time.Duration
	// DisableEvents turns off the subscription to the sentinels' events.
	// By default, from the first connection of a client made by MasterFor
	// or ReplicaFor, a Sentinel subscribes to the events of every
	// sentinel (+switch-master, +sdown, -sdown, +odown, -odown, +slave,
	// +convert-to-slave), reconnecting to each one that goes away; on
	// +switch-master it closes the connections of MasterFor clients to
	// the former master at once, before any further command is sent
	// there, rather than at the next watch (WatchInterval).
	// default: false
	DisableEvents bool
	// SyncedReplicasOnly leaves out of DiscoverReplicas, and so of
	// ReplicaFor's connections, the replicas whose link to the master is
	// down (master-link-status not "ok"). By default such replicas still
	// serve reads, possibly stale, as with redis-py's slave_for: replica
	// reads go on while the master is down and before a failover.
	// default: false
	SyncedReplicasOnly bool

	// Client holds the options of the data-node clients that MasterFor and
	// ReplicaFor make when they are given no options of their own. Addr
	// and Network are ignored: the address comes from the sentinels.
	// default: client.Options{}
	Client client.Options
}

// Defaults of Options.
const (
	DefaultDialTimeout   = 2 * time.Second
	DefaultReadTimeout   = 2 * time.Second
	DefaultWatchInterval = time.Second
)

// init applies the defaults, in one place.
func (o *Options) init() {
	if o.DialTimeout == 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.WatchInterval == 0 {
		o.WatchInterval = DefaultWatchInterval
	}
}

// String describes the options without secrets: a password shows as
// "[redacted]".
func (o Options) String() string {
	var b strings.Builder
	b.WriteString("sentinel.Options{")
	if o.Username != "" {
		fmt.Fprintf(&b, "Username: %q, ", o.Username)
	}
	if o.Password != "" {
		b.WriteString("Password: [redacted], ")
	}
	fmt.Fprintf(&b, "DialTimeout: %v, ReadTimeout: %v, TLS: %t, MinOtherSentinels: %d, WatchInterval: %v, ",
		o.DialTimeout, o.ReadTimeout, o.TLSConfig != nil, o.MinOtherSentinels, o.WatchInterval)
	if o.DisableEvents {
		b.WriteString("DisableEvents: true, ")
	}
	if o.SyncedReplicasOnly {
		b.WriteString("SyncedReplicasOnly: true, ")
	}
	fmt.Fprintf(&b, "Client: %v}", o.Client)
	return b.String()
}

// GoString is String, so that %#v does not print a password either.
func (o Options) GoString() string { return o.String() }

// Sentinel asks a set of Redis Sentinels where the master and the
// replicas of a named service are, and makes clients bound to them. It is
// safe for concurrent use. Close it after the clients it made.
type Sentinel struct {
	opts *Options // behind a pointer, so that fmt's reflection never prints the passwords

	mu      sync.Mutex
	addrs   []string                // the sentinels, the last one that answered first
	pools   map[string]*pool.Pool   // one small pool per sentinel, made on first use
	masters map[string]masterRecord // the newest known configuration of each master
	seq     uint64                  // the last masterRecord.seq given
	closed  bool

	watch  watcher
	events events
}

// ErrClosed is returned by a Sentinel's methods after Close.
var ErrClosed = errors.New("redis: sentinel closed")

// New returns a Sentinel that asks the sentinels at addrs ("host:port"),
// in turn. No connection is made until one is needed.
func New(addrs []string, opts Options) (*Sentinel, error) {
	if len(addrs) == 0 {
		return nil, errors.New("redis: sentinel.New needs at least one sentinel address")
	}
	for _, a := range addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return nil, fmt.Errorf("redis: invalid sentinel address %q: want host:port", a)
		}
	}
	opts.init()
	if _, err := dataOptions(&opts.Client); err != nil {
		return nil, err
	}
	s := &Sentinel{
		opts:    &opts,
		addrs:   append([]string(nil), addrs...),
		pools:   make(map[string]*pool.Pool),
		masters: make(map[string]masterRecord),
	}
	s.watch.s = s
	return s, nil
}

// Addrs returns the sentinels' addresses, in the order they are tried:
// the one that last answered comes first.
func (s *Sentinel) Addrs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.addrs...)
}

// String describes the Sentinel without secrets.
func (s *Sentinel) String() string {
	return "sentinel.Sentinel<" + strings.Join(s.Addrs(), ",") + ">"
}

// Close stops the watch of masters and the subscriptions to events, and
// closes the connections to the sentinels. Clients made by MasterFor and ReplicaFor cannot make new
// connections afterwards: close them first.
func (s *Sentinel) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	pools := s.pools
	s.pools = nil
	s.mu.Unlock()
	s.events.stop()
	s.watch.stop()
	var err error
	for _, p := range pools {
		if e := p.Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// pool returns the pool of the sentinel at addr.
func (s *Sentinel) pool(addr string) (*pool.Pool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	p := s.pools[addr]
	if p == nil {
		p = pool.New(pool.Options{
			Addr:        addr,
			Dialer:      s.opts.Dialer,
			TLSConfig:   s.opts.TLSConfig,
			DialTimeout: s.opts.DialTimeout,
			ReadTimeout: s.opts.ReadTimeout,
			Username:    s.opts.Username,
			Password:    s.opts.Password,
			PoolSize:    4,
		})
		s.pools[addr] = p
	}
	return p, nil
}

// promote moves the sentinel at addr to the front, so that it is asked
// first next time (redis-py does the same).
func (s *Sentinel) promote(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range s.addrs {
		if a == addr {
			s.addrs[0], s.addrs[i] = s.addrs[i], s.addrs[0]
			return
		}
	}
}

// ask sends the commands to the sentinel at addr in one round trip, and
// calls each with each reply (server errors included).
func (s *Sentinel) ask(ctx context.Context, addr string, each func(i int, r *redis.Reply) error, cmds ...[]any) error {
	p, err := s.pool(addr)
	if err != nil {
		return err
	}
	cn, err := p.Get(ctx)
	if err != nil {
		return err
	}
	defer p.Put(cn)
	for _, args := range cmds {
		if err := cn.WriteArgs(args...); err != nil {
			return err
		}
	}
	r := cn.Reply()
	var first error
	for i := range cmds {
		if i == 0 {
			err = cn.RoundTrip(ctx, r, 0)
		} else {
			err = cn.ReadReply(ctx, r)
		}
		if err != nil {
			return err
		}
		if err := each(i, r); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// DiscoverMaster returns the address ("host:port") of the master named
// name. It asks the sentinels in turn (SENTINEL MASTER for its state, and
// SENTINEL GET-MASTER-ADDR-BY-NAME for its address, in one round trip),
// and takes the first answer that describes a master that no sentinel
// deems down (no s_down or o_down flag) from a sentinel that knows at
// least MinOtherSentinels others, as redis-py's check_master_state does.
// An answer with an older configuration (a lower config-epoch) than one
// already seen, from a sentinel that has not yet heard of a failover, is
// passed over for the next sentinel's. The sentinel that answered is
// asked first next time, and when the master moved, the connections of
// MasterFor clients to the former master are closed.
//
// It returns a [*redis.MasterNotFoundError], which is a connection error,
// when no sentinel gives such an answer: the name is unknown, the master
// is down, or no sentinel is reachable. The error wraps the last reason.
func (s *Sentinel) DiscoverMaster(ctx context.Context, name string) (string, error) {
	addr, _, err := s.discoverMaster(ctx, name)
	return addr, err
}

// discoverMaster is DiscoverMaster; it also returns the sequence number of
// the configuration found (masterRecord.seq).
func (s *Sentinel) discoverMaster(ctx context.Context, name string) (string, uint64, error) {
	var last error
	for _, sa := range s.Addrs() {
		addr, epoch, err := s.masterFrom(ctx, sa, name)
		if err == nil {
			seq, ok := s.accept(name, addr, epoch)
			if ok {
				s.promote(sa)
				s.watch.observe(name, addr, seq)
				return addr, seq, nil
			}
			err = fmt.Errorf("sentinel %s: names %s as master %q in an older configuration (config-epoch %d) than one already seen", sa, addr, name, epoch)
		}
		if errors.Is(err, ErrClosed) {
			return "", 0, err
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return "", 0, &redis.MasterNotFoundError{Name: name, Err: last}
}

// masterFrom asks one sentinel for the master of name, checks its state,
// and returns its address and config-epoch.
func (s *Sentinel) masterFrom(ctx context.Context, sentinelAddr, name string) (string, int64, error) {
	var state map[string]string
	var addr string
	err := s.ask(ctx, sentinelAddr, func(i int, r *redis.Reply) error {
		if err := r.Err(); err != nil {
			return err
		}
		if i == 0 {
			state = fields(r)
			return nil
		}
		if len(r.Elems) != 2 {
			return fmt.Errorf("sentinel %s does not know the master %q", sentinelAddr, name)
		}
		addr = net.JoinHostPort(string(r.Elems[0].Str), string(r.Elems[1].Str))
		return nil
	}, []any{"SENTINEL", "MASTER", name}, []any{"SENTINEL", "GET-MASTER-ADDR-BY-NAME", name})
	if err != nil {
		return "", 0, fmt.Errorf("sentinel %s: %w", sentinelAddr, err)
	}
	if err := s.checkMaster(state); err != nil {
		return "", 0, fmt.Errorf("sentinel %s: master %q at %s %w", sentinelAddr, name, addr, err)
	}
	epoch, _ := strconv.ParseInt(state["config-epoch"], 10, 64)
	return addr, epoch, nil
}

// checkMaster is redis-py's check_master_state: the server is a master,
// neither subjectively nor objectively down, and the sentinel knows
// enough others.
func (s *Sentinel) checkMaster(state map[string]string) error {
	flags := flagSet(state["flags"])
	switch {
	case !flags["master"]:
		return fmt.Errorf("is not a master (flags %s)", state["flags"])
	case flags["s_down"] || flags["o_down"]:
		return fmt.Errorf("is down (flags %s)", state["flags"])
	}
	if s.opts.MinOtherSentinels > 0 {
		n, _ := strconv.Atoi(state["num-other-sentinels"])
		if n < s.opts.MinOtherSentinels {
			return fmt.Errorf("is known to a sentinel that sees %d other sentinels, fewer than MinOtherSentinels (%d)", n, s.opts.MinOtherSentinels)
		}
	}
	return nil
}

// DiscoverReplicas returns the addresses of the replicas of the master
// named name that are up: replicas whose flags say s_down, o_down or
// disconnected are left out, as are servers that still report themselves
// as masters (a former master that came back and is not yet a replica),
// and with Options.SyncedReplicasOnly also those whose link to the master
// is down (by default a replica serves reads while its master is down).
// It asks the sentinels in turn (SENTINEL REPLICAS, or SENTINEL
// SLAVES on servers older than Redis 5) and returns the first answer; an
// empty list when the master has no replica up. When no sentinel answers
// it returns a [*redis.ReplicaNotFoundError], a connection error.
func (s *Sentinel) DiscoverReplicas(ctx context.Context, name string) ([]string, error) {
	var last error
	for _, sa := range s.Addrs() {
		addrs, err := s.replicasFrom(ctx, sa, name)
		if err == nil {
			s.promote(sa)
			return addrs, nil
		}
		if errors.Is(err, ErrClosed) {
			return nil, err
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, &redis.ReplicaNotFoundError{Name: name, Err: last}
}

func (s *Sentinel) replicasFrom(ctx context.Context, sentinelAddr, name string) ([]string, error) {
	var addrs []string
	collect := func(_ int, r *redis.Reply) error {
		if err := r.Err(); err != nil {
			return err
		}
		for i := range r.Elems {
			f := fields(&r.Elems[i])
			if usableReplica(f, s.opts.SyncedReplicasOnly) {
				addrs = append(addrs, net.JoinHostPort(f["ip"], f["port"]))
			}
		}
		return nil
	}
	err := s.ask(ctx, sentinelAddr, collect, []any{"SENTINEL", "REPLICAS", name})
	var se *redis.Error
	if errors.As(err, &se) && strings.Contains(strings.ToLower(se.Error()), "unknown") {
		// Redis before 5 knows only the old name.
		addrs = nil
		err = s.ask(ctx, sentinelAddr, collect, []any{"SENTINEL", "SLAVES", name})
	}
	if err != nil {
		return nil, fmt.Errorf("sentinel %s: %w", sentinelAddr, err)
	}
	return addrs, nil
}

// usableReplica reports whether a replica, as a sentinel describes it,
// may serve reads: not down (s_down, o_down) nor disconnected, not a
// former master that came back and still reports itself as a master (it
// holds what it had, or nothing, until it is turned into a replica), and,
// when synced is set, with its link to the master up.
func usableReplica(f map[string]string, synced bool) bool {
	flags := flagSet(f["flags"])
	switch {
	case flags["s_down"] || flags["o_down"] || flags["disconnected"]:
		return false
	case f["role-reported"] == "master":
		return false
	}
	ls, ok := f["master-link-status"]
	return !synced || !ok || ls == "ok"
}

// fields reads a sentinel's description of a server: a flat array of
// names and values in RESP2, a map in RESP3.
func fields(r *redis.Reply) map[string]string {
	m := make(map[string]string, len(r.Elems)/2)
	for i := 0; i+1 < len(r.Elems); i += 2 {
		v := &r.Elems[i+1]
		var s string
		if v.Kind == redis.KindInteger {
			s = strconv.FormatInt(v.Int, 10)
		} else {
			s = string(v.Str)
		}
		m[string(r.Elems[i].Str)] = s
	}
	return m
}

// flagSet splits a flags field such as "s_down,slave".
func flagSet(flags string) map[string]bool {
	set := make(map[string]bool, 4)
	for _, f := range strings.Split(flags, ",") {
		if f != "" {
			set[f] = true
		}
	}
	return set
}
