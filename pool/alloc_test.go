//go:build !race

package pool_test

import (
	"context"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With context.Background, a command on a connection allocates nothing on
// the client side: the arguments are encoded into the reused write buffer,
// the reply points into the parser's buffer, and no context is watched.
func TestConnDoAllocs(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{})
	ctx := context.Background()
	var r redis.Reply
	key, val := "alloc:key", "0123456789abcdef"
	require.NoError(t, c.Do(ctx, &r, "SET", key, val))
	assert.Zero(t, testing.AllocsPerRun(200, func() {
		if err := c.Do(ctx, &r, "SET", key, val); err != nil {
			panic(err)
		}
	}), "SET")
	assert.Zero(t, testing.AllocsPerRun(200, func() {
		if err := c.Do(ctx, &r, "GET", key); err != nil {
			panic(err)
		}
	}), "GET")

	p := newPool(t, srv, pool.Options{})
	pc, err := p.Get(ctx)
	require.NoError(t, err)
	p.Put(pc)
	assert.Zero(t, testing.AllocsPerRun(200, func() {
		pc, err := p.Get(ctx)
		if err != nil {
			panic(err)
		}
		if err := pc.Do(ctx, &r, "GET", key); err != nil {
			panic(err)
		}
		p.Put(pc)
	}), "Get, GET, Put")
}
