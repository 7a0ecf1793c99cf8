package sentinel_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/sentinel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deadAddr returns a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func newSentinel(t *testing.T, addrs []string, opts sentinel.Options) *sentinel.Sentinel {
	t.Helper()
	s, err := sentinel.New(addrs, opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Replicas: 2})
	ctx := ctxT(t)
	dead := deadAddr(t)
	s := newSentinel(t, append([]string{dead}, tp.SentinelAddrs()...), sentinel.Options{})

	t.Run("master", func(t *testing.T) {
		addr, err := s.DiscoverMaster(ctx, tp.Name)
		require.NoError(t, err)
		assert.Equal(t, tp.Master.Addr(), addr)
		// The sentinel that answered is asked first from now on.
		assert.Equal(t, []string{tp.Sentinels[0].Addr(), dead}, s.Addrs())
	})
	t.Run("replicas", func(t *testing.T) {
		addrs, err := s.DiscoverReplicas(ctx, tp.Name)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{tp.Replicas[0].Addr(), tp.Replicas[1].Addr()}, addrs)
	})
	t.Run("min other sentinels", func(t *testing.T) {
		// A lone sentinel sees no other: its answer does not count.
		s2 := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{MinOtherSentinels: 1})
		_, err := s2.DiscoverMaster(ctx, tp.Name)
		var mnf *redis.MasterNotFoundError
		require.ErrorAs(t, err, &mnf)
		assert.Contains(t, err.Error(), "MinOtherSentinels")
	})
	t.Run("replica down", func(t *testing.T) {
		require.NoError(t, tp.Replicas[1].Stop())
		var addrs []string
		ok := redistest.WaitFor(10*time.Second, func() bool {
			var err error
			addrs, err = s.DiscoverReplicas(ctx, tp.Name)
			return err == nil && len(addrs) == 1
		})
		require.True(t, ok, "replicas: %v", addrs)
		assert.Equal(t, []string{tp.Replicas[0].Addr()}, addrs)
	})
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{})
	ctx := ctxT(t)

	check := func(t *testing.T, err error, wantMaster bool) {
		t.Helper()
		if wantMaster {
			var mnf *redis.MasterNotFoundError
			require.ErrorAs(t, err, &mnf)
		} else {
			var rnf *redis.ReplicaNotFoundError
			require.ErrorAs(t, err, &rnf)
		}
		var ce *redis.ConnectionError
		assert.ErrorAs(t, err, &ce, "a connection error")
	}
	t.Run("unknown name", func(t *testing.T) {
		s := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{})
		_, err := s.DiscoverMaster(ctx, "nosuchmaster")
		check(t, err, true)
		assert.Contains(t, err.Error(), `"nosuchmaster"`)
		_, err = s.DiscoverReplicas(ctx, "nosuchmaster")
		check(t, err, false)
	})
	t.Run("sentinels unreachable", func(t *testing.T) {
		s := newSentinel(t, []string{deadAddr(t), deadAddr(t)}, sentinel.Options{})
		_, err := s.DiscoverMaster(ctx, tp.Name)
		check(t, err, true)
		_, err = s.DiscoverReplicas(ctx, tp.Name)
		check(t, err, false)

		mc, err := s.MasterFor(tp.Name, nil)
		require.NoError(t, err)
		defer mc.Close()
		check(t, mc.Ping(ctx).Err(), true)
		rc, err := s.ReplicaFor(tp.Name, nil)
		require.NoError(t, err)
		defer rc.Close()
		check(t, rc.Ping(ctx).Err(), false)
	})
	t.Run("closed", func(t *testing.T) {
		s, err := sentinel.New(tp.SentinelAddrs(), sentinel.Options{})
		require.NoError(t, err)
		require.NoError(t, s.Close())
		require.NoError(t, s.Close())
		_, err = s.DiscoverMaster(ctx, tp.Name)
		assert.ErrorIs(t, err, sentinel.ErrClosed)
	})
}

