package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/pool"
)

// Options configures a Client. The zero value connects to localhost:6379
// with the defaults below; every default is applied in one place, by New.
type Options struct {
	// Network is "tcp" or "unix".
	// default: "unix" when Addr starts with "/", "tcp" otherwise
	Network string
	// Addr is host:port for TCP, or the socket path for a unix socket.
	// default: "localhost:6379"
	Addr string
	// Username and Password authenticate the connection (AUTH, or inside
	// HELLO with Protocol 3). A Username needs Redis 6 ACLs. The password
	// never appears in errors, logs or String().
	// default: none
	Username string
	Password string
	// DB is the database every connection SELECTs. It is fixed for the
	// client: there is no SELECT method, as in redis-py.
	// default: 0
	DB int
	// Protocol is the RESP version: 2, or 3 (negotiated with HELLO 3; a
	// server that refuses HELLO gives an error naming this option).
	// default: 2
	Protocol int
	// ClientName is set with CLIENT SETNAME on every connection.
	// default: none
	ClientName string

	// DialTimeout bounds connecting, including the handshake.
	// default: 5 seconds
	DialTimeout time.Duration
	// ReadTimeout bounds the wait for each reply, from the command's write
	// to the reply's last byte; -1 means no timeout. A context deadline
	// that comes sooner wins. Raise it for values that take longer to
	// transfer (hundreds of MiB on a slow link).
	// default: 3 seconds
	ReadTimeout time.Duration
	// WriteTimeout bounds each write of commands; -1 means no timeout.
	// default: ReadTimeout
	WriteTimeout time.Duration
	// RetryOnTimeout sends a command, or a pipeline's batch, once more on
	// another connection when its read or write timed out (ReadTimeout or
	// WriteTimeout; a context's deadline is final), as redis-py's
	// retry_on_timeout does. The server may have run the first try: a
	// command that is not idempotent (INCR, RPUSH) can then take effect
	// twice. A pipeline in WATCH mode is never retried, since its WATCH
	// ended with the connection; nor is a PubSub or a Monitor.
	// default: false
	RetryOnTimeout bool

	// PoolSize is the most connections the client's pool keeps open at once
	// (redis-py's max_connections): in use, idle, and the shared
	// connections of auto-pipelining, for every client that shares the pool
	// (Options.Pool). The shared connections take up to AutoPipelineConns
	// of the places (at most PoolSize-1, leaving one for blocking commands
	// and transactions); one with nothing in flight gives its place up to a
	// command that waits for a connection of its own.
	// default: 10 per GOMAXPROCS
	PoolSize int
	// MinIdleConns is how many idle connections the pool keeps ready.
	// default: 0
	MinIdleConns int
	// PoolTimeout bounds the wait for a free connection when all PoolSize
	// are in use (the context may end the wait sooner).
	// default: ReadTimeout + 1 second
	PoolTimeout time.Duration
	// IdleTimeout closes connections idle for longer; -1 keeps them.
	// default: 30 minutes
	IdleTimeout time.Duration
	// MaxLifetime closes connections older than this when they return to
	// the pool.
	// default: 0, no limit
	MaxLifetime time.Duration
	// HealthCheckInterval makes the pool PING a connection that was idle
	// for longer than this before handing it out.
	// default: 0, off
	HealthCheckInterval time.Duration

	// TLSConfig enables TLS. Certificates and the host name are verified
	// unless the config itself says otherwise; ServerName defaults to the
	// host of Addr.
	// default: nil, plain TCP
	TLSConfig *tls.Config

	// DecodeResponses makes commands whose results have no fixed Go type
	// (Do, Eval, response callbacks) return strings instead of []byte.
	// default: false
	DecodeResponses bool
	// Parser picks the RESP parser by name: "go" or "hiredis" (the latter
	// only when built with -tags hiredis).
	// default: "", the build's default (see build_tags.md)
	Parser string
	// ParserOptions sets the parser's limits (bulk length, aggregate
	// length, nesting depth).
	// default: redis.ParserOptions{}, Redis's own limits
	ParserOptions redis.ParserOptions

	// Dialer opens the network connection, for example through a proxy.
	// default: a net.Dialer with DialTimeout
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// NewConn makes a connection, handshake included: the analogue of
	// redis-py's connection_class. It may wrap pool.Dial.
	// default: pool.Dial
	NewConn func(ctx context.Context, opts *pool.Options) (*pool.Conn, error)
	// DisableAutoPipeline turns auto-pipelining off. With it on (the
	// default), commands of goroutines that meet others in flight share a
	// few connections, several per write (see pool.Mux): several times the
	// throughput when many goroutines share the client, while a command
	// alone takes a pooled connection directly, at no cost. Blocking
	// commands, WATCH/MULTI, pub/sub and commands that change a
	// connection's state always use the pool, and replies can never be
	// mixed up: a shared connection that sees any error fails its commands
	// in flight and is replaced. A slow command (a long script, KEYS on a
	// big database) delays the commands queued behind it on its shared
	// connection, as the single-threaded server delays everyone's anyway;
	// SCRIPT KILL and FUNCTION KILL never wait in that line.
	// default: false (auto-pipelining on)
	DisableAutoPipeline bool
	// AutoPipelineConns is the most shared connections, within PoolSize (see
	// there). They belong to the pool: clients that share a pool share them,
	// and the pool's setting applies.
	// default: GOMAXPROCS
	AutoPipelineConns int

	// MaxTransactionRetries, when greater than 0, bounds how often
	// Transaction retries after a watched key changed (it then fails with
	// ErrTooManyRetries). By default it retries, with a short random wait
	// between tries, until it succeeds or its context ends, as redis-py's
	// transaction() does.
	// default: 0, no limit
	MaxTransactionRetries int

	// Pool is a pool to share with other clients; the client then ignores
	// the connection and pool options above and does not close the pool on
	// Close.
	// default: nil, a pool of the client's own
	Pool *pool.Pool

	// CacheSize, when positive, gives the client a client-side cache of
	// that many bytes, which Cached reads use (see Client.Cached and the
	// README's section on client-side caching). A cluster client gives
	// each node a cache of that many bytes; Cached reads use the masters'. The server must have
	// CLIENT TRACKING (Redis 6+); the cache reads on connections of its
	// own, in RESP3 whatever Protocol says (except in the REDIRECT
	// modes).
	// default: 0, no cache
	CacheSize int64
	// CacheMode is the tracking mode: command.CacheOptIn (OPTIN),
	// command.CacheBroadcast (BCAST, over CachePrefixes; keys outside
	// them are not cached), or command.CacheRedirect and
	// CacheBroadcastRedirect (the same through CLIENT TRACKING REDIRECT:
	// the invalidations come on a RESP2 connection subscribed to
	// __redis__:invalidate, and the tracked connections speak Protocol,
	// 2 included: for servers or proxies without RESP3).
	// default: command.CacheOptIn
	CacheMode     command.CacheMode
	CachePrefixes []string
	// CacheConns is how many tracked connections the cache reads on;
	// they count towards PoolSize.
	// default: 2
	CacheConns int
	// CacheHeartbeat is how often idle tracked connections are PINGed, so
	// that a cut one is found (and its entries dropped) within it plus
	// ReadTimeout.
	// default: 1s
	CacheHeartbeat time.Duration
}

