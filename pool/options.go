package pool

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"runtime"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
)

// Options configures connections and the pool. The zero value connects to
// localhost:6379 with the defaults below, which are applied in one place
// (by [New] and [Dial]); a negative duration where the comment allows -1
// means "no limit".
type Options struct {
	// Network is "tcp" or "unix".
	// default: "unix" when Addr starts with "/", "tcp" otherwise
	Network string
	// Addr is host:port for TCP, or the socket path for a unix socket.
	// default: "localhost:6379"
	Addr string
	// Dialer opens the network connection, instead of a net.Dialer with
	// DialTimeout. TLS, when configured, is layered on what it returns.
	// default: net.Dialer.DialContext
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig enables TLS. The config is used as given (cloned), so
	// certificates and the host name are verified unless it says otherwise;
	// this package never sets InsecureSkipVerify. An empty ServerName is
	// filled from the host of Addr.
	// default: nil, plain TCP
	TLSConfig *tls.Config

	// DialTimeout bounds connecting: the dial, the TLS handshake and the
	// RESP handshake (HELLO, AUTH, SELECT, CLIENT SETNAME); -1 means no
	// limit but the context's.
	// default: 5 seconds
	DialTimeout time.Duration
	// ReadTimeout bounds the wait for each reply; -1 means no timeout. A
	// context deadline that comes sooner wins. It bounds the whole reply,
	// from the command's write to the reply's last byte: raise it for
	// values that take longer to transfer (hundreds of MiB on a slow link).
	// default: 3 seconds
	ReadTimeout time.Duration
	// WriteTimeout bounds each write of commands; -1 means no timeout.
	// default: ReadTimeout
	WriteTimeout time.Duration

	// Protocol is the RESP version: 2, or 3 (negotiated with HELLO 3; a
	// server that refuses HELLO gives an error naming this option).
	// default: 2
	Protocol int
	// Username and Password authenticate each connection when Password is
	// set: AUTH [username] password, or HELLO 3 AUTH username password. A
	// Username needs Redis 6 ACLs. The password never appears in errors,
	// logs or String.
	// default: none (HELLO uses the user "default" when Username is empty)
	Username string
	Password string
	// DB is the database each connection SELECTs after the handshake.
	// default: 0
	DB int
	// ClientName is set on each connection with CLIENT SETNAME (or HELLO's
	// SETNAME).
	// default: none
	ClientName string

	// NewParser makes the RESP parser of each connection.
	// default: DefaultParser() (goparser; cparser with -tags hiredis)
	NewParser redis.NewParserFunc
	// ParserOptions sets the parser's limits. The pool always sets
	// OwnLargeBulks: large values are read into memory the caller keeps.
	// default: the zero value, that is redis.ParserOptions's defaults
	ParserOptions redis.ParserOptions

	// PoolSize is the most connections the pool keeps open at once (redis-py's
	// max_connections): in use, idle, and the shared connections of its
	// Mux (auto-pipelining), for all the clients that share the pool. The
	// shared connections take up to MuxConns of the places while they are
	// open; one with nothing in flight gives its place up when a caller of
	// Get waits for one.
	// default: 10 per GOMAXPROCS
	PoolSize int
	// MuxConns is the most shared connections the pool's Mux opens
	// (auto-pipelining), within PoolSize: at most PoolSize-1, so that one
	// place is always left for commands that need a connection of their
	// own (blocking commands, transactions), 1 when PoolSize is 1. When
	// the pool is full, commands share the shared connections already open
	// instead of waiting for a place.
	// default: GOMAXPROCS
	MuxConns int
	// MinIdle is how many idle connections a background goroutine keeps
	// ready (within PoolSize).
	// default: 0
	MinIdle int
	// PoolTimeout bounds the wait for a connection when all PoolSize are in
	// use; the context may end the wait sooner. -1 means wait for the
	// context only.
	// default: ReadTimeout + 1 second (30 seconds when ReadTimeout is -1)
	PoolTimeout time.Duration
	// IdleTimeout closes connections idle for longer than this, at checkout
	// and in the background; -1 keeps them. Keep it below the server's
	// `timeout` setting, if that is set.
	// default: 30 minutes
	IdleTimeout time.Duration
	// MaxLifetime closes connections older than this, at checkout and in
	// the background.
	// default: 0, no limit
	MaxLifetime time.Duration
	// HealthCheckInterval makes the pool PING a connection that was idle
	// for longer than this before handing it out (redis-py's
	// health_check_interval); one that fails is replaced.
	// default: 0, off
	HealthCheckInterval time.Duration
	// RetireOnReadOnly retires a connection that gets a READONLY error: the
	// server it is on became a replica (a failover), so the connection is
	// closed instead of going back to the pool, and the next one is dialed
	// afresh, to the new master when NewConn looks it up (as sentinel's
	// MasterFor does). The READONLY error itself still goes to the caller.
	// On an auto-pipelined connection, the commands sent after the one
	// that got READONLY fail with a *redis.ConnectionError.
	// default: false
	RetireOnReadOnly bool

	// NewConn makes each connection of the pool, the way redis-py takes a
	// connection_class. A factory usually calls Dial and then does its own
	// setup (CLIENT TRACKING, READONLY, logging), or Open over a net.Conn
	// of its own. It receives the pool's options, defaults applied.
	// default: Dial
	NewConn func(ctx context.Context, opts *Options) (*Conn, error)

	// dialHooks are the pool's dial hooks (Pool.AddDialHook), shared by
	// every copy of its options.
	dialHooks *dialHooks
}

