package client

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/pipeline"
	"github.com/duoredis/redis/pool"
)

// Script is a Lua script that runs by its SHA1 digest (EVALSHA) and loads
// itself where the server does not know it yet. Make one with
// Client.RegisterScript or NewScript; it is safe for concurrent use.
//
//	incrBy := rdb.RegisterScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`)
//	n, err := incrBy.Run(ctx, []string{"counter"}, 5).Result()
type Script struct {
	src    string
	sha    string
	client Scripter
}

// NewScript returns a script not bound to a client: run it with RunOn.
func NewScript(src string) *Script {
	sum := sha1.Sum([]byte(src))
	return &Script{src: src, sha: hex.EncodeToString(sum[:])}
}

// RegisterScript returns a script bound to c; Run runs it there, RunOn on
// another client or a pipeline.
func (c *Client) RegisterScript(src string) *Script { return NewScript(src).Bind(c) }

// Bind returns a copy of the script bound to target (a *Client, a
// *cluster.Client, ...): Run runs it there.
func (s *Script) Bind(target Scripter) *Script {
	b := *s
	b.client = target
	return &b
}

// SHA returns the script's SHA1 digest, as EVALSHA and SCRIPT LOAD use it.
func (s *Script) SHA() string { return s.sha }

// Source returns the script's Lua source.
func (s *Script) Source() string { return s.src }

// Run runs the script on its client with keys and args. It returns the
// script's value as Do would (strings with DecodeResponses, []byte without).
func (s *Script) Run(ctx context.Context, keys []string, args ...any) command.Result[any] {
	if s.client == nil {
		return command.NewResult[any](nil, errors.New("redis: script not bound to a client: use RunOn or Client.RegisterScript"))
	}
	return s.RunOn(ctx, s.client, keys, args...)
}

// Scripter is where a Script runs: a *Client, a *cluster.Client or a
// *pipeline.Pipeline.
type Scripter interface {
	Do(ctx context.Context, args ...any) command.Result[any]
}

// RunOn runs the script on target: a *Client (or anything with Do), where
// EVALSHA is tried first and, on NOSCRIPT, the script is loaded and run
// again once; or a *pipeline.Pipeline, where EVALSHA is queued and the
// script is loaded (SCRIPT EXISTS, then SCRIPT LOAD if missing) on the
// pipeline's connection just before the pipeline runs, so that EVALSHA never
// fails inside MULTI.
func (s *Script) RunOn(ctx context.Context, target Scripter, keys []string, args ...any) command.Result[any] {
	if p, ok := target.(*pipeline.Pipeline); ok && !p.Immediate() {
		p.BeforeExec("script:"+s.sha, s.load)
		return p.Do(ctx, s.evalArgs("EVALSHA", s.sha, keys, args)...)
	}
	res := target.Do(ctx, s.evalArgs("EVALSHA", s.sha, keys, args)...)
	var ns *redis.NoScriptError
	if !errors.As(res.Err(), &ns) {
		return res
	}
	if err := target.Do(ctx, "SCRIPT", "LOAD", s.src).Err(); err != nil {
		return command.NewResult[any](nil, err)
	}
	return target.Do(ctx, s.evalArgs("EVALSHA", s.sha, keys, args)...)
}

func (s *Script) evalArgs(name, sha string, keys []string, args []any) []any {
	out := make([]any, 0, 3+len(keys)+len(args))
	out = append(out, name, sha, len(keys))
	for _, k := range keys {
		out = append(out, k)
	}
	return append(out, args...)
}

// load makes sure the server behind cn has the script.
func (s *Script) load(ctx context.Context, cn *pool.Conn) error {
	reply := cn.Reply()
	if err := cn.Do(ctx, reply, "SCRIPT", "EXISTS", s.sha); err != nil {
		return err
	}
	if err := reply.Err(); err != nil {
		return err
	}
	if len(reply.Elems) == 1 && reply.Elems[0].Int == 1 {
		return nil
	}
	if err := cn.Do(ctx, reply, "SCRIPT", "LOAD", s.src); err != nil {
		return err
	}
	if err := reply.Err(); err != nil {
		return fmt.Errorf("redis: loading script %s: %w", s.sha, err)
	}
	return nil
}