func TestNewErrors(t *testing.T) {
	_, err := sentinel.New(nil, sentinel.Options{})
	assert.Error(t, err)
	_, err = sentinel.New([]string{"no-port"}, sentinel.Options{})
	assert.ErrorContains(t, err, "no-port")
	_, err = sentinel.New([]string{"127.0.0.1:1"}, sentinel.Options{Client: client.Options{Network: "unix"}})
	assert.ErrorContains(t, err, "TCP")
	s, err := sentinel.New([]string{"127.0.0.1:1"}, sentinel.Options{})
	require.NoError(t, err)
	defer s.Close()
	rdb, err := client.New(client.Options{})
	require.NoError(t, err)
	defer rdb.Close()
	_, err = s.MasterFor("m", &client.Options{Pool: rdb.Pool()})
	assert.ErrorContains(t, err, "shared pool")
}

func TestMasterForReplicaFor(t *testing.T) {
	t.Parallel()
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Replicas: 2})
	ctx := ctxT(t)
	s := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{})

	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("resp%d", proto), func(t *testing.T) {
			mc, err := s.MasterFor(tp.Name, &client.Options{Protocol: proto})
			require.NoError(t, err)
			defer mc.Close()
			rc, err := s.ReplicaFor(tp.Name, &client.Options{Protocol: proto, DisableAutoPipeline: true})
			require.NoError(t, err)
			defer rc.Close()

			key := fmt.Sprintf("greeting%d", proto)
			require.NoError(t, mc.Set(ctx, key, "hello", 0).Err())
			n, err := mc.Wait(ctx, 2, 5*time.Second).Result()
			require.NoError(t, err)
			require.EqualValues(t, 2, n)
			assert.Equal(t, "master", mc.Role(ctx).Val().Role)

			// Several connections at once: round robin over both replicas.
			var wg sync.WaitGroup
			for i := 0; i < 6; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					v, err := rc.Get(ctx, key).Result()
					assert.NoError(t, err)
					assert.Equal(t, "hello", v)
					assert.Equal(t, "slave", rc.Role(ctx).Val().Role)
				}()
			}
			wg.Wait()
			err = rc.Set(ctx, key, "bye", 0).Err()
			var ro *redis.ReadOnlyError
			assert.ErrorAs(t, err, &ro)
		})
	}
	t.Run("round robin", func(t *testing.T) {
		rc, err := s.ReplicaFor(tp.Name, &client.Options{DisableAutoPipeline: true, PoolSize: 4, ClientName: "rr"})
		require.NoError(t, err)
		defer rc.Close()
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A blocking read holds its connection: four at once.
				err := rc.Do(ctx, "XREAD", "BLOCK", 300, "STREAMS", "nostream-rr", "$").Err()
				assert.ErrorIs(t, err, redis.Nil)
			}()
		}
		wg.Wait()
		assert.Equal(t, 2, clients(t, tp.Replicas[0], "rr"), "connections to replica 0")
		assert.Equal(t, 2, clients(t, tp.Replicas[1], "rr"), "connections to replica 1")
	})
	t.Run("master fallback", func(t *testing.T) {
		require.NoError(t, tp.Replicas[0].Stop())
		require.NoError(t, tp.Replicas[1].Stop())
		rc, err := s.ReplicaFor(tp.Name, &client.Options{DisableAutoPipeline: true})
		require.NoError(t, err)
		defer rc.Close()
		// Whether or not the sentinel has seen them go, the replicas
		// cannot be reached, and the master answers.
		assert.Equal(t, "master", rc.Role(ctx).Val().Role)
		assert.Equal(t, "hello", rc.Get(ctx, "greeting2").Val())
	})
}

