package client_test

import (
	"errors"
	"strconv"
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

// serverProtocols is protocols on a server of the test's own (for commands
// that change the server's configuration or data as a whole). opts adjusts
// the clients' options.
func serverProtocols(t *testing.T, srv *redistest.Server, opts client.Options, fn func(t *testing.T, rdb *client.Client, k keyspace)) {
	for _, proto := range []int{2, 3} {
		t.Run("own:resp"+strconv.Itoa(proto), func(t *testing.T) {
			o := opts
			o.Addr, o.Protocol = srv.Addr(), proto
			rdb, err := client.New(o)
			require.NoError(t, err)
			t.Cleanup(func() { rdb.Close() })
			fn(t, rdb, keyspace(strings.ReplaceAll(t.Name(), "/", ":")+":"))
		})
	}
}

// serverNew returns a client of srv with the options o (Addr is set).
func serverNew(t *testing.T, srv *redistest.Server, o client.Options) *client.Client {
	o.Addr = srv.Addr()
	rdb, err := client.New(o)
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// connRaw opens a connection of the test's own, outside any pool, with
// RESP2 (subscribers and blocked clients in the tests use it).
func connRaw(t *testing.T, addr string) *pool.Conn {
	cn, err := pool.Dial(ctx, &pool.Options{Addr: addr, Protocol: 2, ReadTimeout: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { cn.Close() })
	return cn
}

// connSend writes one command on a raw connection, without reading.
func connSend(t *testing.T, cn *pool.Conn, args ...any) {
	require.NoError(t, cn.WriteArgs(args...))
	require.NoError(t, cn.Flush(ctx))
}

// connRead reads one reply from a raw connection (a copy that owns its
// memory).
func connRead(t *testing.T, cn *pool.Conn) redis.Reply {
	var r redis.Reply
	require.NoError(t, cn.ReadReply(ctx, &r))
	return r.Clone()
}

// connID returns the client ID of a raw connection.
func connID(t *testing.T, cn *pool.Conn) int64 {
	connSend(t, cn, "CLIENT", "ID")
	r := connRead(t, cn)
	require.Equal(t, redis.KindInteger, r.Kind, r.String())
	return r.Int
}

// serverErrPrefix returns the prefix of a server error, failing the test
// when err is not one.
func serverErrPrefix(t *testing.T, err error) string {
	t.Helper()
	var re *redis.Error
	require.True(t, errors.As(err, &re), "want a server error, got %v", err)
	return re.Prefix()
}

func TestServerInfo(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		require.NoError(t, rdb.Set(ctx, k.Key("a"), "1", 0).Err())

		info, err := rdb.Info(ctx).Result()
		require.NoError(t, err)
		assert.Contains(t, info.Raw, "# Server\r\n")
		assert.True(t, strings.HasPrefix(info.Sections["server"]["redis_version"], "7."), info.Sections["server"]["redis_version"])
		for _, s := range []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "keyspace"} {
			assert.NotEmpty(t, info.Sections[s], "section %s", s)
		}
		common := info.Common()
		assert.Equal(t, info.Sections["server"]["redis_version"], common.RedisVersion)
		assert.Equal(t, "standalone", common.RedisMode)
		assert.Equal(t, int64(srv.Port()), common.TCPPort)
		assert.Equal(t, "master", common.Role)
		assert.GreaterOrEqual(t, common.ConnectedClients, int64(1))
		assert.Greater(t, common.UsedMemory, int64(0))
		assert.Greater(t, common.ProcessID, int64(0))
		assert.Greater(t, common.TotalCommandsProcessed, int64(0))
		assert.Equal(t, "noeviction", common.MaxMemoryPolicy)
		assert.False(t, common.AOFEnabled)
		assert.Greater(t, info.Float("mem_fragmentation_ratio"), 0.0)
		_, ok := info.Field("no_such_field")
		assert.False(t, ok)
		assert.Equal(t, int64(0), info.Int("no_such_field"))
		assert.GreaterOrEqual(t, info.Keyspace()[0].Keys, int64(1))

		// Sections asked for, and only those.
		info, err = rdb.Info(ctx, "server", "keyspace").Result()
		require.NoError(t, err)
		assert.Len(t, info.Sections, 2)
		ks := info.Keyspace()[0]
		assert.GreaterOrEqual(t, ks.Keys, int64(1))
		assert.GreaterOrEqual(t, ks.Keys, ks.Expires)
		assert.Equal(t, int64(0), info.Common().UsedMemory, "memory was not asked for")

		info, err = rdb.Info(ctx, "commandstats").Result()
		require.NoError(t, err)
		assert.Contains(t, info.Sections["commandstats"]["cmdstat_info"], "calls=")
	})
}

