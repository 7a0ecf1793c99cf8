package redistest_test

import (
	"strconv"
	"testing"

	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartSentinels(t *testing.T) {
	tp := redistest.StartSentinels(t, redistest.SentinelOptions{Replicas: 1, Sentinels: 2, Password: "data-pw", SentinelPassword: "sent-pw"})
	require.Len(t, tp.Sentinels, 2)
	require.Len(t, tp.Replicas, 1)
	for _, s := range tp.Sentinels {
		got := s.Exec(t, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
		assert.Equal(t, `["127.0.0.1" "`+strconv.Itoa(tp.Master.Port())+`"]`, got)
	}
	assert.Same(t, tp.Replicas[0], tp.ServerAt(tp.Replicas[0].Addr()))
	assert.Same(t, tp.Master, tp.ServerAt(tp.Master.Addr()))
	assert.Nil(t, tp.ServerAt("127.0.0.1:1"))
	assert.Equal(t, "slave", tp.Replicas[0].Exec(t, "ROLE")[2:7])
}

func TestMissingSentinelSkipsOrFailsInCI(t *testing.T) {
	t.Setenv("REDISTEST_SENTINEL", "no-such-redis-sentinel")
	t.Setenv("CI", "")
	r := run(t, func(tb testing.TB) { redistest.StartSentinels(tb, redistest.SentinelOptions{}) })
	assert.Contains(t, r.skipped, "no-such-redis-sentinel is not installed")
	assert.Empty(t, r.failed)

	t.Setenv("CI", "true")
	r = run(t, func(tb testing.TB) { redistest.StartSentinels(tb, redistest.SentinelOptions{}) })
	assert.Contains(t, r.failed, "no-such-redis-sentinel is not installed")
	assert.Empty(t, r.skipped)
}

func TestKill(t *testing.T) {
	srv := redistest.Start(t)
	srv.Exec(t, "SET", "k", "v")
	require.NoError(t, srv.Kill())
	require.NoError(t, srv.Kill(), "killing a stopped server does nothing")
	_, err := srv.Do("PING")
	require.Error(t, err)
	srv.Restart(t)
	assert.Equal(t, "PONG", srv.Exec(t, "PING"))
}
