package client

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/pool"
)

// Client is a Redis client: a pool of connections and the whole command
// set. It is safe for concurrent use by many goroutines; create one per
// server and share it.
//
//	rdb, err := client.New(client.Options{Addr: "localhost:6379"})
//	...
//	defer rdb.Close()
//	err = rdb.Set(ctx, "key", "value", 0).Err()
//	val, err := rdb.Get(ctx, "key").Result() // err == redis.Nil if missing
//
// The database is fixed per client (Options.DB): there is no SELECT
// method, as in redis-py.
type Client struct {
	command.Cmdable
	opts     *Options // behind a pointer, so that fmt's reflection never prints the password
	pool     *pool.Pool
	ownsPool bool
	engine   *command.Engine
	mux      *pool.Mux // auto-pipelining, when on: the pool's, shared with its other clients
	cache    *command.Cache
}

// New returns a client for opts. Connections are made when first needed.
func New(opts Options) (*Client, error) {
	c := &Client{opts: &opts}
	if opts.Pool != nil {
		c.pool = opts.Pool
	} else {
		po, err := opts.poolOptions()
		if err != nil {
			return nil, err
		}
		c.pool = pool.New(po)
		c.ownsPool = true
	}
	c.engine = command.NewEngine(c.pool, opts.DecodeResponses)
	c.engine.SetRetryOnTimeout(opts.RetryOnTimeout)
	if !opts.DisableAutoPipeline {
		c.mux = c.pool.Mux()
		c.engine.SetMux(c.mux)
	}
	c.Cmdable = command.NewCmdable(c.engine)
	if err := c.initCache(); err != nil {
		if c.ownsPool {
			_ = c.pool.Close()
		}
		return nil, err
	}
	return c, nil
}

// NewFromURL is ParseURL followed by New.
func NewFromURL(rawURL string) (*Client, error) {
	o, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return New(*o)
}

func (o *Options) poolOptions() (pool.Options, error) {
	newParser, err := pool.ParserByName(o.Parser)
	if err != nil {
		return pool.Options{}, err
	}
	network := o.Network
	if network == "" && strings.HasPrefix(o.Addr, "/") {
		network = "unix"
	}
	po := pool.Options{
		Network:             network,
		Addr:                o.Addr,
		Dialer:              o.Dialer,
		TLSConfig:           o.TLSConfig,
		DialTimeout:         o.DialTimeout,
		ReadTimeout:         o.ReadTimeout,
		WriteTimeout:        o.WriteTimeout,
		Protocol:            o.Protocol,
		Username:            o.Username,
		Password:            o.Password,
		DB:                  o.DB,
		ClientName:          o.ClientName,
		NewParser:           newParser,
		ParserOptions:       o.ParserOptions,
		PoolSize:            o.PoolSize,
		MuxConns:            o.AutoPipelineConns,
		MinIdle:             o.MinIdleConns,
		PoolTimeout:         o.PoolTimeout,
		IdleTimeout:         o.IdleTimeout,
		MaxLifetime:         o.MaxLifetime,
		HealthCheckInterval: o.HealthCheckInterval,
		NewConn:             o.NewConn,
	}
	if err := po.Validate(); err != nil {
		return pool.Options{}, err
	}
	return po, nil
}

// Options returns the options the client was made with.
func (c *Client) Options() Options { return *c.opts }

// Pool returns the client's connection pool, to share it with other clients
// (Options.Pool) or read its statistics.
func (c *Client) Pool() *pool.Pool { return c.pool }

// PoolStats returns the pool's statistics.
func (c *Client) PoolStats() pool.Stats { return c.pool.Stats() }

// SetResponseCallback overrides the response callback of the command name
// (such as "HGETALL" or "CLIENT LIST") for this client only. The callback
// gets the reply and the command's options (e.g. WithScores) and returns the
// command's value: Do returns it as it is, and a typed method returns it
// when it has the method's type. nil restores the default.
func (c *Client) SetResponseCallback(name string, cb Callback) {
	c.engine.SetResponseCallback(name, cb)
}

// Close closes the client's pool (unless it was given one through
// Options.Pool), and with it the shared connections of auto-pipelining.
// Commands in flight on pooled connections finish first; those in flight
// on shared connections fail; new ones fail.
func (c *Client) Close() error {
	if c.cache != nil {
		c.cache.Close()
	}
	if c.ownsPool {
		return c.pool.Close()
	}
	return nil
}

// String describes the client without secrets.
func (c *Client) String() string {
	addr := c.opts.Addr
	if c.opts.Network == "unix" {
		addr = (&url.URL{Scheme: "unix", Path: addr}).String()
	}
	return "client.Client<" + addr + " db=" + strconv.Itoa(c.opts.DB) + ">"
}