func TestServerConfig(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		m, err := rdb.ConfigGet(ctx, "maxmemory").Result()
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"maxmemory": "0"}, m)
		m, err = rdb.ConfigGet(ctx, "appendonly", "save").Result()
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"appendonly": "no", "save": ""}, m)
		m, err = rdb.ConfigGet(ctx, "maxmemory*").Result()
		require.NoError(t, err)
		assert.Contains(t, m, "maxmemory-policy")
		assert.Greater(t, len(m), 3)
		m, err = rdb.ConfigGet(ctx, "no-such-parameter").Result()
		require.NoError(t, err)
		assert.Empty(t, m)
		help, err := rdb.ConfigHelp(ctx).Result()
		require.NoError(t, err)
		assert.Greater(t, len(help), 3)
	})

	srv := redistest.Start(t)
	serverProtocols(t, srv, client.Options{}, func(t *testing.T, rdb *client.Client, k keyspace) {
		assert.Equal(t, "OK", rdb.ConfigSet(ctx, "maxmemory", "10mb").Val())
		assert.Equal(t, "10485760", rdb.ConfigGet(ctx, "maxmemory").Val()["maxmemory"])
		assert.Equal(t, "OK", rdb.ConfigSet(ctx, "hz", 20).Val())
		assert.Equal(t, "20", rdb.ConfigGet(ctx, "hz").Val()["hz"])
		require.Equal(t, "OK", rdb.ConfigSetMap(ctx, map[string]any{"maxmemory": 0, "slowlog-max-len": 64}).Val())
		assert.Equal(t, map[string]string{"maxmemory": "0", "slowlog-max-len": "64"},
			rdb.ConfigGet(ctx, "maxmemory", "slowlog-max-len").Val())
		// All or nothing.
		err := rdb.ConfigSetMap(ctx, map[string]any{"hz": 30, "maxmemory": "lots"}).Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		assert.Equal(t, "20", rdb.ConfigGet(ctx, "hz").Val()["hz"])
		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.ConfigSet(ctx, "no-such-parameter", 1).Err()))

		rdb.Set(ctx, k.Key("a"), 1, 0)
		require.Equal(t, "OK", rdb.ConfigResetStat(ctx).Val())
		assert.Equal(t, int64(0), rdb.Info(ctx, "stats").Val().Common().KeyspaceHits)

		// A test server has no configuration file to rewrite.
		err = rdb.ConfigRewrite(ctx).Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		assert.Contains(t, err.Error(), "config file")
	})
}

func TestServerKeyspace(t *testing.T) {
	srv := redistest.Start(t)
	serverProtocols(t, srv, client.Options{}, func(t *testing.T, rdb *client.Client, k keyspace) {
		db1 := serverNew(t, srv, client.Options{DB: 1, Protocol: rdb.Options().Protocol})
		require.Equal(t, "OK", rdb.FlushAll(ctx, client.FlushSync).Val())
		assert.Equal(t, int64(0), rdb.DBSize(ctx).Val())

		rdb.MSet(ctx, map[string]any{k.Key("a"): 1, k.Key("b"): 2})
		db1.Set(ctx, k.Key("c"), 3, 0)
		assert.Equal(t, int64(2), rdb.DBSize(ctx).Val())
		assert.Equal(t, int64(1), db1.DBSize(ctx).Val())

		// SWAPDB swaps the databases under every client.
		require.Equal(t, "OK", rdb.SwapDB(ctx, 0, 1).Val())
		assert.Equal(t, int64(1), rdb.DBSize(ctx).Val())
		assert.Equal(t, "3", rdb.Get(ctx, k.Key("c")).Val())
		assert.Equal(t, int64(2), db1.DBSize(ctx).Val())
		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.SwapDB(ctx, 0, 99).Err()))

		// FLUSHDB empties one database, FLUSHALL all of them.
		require.Equal(t, "OK", rdb.FlushDB(ctx, client.FlushDefault).Val())
		assert.Equal(t, int64(0), rdb.DBSize(ctx).Val())
		assert.Equal(t, int64(2), db1.DBSize(ctx).Val())
		require.Equal(t, "OK", db1.FlushDB(ctx, client.FlushAsync).Val())
		assert.Equal(t, int64(0), db1.DBSize(ctx).Val())
		rdb.Set(ctx, k.Key("a"), 1, 0)
		db1.Set(ctx, k.Key("a"), 1, 0)
		require.Equal(t, "OK", rdb.FlushAll(ctx, client.FlushAsync).Val())
		assert.Equal(t, int64(0), rdb.DBSize(ctx).Val())
		assert.Equal(t, int64(0), db1.DBSize(ctx).Val())
		require.Equal(t, "OK", rdb.FlushAll(ctx, client.FlushDefault).Val())
	})
}

