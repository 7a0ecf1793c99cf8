package pool_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptionsDefaults(t *testing.T) {
	p := pool.New(pool.Options{})
	defer p.Close()
	o := p.Options()
	assert.Equal(t, "tcp", o.Network)
	assert.Equal(t, "localhost:6379", o.Addr)
	assert.Equal(t, 5*time.Second, o.DialTimeout)
	assert.Equal(t, 3*time.Second, o.ReadTimeout)
	assert.Equal(t, 3*time.Second, o.WriteTimeout)
	assert.Equal(t, 4*time.Second, o.PoolTimeout)
	assert.Equal(t, 30*time.Minute, o.IdleTimeout)
	assert.Equal(t, 2, o.Protocol)
	assert.Equal(t, 10*runtime.GOMAXPROCS(0), o.PoolSize)
	assert.Zero(t, o.MinIdle)
	assert.Zero(t, o.MaxLifetime)
	assert.Zero(t, o.HealthCheckInterval)
	assert.NotNil(t, o.NewParser)
	assert.NotNil(t, o.Dialer)
	assert.NotNil(t, o.NewConn)
	assert.Zero(t, p.Len(), "New dials nothing without MinIdle")

	q := pool.New(pool.Options{Addr: "/run/redis.sock", ReadTimeout: -1, WriteTimeout: time.Second, MinIdle: 99, PoolSize: 3})
	defer q.Close()
	o = q.Options()
	assert.Equal(t, "unix", o.Network)
	assert.Equal(t, time.Duration(-1), o.ReadTimeout)
	assert.Equal(t, time.Second, o.WriteTimeout)
	assert.Equal(t, 30*time.Second, o.PoolTimeout)
	assert.Equal(t, 3, o.MinIdle, "MinIdle is capped at PoolSize")
}

func TestOptionsInvalid(t *testing.T) {
	_, err := pool.Dial(context.Background(), &pool.Options{Protocol: 4})
	assert.ErrorContains(t, err, "Protocol must be 2 or 3")
	_, err = pool.Dial(context.Background(), &pool.Options{Network: "udp"})
	assert.ErrorContains(t, err, "Network")
	_, err = pool.Dial(context.Background(), &pool.Options{DB: -1})
	assert.ErrorContains(t, err, "DB")
}

func TestOptionsStringHidesPassword(t *testing.T) {
	o := pool.Options{Addr: "10.1.2.3:6379", Username: "app", Password: "hunter2-secret", DB: 2, ClientName: "api"}
	for _, s := range []string{o.String(), fmt.Sprint(o), fmt.Sprintf("%v", &o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o)} {
		assert.NotContains(t, s, "hunter2")
		assert.Contains(t, s, "[redacted]")
		assert.Contains(t, s, `"app"`)
		assert.Contains(t, s, "10.1.2.3:6379")
	}
	p := pool.New(o)
	defer p.Close()
	assert.NotContains(t, p.String(), "hunter2")
	assert.NotContains(t, fmt.Sprintf("%+v", p.Options()), "hunter2")
}

func TestDialErrors(t *testing.T) {
	// A port nobody listens on: connection refused.
	_, err := pool.Dial(context.Background(), &pool.Options{Addr: "127.0.0.1:1", Password: "hunter2-secret"})
	require.Error(t, err)
	assert.ErrorContains(t, err, "connection error (dial 127.0.0.1:1)")
	assert.NotContains(t, err.Error(), "hunter2")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = pool.Dial(ctx, &pool.Options{Addr: "127.0.0.1:1"})
	assert.ErrorIs(t, err, context.Canceled)
}
