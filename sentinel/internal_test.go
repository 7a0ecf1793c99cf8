package sentinel

import (
	"context"
	"maps"
	"net"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bulk(s string) redis.Reply { return redis.Reply{Kind: redis.KindBulkString, Str: []byte(s)} }

func TestFields(t *testing.T) {
	// RESP2: a flat array; RESP3: a map. Integers are read too.
	for _, kind := range []redis.Kind{redis.KindArray, redis.KindMap} {
		r := redis.Reply{Kind: kind, Elems: []redis.Reply{
			bulk("ip"), bulk("10.0.0.1"), bulk("port"), {Kind: redis.KindInteger, Int: 6379}, bulk("flags"), bulk("s_down,slave"),
		}}
		f := fields(&r)
		assert.Equal(t, map[string]string{"ip": "10.0.0.1", "port": "6379", "flags": "s_down,slave"}, f)
	}
	assert.Equal(t, map[string]bool{"s_down": true, "slave": true}, flagSet("s_down,slave"))
	assert.Empty(t, flagSet(""))
}

func TestCheckMaster(t *testing.T) {
	s := &Sentinel{opts: &Options{MinOtherSentinels: 2}}
	assert.NoError(t, s.checkMaster(map[string]string{"flags": "master", "num-other-sentinels": "2"}))
	assert.ErrorContains(t, s.checkMaster(map[string]string{"flags": "master", "num-other-sentinels": "1"}), "MinOtherSentinels")
	assert.ErrorContains(t, s.checkMaster(map[string]string{"flags": "master,s_down", "num-other-sentinels": "2"}), "down")
	assert.ErrorContains(t, s.checkMaster(map[string]string{"flags": "master,o_down,s_down", "num-other-sentinels": "2"}), "down")
	assert.ErrorContains(t, s.checkMaster(map[string]string{"flags": "slave", "num-other-sentinels": "2"}), "not a master")
	assert.ErrorContains(t, s.checkMaster(map[string]string{}), "not a master")
}

func TestCheckRole(t *testing.T) {
	t.Parallel()
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Replicas: 1})
	ctx := context.Background()
	for _, srv := range []*redistest.Server{tp.Master, tp.Replicas[0], tp.Sentinels[0]} {
		cn, err := pool.Dial(ctx, &pool.Options{Addr: srv.Addr()})
		require.NoError(t, err)
		err = checkRole(ctx, cn)
		if srv == tp.Master {
			assert.NoError(t, err)
		} else {
			assert.ErrorIs(t, err, errNotMaster, srv.Addr())
		}
		cn.Close()
	}
	// A server that refuses ROLE passes.
	srv := redistest.Start(t, redistest.Args("--rename-command", "ROLE", ""))
	cn, err := pool.Dial(ctx, &pool.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer cn.Close()
	assert.NoError(t, checkRole(ctx, cn))
}

// plainConn hides the descriptor of a net.Conn, as a custom Dialer's
// connection may.
type plainConn struct{ net.Conn }

// TestWatch checks that the watch runs only while a MasterFor client has
// connections, that it tracks connections with and without a descriptor,
// and that observing a new master closes the connections to the old one.
func TestWatch(t *testing.T) {
	t.Parallel()
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{})
	ctx := context.Background()
	s, err := New(tp.SentinelAddrs(), Options{WatchInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	defer s.Close()

	for _, custom := range []bool{false, true} {
		opts := &client.Options{DisableAutoPipeline: true}
		if custom {
			opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
				nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return plainConn{nc}, nil
			}
		}
		mc, err := s.MasterFor(tp.Name, opts)
		require.NoError(t, err)
		require.NoError(t, mc.Ping(ctx).Err())
		assert.True(t, s.watching(), "the watch runs while connections are open")

		// Pretend the master moved: the open connection is closed, and the
		// next command gets a new one (the sentinel still names the real
		// master).
		var b *masterBinding
		s.watch.mu.Lock()
		for k := range s.watch.bindings {
			b = k.(*masterBinding)
		}
		s.watch.mu.Unlock()
		require.NotNil(t, b)
		assert.Equal(t, 1, b.live())
		b.mu.Lock()
		seq := b.seq
		b.mu.Unlock()
		b.observe("127.0.0.1:1", seq)
		assert.Equal(t, 0, b.live())
		err = mc.Ping(ctx).Err()
		if custom {
			// Without a descriptor the pool cannot see that an idle
			// connection was closed: the first command on it fails.
			var ce *redis.ConnectionError
			require.ErrorAs(t, err, &ce)
			err = mc.Ping(ctx).Err()
		}
		require.NoError(t, err)
		assert.Equal(t, 1, b.live())

		require.NoError(t, mc.Close())
		assert.Equal(t, 0, b.live())
		ok := redistest.WaitFor(2*time.Second, func() bool { return !s.watching() })
		assert.True(t, ok, "the watch ends when no client has connections")
	}
}

func (s *Sentinel) watching() bool {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	return s.watch.running
}

func TestUsableReplica(t *testing.T) {
	up := map[string]string{"flags": "slave", "role-reported": "slave", "master-link-status": "ok"}
	with := func(k, v string) map[string]string {
		f := maps.Clone(up)
		f[k] = v
		return f
	}
	for _, synced := range []bool{false, true} {
		assert.True(t, usableReplica(up, synced))
		assert.False(t, usableReplica(with("flags", "s_down,slave"), synced))
		assert.False(t, usableReplica(with("flags", "o_down,s_down,slave"), synced))
		assert.False(t, usableReplica(with("flags", "slave,disconnected"), synced))
		assert.False(t, usableReplica(with("role-reported", "master"), synced), "a former master not yet converted")
		// While the master is down, replicas serve (stale) reads unless
		// only replicas in sync are wanted.
		assert.Equal(t, !synced, usableReplica(with("master-link-status", "err"), synced))
	}
}

