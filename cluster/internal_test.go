package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pubsub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bulk(s string) redis.Reply { return redis.Reply{Kind: redis.KindBulkString, Str: []byte(s)} }
func integer(i int64) redis.Reply {
	return redis.Reply{Kind: redis.KindInteger, Int: i}
}
func array(e ...redis.Reply) redis.Reply { return redis.Reply{Kind: redis.KindArray, Elems: e} }

func TestParseSlots(t *testing.T) {
	null := redis.Reply{Kind: redis.KindNull}
	r := array(
		array(integer(0), integer(99), array(bulk("10.0.0.1"), integer(7000), bulk("id1")), array(bulk("10.0.0.2"), integer(7001), bulk("id2"))),
		// An empty endpoint: the host the answering node was reached at.
		array(integer(100), integer(199), array(bulk(""), integer(7002), bulk("id3"))),
		// A null endpoint, the same.
		array(integer(200), integer(299), array(null, integer(7003), bulk("id4"))),
		// "?": the ip of the metadata.
		array(integer(300), integer(300), array(bulk("?"), integer(7004), bulk("id5"), array(bulk("ip"), bulk("10.0.0.5")))),
		// A hostname, and a second range of the first shard.
		array(integer(301), integer(16383), array(bulk("redis-a.internal"), integer(7005), bulk("id6"))),
		array(integer(1000), integer(1000), array(bulk("10.0.0.1"), integer(7000), bulk("id1"))),
	)
	top, err := parseSlots(&r, "seed.example:7000", nil)
	require.NoError(t, err)
	require.Len(t, top.shards, 5)
	assert.Equal(t, ShardInfo{Master: "10.0.0.1:7000", Replicas: []string{"10.0.0.2:7001"}, Ranges: [][2]int{{0, 99}, {1000, 1000}}}, top.shards[0])
	assert.Equal(t, "seed.example:7002", top.shards[1].Master)
	assert.Equal(t, "seed.example:7003", top.shards[2].Master)
	assert.Equal(t, "10.0.0.5:7004", top.shards[3].Master)
	assert.Equal(t, "redis-a.internal:7005", top.shards[4].Master)
	assert.EqualValues(t, 0, top.owner[50])
	assert.EqualValues(t, 0, top.owner[1000])
	assert.EqualValues(t, 4, top.owner[16383])

	// MapAddr rewrites every address.
	top, err = parseSlots(&r, "seed.example:7000", func(a string) string { return "nat:" + a })
	require.NoError(t, err)
	assert.Equal(t, "nat:10.0.0.1:7000", top.shards[0].Master)
	assert.Equal(t, []string{"nat:10.0.0.2:7001"}, top.shards[0].Replicas)

	// Malformed replies are errors, not panics.
	for _, bad := range []redis.Reply{
		bulk("x"),
		array(),
		array(array(integer(5), integer(1), array(bulk("h"), integer(1)))),
		array(array(integer(0), integer(16384), array(bulk("h"), integer(1)))),
		array(array(integer(0), integer(1), array(bulk("h")))),
		{Kind: redis.KindError, Str: []byte("ERR This instance has cluster support disabled")},
	} {
		_, err := parseSlots(&bad, "a:1", nil)
		assert.Error(t, err, "%v", bad)
	}
}

func TestMaxEpoch(t *testing.T) {
	text := "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host-a slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected\n" +
		"67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 12 connected 5461-10922\n" +
		"e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [5461->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]\n"
	ep, err := maxEpoch(text)
	require.NoError(t, err)
	assert.EqualValues(t, 12, ep)
	_, err = maxEpoch("")
	assert.Error(t, err)
	_, err = maxEpoch("a b c d e f x h\n")
	assert.Error(t, err)
}

