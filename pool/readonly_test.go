package pool_test

import (
	"context"
	"strconv"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replica starts a server that replicates the shared one, so that writes
// get real READONLY errors.
func replica(t *testing.T) *redistest.Server {
	master := redistest.Shared(t)
	return redistest.Start(t, redistest.Args("--replicaof", "127.0.0.1", strconv.Itoa(master.Port())))
}

type replyFunc func(r *redis.Reply)

func (f replyFunc) HandleReply(r *redis.Reply) { f(r) }

func TestRetireOnReadOnly(t *testing.T) {
	srv := replica(t)
	for _, retire := range []bool{false, true} {
		p := newPool(t, srv, pool.Options{RetireOnReadOnly: retire})
		c, err := p.Get(context.Background())
		require.NoError(t, err)
		var r redis.Reply
		require.NoError(t, c.Do(context.Background(), &r, "SET", "ro:k", "v"))
		var roe *redis.ReadOnlyError
		require.ErrorAs(t, r.Err(), &roe, "the READONLY error goes to the caller")
		assert.Equal(t, retire, c.Retired())
		assert.NoError(t, c.Err(), "the connection still works")
		p.Put(c)
		if retire {
			assert.Zero(t, p.Len(), "a retired connection is closed, not kept")
		} else {
			assert.Equal(t, 1, p.Len())
		}

		// Among the replies of a batch.
		c, err = p.Get(context.Background())
		require.NoError(t, err)
		require.NoError(t, c.WriteArgs("GET", "ro:k"))
		require.NoError(t, c.WriteArgs("SET", "ro:k", "v"))
		require.NoError(t, c.WriteArgs("PING"))
		require.NoError(t, c.ReadReplies(context.Background(), 3, 0, func(int, *redis.Reply) {}))
		assert.Equal(t, retire, c.Retired())
		p.Put(c)
	}
}

// On an auto-pipelined connection, READONLY retires the connection: the
// command that got it sees the READONLY error, the next one goes to a new
// connection.
func TestMuxRetireOnReadOnly(t *testing.T) {
	srv := replica(t)
	p := pool.New(pool.Options{Addr: srv.Addr(), RetireOnReadOnly: true, MuxConns: 1})
	defer p.Close()
	m := p.Mux()
	var got []string
	h := replyFunc(func(r *redis.Reply) { got = append(got, redistest.Text(r)) })
	ctx := context.Background()
	require.NoError(t, m.Do(ctx, []any{"CLIENT", "ID"}, h))
	require.NoError(t, m.Do(ctx, []any{"SET", "ro:k", "v"}, h))
	require.NoError(t, m.Do(ctx, []any{"CLIENT", "ID"}, h))
	require.Len(t, got, 3)
	assert.Contains(t, got[1], "READONLY")
	assert.NotEqual(t, got[0], got[2], "a new connection after READONLY")
}