// String describes the options without secrets: a password shows as
// "[redacted]".
func (o Options) String() string {
	var b strings.Builder
	b.WriteString("client.Options{")
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
	if o.RetryOnTimeout {
		b.WriteString(", RetryOnTimeout: true")
	}
	fmt.Fprintf(&b, ", PoolSize: %d, MinIdleConns: %d, PoolTimeout: %v, IdleTimeout: %v, MaxLifetime: %v, HealthCheckInterval: %v",
		o.PoolSize, o.MinIdleConns, o.PoolTimeout, o.IdleTimeout, o.MaxLifetime, o.HealthCheckInterval)
	fmt.Fprintf(&b, ", TLS: %t, DecodeResponses: %t", o.TLSConfig != nil, o.DecodeResponses)
	if o.Parser != "" {
		fmt.Fprintf(&b, ", Parser: %q", o.Parser)
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so that %#v does not print the password either.
func (o Options) GoString() string { return o.String() }

// ParseURL turns a Redis URL into Options:
//
//	redis://[[user]:password@]host[:port][/db][?option=value...]
//	rediss://...                      the same over TLS, certificates verified
//	unix://[[user]:password@]/path/to/redis.sock[?db=N&...]
//
// For example
//
//	redis://app:secret@cache.internal:6380/3?protocol=3&dial_timeout=2s&pool_size=20
//
// gives
//
//	Options{Addr: "cache.internal:6380", Username: "app", Password: "secret", DB: 3,
//		Protocol: 3, DialTimeout: 2 * time.Second, PoolSize: 20}
//
// Query options: db, protocol, client_name, dial_timeout, read_timeout,
// write_timeout, pool_timeout, idle_timeout, max_lifetime,
// health_check_interval (durations as "3s", "500ms" or plain seconds "1.5"),
// pool_size, min_idle_conns, decode_responses and retry_on_timeout
// (true/false), and parser;
// with rediss://, the TLS options of redis-py: ssl_ca_certs (a PEM file of
// the CAs to trust), ssl_certfile and ssl_keyfile (a client certificate),
// ssl_cert_reqs (required, the default; none turns verification off) and
// ssl_check_hostname (true, the default; false checks the certificate's
// chain but not its host name).
// redis-py's names work too: socket_timeout (read and write timeouts),
// socket_connect_timeout, max_connections and socket_keepalive.
// An unknown option, a malformed value or a db given twice with different
// values is an error. Errors never include the password.
//
// The user name and password are percent-decoded ("p%40ss" is "p@ss"). A
// password may also hold the characters a URL reserves unescaped, as in
// redis://app:a#b/c?d@e@cache:6379/0 (password "a#b/c?d@e"): the
// credentials end at the first '@' after which the rest is a well-formed
// Redis URL (for '@' alone: the last '@' before the host, as in
// redis-py). A '%' must be written %25.
func ParseURL(rawURL string) (*Options, error) {
	userinfo, u, err := splitURL(rawURL)
	if err != nil {
		return nil, err
	}
	o, err := fromURL(u)
	if err != nil {
		return nil, err
	}
	if userinfo != nil {
		if o.Username, o.Password, err = parseUserinfo(*userinfo); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// splitURL separates the credentials of a Redis URL from the rest, which
// it parses. A password may hold any character, also unescaped ones that
// a URL reserves ('#', '/', '?', '@', ':'): the credentials end at the
// first '@' after which the rest is a well-formed URL without credentials
// (a host and port, a database number, known options), which for the
// passwords redis-py reads is the last '@' of the host part, as
// redis-py's urlparse has it. The URL without any credentials is tried
// first, so that an '@' in an option's value stays there. userinfo is nil
// when there are none. The errors never quote the credentials.
func splitURL(rawURL string) (userinfo *string, u *url.URL, err error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok || !strings.Contains(rest, "@") {
		u, err := parseURLPart(rawURL)
		return nil, u, err
	}
	if u, err := parseURLPart(rawURL); err == nil && wellFormed(u) {
		return nil, u, nil
	}
	lastAt := -1
	for i, c := range rest {
		if c != '@' {
			continue
		}
		lastAt = i
		if u, err := parseURLPart(scheme + "://" + rest[i+1:]); err == nil && wellFormed(u) {
			info := rest[:i]
			return &info, u, nil
		}
	}
	// Nothing fits: take the credentials to end at the last '@', and let
	// the parse of what follows (no part of a password) say what is wrong.
	if u, err = parseURLPart(scheme + "://" + rest[lastAt+1:]); err != nil {
		return nil, nil, err
	}
	info := rest[:lastAt]
	return &info, u, nil
}

// parseURLPart is url.Parse with errors of its own: url's quote the URL
// or the part of it that is wrong, which may be a password.
func parseURLPart(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err == nil {
		if strings.Contains(s, "#") {
			return nil, errors.New("redis: invalid URL: a Redis URL has no fragment ('#'; in a password, write it %23)")
		}
		return u, nil
	}
	var ue *url.Error
	msg := ""
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
	}
	switch {
	case strings.HasPrefix(msg, "invalid port"):
		return nil, errors.New("redis: invalid URL: the port after the host is not a number")
	case strings.HasPrefix(msg, "invalid URL escape"):
		return nil, errors.New("redis: invalid URL: malformed percent-escape (write '%' as %25)")
	case strings.HasPrefix(msg, "invalid character"):
		return nil, errors.New("redis: invalid URL: invalid character in the host name")
	case strings.HasPrefix(msg, "missing protocol scheme"):
		return nil, errors.New("redis: URL needs a scheme: redis://, rediss:// or unix://")
	}
	return nil, errors.New("redis: invalid URL")
}

// wellFormed reports whether u, parsed from a Redis URL without its
// credentials, has the shape of one: no credentials left, a database
// number as its path (redis://, rediss://) or no host (unix://), and only
// known options.
func wellFormed(u *url.URL) bool {
	if u.User != nil || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "redis", "rediss":
		if badHost(u) {
			return false
		}
		if p := strings.Trim(u.Path, "/"); p != "" {
			if _, err := strconv.Atoi(p); err != nil {
				return false
			}
		}
	case "unix":
		if u.Host != "" {
			return false
		}
	default:
		return false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return false
	}
	for name := range q {
		if !knownOption(name) {
			return false
		}
	}
	return true
}

// badHost reports a host name with a ':' outside brackets, which url.Parse
// lets through ("h:1:2" is host "h:1", port 2).
func badHost(u *url.URL) bool {
	return !strings.HasPrefix(u.Host, "[") && strings.Contains(u.Hostname(), ":")
}

// knownOption reports whether name is a URL option of ours or redis-py's.
func knownOption(name string) bool {
	if _, ok := redisPyNames[name]; ok {
		return true
	}
	_, unknown := applyOption(&Options{}, name, "").(queryError)
	return !unknown
}

// parseUserinfo splits the credentials of a URL at their first ':' and
// decodes their percent-escapes. Its errors do not quote them.
func parseUserinfo(info string) (user, password string, err error) {
	rawUser, rawPW, _ := strings.Cut(info, ":")
	if user, err = url.PathUnescape(rawUser); err != nil {
		return "", "", errors.New("redis: invalid URL: malformed percent-escape in the user name (write '%' as %25)")
	}
	if password, err = url.PathUnescape(rawPW); err != nil {
		return "", "", errors.New("redis: invalid URL: malformed percent-escape in the password (write '%' as %25)")
	}
	return user, password, nil
}

// fromURL makes Options of a URL, credentials aside.
func fromURL(u *url.URL) (*Options, error) {
	o := &Options{}
	switch u.Scheme {
	case "redis", "rediss":
		if u.Opaque != "" {
			return nil, errors.New("redis: invalid URL: want " + u.Scheme + "://host..., as in redis://localhost:6379/0")
		}
		if badHost(u) {
			return nil, errors.New("redis: invalid URL: a ':' in the host name (an IPv6 address goes in brackets)")
		}
		host, port := u.Hostname(), u.Port()
		if host == "" {
			host = "localhost"
		}
		if port == "" {
			port = "6379"
		}
		o.Network = "tcp"
		o.Addr = net.JoinHostPort(host, port)
		if p := strings.Trim(u.Path, "/"); p != "" {
			db, err := strconv.Atoi(p)
			if err != nil || db < 0 {
				return nil, fmt.Errorf("redis: invalid database number %q in URL path", p)
			}
			o.DB = db
		}
		if u.Scheme == "rediss" {
			o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
		}
	case "unix":
		if u.Path == "" {
			return nil, errors.New("redis: unix URL needs a socket path, as in unix:///run/redis.sock")
		}
		o.Network = "unix"
		o.Addr = u.Path
	case "":
		return nil, errors.New("redis: URL needs a scheme: redis://, rediss:// or unix://")
	default:
		return nil, fmt.Errorf("redis: unsupported URL scheme %q (want redis, rediss or unix)", u.Scheme)
	}
	if err := applyQuery(o, u.Query()); err != nil {
		return nil, err
	}
	return o, nil
}

func applyQuery(o *Options, q url.Values) error {
	for name, values := range q {
		if len(values) != 1 {
			return fmt.Errorf("redis: URL option %q given %d times", name, len(values))
		}
		v := values[0]
		var err error
		if targets, ok := redisPyNames[name]; ok {
			for _, t := range targets {
				if q.Has(t) {
					return fmt.Errorf("redis: URL options %q and %q set the same thing", name, t)
				}
				if err = applyOption(o, t, v); err != nil {
					break
				}
			}
		} else {
			err = applyOption(o, name, v)
		}
		if err != nil {
			var qe queryError
			if errors.As(err, &qe) {
				return err
			}
			return fmt.Errorf("redis: invalid value %q for URL option %q: %v", v, name, errText(err))
		}
	}
	return applyTLSQuery(o, q)
}

// redisPyNames maps the URL options that redis-py names its own way to
// ours, so that its URLs work as they are: socket_timeout sets both read
// and write timeouts.
var redisPyNames = map[string][]string{
	"socket_timeout":         {"read_timeout", "write_timeout"},
	"socket_connect_timeout": {"dial_timeout"},
	"max_connections":        {"pool_size"},
}

// queryError is an error of a URL option that says all there is to say
// (not a malformed value).
type queryError string

func (e queryError) Error() string { return string(e) }

// applyOption applies one query option (by our name) to o.
func applyOption(o *Options, name, v string) error {
	var err error
	switch name {
	case "db":
		var db int
		db, err = strconv.Atoi(v)
		if err == nil && db < 0 {
			err = errors.New("negative")
		}
		if err == nil && o.DB != 0 && o.DB != db {
			return queryError(fmt.Sprintf("redis: URL gives the database twice (%d in the path, %d in the query)", o.DB, db))
		}
		o.DB = db
	case "protocol":
		o.Protocol, err = strconv.Atoi(v)
		if err == nil && o.Protocol != 2 && o.Protocol != 3 {
			err = errors.New("want 2 or 3")
		}
	case "client_name":
		o.ClientName = v
	case "dial_timeout":
		o.DialTimeout, err = parseDuration(v)
	case "read_timeout":
		o.ReadTimeout, err = parseDuration(v)
	case "write_timeout":
		o.WriteTimeout, err = parseDuration(v)
	case "pool_timeout":
		o.PoolTimeout, err = parseDuration(v)
	case "idle_timeout":
		o.IdleTimeout, err = parseDuration(v)
	case "max_lifetime":
		o.MaxLifetime, err = parseDuration(v)
	case "health_check_interval":
		o.HealthCheckInterval, err = parseDuration(v)
	case "pool_size":
		o.PoolSize, err = strconv.Atoi(v)
		if err == nil && o.PoolSize < 1 {
			err = errors.New("must be at least 1")
		}
	case "min_idle_conns":
		o.MinIdleConns, err = strconv.Atoi(v)
		if err == nil && o.MinIdleConns < 0 {
			err = errors.New("negative")
		}
	case "decode_responses":
		o.DecodeResponses, err = strconv.ParseBool(v)
	case "retry_on_timeout":
		o.RetryOnTimeout, err = strconv.ParseBool(v)
	case "socket_keepalive":
		// redis-py's: false dials without TCP keep-alive; true is the
		// default.
		var on bool
		if on, err = strconv.ParseBool(v); err == nil && !on {
			o.Dialer = dialNoKeepAlive
		}
	case "parser":
		o.Parser = v
	case "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_cert_reqs", "ssl_check_hostname":
		// Applied by applyTLSQuery, together, once every option is read.
	default:
		return queryError(fmt.Sprintf("redis: unknown URL option %q", name))
	}
	return err
}

// dialNoKeepAlive dials without TCP keep-alive (socket_keepalive=false).
func dialNoKeepAlive(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{KeepAlive: -1}
	return d.DialContext(ctx, network, addr)
}

// applyTLSQuery applies the TLS options of a URL, named as redis-py names
// them: ssl_ca_certs (a PEM file of the CAs to trust instead of the
// system's), ssl_certfile and ssl_keyfile (a client certificate, PEM, for
// servers that ask for one; both or neither) and ssl_cert_reqs ("required",
// the default, or "optional", which for a client is the same; "none" turns
// verification off) and ssl_check_hostname (true, the default; false
// verifies the certificate's chain but not that it names the host). They
// need a rediss:// URL.
func applyTLSQuery(o *Options, q url.Values) error {
	ca, cert, key, reqs := q.Get("ssl_ca_certs"), q.Get("ssl_certfile"), q.Get("ssl_keyfile"), q.Get("ssl_cert_reqs")
	checkHost := q.Get("ssl_check_hostname")
	if ca == "" && cert == "" && key == "" && reqs == "" && checkHost == "" {
		return nil
	}
	if o.TLSConfig == nil {
		return errors.New("redis: the ssl_* URL options need a rediss:// URL")
	}
	switch reqs {
	case "", "required", "optional":
	case "none":
		// An explicit opt-out, as in redis-py: no verification at all.
		o.TLSConfig.InsecureSkipVerify = true
	default:
		return fmt.Errorf("redis: invalid value %q for URL option %q: want required, optional or none", reqs, "ssl_cert_reqs")
	}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return fmt.Errorf("redis: URL option ssl_ca_certs: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("redis: URL option ssl_ca_certs: no PEM certificate in %s", ca)
		}
		o.TLSConfig.RootCAs = roots
	}
	if (cert == "") != (key == "") {
		return errors.New("redis: the URL options ssl_certfile and ssl_keyfile go together")
	}
	if cert != "" {
		c, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return fmt.Errorf("redis: URL options ssl_certfile and ssl_keyfile: %w", err)
		}
		o.TLSConfig.Certificates = []tls.Certificate{c}
	}
	if checkHost != "" {
		check, err := strconv.ParseBool(checkHost)
		if err != nil {
			return fmt.Errorf("redis: invalid value %q for URL option %q: want true or false", checkHost, "ssl_check_hostname")
		}
		if !check && !o.TLSConfig.InsecureSkipVerify {
			skipHostCheck(o.TLSConfig)
		}
	}
	return nil
}

// skipHostCheck makes cfg verify the server's certificate chain against
// its RootCAs (the system's when nil) but not the host name: the crypto/tls
// way is to turn the built-in verification off and verify the chain in
// VerifyConnection.
func skipHostCheck(cfg *tls.Config) {
	cfg.InsecureSkipVerify = true
	roots := cfg.RootCAs
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("redis: the server sent no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
		return err
	}
}

// parseDuration takes Go durations ("3s", "250ms") and, as redis-py does,
// plain numbers of seconds ("1.5"); "-1" means no timeout.
func parseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errors.New("not a duration")
	}
	if f == -1 {
		return -1, nil
	}
	return time.Duration(f * float64(time.Second)), nil
}

// errText shortens strconv's errors, which repeat the input.
func errText(err error) string {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return ne.Err.Error()
	}
	return err.Error()
}