func TestParseURL(t *testing.T) {
	o, err := ParseURL("rediss://u:s3cret@10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7001&protocol=3&max_redirects=7&read_only=true&refresh_interval=5s")
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7001"}, o.Addrs)
	assert.Equal(t, 3, o.Protocol)
	assert.Equal(t, 7, o.MaxRedirects)
	assert.True(t, o.ReadOnly)
	assert.Equal(t, 5*time.Second, o.RefreshInterval)
	assert.Equal(t, "s3cret", o.Password)
	require.NotNil(t, o.TLSConfig)
	assert.Empty(t, o.TLSConfig.ServerName, "each node is verified under its own name")
	for _, s := range []string{o.String(), fmt.Sprint(o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o), fmt.Sprintf("%v", &o)} {
		assert.NotContains(t, s, "s3cret")
	}
	for _, bad := range []string{"redis://h:1/2", "redis://h:1?addr=nohost", "redis://h:1?max_redirects=x", "unix:///tmp/s", "redis://:pw@h:1?read_only=maybe"} {
		_, err := ParseURL(bad)
		assert.Error(t, err, bad)
		if err != nil {
			assert.NotContains(t, err.Error(), "pw@")
		}
	}
	_, err = New(Options{Addrs: []string{"h:1"}, Options: redisOptions(1)})
	assert.Error(t, err, "DB 1")
}

// Many refresh requests at once make one refresh; they are at least
// MinRefreshInterval apart; and a map with an older config epoch is never
// installed.
func TestRefreshCoalescedAndEpochs(t *testing.T) {
	c := redistest.SharedCluster(t)
	rdb, err := New(Options{Addrs: c.Addrs()[:1], MinRefreshInterval: 300 * time.Millisecond, RefreshInterval: -1})
	require.NoError(t, err)
	defer rdb.Close()
	require.NoError(t, rdb.Refresh(context.Background()))
	base := rdb.refreshes.Load()
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rdb.requestRefresh()
		}()
	}
	wg.Wait()
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, base, rdb.refreshes.Load(), "no refresh within MinRefreshInterval of the last")
	require.Eventually(t, func() bool { return rdb.refreshes.Load() == base+1 }, 2*time.Second, 10*time.Millisecond)
	time.Sleep(500 * time.Millisecond)
	assert.Equal(t, base+1, rdb.refreshes.Load(), "100 requests, one refresh")

	// A map in use with a higher epoch than any node reports stays.
	st := rdb.state.Load()
	st.epoch = 1 << 40
	require.NoError(t, rdb.Refresh(context.Background()))
	assert.Same(t, st, rdb.state.Load(), "an older map was installed")
	st.epoch = 0
	require.NoError(t, rdb.Refresh(context.Background()))
	assert.NotSame(t, st, rdb.state.Load())
	assert.NotZero(t, rdb.state.Load().epoch)
}

func redisOptions(db int) clientOptions {
	var o clientOptions
	o.DB = db
	return o
}

type clientOptions = client.Options

// countHook counts the calls of its process and pipeline hooks, and the
// dials.
type countHook struct {
	mu                 sync.Mutex
	cmds, pipes, dials int
	names              []string
}