func TestServerPersistence(t *testing.T) {
	srv := redistest.Start(t)
	serverProtocols(t, srv, client.Options{}, func(t *testing.T, rdb *client.Client, k keyspace) {
		idle := func() bool {
			c := rdb.Info(ctx, "persistence").Val()
			return c.Int("rdb_bgsave_in_progress") == 0 && c.Int("aof_rewrite_in_progress") == 0 &&
				c.Int("aof_rewrite_scheduled") == 0
		}
		require.True(t, redistest.WaitFor(5*time.Second, idle))

		before := time.Now().Add(-time.Second)
		rdb.Set(ctx, k.Key("a"), 1, 0)
		require.Equal(t, "OK", rdb.Save(ctx).Val())
		last, err := rdb.LastSave(ctx).Result()
		require.NoError(t, err)
		assert.False(t, last.Before(before.Truncate(time.Second)), "LASTSAVE %v", last)
		assert.WithinDuration(t, time.Now(), last, 3*time.Second)
		assert.Equal(t, int64(0), rdb.Info(ctx, "persistence").Val().Common().RDBChangesSinceLastSave)

		assert.Equal(t, "Background saving started", rdb.BgSave(ctx).Val())
		require.True(t, redistest.WaitFor(5*time.Second, idle))
		st, err := rdb.BgSaveSchedule(ctx).Result()
		require.NoError(t, err)
		assert.Contains(t, []string{"Background saving started", "Background saving scheduled"}, st)
		require.True(t, redistest.WaitFor(5*time.Second, idle))

		st, err = rdb.BgRewriteAOF(ctx).Result()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(st, "Background append only file rewriting"), st)
		require.True(t, redistest.WaitFor(5*time.Second, idle))
	})
}

func TestServerTimeWaitRole(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		now, err := rdb.Time(ctx).Result()
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now(), now, 2*time.Second)
		assert.Zero(t, now.Nanosecond()%int(time.Microsecond), "to the microsecond")

		// No replicas: WAIT gives 0, at once with 0 replicas asked for, after
		// the timeout otherwise.
		assert.Equal(t, int64(0), rdb.Wait(ctx, 0, 0).Val())
		start := time.Now()
		n, err := rdb.Wait(ctx, 1, 100*time.Millisecond).Result()
		require.NoError(t, err)
		assert.Equal(t, int64(0), n)
		assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond)

		role, err := rdb.Role(ctx).Result()
		require.NoError(t, err)
		assert.Equal(t, "master", role.Role)
		assert.Empty(t, role.Replicas)
		assert.Empty(t, role.MasterHost)

		art, err := rdb.Lolwut(ctx, 0).Result()
		require.NoError(t, err)
		assert.Regexp(t, `ver\. \d+\.\d+`, art)
		art, err = rdb.Lolwut(ctx, 5).Result()
		require.NoError(t, err)
		assert.Contains(t, art, "Georg Nees")
	})
}

