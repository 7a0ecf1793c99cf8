package cluster

import (
	"context"
	"fmt"
	"github.com/duoredis/redis/command"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
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