func (h *countHook) DialHook(next command.DialFunc) command.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		h.mu.Lock()
		h.dials++
		h.mu.Unlock()
		return next(ctx, network, addr)
	}
}
func (h *countHook) ProcessHook(next command.ProcessFunc) command.ProcessFunc {
	return func(ctx context.Context, c command.Cmder) error {
		h.mu.Lock()
		h.cmds++
		h.names = append(h.names, c.Name())
		h.mu.Unlock()
		return next(ctx, c)
	}
}
func (h *countHook) ProcessPipelineHook(next command.ProcessPipelineFunc) command.ProcessPipelineFunc {
	return func(ctx context.Context, cmds []command.Cmder) error {
		h.mu.Lock()
		h.pipes++
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

// Hooks see one call per logical command: a redirect, a split MGET and a
// fan-out DBSIZE are one call each; a pipeline over three nodes is one.
func TestHooksOneCallPerCommand(t *testing.T) {
	c := redistest.SharedCluster(t)
	rdb, err := New(Options{Addrs: c.Addrs()[:1]})
	require.NoError(t, err)
	defer rdb.Close()
	h := &countHook{}
	rdb.AddHook(h)
	ctx := context.Background()
	require.NoError(t, rdb.Set(ctx, "hook-key", "v", 0).Err())
	// Send the key's slot to the wrong master: the next GET gets MOVED.
	slot := command.Slot("hook-key")
	owner := c.MasterOf(slot).Addr()
	var other string
	for _, m := range c.Masters() {
		if m.Addr() != owner {
			other = m.Addr()
		}
	}
	rdb.router.Moved(slot, other)
	v, err := rdb.Get(ctx, "hook-key").Result()
	require.NoError(t, err)
	assert.Equal(t, "v", v)
	_, err = rdb.MGet(ctx, "hook-a", "hook-b", "hook-c", "hook-key").Result()
	require.NoError(t, err)
	require.NoError(t, rdb.DBSize(ctx).Err())
	p := rdb.PipelineNoTx()
	for i := range 20 {
		p.Get(ctx, fmt.Sprint("hook-p", i))
	}
	_, _ = p.Exec(ctx)
	p.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Equal(t, []string{"SET", "GET", "MGET", "DBSIZE"}, h.names)
	assert.Equal(t, 1, h.pipes)
	assert.NotZero(t, h.dials, "dial hooks reach the node pools")
}

// Read-only commands go to replicas with ReadOnly and NodeSelector; writes
// stay on masters.
func TestReplicaReads(t *testing.T) {
	c := redistest.SharedCluster(t)
	ctx := context.Background()
	for _, mode := range []string{"ReadOnly", "RouteRandomly", "RouteByLatency", "NodeSelector"} {
		t.Run(mode, func(t *testing.T) {
			o := Options{Addrs: c.Addrs()[:1], LatencyInterval: 50 * time.Millisecond}
			switch mode {
			case "ReadOnly":
				o.ReadOnly = true
			case "RouteRandomly":
				o.RouteRandomly = true
			case "RouteByLatency":
				o.RouteByLatency, o.LatencyTolerance = true, time.Hour // every node is near enough
			case "NodeSelector":
				o.NodeSelector = func(slot int, master string, replicas []string) string {
					if len(replicas) > 0 {
						return replicas[0]
					}
					return master
				}
			}
			rdb, err := New(o)
			require.NoError(t, err)
			defer rdb.Close()
			for i := range 30 {
				require.NoError(t, rdb.Set(ctx, fmt.Sprint("ro-", i), i, 0).Err())
			}
			require.Eventually(t, func() bool {
				require.NoError(t, rdb.Refresh(ctx))
				sh, _ := rdb.Shards()
				for _, s := range sh {
					if len(s.Replicas) == 0 {
						return false
					}
				}
				return true
			}, 10*time.Second, 50*time.Millisecond)
			for _, r := range c.Replicas() {
				_, err := r.Do("CONFIG", "RESETSTAT")
				require.NoError(t, err)
			}
			time.Sleep(150 * time.Millisecond)
			for range 3 {
				for i := range 30 {
					_, err := rdb.Get(ctx, fmt.Sprint("ro-", i)).Result()
					require.NoError(t, err) // a replica may lag, but the key exists
				}
			}
			gets := 0
			for _, r := range c.Replicas() {
				info, err := r.Do("INFO", "commandstats")
				require.NoError(t, err)
				var calls int
				if _, rest, ok := strings.Cut(string(info.Str), "cmdstat_get:calls="); ok {
					fmt.Sscanf(rest, "%d", &calls)
				}
				gets += calls
			}
			assert.NotZero(t, gets, "GETs on replicas")
			if mode == "ReadOnly" || mode == "NodeSelector" {
				assert.Equal(t, 90, gets, "every GET on a replica")
			}
		})
	}
}

func TestParseShards(t *testing.T) {
	shardNode := func(kind redis.Kind, kv ...string) redis.Reply {
		var e []redis.Reply
		for i := 0; i < len(kv); i += 2 {
			v := bulk(kv[i+1])
			if kv[i] == "port" || kv[i] == "tls-port" || kv[i] == "replication-offset" {
				n, err := strconv.Atoi(kv[i+1])
				require.NoError(t, err)
				v = integer(int64(n))
			}
			e = append(e, bulk(kv[i]), v)
		}
		return redis.Reply{Kind: kind, Elems: e}
	}
	// The same reply in RESP3 (maps) and RESP2 (flat lists of pairs).
	for _, kind := range []redis.Kind{redis.KindMap, redis.KindArray} {
		shard := func(slots []int64, nodes ...redis.Reply) redis.Reply {
			var s []redis.Reply
			for _, v := range slots {
				s = append(s, integer(v))
			}
			return redis.Reply{Kind: kind, Elems: []redis.Reply{bulk("slots"), array(s...), bulk("nodes"), array(nodes...)}}
		}
		r := array(
			shard([]int64{0, 99, 1000, 1000},
				shardNode(kind, "id", "a", "port", "7000", "ip", "10.0.0.1", "endpoint", "10.0.0.1", "role", "master", "replication-offset", "5", "health", "online"),
				shardNode(kind, "id", "b", "port", "7001", "ip", "10.0.0.2", "endpoint", "10.0.0.2", "role", "replica", "replication-offset", "5", "health", "online"),
				// Still loading its first sync: no reads there.
				shardNode(kind, "id", "c", "port", "7002", "ip", "10.0.0.3", "endpoint", "10.0.0.3", "role", "replica", "replication-offset", "0", "health", "loading"),
				shardNode(kind, "id", "d", "port", "7003", "ip", "10.0.0.4", "endpoint", "10.0.0.4", "role", "replica", "replication-offset", "0", "health", "failed")),
			// An empty endpoint: the host the answering node was reached at.
			shard([]int64{100, 199}, shardNode(kind, "id", "e", "port", "7004", "ip", "", "endpoint", "", "role", "master", "health", "online")),
			// "?": the ip.
			shard([]int64{200, 299}, shardNode(kind, "id", "f", "port", "7005", "ip", "10.0.0.6", "endpoint", "?", "role", "master", "health", "online")),
			// A hostname endpoint and a TLS port.
			shard([]int64{300, 999, 1001, 16383}, shardNode(kind, "id", "g", "port", "7006", "tls-port", "17006", "ip", "10.0.0.7", "endpoint", "redis-g.internal", "hostname", "redis-g.internal", "role", "master", "health", "online")),
			// A master without slots is left out.
			shard(nil, shardNode(kind, "id", "h", "port", "7007", "ip", "10.0.0.8", "endpoint", "10.0.0.8", "role", "master", "health", "online")),
		)
		top, err := parseShards(&r, "seed.example:7000", false, nil)
		require.NoError(t, err)
		require.Len(t, top.shards, 4)
		assert.Equal(t, ShardInfo{Master: "10.0.0.1:7000", Replicas: []string{"10.0.0.2:7001"}, Ranges: [][2]int{{0, 99}, {1000, 1000}}}, top.shards[0])
		assert.Equal(t, "seed.example:7004", top.shards[1].Master)
		assert.Equal(t, "10.0.0.6:7005", top.shards[2].Master)
		assert.Equal(t, "redis-g.internal:7006", top.shards[3].Master)
		assert.EqualValues(t, 0, top.owner[50])
		assert.EqualValues(t, 0, top.owner[1000])
		assert.EqualValues(t, 1, top.owner[100])
		assert.EqualValues(t, 3, top.owner[16383])
		assert.EqualValues(t, 3, top.owner[999])

		// With TLS, the TLS port where there is one; MapAddr rewrites.
		top, err = parseShards(&r, "seed.example:7000", true, func(a string) string { return "nat:" + a })
		require.NoError(t, err)
		assert.Equal(t, "nat:redis-g.internal:17006", top.shards[3].Master)
		assert.Equal(t, "nat:10.0.0.1:7000", top.shards[0].Master)
		assert.Equal(t, []string{"nat:10.0.0.2:7001"}, top.shards[0].Replicas)

		// Malformed replies are errors, not panics.
		for _, bad := range []redis.Reply{
			bulk("x"),
			array(),
			array(bulk("x")),
			array(shard([]int64{0}, shardNode(kind, "port", "1", "role", "master"))),
			array(shard([]int64{5, 1}, shardNode(kind, "port", "1", "role", "master"))),
			array(shard([]int64{0, 16384}, shardNode(kind, "port", "1", "role", "master"))),
			array(shard([]int64{0, 1}, shardNode(kind, "role", "master"))),
			array(shard([]int64{0, 1}, shardNode(kind, "port", "1", "role", "replica", "health", "online"))),
			array(shard([]int64{0, 1}, bulk("x"))),
			{Kind: redis.KindError, Str: []byte("ERR unknown subcommand 'SHARDS'")},
		} {
			_, err := parseShards(&bad, "a:1", false, nil)
			assert.Error(t, err, "%v", bad)
		}
	}
}

func TestTrustShards(t *testing.T) {
	for _, c := range []struct {
		server, version string
		want            bool
	}{
		{"redis", "7.0.15", false}, {"redis", "7.2.4", false}, {"redis", "8.0.0", true}, {"redis", "8.2.1", true},
		{"valkey", "7.2.5", false}, {"valkey", "7.2.6", true}, {"valkey", "7.3.0", true}, {"valkey", "8.0.1", true},
		{"", "", false}, {"keydb", "9.0.0", false}, {"valkey", "x", false},
	} {
		assert.Equal(t, c.want, trustShards(c.server, c.version), "%s %s", c.server, c.version)
	}
}

// normalize sorts a topology's shards (by master), replicas and ranges.
func normalize(top *topology) []ShardInfo {
	out := make([]ShardInfo, len(top.shards))
	for i, sh := range top.shards {
		sh.Replicas = slices.Sorted(slices.Values(sh.Replicas))
		sh.Ranges = slices.Clone(sh.Ranges)
		slices.SortFunc(sh.Ranges, func(a, b [2]int) int { return a[0] - b[0] })
		out[i] = sh
	}
	slices.SortFunc(out, func(a, b ShardInfo) int { return strings.Compare(a.Master, b.Master) })
	return out
}

// On a real cluster, CLUSTER SHARDS and CLUSTER SLOTS give the same slot
// map (every replica online), in RESP2 and RESP3; the client picks SHARDS
// only where the server's version makes it trustworthy, and routes with
// either.
func TestShardsAndSlotsAgree(t *testing.T) {
	c := redistest.SharedCluster(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			o := Options{Addrs: c.Addrs()[:1], RefreshInterval: -1}
			o.Protocol = proto
			rdb, err := New(o)
			require.NoError(t, err)
			defer rdb.Close()
			si, err := rdb.Info(ctx, "server").Result()
			require.NoError(t, err)
			// Valkey 8 says server_name:valkey (its redis_version is 7.2.4).
			info := si.Raw
			trusted := strings.Contains(info, "server_name:valkey") || strings.Contains(info, "redis_version:8.")
			require.NoError(t, rdb.Refresh(ctx))
			want := map[bool]string{true: "CLUSTER SHARDS", false: "CLUSTER SLOTS"}[trusted]
			assert.Equal(t, want, rdb.Stats().SlotMapCommand, "INFO server: %s", info)

			for _, addr := range c.Addrs() {
				// Replicas just resynced by another test may show as
				// loading in SHARDS for a moment (on Redis 7.0 for about a
				// second after a reshard): compare until they agree.
				require.Eventually(t, func() bool {
					rdb.mu.Lock()
					n, err := rdb.nodeLocked(addr)
					rdb.mu.Unlock()
					require.NoError(t, err)
					n.mapCmd.Store(mapSlots)
					bySlots, err := rdb.fetch(ctx, addr)
					require.NoError(t, err)
					n.mapCmd.Store(mapShards)
					byShards, err := rdb.fetch(ctx, addr)
					require.NoError(t, err)
					assert.Equal(t, "CLUSTER SLOTS", bySlots.cmd)
					assert.Equal(t, "CLUSTER SHARDS", byShards.cmd)
					return assert.ObjectsAreEqual(normalize(bySlots), normalize(byShards))
				}, 10*time.Second, 100*time.Millisecond, "node %s", addr)
			}
		})
	}

	// Routing on a slot map read with SHARDS, whatever the server.
	old := trustShards
	trustShards = func(string, string) bool { return true }
	defer func() { trustShards = old }()
	variantsInternal(t, c, func(t *testing.T, rdb *Client) {
		require.NoError(t, rdb.Refresh(ctx))
		assert.Equal(t, "CLUSTER SHARDS", rdb.Stats().SlotMapCommand)
		for i := range 200 {
			k := fmt.Sprintf("shards:%d", i)
			require.NoError(t, rdb.Set(ctx, k, k, time.Minute).Err())
		}
		for i := range 200 {
			k := fmt.Sprintf("shards:%d", i)
			v, err := rdb.Get(ctx, k).Result()
			require.NoError(t, err)
			assert.Equal(t, k, v)
		}
		// Every master was reached directly: no MOVED was needed.
		assert.Equal(t, uint64(1), rdb.Stats().Refreshes)
	})
}

