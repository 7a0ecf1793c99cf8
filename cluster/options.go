package cluster

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/duoredis/redis/client"
)

// Options configures a cluster Client. The embedded client.Options are the
// options of every node's client (its pool, timeouts, password, protocol,
// TLS, auto-pipelining...), except Addr (Addrs replaces it), DB (a cluster
// has database 0 only) and Pool (each node has a pool of its own).
type Options struct {
	client.Options

	// Addrs are seed nodes, host:port: any nodes of the cluster, masters
	// or replicas; the client asks the first that answers for the slot map.
	// default: ["localhost:6379"] (Options.Addr when set)
	Addrs []string

	// MaxRedirects bounds the redirects (MOVED, ASK) and retries (TRYAGAIN,
	// CLUSTERDOWN, LOADING, a connection error on a command that was not
	// sent or is read-only) of one command, always within its context.
	// default: 5
	MaxRedirects int

	// ReadOnly sends read-only commands (GET, HGETALL, ZRANGE, ...; see
	// command.NewRoutedEngine) to a replica of their slot, a random one,
	// with the master as the fallback when no replica is usable. Replicas
	// may lag behind their master. Every replica connection sends READONLY
	// in its handshake.
	// default: false, everything on masters
	ReadOnly bool
	// RouteRandomly sends read-only commands to a random node of their
	// slot's shard, master included. It implies ReadOnly.
	// default: false
	RouteRandomly bool
	// RouteByLatency sends read-only commands to the node of their slot's
	// shard with the lowest latency (measured with PING every
	// LatencyInterval), or a random one among those within
	// LatencyTolerance of it. It implies ReadOnly.
	// default: false
	RouteByLatency bool
	// LatencyTolerance widens RouteByLatency's choice to every node whose
	// latency is within this of the lowest.
	// default: 1 millisecond
	LatencyTolerance time.Duration
	// LatencyInterval is how often RouteByLatency measures the nodes.
	// default: 2 seconds
	LatencyInterval time.Duration
	// NodeSelector, when set, picks the node of each read-only command
	// (it implies ReadOnly): it gets the slot, the address of the slot's
	// master and those of its replicas, and returns one of them (an
	// address it did not get, or "", means the master).
	// default: nil
	NodeSelector func(slot int, master string, replicas []string) string

	// MapAddr rewrites every node address the cluster announces (in
	// CLUSTER SHARDS or SLOTS and in MOVED and ASK redirects) before the client
	// connects to it: for NAT, containers or SSH tunnels, where the nodes'
	// own addresses are not reachable from the client.
	// default: nil, addresses as announced
	MapAddr func(addr string) string

	// RefreshInterval is the period of the background refresh of the slot
	// map. The map is also refreshed, at once, after a MOVED, a connection
	// error to a node, CLUSTERDOWN, TRYAGAIN, LOADING or an uncovered slot.
	// -1 turns the periodic refresh off.
	// default: 15 seconds
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between two refreshes: the
	// requests that come meanwhile are coalesced into one, made after a
	// random extra delay of up to half this.
	// default: 200 milliseconds
	MinRefreshInterval time.Duration
}

// Defaults of Options.
const (
	DefaultMaxRedirects       = 5
	DefaultRefreshInterval    = 15 * time.Second
	DefaultMinRefreshInterval = 200 * time.Millisecond
	DefaultLatencyTolerance   = time.Millisecond
	DefaultLatencyInterval    = 2 * time.Second
)

