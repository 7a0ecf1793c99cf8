package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/duoredis/redis/benchmarks/internal/measure"
	"github.com/duoredis/redis/benchmarks/internal/workload"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/redis/rueidis"
)

// Client-side caching: duoredis's Cached reads (a client with
// Options.CacheSize) against rueidis's DoCache and DoMultiCache (its
// cache is on by default). Other clients skip these workloads.

// cacheTTL is the client-side TTL of every cached read.
const cacheTTL = time.Hour

// cacheSize is duoredis's cache budget: 64 MiB (rueidis's default is 128
// MiB per connection).
const cacheSize = 64 << 20

// cacher is what the caching workloads need.
type cacher interface {
	// CachedGet reads key through the client-side cache and reports
	// whether it was a hit.
	CachedGet(ctx context.Context, key string) (string, bool, error)
	// CachedMGet reads keys through the cache (hits counted in hits).
	CachedMGet(ctx context.Context, keys []string, hits *int64) (int, error)
}

// duoCached is duoredis with a client-side cache, made from a duo's
// options.
type duoCached struct {
	rdb *client.Client
	c   command.Cmdable
}

func newDuoCached(d *duo) (*duoCached, error) {
	o := d.rdb.Options()
	o.CacheSize = cacheSize
	rdb, err := client.New(o)
	if err != nil {
		return nil, err
	}
	return &duoCached{rdb: rdb, c: rdb.Cached(cacheTTL)}, nil
}

func (d *duoCached) CachedGet(ctx context.Context, key string) (string, bool, error) {
	r := d.c.Get(ctx, key)
	v, err := r.Result()
	return v, r.IsCacheHit(), err
}

func (d *duoCached) CachedMGet(ctx context.Context, keys []string, hits *int64) (int, error) {
	r := d.c.MGet(ctx, keys...)
	v, err := r.Result()
	if r.IsCacheHit() {
		*hits += int64(len(v))
	}
	for _, x := range v {
		if s, ok := x.(string); !ok || len(s) != workload.ValueLen {
			return 0, fmt.Errorf("MGET: got %v", x)
		}
	}
	return len(v), err
}

func (r *rue) CachedGet(ctx context.Context, key string) (string, bool, error) {
	res := r.C.DoCache(ctx, r.C.B().Get().Key(key).Cache(), cacheTTL)
	v, err := res.ToString()
	return v, res.IsCacheHit(), err
}

func (r *rue) CachedMGet(ctx context.Context, keys []string, hits *int64) (int, error) {
	cmds := make([]rueidis.CacheableTTL, len(keys))
	for i, k := range keys {
		cmds[i] = rueidis.CT(r.C.B().Get().Key(k).Cache(), cacheTTL)
	}
	n := 0
	for _, res := range r.C.DoMultiCache(ctx, cmds...) {
		v, err := res.ToString()
		if err != nil {
			return n, err
		}
		if len(v) != workload.ValueLen {
			return n, fmt.Errorf("got a value of %d bytes", len(v))
		}
		if res.IsCacheHit() {
			*hits++
		}
		n++
	}
	return n, nil
}

// asCacher returns c's caching side, or workload.ErrSkip.
func asCacher(c Client) (cacher, error) {
	switch x := c.(type) {
	case *duo:
		return newDuoCached(x)
	case *rue:
		return x, nil
	}
	return nil, workload.ErrSkip
}

// maxMisses is how many misses a run may see (the first reads of the
// warm-up, and for the mix those after writes): a hit workload that
// misses more is not measuring hits.
const maxMisses = 1000

func init() {
	loops[workload.CacheGet] = func(ctx context.Context, c Client) (loop, error) {
		cc, err := asCacher(c)
		if err != nil {
			return nil, err
		}
		var misses int
		return measure.Serial(func() error {
			v, hit, err := cc.CachedGet(ctx, workload.KeyGet)
			if !hit {
				if misses++; misses > maxMisses {
					return errors.New("cached GET: too many misses")
				}
			}
			return workload.CheckLen(v, err)
		}), nil
	}
	loops[workload.CacheMGet] = func(ctx context.Context, c Client) (loop, error) {
		cc, err := asCacher(c)
		if err != nil {
			return nil, err
		}
		keys := workload.MGetKeyList()
		var calls, hits int64
		return measure.Batched(workload.MGetKeys, func() error {
			n, err := cc.CachedMGet(ctx, keys, &hits)
			calls++
			if misses := calls*int64(len(keys)) - hits; misses > maxMisses*int64(len(keys)) {
				return errors.New("cached MGET: too many misses")
			}
			return workload.CheckCount(n, err, workload.MGetKeys)
		}), nil
	}
	loops[workload.CacheMix] = func(ctx context.Context, c Client) (loop, error) {
		cc, err := asCacher(c)
		if err != nil {
			return nil, err
		}
		return cacheMix(ctx, c, cc), nil
	}
}

// cacheMix runs workload.Workers goroutines, each doing 9 cached GETs
// then one SET (through the same client, so the cache must drop that
// entry) over the MGET keys.
func cacheMix(ctx context.Context, c Client, cc cacher) loop {
	keys := workload.MGetKeyList()
	setter := c
	if d, ok := cc.(*duoCached); ok {
		// duoredis: the write goes through the cached client, whose
		// writes drop its own entries.
		setter = wrapDuo(d.rdb, "")
	}
	return measure.Parallel(workload.Workers, func(g int, n int64) error {
		k := keys[(g+7*int(n))%len(keys)]
		if n%10 == 9 {
			return setter.Set(ctx, k, workload.Value)
		}
		v, _, err := cc.CachedGet(ctx, k)
		return workload.CheckLen(v, err)
	})
}