// variantsInternal runs fn with a client of each protocol, with
// auto-pipelining on and off.
func variantsInternal(t *testing.T, c *redistest.Cluster, fn func(t *testing.T, rdb *Client)) {
	for _, proto := range []int{2, 3} {
		for _, auto := range []bool{false, true} {
			t.Run(fmt.Sprintf("resp%d-autopipeline=%t", proto, auto), func(t *testing.T) {
				o := Options{Addrs: c.Addrs()[:1], RefreshInterval: -1}
				o.Protocol, o.DisableAutoPipeline = proto, !auto
				rdb, err := New(o)
				require.NoError(t, err)
				defer rdb.Close()
				fn(t, rdb)
			})
		}
	}
}

// A node's cache drops its entries of a slot that moves away from it: on
// a MOVED, and on a slot map in which another node serves the slot.
func TestCacheDropSlots(t *testing.T) {
	c := redistest.SharedCluster(t)
	ctx := context.Background()
	o := Options{Addrs: c.Addrs()[:1], RefreshInterval: -1}
	o.CacheSize = 1 << 20
	rdb, err := New(o)
	require.NoError(t, err)
	defer rdb.Close()
	k := "dropslots:k"
	require.NoError(t, rdb.Set(ctx, k, "v", 0).Err())
	slot := command.Slot(k)
	cc := rdb.Cached(time.Minute)
	cache := func() bool {
		require.NoError(t, cc.Get(ctx, k).Err())
		return cc.Get(ctx, k).IsCacheHit()
	}
	require.Eventually(t, cache, 2*time.Second, time.Millisecond)
	st := rdb.state.Load()
	owner := st.slots[slot].Load().master
	var other *node
	for _, sh := range st.shards {
		if sh.master != owner {
			other = sh.master
		}
	}
	ownerCache := owner.eng.Cache()
	require.Equal(t, 1, ownerCache.Stats().Entries)

	// A MOVED that names another node.
	rdb.router.Moved(slot, other.addr)
	assert.Equal(t, 0, ownerCache.Stats().Entries)
	assert.Equal(t, uint64(1), ownerCache.Stats().SlotMoved)
	// The read follows the redirects back to the owner.
	r := cc.Get(ctx, k)
	require.NoError(t, r.Err())
	assert.Equal(t, "v", r.Val())
	require.NoError(t, rdb.Refresh(ctx))
	require.Eventually(t, cache, 2*time.Second, time.Millisecond)
	require.Equal(t, 1, ownerCache.Stats().Entries)

	// A slot map in which another node serves the slot.
	top, err := rdb.fetch(ctx, owner.addr)
	require.NoError(t, err)
	for i, sh := range top.shards {
		if sh.Master == other.addr {
			top.owner[slot] = int16(i)
		}
	}
	top.epoch = st.epoch
	rdb.loadMu.Lock() // as a refresh holds it: one may be running (the MOVED asked for one)
	err = rdb.install(top)
	rdb.loadMu.Unlock()
	require.NoError(t, err)
	assert.Equal(t, 0, ownerCache.Stats().Entries)
	assert.Equal(t, uint64(2), ownerCache.Stats().SlotMoved)
	require.NoError(t, rdb.Refresh(ctx))
	r = cc.Get(ctx, k)
	require.NoError(t, r.Err())
	assert.Equal(t, "v", r.Val())
}