// clients returns how many clients named name a server has.
func clients(t *testing.T, srv *redistest.Server, name string) int {
	return strings.Count(srv.Exec(t, "CLIENT", "LIST"), " name="+name+" ")
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	const dataPW, sentinelPW = "data-secret-1", "sentinel-secret-2"
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Replicas: 1, Password: dataPW, SentinelPassword: sentinelPW})
	ctx := ctxT(t)

	opts := sentinel.Options{Password: sentinelPW, Client: client.Options{Password: dataPW}}
	s := newSentinel(t, tp.SentinelAddrs(), opts)
	mc, err := s.MasterFor(tp.Name, nil)
	require.NoError(t, err)
	defer mc.Close()
	require.NoError(t, mc.Set(ctx, "k", "v", 0).Err())
	rc, err := s.ReplicaFor(tp.Name, nil)
	require.NoError(t, err)
	defer rc.Close()
	require.NoError(t, rc.Ping(ctx).Err())

	for _, text := range []string{opts.String(), fmt.Sprintf("%#v", opts), fmt.Sprint(opts), s.String(), mc.String()} {
		assert.NotContains(t, text, dataPW)
		assert.NotContains(t, text, sentinelPW)
	}
	assert.Contains(t, opts.String(), "[redacted]")

	// The wrong sentinel password: no master, and no password in the error.
	bad := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{Password: "wrong-" + sentinelPW})
	_, err = bad.DiscoverMaster(ctx, tp.Name)
	var mnf *redis.MasterNotFoundError
	require.ErrorAs(t, err, &mnf)
	assert.NotContains(t, err.Error(), sentinelPW)
	// The sentinel password is not the data nodes' one.
	wrong := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{Password: sentinelPW, Client: client.Options{Password: sentinelPW}})
	wc, err := wrong.MasterFor(tp.Name, nil)
	require.NoError(t, err)
	defer wc.Close()
	err = wc.Ping(ctx).Err()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), sentinelPW)
}

// failover waits until the sentinels name a master other than old.
func waitNewMaster(t *testing.T, s *sentinel.Sentinel, name, old string) string {
	t.Helper()
	var addr string
	ok := redistest.WaitFor(20*time.Second, func() bool {
		a, err := s.DiscoverMaster(context.Background(), name)
		addr = a
		return err == nil && a != old
	})
	require.True(t, ok, "no failover: master still %s", addr)
	return addr
}

// TestFailover forces a failover (SENTINEL FAILOVER): the MasterFor client
// reaches the new master, and none of its connections stays on the old
// one; moved by the sentinels' events alone (no watch), and by the watch
// alone (no events).
func TestFailover(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		opts sentinel.Options
	}{
		{"events", sentinel.Options{WatchInterval: -1}},
		{"watch", sentinel.Options{WatchInterval: 200 * time.Millisecond, DisableEvents: true}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			testFailover(t, mode.opts)
		})
	}
}

func testFailover(t *testing.T, opts sentinel.Options) {
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Replicas: 1})
	ctx := ctxT(t)
	s := newSentinel(t, tp.SentinelAddrs(), opts)
	mc, err := s.MasterFor(tp.Name, &client.Options{PoolSize: 4})
	require.NoError(t, err)
	defer mc.Close()

	old := tp.Master.Addr()
	require.NoError(t, mc.Set(ctx, "before", "1", 0).Err())
	require.EqualValues(t, 1, mc.Wait(ctx, 1, 5*time.Second).Val())
	// Fill the pool: several idle connections to the old master.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _ = mc.BLPop(ctx, 100*time.Millisecond, "nokey-fo").Err() }()
	}
	wg.Wait()

	tp.Sentinels[0].Exec(t, "SENTINEL", "FAILOVER", tp.Name)
	// Another Sentinel waits, so that the events or the watch of s move
	// the client.
	probe := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{})
	addr := waitNewMaster(t, probe, tp.Name, old)
	require.Equal(t, tp.Replicas[0].Addr(), addr)

	// The old master still takes writes for a while, until the sentinels
	// turn it into a replica: a write may land there (and be lost, as with
	// any Redis client) until the events or the watch close the client's
	// connections to it.
	i := 0
	ok := redistest.WaitFor(5*time.Second, func() bool {
		i++
		v := strconv.Itoa(i)
		return mc.Set(ctx, "after", v, 0).Err() == nil && tp.Replicas[0].Exec(t, "GET", "after") == v
	})
	require.True(t, ok, "writes do not reach the new master")
	assert.Equal(t, "1", tp.Replicas[0].Exec(t, "GET", "before"))
	// Every connection, old or new, serves from the new master.
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, mc.Incr(ctx, "count").Err())
			_ = mc.BLPop(ctx, 100*time.Millisecond, "nokey-fo").Err()
		}()
	}
	wg.Wait()
	assert.Equal(t, "4", tp.Replicas[0].Exec(t, "GET", "count"))
}

