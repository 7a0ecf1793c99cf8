// Package clients holds the Redis client adapters the workers share: each
// method is the idiomatic call of that client for the job, the same on a
// single server (cmd/worker) and on a cluster (cmd/clusterworker). A
// worker embeds an adapter in a type of its own to add what only it needs.
package clients

import (
	"context"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/workload"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/pipeline"
	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// DuoCmds is what Duo needs of a duoredis client: *client.Client and
// *cluster.Client have it.
type DuoCmds interface {
	Get(ctx context.Context, key string) command.Result[string]
	Set(ctx context.Context, key string, value any, exp time.Duration) command.Result[string]
	LRange(ctx context.Context, key string, start, stop int64) command.Result[[]string]
	MGet(ctx context.Context, keys ...string) command.Result[[]any]
	GetBytes(ctx context.Context, key string) command.Result[[]byte]
	PipelineNoTx() *pipeline.Pipeline
	Close() error
}

// Duo is duoredis.
type Duo struct {
	C          DuoCmds
	ParserName string // what Parser reports
	// ClosePipe: Pipe closes its pipeline after use (it releases its
	// queue).
	ClosePipe bool
	gets      []command.Result[string] // the pipeline's GET handles, reused
}

func (d *Duo) Get(ctx context.Context, key string) (string, error) {
	return d.C.Get(ctx, key).Result()
}

func (d *Duo) Set(ctx context.Context, key string, value []byte) error {
	if c, ok := d.C.(*client.Client); ok {
		// A direct call: through the interface, value would escape
		// and cost the harness an allocation per SET that the client
		// does not make.
		return c.Set(ctx, key, value, 0).Err()
	}
	return d.C.Set(ctx, key, value, 0).Err()
}

// Pipe sends one explicit non-transactional pipeline: SET keys[j] value,
// GET keys[j] for every j, and checks the GET replies.
func (d *Duo) Pipe(ctx context.Context, keys []string, value []byte) error {
	p := d.C.PipelineNoTx()
	if d.ClosePipe {
		defer p.Close()
	}
	d.gets = d.gets[:0]
	for _, k := range keys {
		p.Set(ctx, k, value, 0)
		d.gets = append(d.gets, p.Get(ctx, k))
	}
	if _, err := p.Exec(ctx); err != nil {
		return err
	}
	return workload.CheckGets(len(d.gets), func(i int) (string, error) { return d.gets[i].Result() })
}

func (d *Duo) LRange(ctx context.Context, key string) (int, error) {
	v, err := d.C.LRange(ctx, key, 0, -1).Result()
	return len(v), err
}

func (d *Duo) MGet(ctx context.Context, keys []string) (int, error) {
	v, err := d.C.MGet(ctx, keys...).Result()
	return len(v), err
}

func (d *Duo) GetBytes(ctx context.Context, key string) (int, error) {
	v, err := d.C.GetBytes(ctx, key).Result()
	return len(v), err
}

func (d *Duo) Parser() string { return d.ParserName }
func (d *Duo) Close() error   { return d.C.Close() }

// GoRedisCmds is what GoRedis needs of go-redis v9: its Client,
// AutoPipeliner and ClusterClient have it.
type GoRedisCmds interface {
	Get(ctx context.Context, key string) *goredis.StringCmd
	Set(ctx context.Context, key string, value any, exp time.Duration) *goredis.StatusCmd
	LRange(ctx context.Context, key string, start, stop int64) *goredis.StringSliceCmd
	MGet(ctx context.Context, keys ...string) *goredis.SliceCmd
	Pipeline() goredis.Pipeliner
}

// GoRedis is go-redis v9 (it has no Close: the worker's type closes what
// it made).
type GoRedis struct {
	C    GoRedisCmds
	gets []*goredis.StringCmd
}

func (g *GoRedis) Get(ctx context.Context, key string) (string, error) {
	return g.C.Get(ctx, key).Result()
}

func (g *GoRedis) Set(ctx context.Context, key string, value []byte) error {
	return g.C.Set(ctx, key, value, 0).Err()
}

// Pipe is as Duo's.
func (g *GoRedis) Pipe(ctx context.Context, keys []string, value []byte) error {
	p := g.C.Pipeline()
	g.gets = g.gets[:0]
	for _, k := range keys {
		p.Set(ctx, k, value, 0)
		g.gets = append(g.gets, p.Get(ctx, k))
	}
	if _, err := p.Exec(ctx); err != nil {
		return err
	}
	return workload.CheckGets(len(g.gets), func(i int) (string, error) { return g.gets[i].Result() })
}

func (g *GoRedis) LRange(ctx context.Context, key string) (int, error) {
	v, err := g.C.LRange(ctx, key, 0, -1).Result()
	return len(v), err
}

func (g *GoRedis) MGet(ctx context.Context, keys []string) (int, error) {
	v, err := g.C.MGet(ctx, keys...).Result()
	return len(v), err
}

func (g *GoRedis) GetBytes(ctx context.Context, key string) (int, error) {
	v, err := g.C.Get(ctx, key).Bytes()
	return len(v), err
}

func (g *GoRedis) Parser() string { return "" }

// Rue is rueidis's client (it pipelines concurrent commands on shared
// connections by itself, and detects a cluster from its seeds). Its MGet
// differs between a server and a cluster: the worker's type adds it.
type Rue struct {
	C    rueidis.Client
	cmds rueidis.Commands
}

func (r *Rue) Get(ctx context.Context, key string) (string, error) {
	return r.C.Do(ctx, r.C.B().Get().Key(key).Build()).ToString()
}

func (r *Rue) Set(ctx context.Context, key string, value []byte) error {
	return r.C.Do(ctx, r.C.B().Set().Key(key).Value(rueidis.BinaryString(value)).Build()).Error()
}

// Pipe is as Duo's.
func (r *Rue) Pipe(ctx context.Context, keys []string, value []byte) error {
	r.cmds = r.cmds[:0]
	for _, k := range keys {
		r.cmds = append(r.cmds,
			r.C.B().Set().Key(k).Value(rueidis.BinaryString(value)).Build(),
			r.C.B().Get().Key(k).Build())
	}
	res := r.C.DoMulti(ctx, r.cmds...)
	for i := 0; i < len(res); i += 2 {
		if err := res[i].Error(); err != nil {
			return err
		}
	}
	return workload.CheckGets(len(res)/2, func(i int) (string, error) { return res[2*i+1].ToString() })
}

func (r *Rue) Parser() string { return "" }
func (r *Rue) Close() error   { r.C.Close(); return nil }