// init applies the defaults, once, in New.
func (o *Options) init() error {
	if len(o.Addrs) == 0 {
		a := o.Addr
		if a == "" {
			a = "localhost:6379"
		}
		o.Addrs = []string{a}
	}
	if o.DB != 0 {
		return errors.New("redis: a cluster has database 0 only (Options.DB)")
	}
	if o.Pool != nil {
		return errors.New("redis: a cluster client makes one pool per node (Options.Pool must be nil)")
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.MaxRedirects < 0 {
		o.MaxRedirects = 0
	}
	if o.RefreshInterval == 0 {
		o.RefreshInterval = DefaultRefreshInterval
	}
	if o.MinRefreshInterval <= 0 {
		o.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if o.LatencyTolerance <= 0 {
		o.LatencyTolerance = DefaultLatencyTolerance
	}
	if o.LatencyInterval <= 0 {
		o.LatencyInterval = DefaultLatencyInterval
	}
	if o.RouteRandomly || o.RouteByLatency || o.NodeSelector != nil {
		o.ReadOnly = true
	}
	return nil
}

// String describes the options without secrets (the password shows as
// "[redacted]").
func (o Options) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cluster.Options{Addrs: %q, MaxRedirects: %d", o.Addrs, o.MaxRedirects)
	if o.ReadOnly {
		b.WriteString(", ReadOnly: true")
	}
	if o.RouteRandomly {
		b.WriteString(", RouteRandomly: true")
	}
	if o.RouteByLatency {
		fmt.Fprintf(&b, ", RouteByLatency: true, LatencyTolerance: %v", o.LatencyTolerance)
	}
	fmt.Fprintf(&b, ", RefreshInterval: %v, Node: %s}", o.RefreshInterval, o.Options.String())
	return b.String()
}

// GoString is String, so that %#v does not print the password either.
func (o Options) GoString() string { return o.String() }

// Format makes every fmt verb (%v, %+v, %s, %#v) print String.
func (o Options) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(o.String())) }

// ParseURL turns a cluster URL into Options. The URL is a client URL (see
// client.ParseURL: user, password, TLS with rediss://, and the query
// options) whose host is the first seed node; more seeds come as repeated
// addr query options:
//
//	redis://:secret@10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000&protocol=3
//
// Cluster options in the query: max_redirects, read_only (true/false),
// route_randomly, route_by_latency, refresh_interval and
// min_refresh_interval (durations). A path (a database number other than
// 0) is an error: a cluster has database 0 only. Errors never include the
// password.
func ParseURL(rawURL string) (*Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("redis: invalid URL: %v", ue.Err)
		}
		return nil, errors.New("redis: invalid URL")
	}
	q := u.Query()
	o := &Options{}
	extra := q["addr"]
	q.Del("addr")
	for _, name := range []string{"max_redirects", "read_only", "route_randomly", "route_by_latency", "refresh_interval", "min_refresh_interval"} {
		v := q.Get(name)
		if !q.Has(name) {
			continue
		}
		q.Del(name)
		switch name {
		case "max_redirects":
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("redis: invalid max_redirects %q in URL", v)
			}
			o.MaxRedirects = n
		case "refresh_interval", "min_refresh_interval":
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, fmt.Errorf("redis: invalid %s %q in URL", name, v)
			}
			if name == "refresh_interval" {
				o.RefreshInterval = d
			} else {
				o.MinRefreshInterval = d
			}
		default:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("redis: invalid %s %q in URL", name, v)
			}
			switch name {
			case "read_only":
				o.ReadOnly = b
			case "route_randomly":
				o.RouteRandomly = b
			default:
				o.RouteByLatency = b
			}
		}
	}
	u.RawQuery = q.Encode()
	co, err := client.ParseURL(u.String())
	if err != nil {
		return nil, err
	}
	if co.DB != 0 {
		return nil, errors.New("redis: a cluster has database 0 only (the URL's path)")
	}
	if co.Network == "unix" {
		return nil, errors.New("redis: a cluster URL needs redis:// or rediss://")
	}
	o.Options = *co
	if o.TLSConfig != nil {
		// Each node's certificate is checked against its own host name.
		o.TLSConfig.ServerName = ""
	}
	o.Addrs = append([]string{co.Addr}, extra...)
	for _, a := range o.Addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return nil, fmt.Errorf("redis: invalid seed address %q in URL (want host:port)", a)
		}
	}
	o.Addr = ""
	return o, nil
}
