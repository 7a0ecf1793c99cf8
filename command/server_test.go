package command

import (
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func serverBulk(s string) redis.Reply { return redis.Reply{Kind: redis.KindBulkString, Str: []byte(s)} }

func serverInt(n int64) redis.Reply { return redis.Reply{Kind: redis.KindInteger, Int: n} }

func serverAgg(kind redis.Kind, es ...redis.Reply) redis.Reply {
	return redis.Reply{Kind: kind, Elems: es}
}

// ROLE of a sentinel and of a replica (the integration tests see masters
// and replicas; a sentinel needs a topology of its own).
func TestServerDecodeRole(t *testing.T) {
	r := serverAgg(redis.KindArray, serverBulk("sentinel"), serverAgg(redis.KindArray, serverBulk("m1"), serverBulk("m2")))
	ri, err := serverDecRole(&r)
	require.NoError(t, err)
	assert.Equal(t, RoleInfo{Role: "sentinel", MasterNames: []string{"m1", "m2"}}, ri)

	r = serverAgg(redis.KindArray, serverBulk("slave"), serverBulk("10.0.0.1"), serverInt(6379), serverBulk("connected"), serverInt(99))
	ri, err = serverDecRole(&r)
	require.NoError(t, err)
	assert.Equal(t, RoleInfo{Role: "slave", MasterHost: "10.0.0.1", MasterPort: 6379, State: "connected", ReplicationOffset: 99}, ri)

	r = serverAgg(redis.KindArray, serverBulk("master"), serverInt(5),
		serverAgg(redis.KindArray, serverAgg(redis.KindArray, serverBulk("10.0.0.2"), serverBulk("6380"), serverBulk("4"))))
	ri, err = serverDecRole(&r)
	require.NoError(t, err)
	assert.Equal(t, []RoleReplica{{Host: "10.0.0.2", Port: 6380, Offset: 4}}, ri.Replicas)

	r = serverAgg(redis.KindArray)
	_, err = serverDecRole(&r)
	assert.Error(t, err)
	r = serverAgg(redis.KindArray, serverBulk("master"), serverInt(5), serverAgg(redis.KindArray, serverAgg(redis.KindArray, serverBulk("h"))))
	_, err = serverDecRole(&r)
	assert.Error(t, err, "a short replica entry is an error, not a panic")
}

// FUNCTION STATS with a function running, in both shapes.
func TestServerDecodeFunctionStats(t *testing.T) {
	for _, kind := range []redis.Kind{redis.KindArray, redis.KindMap} {
		r := serverAgg(kind,
			serverBulk("running_script"), serverAgg(kind,
				serverBulk("name"), serverBulk("spin"),
				serverBulk("command"), serverAgg(redis.KindArray, serverBulk("fcall"), serverBulk("spin"), serverBulk("0")),
				serverBulk("duration_ms"), serverInt(1500)),
			serverBulk("engines"), serverAgg(kind,
				serverBulk("LUA"), serverAgg(kind, serverBulk("libraries_count"), serverInt(1), serverBulk("functions_count"), serverInt(2))))
		st, err := scriptDecFunctionStats(&r)
		require.NoError(t, err)
		assert.Equal(t, FunctionStats{
			Running: &RunningFunction{Name: "spin", Command: []string{"fcall", "spin", "0"}, Duration: 1500 * time.Millisecond},
			Engines: map[string]FunctionEngineStats{"LUA": {Libraries: 1, Functions: 2}},
		}, st)
	}
}

// MEMORY STATS: a ratio sent as "100" by RESP2 is still a float.
func TestServerDecodeMemoryStats(t *testing.T) {
	r := serverAgg(redis.KindArray,
		serverBulk("peak.allocated"), serverInt(10),
		serverBulk("dataset.percentage"), serverBulk("100"),
		serverBulk("fragmentation"), serverBulk("1.5"),
		serverBulk("db.0"), serverAgg(redis.KindArray, serverBulk("overhead.hashtable.main"), serverInt(7)))
	st, err := serverDecMemoryStats(&r)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"peak.allocated": 10, "db.0.overhead.hashtable.main": 7}, st.Ints)
	assert.Equal(t, map[string]float64{"dataset.percentage": 100, "fragmentation": 1.5}, st.Floats)
	assert.Equal(t, int64(10), st.PeakAllocated)
	assert.Equal(t, 1.5, st.Fragmentation)
}

func TestServerParseInfo(t *testing.T) {
	info := serverParseInfo("# Server\r\nredis_version:7.0.15\r\nexecutable:/usr/bin/redis-server\r\n\r\n# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=2500\r\ndb12:keys=1,expires=0,avg_ttl=0\r\n")
	assert.Equal(t, "7.0.15", info.Common().RedisVersion)
	v, ok := info.Field("executable")
	assert.True(t, ok)
	assert.Equal(t, "/usr/bin/redis-server", v, "values may hold colons")
	assert.Equal(t, map[int]KeyspaceInfo{
		0:  {Keys: 3, Expires: 1, AvgTTL: 2500 * time.Millisecond},
		12: {Keys: 1},
	}, info.Keyspace())
}

func TestConnParseClientInfo(t *testing.T) {
	ci, err := connParseClientInfo("id=7 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=8 name=x age=3 idle=2 flags=N db=1 cmd=client|info user=default redir=-1 resp=3 new-field=z")
	require.NoError(t, err)
	assert.Equal(t, int64(7), ci.ID)
	assert.Equal(t, 3*time.Second, ci.Age)
	assert.Equal(t, 2*time.Second, ci.Idle)
	assert.Equal(t, int64(1), ci.DB)
	assert.Equal(t, "z", ci.Fields["new-field"])
	_, err = connParseClientInfo("id=7 garbage")
	assert.Error(t, err)

	r := serverBulk("id=1 name=a\nid=2 name=b\n")
	l, err := connDecClientList(&r)
	require.NoError(t, err)
	require.Len(t, l, 2)
	assert.Equal(t, "b", l[1].Name)
	r = serverBulk("")
	l, err = connDecClientList(&r)
	require.NoError(t, err)
	assert.Empty(t, l)
}