// TestMasterDown stops the master: the sentinels elect a replica, and the
// MasterFor client follows it without a restart of the program.
func TestMasterDown(t *testing.T) {
	t.Parallel()
	// One sentinel decides alone; three must reach a quorum (2) and elect
	// a leader among themselves before the failover.
	for _, n := range []int{1, 3} {
		t.Run(strconv.Itoa(n)+" sentinels", func(t *testing.T) {
			t.Parallel()
			testMasterDown(t, n)
		})
	}
}

func testMasterDown(t *testing.T, sentinels int) {
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Replicas: 2, Sentinels: sentinels})
	ctx := ctxT(t)
	s := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{})
	mc, err := s.MasterFor(tp.Name, nil)
	require.NoError(t, err)
	defer mc.Close()
	require.NoError(t, mc.Set(ctx, "k", "v1", 0).Err())
	require.EqualValues(t, 2, mc.Wait(ctx, 2, 5*time.Second).Val())

	old := tp.Master.Addr()
	require.NoError(t, tp.Master.Stop())
	// While the master is down and not yet replaced, commands fail with
	// a connection error; then the new master answers.
	addr := waitNewMaster(t, s, tp.Name, old)
	newMaster := tp.ServerAt(addr)
	require.NotNil(t, newMaster)
	var lastErr error
	ok := redistest.WaitFor(10*time.Second, func() bool {
		lastErr = mc.Set(ctx, "k", "v2", 0).Err()
		return lastErr == nil
	})
	require.True(t, ok, "no write after the failover: %v", lastErr)
	if final := mustMaster(t, s, tp.Name); final != addr {
		// A second failover (a server paused longer than down-after on a
		// loaded machine): the write went to the master of that moment.
		t.Logf("a second failover, from %s to %s", addr, final)
		newMaster = tp.ServerAt(final)
		require.NotNil(t, newMaster)
	}
	assert.Equal(t, "v2", newMaster.Exec(t, "GET", "k"))
	assert.Equal(t, "v2", mc.Get(ctx, "k").Val())
}

func TestErrorsAreConnectionErrors(t *testing.T) {
	err := error(&redis.MasterNotFoundError{Name: "x", Err: errors.New("boom")})
	var ce *redis.ConnectionError
	assert.ErrorAs(t, err, &ce)
	err = &redis.ReplicaNotFoundError{Name: "x"}
	assert.ErrorAs(t, err, &ce)
}

