package client_test

import (
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Commands of Redis 7.2 and Valkey 8. Debian 12's redis-server (7.0) has
// none of them, so these tests skip there; `make test` also runs the
// client's tests against Valkey 8, which has them all.

// requireCommand skips the test when srv does not know the command
// ("client|no-touch" for a subcommand).
func requireCommand(t *testing.T, srv *redistest.Server, name string) {
	t.Helper()
	r, err := srv.Do("COMMAND", "INFO", name)
	require.NoError(t, err)
	if len(r.Elems) == 0 || r.Elems[0].Kind == redis.KindNull {
		t.Skipf("the server has no %s (Redis 7.2 and Valkey 8 have it)", strings.ToUpper(name))
	}
}

// oneConn returns a client of srv with a single connection, so that the
// connection commands act on the connection that CLIENT INFO then shows.
func oneConn(t *testing.T, srv *redistest.Server, proto int) *client.Client {
	return serverNew(t, srv, client.Options{Protocol: proto, PoolSize: 1, DisableAutoPipeline: true})
}

func clientInfoField(t *testing.T, rdb *client.Client, field string) string {
	t.Helper()
	info, err := rdb.ClientInfo(ctx).Result()
	require.NoError(t, err)
	v, ok := info.Fields[field]
	require.True(t, ok, "CLIENT INFO has no %s: %v", field, info.Fields)
	return v
}

func TestClientNoTouchSetInfoCapa(t *testing.T) {
	srv := redistest.Shared(t)
	requireCommand(t, srv, "client|no-touch")
	requireCommand(t, srv, "client|setinfo")
	for _, proto := range []int{2, 3} {
		rdb := oneConn(t, srv, proto)
		assert.Equal(t, "OK", rdb.ClientNoTouch(ctx, true).Val())
		assert.Contains(t, clientInfoField(t, rdb, "flags"), "T")
		assert.Equal(t, "OK", rdb.ClientNoTouch(ctx, false).Val())
		assert.NotContains(t, clientInfoField(t, rdb, "flags"), "T")

		assert.Equal(t, "OK", rdb.ClientSetLibName(ctx, "duoredis").Val())
		assert.Equal(t, "OK", rdb.ClientSetLibVersion(ctx, "1.2.3").Val())
		assert.Equal(t, "duoredis", clientInfoField(t, rdb, "lib-name"))
		assert.Equal(t, "1.2.3", clientInfoField(t, rdb, "lib-ver"))
		var re *redis.Error
		assert.ErrorAs(t, rdb.ClientSetLibName(ctx, "with space").Err(), &re)
	}
	requireCommand(t, srv, "client|capa")
	assert.Equal(t, "OK", oneConn(t, srv, 2).ClientCapa(ctx, "redirect").Val())
}

func TestScriptShow(t *testing.T) {
	srv := redistest.Shared(t)
	requireCommand(t, srv, "script|show")
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		src := "return '" + k.Key("show") + "'"
		sha, err := rdb.ScriptLoad(ctx, src).Result()
		require.NoError(t, err)
		got, err := rdb.ScriptShow(ctx, sha).Result()
		require.NoError(t, err)
		assert.Equal(t, src, got)
		var re *redis.Error
		assert.ErrorAs(t, rdb.ScriptShow(ctx, strings.Repeat("0", 40)).Err(), &re)
	})
}

func TestWaitAOF(t *testing.T) {
	srv := redistest.Start(t, redistest.Args("--appendonly", "yes", "--appendfsync", "always"))
	requireCommand(t, srv, "waitaof")
	for _, proto := range []int{2, 3} {
		rdb := oneConn(t, srv, proto)
		require.NoError(t, rdb.Set(ctx, "aof:k", "v", 0).Err())
		got, err := rdb.WaitAOF(ctx, 1, 0, time.Second).Result()
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 0}, got, "fsynced locally, no replica")
	}
	// Without an append-only file, asking for a local fsync is an error.
	plain := redistest.Shared(t)
	var re *redis.Error
	assert.ErrorAs(t, oneConn(t, plain, 2).WaitAOF(ctx, 1, 0, time.Second).Err(), &re)
}