// TestMasterRecord checks the ordering of what the sentinels say about a
// master: an answer naming an older configuration (lower config-epoch)
// is refused, an announcement raises the epoch above the old master's,
// and an announcement that does not follow from what is known is left to
// a discovery.
func TestMasterRecord(t *testing.T) {
	s := &Sentinel{masters: make(map[string]masterRecord)}
	seq1, ok := s.accept("m", "10.0.0.1:6379", 3)
	require.True(t, ok)
	seq, ok := s.accept("m", "10.0.0.1:6379", 3)
	require.True(t, ok)
	assert.Equal(t, seq1, seq, "the same configuration keeps its number")

	seq2, moved := s.switched("m", "10.0.0.1:6379", "10.0.0.2:6379")
	require.True(t, moved)
	assert.Greater(t, seq2, seq1)
	_, ok = s.accept("m", "10.0.0.1:6379", 3)
	assert.False(t, ok, "a sentinel that has not heard of the failover")
	seq3, ok := s.accept("m", "10.0.0.2:6379", 4)
	require.True(t, ok, "the new configuration, confirmed")
	assert.Equal(t, seq2, seq3)
	seq4, ok := s.accept("m", "10.0.0.2:6379", 6)
	require.True(t, ok, "a higher epoch than announced")
	assert.Greater(t, seq4, seq3)
	_, moved = s.switched("m", "10.0.0.1:6379", "10.0.0.2:6379")
	assert.False(t, moved, "the same announcement from another sentinel")
	_, moved = s.switched("m", "10.0.0.9:6379", "10.0.0.3:6379")
	assert.False(t, moved, "an announcement about a master not known")

	// Long after the newer configuration was last confirmed, an older one
	// is taken (the sentinels' epochs may have gone backwards).
	rec := s.masters["m"]
	rec.at = time.Now().Add(-2 * staleWindow)
	s.masters["m"] = rec
	_, ok = s.accept("m", "10.0.0.1:6379", 1)
	assert.True(t, ok)
}

func TestHandleEventIgnoresNoise(t *testing.T) {
	s, err := New([]string{"127.0.0.1:1"}, Options{})
	require.NoError(t, err)
	defer s.Close()
	for _, ev := range [][2]string{
		{"+switch-master", "m 10.0.0.1"},
		{"+sdown", "master m 10.0.0.1 6379"},
		{"+sdown", "slave 10.0.0.2:6379 10.0.0.2 6379 @ m"},
		{"+slave", "slave 10.0.0.2:6379 10.0.0.2 6379 @ m 10.0.0.1 6379"},
	} {
		s.handleEvent("127.0.0.1:1", ev[0], ev[1])
	}
	assert.Empty(t, s.masters)
	s.handleEvent("127.0.0.1:1", "+switch-master", "m 10.0.0.1 6379 10.0.0.2 6380")
	assert.Equal(t, "10.0.0.2:6380", s.masters["m"].addr)
}

func TestReplicaReady(t *testing.T) {
	info := func(kv ...string) string {
		var b strings.Builder
		b.WriteString("# Persistence\r\nloading:0\r\n# Replication\r\n")
		for i := 0; i+1 < len(kv); i += 2 {
			b.WriteString(kv[i] + ":" + kv[i+1] + "\r\n")
		}
		return b.String()
	}
	synced := []string{"role", "slave", "master_link_status", "up", "master_sync_in_progress", "0", "slave_repl_offset", "12345"}
	assert.Empty(t, replicaReady(info(synced...)))
	// A replica whose master went down after it had synced serves its
	// data, as the sentinels' list does.
	assert.Empty(t, replicaReady(info("role", "slave", "master_link_status", "down", "master_sync_in_progress", "0", "slave_repl_offset", "12345", "master_link_down_since_seconds", "3")))
	// An empty master link offset, link up (a master with no write yet).
	assert.Empty(t, replicaReady(info("role", "slave", "master_link_status", "up", "master_sync_in_progress", "0", "slave_repl_offset", "0")))
	// Restarted empty, told to replicate, not connected yet.
	assert.Contains(t, replicaReady(info("role", "slave", "master_link_status", "down", "master_sync_in_progress", "0", "slave_repl_offset", "0", "master_link_down_since_seconds", "-1")), "offset 0")
	assert.Contains(t, replicaReady(info("role", "slave", "master_link_status", "down", "slave_repl_offset", "-1")), "offset -1")
	assert.Contains(t, replicaReady(info("role", "slave", "master_link_status", "down", "master_sync_in_progress", "1", "slave_repl_offset", "12345")), "full resynchronisation")
	assert.Contains(t, replicaReady(info("role", "master", "connected_slaves", "0")), "role master")
	assert.Contains(t, replicaReady(strings.Replace(info(synced...), "loading:0", "loading:1", 1)), "loading")
	// Without the \r of the protocol's lines too.
	assert.Contains(t, replicaReady(strings.ReplaceAll(info("role", "master"), "\r", "")), "role master")
	// A reply with none of the fields (a proxy's, a trimmed INFO) passes.
	assert.Empty(t, replicaReady(""))
}