// TestRestartedReplicaNotRead restarts a replica (empty: nothing is
// saved) while its master sleeps (DEBUG SLEEP), so that it stays unsynced
// for seconds, and fresh ReplicaFor clients read all along. The sentinels
// list it as a replica that is up as soon as they reconnect to it, and
// learn of its state only at their next INFO of it; the client's own
// INFO at connection time must keep reads off it until it holds its
// master's data again, and must let them back once it does. With only
// that replica reachable and the master down, it still serves (the last
// resort before no replica at all).
func TestRestartedReplicaNotRead(t *testing.T) {
	t.Parallel()
	// The sentinels never fail over here (the master sleeps, and the last
	// part kills it).
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Replicas: 2, DownAfter: time.Minute})
	ctx := ctxT(t)
	s := newSentinel(t, tp.SentinelAddrs(), sentinel.Options{})
	mc, err := s.MasterFor(tp.Name, nil)
	require.NoError(t, err)
	defer mc.Close()
	const keys = 20
	for i := range keys {
		require.NoError(t, mc.Set(ctx, fmt.Sprintf("rr:%d", i), "v", 0).Err())
	}
	require.EqualValues(t, 2, mc.Wait(ctx, 2, 5*time.Second).Val())

	restarted := tp.Replicas[0]
	slept := make(chan error, 1)
	go func() {
		_, err := tp.Master.Do("DEBUG", "SLEEP", "3")
		slept <- err
	}()
	time.Sleep(100 * time.Millisecond)
	restarted.Restart(t)
	start := time.Now()
	synced := func() bool {
		r, err := restarted.Do("INFO", "replication")
		return err == nil && strings.Contains(string(r.Str), "master_link_status:up")
	}
	var reads, exposed, misses, errs int
	var samples []string
	var syncedAt time.Time
	rec := newReadRecorder()
	for time.Since(start) < 20*time.Second {
		if syncedAt.IsZero() && synced() {
			syncedAt = time.Now()
		}
		if !syncedAt.IsZero() && !rec.lastRead(restarted.Addr()).IsZero() {
			break // read again from the restarted replica, synced
		}
		if syncedAt.IsZero() {
			listed, err := s.DiscoverReplicas(ctx, tp.Name)
			require.NoError(t, err)
			if slices.Contains(listed, restarted.Addr()) {
				exposed++
			}
		}
		// RESP2 and RESP3 (INFO is a verbatim string), with and without
		// auto-pipelining, in turn.
		rc, err := s.ReplicaFor(tp.Name, &client.Options{Protocol: 2 + reads%2, DisableAutoPipeline: reads/2%2 == 0, Dialer: rec.dial})
		require.NoError(t, err)
		err = rc.Get(ctx, fmt.Sprintf("rr:%d", reads%keys)).Err()
		rc.Close()
		reads++
		switch {
		case errors.Is(err, redis.Nil):
			misses++
		case err != nil:
			errs++
			if len(samples) < 5 {
				samples = append(samples, err.Error())
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	require.NoError(t, <-slept)
	t.Logf("%d reads while the replica restarted and synced (synced after %v), %d of them while the sentinels listed it unsynced; %d misses, %d errors %q",
		reads, syncedAt.Sub(start).Round(time.Millisecond), exposed, misses, errs, samples)
	require.Positive(t, exposed, "the sentinels never listed the restarted replica before it synced: nothing was tested")
	assert.Zero(t, misses, "reads from the restarted replica before it synced")
	assert.Zero(t, errs, "read errors")
	require.False(t, syncedAt.IsZero(), "the restarted replica does not sync")
	assert.False(t, rec.lastRead(restarted.Addr()).IsZero(), "no read from the restarted replica once synced")

	t.Run("last resort", func(t *testing.T) {
		// Only a replica that never synced can be reached: it serves.
		require.NoError(t, tp.Master.Kill())
		require.NoError(t, tp.Replicas[1].Stop())
		restarted.Restart(t)
		require.True(t, redistest.WaitFor(10*time.Second, func() bool {
			listed, err := s.DiscoverReplicas(ctx, tp.Name)
			return err == nil && slices.Contains(listed, restarted.Addr())
		}), "the sentinels do not list the restarted replica")
		rc, err := s.ReplicaFor(tp.Name, &client.Options{DisableAutoPipeline: true})
		require.NoError(t, err)
		defer rc.Close()
		assert.Equal(t, "slave", rc.Role(ctx).Val().Role)
		assert.ErrorIs(t, rc.Get(ctx, "rr:0").Err(), redis.Nil)
	})
}