func TestServerSlowLog(t *testing.T) {
	srv := redistest.Start(t)
	serverProtocols(t, srv, client.Options{ClientName: "slowcli"}, func(t *testing.T, rdb *client.Client, k keyspace) {
		require.Equal(t, "OK", rdb.ConfigSet(ctx, "slowlog-log-slower-than", 0).Val())
		require.Equal(t, "OK", rdb.SlowLogReset(ctx).Val())
		assert.LessOrEqual(t, rdb.SlowLogLen(ctx).Val(), int64(1), "only SLOWLOG RESET itself")

		before := time.Now().Add(-time.Second)
		for i := 0; i < 12; i++ {
			rdb.Set(ctx, k.Key("a"), i, 0)
		}
		assert.GreaterOrEqual(t, rdb.SlowLogLen(ctx).Val(), int64(12))
		all, err := rdb.SlowLogGet(ctx, -1).Result()
		require.NoError(t, err)
		var sets []client.SlowLogEntry
		for _, e := range all {
			if e.Args[0] == "SET" {
				sets = append(sets, e)
			}
		}
		require.Len(t, sets, 12)
		e := sets[0] // newest first
		assert.Equal(t, []string{"SET", k.Key("a"), "11"}, e.Args)
		assert.Equal(t, "slowcli", e.ClientName)
		assert.Contains(t, e.ClientAddr, "127.0.0.1:")
		assert.GreaterOrEqual(t, e.Duration, time.Duration(0))
		assert.False(t, e.Time.Before(before.Truncate(time.Second)))
		assert.WithinDuration(t, time.Now(), e.Time, 3*time.Second)
		assert.Greater(t, sets[0].ID, sets[1].ID)

		def, err := rdb.SlowLogGet(ctx, 0).Result()
		require.NoError(t, err)
		assert.Len(t, def, 10)
		two, err := rdb.SlowLogGet(ctx, 2).Result()
		require.NoError(t, err)
		require.Len(t, two, 2)
		assert.Greater(t, two[0].ID, two[1].ID)

		help, err := rdb.SlowLogHelp(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, help)
		require.Equal(t, "OK", rdb.ConfigSet(ctx, "slowlog-log-slower-than", 10000).Val())
	})
}

func TestServerMemory(t *testing.T) {
	var keys [2][]string
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		rdb.Set(ctx, k.Key("a"), strings.Repeat("x", 1000), 0)
		n, err := rdb.MemoryUsage(ctx, k.Key("a"), 0).Result()
		require.NoError(t, err)
		assert.Greater(t, n, int64(1000))
		for i := 0; i < 50; i++ {
			rdb.Do(ctx, "RPUSH", k.Key("l"), strings.Repeat("y", i*10))
		}
		all, err := rdb.MemoryUsage(ctx, k.Key("l"), -1).Result()
		require.NoError(t, err)
		five, err := rdb.MemoryUsage(ctx, k.Key("l"), 5).Result()
		require.NoError(t, err)
		assert.Greater(t, all, int64(12000))
		assert.Greater(t, five, int64(0))
		_, err = rdb.MemoryUsage(ctx, k.Key("none"), 0).Result()
		assert.Equal(t, redis.Nil, err)

		st, err := rdb.MemoryStats(ctx).Result()
		require.NoError(t, err)
		assert.Greater(t, st.PeakAllocated, int64(0))
		assert.Greater(t, st.TotalAllocated, st.StartupAllocated)
		assert.Greater(t, st.OverheadTotal, int64(0))
		assert.Greater(t, st.DatasetBytes, int64(0))
		assert.GreaterOrEqual(t, st.KeysCount, int64(2))
		assert.Greater(t, st.Fragmentation, 0.0)
		assert.Equal(t, st.PeakAllocated, st.Ints["peak.allocated"])
		assert.Contains(t, st.Ints, "db.0.overhead.hashtable.main")
		assert.Contains(t, st.Floats, "dataset.percentage")
		assert.Contains(t, st.Floats, "allocator-rss.ratio")
		var names []string
		for name := range st.Ints {
			names = append(names, "i:"+name)
		}
		for name := range st.Floats {
			names = append(names, "f:"+name)
		}
		keys[rdb.Options().Protocol-2] = names

		doc, err := rdb.MemoryDoctor(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, doc)
		ms, err := rdb.MemoryMallocStats(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, ms)
		assert.Equal(t, "OK", rdb.MemoryPurge(ctx).Val())
		help, err := rdb.MemoryHelp(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, help)
	})
	// The same fields, of the same types, under both protocols.
	assert.ElementsMatch(t, keys[0], keys[1])
}

