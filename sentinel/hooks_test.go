package sentinel_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/sentinel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countHook counts dials (by address) and commands (by name).
type countHook struct {
	mu       sync.Mutex
	dials    map[string]int
	commands map[string]int
}

func (h *countHook) DialHook(next command.DialFunc) command.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		h.mu.Lock()
		h.dials[addr]++
		h.mu.Unlock()
		return next(ctx, network, addr)
	}
}

func (h *countHook) ProcessHook(next command.ProcessFunc) command.ProcessFunc {
	return func(ctx context.Context, cmd command.Cmder) error {
		h.mu.Lock()
		h.commands[cmd.Name()]++
		h.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (h *countHook) ProcessPipelineHook(next command.ProcessPipelineFunc) command.ProcessPipelineFunc {
	return next
}

// The clients of MasterFor and ReplicaFor take hooks like any client: the
// dial hook sees the connections to the master (or replica) that the
// sentinels named, the process hook every command.
func TestSentinelClientHooks(t *testing.T) {
	t.Parallel()
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Replicas: 1})
	ctx := ctxT(t)
	s := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{})
	for _, replica := range []bool{false, true} {
		var rdb *client.Client
		var err error
		if replica {
			rdb, err = s.ReplicaFor(tp.Name, &client.Options{})
		} else {
			rdb, err = s.MasterFor(tp.Name, &client.Options{})
		}
		require.NoError(t, err)
		h := &countHook{dials: map[string]int{}, commands: map[string]int{}}
		rdb.AddHook(h)
		require.NoError(t, rdb.Ping(ctx).Err())
		role, err := rdb.Role(ctx).Result()
		require.NoError(t, err)
		rdb.Close()
		want := "master"
		if replica {
			want = "slave"
		}
		assert.Equal(t, want, role.Role)
		assert.Equal(t, map[string]int{"PING": 1, "ROLE": 1}, h.commands)
		total := 0
		for addr, n := range h.dials {
			assert.NotContains(t, tp.SentinelAddrs(), addr, "data connections only")
			total += n
		}
		assert.GreaterOrEqual(t, total, 1)
	}
}