// Defaults of Options.
const (
	DefaultAddr        = "localhost:6379"
	DefaultDialTimeout = 5 * time.Second
	DefaultReadTimeout = 3 * time.Second
	DefaultIdleTimeout = 30 * time.Minute
)

// init applies the defaults. It is the only place that does, and it is
// idempotent: every default fills a zero field only.
func (o *Options) init() {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Network == "" {
		o.Network = "tcp"
		if strings.HasPrefix(o.Addr, "/") {
			o.Network = "unix"
		}
	}
	if o.Dialer == nil {
		o.Dialer = defaultDialer
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = o.ReadTimeout
	}
	if o.Protocol == 0 {
		o.Protocol = 2
	}
	if o.NewParser == nil {
		o.NewParser = DefaultParser()
	}
	if o.PoolSize <= 0 {
		o.PoolSize = 10 * runtime.GOMAXPROCS(0)
	}
	if o.MuxConns <= 0 {
		o.MuxConns = runtime.GOMAXPROCS(0)
	}
	o.MuxConns = min(o.MuxConns, max(1, o.PoolSize-1))
	if o.MinIdle > o.PoolSize {
		o.MinIdle = o.PoolSize
	}
	if o.PoolTimeout == 0 {
		if o.ReadTimeout > 0 {
			o.PoolTimeout = o.ReadTimeout + time.Second
		} else {
			o.PoolTimeout = 30 * time.Second
		}
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.NewConn == nil {
		o.NewConn = Dial
	}
}

// validate reports options that cannot work.
func (o *Options) validate() error {
	if o.Protocol != 2 && o.Protocol != 3 {
		return fmt.Errorf("redis: Options.Protocol must be 2 or 3, not %d", o.Protocol)
	}
	if o.Network != "tcp" && o.Network != "unix" && !strings.HasPrefix(o.Network, "tcp") {
		return fmt.Errorf("redis: Options.Network must be \"tcp\" or \"unix\", not %q", o.Network)
	}
	if o.DB < 0 {
		return fmt.Errorf("redis: Options.DB must not be negative, got %d", o.DB)
	}
	return nil
}

func defaultDialer(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{KeepAlive: 5 * time.Minute}
	return d.DialContext(ctx, network, addr)
}

// String describes the options without secrets: a password shows as
// "[redacted]".
func (o Options) String() string {
	var b strings.Builder
	b.WriteString("pool.Options{")
	fmt.Fprintf(&b, "Network: %q, Addr: %q", o.Network, o.Addr)
	if o.Username != "" {
		fmt.Fprintf(&b, ", Username: %q", o.Username)
	}
	if o.Password != "" {
		b.WriteString(", Password: [redacted]")
	}
	fmt.Fprintf(&b, ", DB: %d, Protocol: %d", o.DB, o.Protocol)
	if o.ClientName != "" {
		fmt.Fprintf(&b, ", ClientName: %q", o.ClientName)
	}
	fmt.Fprintf(&b, ", DialTimeout: %v, ReadTimeout: %v, WriteTimeout: %v", o.DialTimeout, o.ReadTimeout, o.WriteTimeout)
	fmt.Fprintf(&b, ", PoolSize: %d, MinIdle: %d, PoolTimeout: %v, IdleTimeout: %v, MaxLifetime: %v, HealthCheckInterval: %v",
		o.PoolSize, o.MinIdle, o.PoolTimeout, o.IdleTimeout, o.MaxLifetime, o.HealthCheckInterval)
	fmt.Fprintf(&b, ", TLS: %t}", o.TLSConfig != nil)
	return b.String()
}

// GoString is String, so that %#v does not print the password either.
func (o Options) GoString() string { return o.String() }

// redact removes the password from a text that may echo it (a server error
// that repeats a command's arguments, say).
func (o *Options) redact(s string) string {
	if o.Password == "" {
		return s
	}
	return strings.ReplaceAll(s, o.Password, "[redacted]")
}

// Validate reports the first invalid setting of o (after defaults), as
// dialing would: a wrong Protocol, Network or DB.
func (o Options) Validate() error {
	o.init()
	return o.validate()
}
