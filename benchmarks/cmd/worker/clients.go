package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/duoredis/redis/benchmarks/internal/clients"
	"github.com/duoredis/redis/benchmarks/internal/workload"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/pool"
	redigo "github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// Client is what a workload needs from a Redis client. Each method is the
// idiomatic call of that client for the job, returning what a user gets
// (strings for small values and lists, bytes for the 1 MiB value), so that
// the cost of materialising results is part of the measure.
type Client interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key string, value []byte) error
	// Pipe sends one explicit non-transactional pipeline: SET keys[j]
	// value, GET keys[j] for every j, and checks the GET replies.
	Pipe(ctx context.Context, keys []string, value []byte) error
	LRange(ctx context.Context, key string) (int, error)
	MGet(ctx context.Context, keys []string) (int, error)
	GetBytes(ctx context.Context, key string) (int, error)
	Parser() string
	Close() error
}

var constructors = map[string]func(addr, parser string, poolSize int) (Client, error){
	"duoredis":      func(addr, parser string, n int) (Client, error) { return newDuo(addr, parser, n, true) },
	"duoredis-pool": func(addr, parser string, n int) (Client, error) { return newDuo(addr, parser, n, false) },
	"goredis":       func(addr, _ string, n int) (Client, error) { return newGoRedis(addr, n, false) },
	"goredis-ap":    func(addr, _ string, n int) (Client, error) { return newGoRedis(addr, n, true) },
	"rueidis":       func(addr, _ string, _ int) (Client, error) { return newRueidis(addr) },
	"redigo":        func(addr, _ string, n int) (Client, error) { return newRedigo(addr, n), nil },
}

func clientNames() string {
	var names []string
	for n := range constructors {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func newClient(name, addr, parser string, poolSize int) (Client, error) {
	mk, ok := constructors[name]
	if !ok {
		return nil, fmt.Errorf("unknown client %q (want one of %s)", name, clientNames())
	}
	return mk(addr, parser, poolSize)
}

// duoredis: this client, with the build's default parser or the named one,
// with its default auto-pipelining (commands of concurrent goroutines share a
// few connections, several per write) or with the pool alone
// (Options.DisableAutoPipeline).

type duo struct {
	clients.Duo
	rdb *client.Client
}

func wrapDuo(rdb *client.Client, parser string) *duo {
	return &duo{Duo: clients.Duo{C: rdb, ParserName: parser}, rdb: rdb}
}

func newDuo(addr, parser string, poolSize int, auto bool) (Client, error) {
	rdb, err := client.New(client.Options{Addr: addr, Parser: parser, PoolSize: poolSize, DisableAutoPipeline: !auto})
	if err != nil {
		return nil, err
	}
	if parser == "" {
		parser = pool.DefaultParserName()
	}
	return wrapDuo(rdb, parser), nil
}

// go-redis v9, plain or through its blocking AutoPipeline (v9.23:
// Client.AutoPipeline, which batches concurrent callers' commands).

type goRedis struct {
	clients.GoRedis
	rdb *goredis.Client
	ap  *goredis.AutoPipeliner
}

func newGoRedis(addr string, poolSize int, auto bool) (Client, error) {
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, PoolSize: poolSize})
	g := &goRedis{GoRedis: clients.GoRedis{C: rdb}, rdb: rdb}
	if auto {
		ap, err := rdb.AutoPipeline()
		if err != nil {
			rdb.Close()
			return nil, err
		}
		g.ap, g.C = ap, ap
	}
	return g, nil
}

func (g *goRedis) Close() error {
	if g.ap != nil {
		g.ap.Close()
	}
	return g.rdb.Close()
}

// rueidis: its normal client, which pipelines concurrent commands on shared
// connections by itself.

type rue struct {
	clients.Rue
}

func newRueidis(addr string) (Client, error) {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	if err != nil {
		return nil, err
	}
	return &rue{clients.Rue{C: c}}, nil
}

func (r *rue) LRange(ctx context.Context, key string) (int, error) {
	v, err := r.C.Do(ctx, r.C.B().Lrange().Key(key).Start(0).Stop(-1).Build()).AsStrSlice()
	return len(v), err
}

func (r *rue) MGet(ctx context.Context, keys []string) (int, error) {
	v, err := r.C.Do(ctx, r.C.B().Mget().Key(keys...).Build()).AsStrSlice()
	return len(v), err
}

func (r *rue) GetBytes(ctx context.Context, key string) (int, error) {
	v, err := r.C.Do(ctx, r.C.B().Get().Key(key).Build()).AsBytes()
	return len(v), err
}

// redigo: a Pool (MaxIdle 64 so that no connection is closed after use;
// redigo's default MaxIdle of 0 would dial per command).

type rg struct {
	pool *redigo.Pool
}

func newRedigo(addr string, poolSize int) *rg {
	if poolSize <= 0 {
		poolSize = 64
	}
	return &rg{pool: &redigo.Pool{
		MaxIdle: poolSize,
		Dial:    func() (redigo.Conn, error) { return redigo.Dial("tcp", addr) },
	}}
}

func (r *rg) Get(ctx context.Context, key string) (string, error) {
	c := r.pool.Get()
	defer c.Close()
	return redigo.String(c.Do("GET", key))
}

func (r *rg) Set(ctx context.Context, key string, value []byte) error {
	c := r.pool.Get()
	defer c.Close()
	_, err := c.Do("SET", key, value)
	return err
}

func (r *rg) Pipe(ctx context.Context, keys []string, value []byte) error {
	c := r.pool.Get()
	defer c.Close()
	for _, k := range keys {
		if err := c.Send("SET", k, value); err != nil {
			return err
		}
		if err := c.Send("GET", k); err != nil {
			return err
		}
	}
	if err := c.Flush(); err != nil {
		return err
	}
	for range keys {
		if _, err := c.Receive(); err != nil {
			return err
		}
		if err := workload.CheckLen(redigo.String(c.Receive())); err != nil {
			return err
		}
	}
	return nil
}

func (r *rg) LRange(ctx context.Context, key string) (int, error) {
	c := r.pool.Get()
	defer c.Close()
	v, err := redigo.Strings(c.Do("LRANGE", key, 0, -1))
	return len(v), err
}

func (r *rg) MGet(ctx context.Context, keys []string) (int, error) {
	c := r.pool.Get()
	defer c.Close()
	v, err := redigo.Strings(c.Do("MGET", redigo.Args{}.AddFlat(keys)...))
	return len(v), err
}

func (r *rg) GetBytes(ctx context.Context, key string) (int, error) {
	c := r.pool.Get()
	defer c.Close()
	v, err := redigo.Bytes(c.Do("GET", key))
	return len(v), err
}

func (r *rg) Parser() string { return "" }
func (r *rg) Close() error   { return r.pool.Close() }