// TestShardMovedChase: a node that ended a shard channel's subscription no
// longer serves its slot, whatever the nodes asked say. While refreshes
// keep bringing a map that names that node (nodes that had not heard of
// the change: simulated by rewriting the maps fetched for a second), the
// client keeps refreshing, so the true map is in place soon after, with
// no periodic refresh (RefreshInterval -1). Another failure makes a single
// refresh, which leaves the stale map in place for good.
func TestShardMovedChase(t *testing.T) {
	c := redistest.SharedCluster(t)
	ctx := context.Background()
	rdb, err := New(Options{Addrs: c.Addrs()[:1], RefreshInterval: -1, MinRefreshInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	defer rdb.Close()
	require.NoError(t, rdb.Ping(ctx).Err())
	ch := "chase:channel"
	slot := command.Slot(ch)
	st := rdb.state.Load()
	owner := st.slots[slot].Load().master.addr
	var other string
	for _, sh := range st.shards {
		if sh.master.addr != owner {
			other = sh.master.addr
		}
	}
	ownerNow := func() string { return rdb.state.Load().slots[slot].Load().master.addr }
	// Until staleUntil, every map fetched names other as the slot's owner.
	var staleUntil atomic.Int64
	rewrite := func(top *topology) {
		if time.Now().UnixNano() > staleUntil.Load() {
			return
		}
		for i, sh := range top.shards {
			if sh.Master == other {
				top.owner[slot] = int16(i)
			}
		}
	}
	rdb.fetched.Store(&rewrite)
	staleFor := func(d time.Duration) {
		staleUntil.Store(time.Now().Add(d).UnixNano())
		require.NoError(t, rdb.Refresh(ctx))
		require.Equal(t, other, ownerNow())
	}
	chasing := func() int {
		rdb.chaseMu.Lock()
		defer rdb.chaseMu.Unlock()
		return len(rdb.chasing)
	}

	// Any other failure: one refresh, within the stale second.
	staleFor(time.Second)
	psRouter{rdb}.Failed(other, errors.New("some failure"))
	time.Sleep(1500 * time.Millisecond)
	assert.Equal(t, other, ownerNow(), "a single refresh")
	assert.Zero(t, chasing())

	// other ended the channel's subscription: the client refreshes until
	// the map changes.
	staleFor(time.Second)
	psRouter{rdb}.Failed(other, &pubsub.ShardMovedError{Channel: ch})
	assert.Equal(t, 1, chasing())
	assert.Eventually(t, func() bool { return ownerNow() == owner }, 3*time.Second, 10*time.Millisecond,
		"the chase brings the true map")
	assert.Eventually(t, func() bool { return chasing() == 0 }, time.Second, 10*time.Millisecond,
		"the chase ends with the true map")
	// A map that is right: nothing to chase.
	psRouter{rdb}.Failed(other, &pubsub.ShardMovedError{Channel: ch})
	assert.Zero(t, chasing())
	assert.ErrorIs(t, &pubsub.ShardMovedError{Channel: ch}, pubsub.ErrShardMoved)
}
