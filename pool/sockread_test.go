package pool_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The round trips of a plain socket write the request and wait for the
// reply's readiness in one step (sockReader). These tests cover what that
// step must get right over TCP and unix sockets: requests larger than the
// socket takes at once, a connection the server closed, and the batches of
// ReadReplies.
func TestRoundTripLargeRequest(t *testing.T) {
	srv := redistest.Start(t, redistest.UnixSocket())
	for name, opts := range map[string]pool.Options{
		"tcp":  {Addr: srv.Addr()},
		"unix": {Network: "unix", Addr: srv.Socket()},
	} {
		t.Run(name, func(t *testing.T) {
			c := dial(t, srv, opts)
			big := bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MiB
			assert.Equal(t, "OK", do(t, c, "SET", "sr:big", big))
			var r redis.Reply
			require.NoError(t, c.Do(context.Background(), &r, "STRLEN", "sr:big"))
			assert.Equal(t, int64(len(big)), r.Int)

			// A batch larger than the socket's buffer, sent by ReadReplies.
			for i := 0; i < 3; i++ {
				require.NoError(t, c.WriteArgs("SET", "sr:big", big[:len(big)-i]))
				require.NoError(t, c.WriteArgs("STRLEN", "sr:big"))
			}
			var got []int64
			require.NoError(t, c.ReadReplies(context.Background(), 6, 0, func(i int, r *redis.Reply) {
				if i%2 == 1 {
					got = append(got, r.Int)
				}
			}))
			n := int64(len(big))
			assert.Equal(t, []int64{n, n - 1, n - 2}, got)
			assert.Zero(t, c.Pending())
			assert.Equal(t, "PONG", do(t, c, "PING"))
		})
	}
}

func TestRoundTripOnKilledConn(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{ClientName: "sr-killed", ReadTimeout: 5 * time.Second})
	id := clientField(t, c, "id")
	srv.Exec(t, "CLIENT", "KILL", "ID", id)
	time.Sleep(50 * time.Millisecond) // let the close arrive
	var r redis.Reply
	start := time.Now()
	err := c.Do(context.Background(), &r, "PING")
	var ce *redis.ConnectionError
	require.ErrorAs(t, err, &ce, "%v", err)
	assert.Less(t, time.Since(start), 2*time.Second, "the end of the stream ends the wait")
	assert.Equal(t, err, c.Err())
}

func TestReadRepliesSendsQueued(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{})
	require.NoError(t, c.WriteArgs("SET", "sr:q", "1"))
	require.NoError(t, c.WriteArgs("INCR", "sr:q"))
	require.NoError(t, c.WriteArgs("GET", "sr:q"))
	var got []string
	require.NoError(t, c.ReadReplies(context.Background(), 3, 0, func(i int, r *redis.Reply) {
		got = append(got, redistest.Text(r))
	}))
	assert.Equal(t, []string{"OK", "2", "2"}, got)

	// A context that ended already: the queued commands are dropped and
	// the connection stays usable.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, c.WriteArgs("INCR", "sr:q"))
	err := c.ReadReplies(ctx, 1, 0, func(int, *redis.Reply) { t.Error("no reply expected") })
	assert.ErrorIs(t, err, context.Canceled)
	assert.NoError(t, c.Err())
	assert.Zero(t, c.Pending())
	assert.Equal(t, "2", do(t, c, "GET", "sr:q"))
}