func TestServerLatency(t *testing.T) {
	srv := redistest.Start(t, redistest.Args("--enable-debug-command", "yes"))
	serverProtocols(t, srv, client.Options{}, func(t *testing.T, rdb *client.Client, k keyspace) {
		require.Equal(t, "OK", rdb.ConfigSet(ctx, "latency-monitor-threshold", 5).Val())
		rdb.LatencyReset(ctx)
		// Other events (a slow "fast-command" on a busy machine) may come
		// and go; the test looks for "command" only.
		event := func() (client.LatencyEvent, bool) {
			ev, err := rdb.LatencyLatest(ctx).Result()
			require.NoError(t, err)
			for _, e := range ev {
				if e.Name == "command" {
					return e, true
				}
			}
			return client.LatencyEvent{}, false
		}
		_, ok := event()
		assert.False(t, ok)

		// A command that takes 20ms is a latency event "command".
		start := time.Now().Add(-time.Second)
		require.NoError(t, rdb.Do(ctx, "DEBUG", "SLEEP", "0.02").Err())
		ev, ok := event()
		require.True(t, ok)
		assert.GreaterOrEqual(t, ev.Latest, 20*time.Millisecond)
		assert.GreaterOrEqual(t, ev.Max, ev.Latest)
		assert.False(t, ev.Time.Before(start.Truncate(time.Second)))

		hist, err := rdb.LatencyHistory(ctx, "command").Result()
		require.NoError(t, err)
		require.Len(t, hist, 1)
		assert.Equal(t, ev.Latest, hist[0].Latency)
		assert.Equal(t, ev.Time, hist[0].Time)
		none, err := rdb.LatencyHistory(ctx, "no-such-event").Result()
		require.NoError(t, err)
		assert.Empty(t, none)

		graph, err := rdb.LatencyGraph(ctx, "command").Result()
		require.NoError(t, err)
		assert.Contains(t, graph, "command - high")
		doc, err := rdb.LatencyDoctor(ctx).Result()
		require.NoError(t, err)
		assert.Contains(t, doc, "command")

		assert.Equal(t, int64(0), rdb.LatencyReset(ctx, "no-such-event").Val())
		assert.Equal(t, int64(1), rdb.LatencyReset(ctx, "command").Val())
		_, ok = event()
		assert.False(t, ok)
		assert.GreaterOrEqual(t, rdb.LatencyReset(ctx).Val(), int64(0))

		// Per-command histograms.
		rdb.Set(ctx, k.Key("a"), 1, 0)
		rdb.Set(ctx, k.Key("a"), 2, 0)
		h, err := rdb.LatencyHistogram(ctx, "set", "client|id", "no-such-command").Result()
		require.NoError(t, err)
		require.Contains(t, h, "set")
		assert.NotContains(t, h, "no-such-command")
		assert.GreaterOrEqual(t, h["set"].Calls, int64(2))
		require.NotEmpty(t, h["set"].Buckets)
		var most int64
		for bound, n := range h["set"].Buckets {
			assert.Greater(t, bound, int64(0))
			most = max(most, n)
		}
		assert.Equal(t, h["set"].Calls, most, "buckets are cumulative")
		every, err := rdb.LatencyHistogram(ctx).Result()
		require.NoError(t, err)
		assert.Contains(t, every, "set")
		assert.Contains(t, every, "debug")

		help, err := rdb.LatencyHelp(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, help)
	})
}

func TestServerReplication(t *testing.T) {
	// No delay before the full sync: a replica is ready in milliseconds.
	master := redistest.Start(t, redistest.Args("--repl-diskless-sync-delay", "0"))
	replica := redistest.Start(t, redistest.Args("--repl-diskless-sync-delay", "0"))
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			m := serverNew(t, master, client.Options{Protocol: proto})
			r := serverNew(t, replica, client.Options{Protocol: proto})
			require.Equal(t, "OK", r.ReplicaOf(ctx, "127.0.0.1", master.Port()).Val())
			require.True(t, redistest.WaitFor(10*time.Second, func() bool {
				return r.Role(ctx).Val().State == "connected"
			}), "the replica does not connect")

			require.NoError(t, m.Set(ctx, "srv:repl", proto, 0).Err())
			n, err := m.Wait(ctx, 1, 5*time.Second).Result()
			require.NoError(t, err)
			assert.Equal(t, int64(1), n)
			assert.Equal(t, strconv.Itoa(proto), r.Get(ctx, "srv:repl").Val())

			role, err := m.Role(ctx).Result()
			require.NoError(t, err)
			assert.Equal(t, "master", role.Role)
			require.Len(t, role.Replicas, 1)
			assert.Equal(t, "127.0.0.1", role.Replicas[0].Host)
			assert.Equal(t, int64(replica.Port()), role.Replicas[0].Port)
			assert.Greater(t, role.ReplicationOffset, int64(0))
			rr, err := r.Role(ctx).Result()
			require.NoError(t, err)
			assert.Equal(t, "slave", rr.Role)
			assert.Equal(t, "127.0.0.1", rr.MasterHost)
			assert.Equal(t, int64(master.Port()), rr.MasterPort)
			assert.Greater(t, rr.ReplicationOffset, int64(0))
			assert.Equal(t, "slave", r.Info(ctx, "replication").Val().Common().Role)
			assert.Equal(t, int64(1), m.Info(ctx, "replication").Val().Common().ConnectedReplicas)

			// A replica refuses writes with a typed error.
			var ro *redis.ReadOnlyError
			assert.True(t, errors.As(r.Set(ctx, "srv:x", 1, 0).Err(), &ro))

			// Nothing to abort; then (once: it takes a second) a failover to
			// the replica.
			assert.Equal(t, "ERR", serverErrPrefix(t, m.Failover(ctx, client.FailoverArgs{Abort: true}).Err()))
			if proto == 3 {
				require.Equal(t, "OK", m.Failover(ctx, client.FailoverArgs{
					Host: "127.0.0.1", Port: replica.Port(), Timeout: 5 * time.Second}).Val())
				require.True(t, redistest.WaitFor(10*time.Second, func() bool {
					return r.Role(ctx).Val().Role == "master" && m.Role(ctx).Val().Role == "slave"
				}), "the failover does not happen")
			}

			// Back to two masters: the old one with the deprecated SLAVEOF.
			require.Equal(t, "OK", r.ReplicaOf(ctx, "", 0).Val())
			//lint:ignore SA1019 the deprecated name is tested too
			require.Equal(t, "OK", m.SlaveOf(ctx, "", 0).Val())
			assert.Equal(t, "master", m.Role(ctx).Val().Role)
			assert.Equal(t, "master", r.Role(ctx).Val().Role)
		})
	}
}

