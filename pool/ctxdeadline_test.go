package pool_test

import (
	"context"
	"net"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lateContext is a context whose deadline has passed while its Done and
// Err do not say so yet: what a context.WithDeadline looks like between
// its deadline and the moment its timer's goroutine runs, a window a
// loaded machine keeps open for a while.
type lateContext struct {
	context.Context // never done
	deadline        time.Time
}

func (c lateContext) Deadline() (time.Time, bool) { return c.deadline, true }

// An operation that fails because the caller's deadline passed reports the
// context's error, even when the socket saw the deadline before the
// context's timer fired: it used to come back as "timeout (write ...):
// raw-read ... i/o timeout" without context.DeadlineExceeded.
func TestDeadlineBeforeContextTimerMatchesDeadlineExceeded(t *testing.T) {
	srv := redistest.Shared(t)
	late := lateContext{Context: context.Background(), deadline: time.Now().Add(-time.Millisecond)}

	t.Run("round trip", func(t *testing.T) {
		c := dial(t, srv, pool.Options{})
		var r redis.Reply
		err := c.Do(late, &r, "PING")
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var te *redis.TimeoutError
		assert.ErrorAs(t, err, &te)
	})
	t.Run("read", func(t *testing.T) {
		c := dial(t, srv, pool.Options{})
		require.NoError(t, c.WriteArgs("PING"))
		require.NoError(t, c.Flush(context.Background()))
		var r redis.Reply
		err := c.ReadReply(late, &r)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("dial", func(t *testing.T) {
		// A listener that accepts nothing beyond its backlog is slow to
		// connect to, but a deadline in the past fails the dial at once.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		_, err = pool.Dial(late, &pool.Options{Addr: ln.Addr().String()})
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}