func TestServerShutdown(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			srv := redistest.Start(t)
			rdb := serverNew(t, srv, client.Options{Protocol: proto})
			err := rdb.Shutdown(ctx, client.ShutdownArgs{Abort: true}).Err()
			assert.Equal(t, "ERR", serverErrPrefix(t, err))
			assert.Contains(t, err.Error(), "No shutdown in progress")

			res, err := rdb.Shutdown(ctx, client.ShutdownArgs{NoSave: true, Now: true}).Result()
			require.NoError(t, err)
			assert.Equal(t, "", res)
			require.True(t, redistest.WaitFor(5*time.Second, func() bool { return rdb.Ping(ctx).Err() != nil }))
		})
	}
}

func TestServerModule(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		mods, err := rdb.ModuleList(ctx).Result()
		require.NoError(t, err)
		assert.Empty(t, mods)
		// The shared server keeps the default enable-module-command no.
		err = rdb.ModuleLoad(ctx, "/no/such/module.so").Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		assert.Contains(t, err.Error(), "not allowed")
	})
	srv := redistest.Start(t, redistest.Args("--enable-module-command", "yes"))
	serverProtocols(t, srv, client.Options{}, func(t *testing.T, rdb *client.Client, k keyspace) {
		err := rdb.ModuleLoad(ctx, "/no/such/module.so", "arg").Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		assert.Contains(t, err.Error(), "Error loading")
		err = rdb.ModuleLoadEx(ctx, "/no/such/module.so", client.ModuleLoadExArgs{
			Config: map[string]any{"p": 1}, Args: []any{"a", 2}}).Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		err = rdb.ModuleUnload(ctx, "nosuchmodule").Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		assert.Empty(t, rdb.ModuleList(ctx).Val())
		help, err := rdb.ModuleHelp(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, help)
	})
}

// TestServerDoCallbacks checks that Do gives the typed values of the
// methods for the commands whose reply a callback shapes.
func TestServerDoCallbacks(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		v, err := rdb.Do(ctx, "CLIENT", "INFO").Result()
		require.NoError(t, err)
		ci, ok := v.(client.ClientInfo)
		require.True(t, ok, "%T", v)
		assert.Equal(t, int64(rdb.Options().Protocol), ci.Resp)

		v, err = rdb.Do(ctx, "pubsub", "numsub", k.Key("ch")).Result()
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{k.Key("ch"): 0}, v)

		v, err = rdb.Do(ctx, "TIME").Result()
		require.NoError(t, err)
		assert.IsType(t, time.Time{}, v)

		v, err = rdb.Do(ctx, "INFO", "server").Result()
		require.NoError(t, err)
		require.IsType(t, client.ServerInfo{}, v)
		assert.NotEmpty(t, v.(client.ServerInfo).Common().RedisVersion)

		v, err = rdb.Do(ctx, "COMMAND", "INFO", "get").Result()
		require.NoError(t, err)
		assert.Equal(t, rdb.CommandInfo(ctx, "get").Val(), v)

		v, err = rdb.Do(ctx, "SCRIPT", "EXISTS", "0000000000000000000000000000000000000000").Result()
		require.NoError(t, err)
		assert.Equal(t, []bool{false}, v)
	})
}
