package client_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		url  string
		want client.Options
		tls  bool
	}{
		{"redis://localhost", client.Options{Network: "tcp", Addr: "localhost:6379"}, false},
		{"redis://", client.Options{Network: "tcp", Addr: "localhost:6379"}, false},
		{"redis://:secret@10.0.0.1:6380/3", client.Options{Network: "tcp", Addr: "10.0.0.1:6380", Password: "secret", DB: 3}, false},
		{"redis://app:p%40ss@cache:7000/0?protocol=3&client_name=web", client.Options{Network: "tcp", Addr: "cache:7000", Username: "app", Password: "p@ss", Protocol: 3, ClientName: "web"}, false},
		{"redis://[::1]:6379/2", client.Options{Network: "tcp", Addr: "[::1]:6379", DB: 2}, false},
		{"rediss://h:6390", client.Options{Network: "tcp", Addr: "h:6390"}, true},
		{"unix:///run/redis.sock?db=4", client.Options{Network: "unix", Addr: "/run/redis.sock", DB: 4}, false},
		{"unix://u:pw@/tmp/r.sock", client.Options{Network: "unix", Addr: "/tmp/r.sock", Username: "u", Password: "pw"}, false},
		{"redis://h?dial_timeout=2s&read_timeout=1.5&write_timeout=-1&pool_size=20&min_idle_conns=2&health_check_interval=30&pool_timeout=100ms&idle_timeout=1m&max_lifetime=1h&decode_responses=true&retry_on_timeout=1&parser=go",
			client.Options{Network: "tcp", Addr: "h:6379", DialTimeout: 2 * time.Second, ReadTimeout: 1500 * time.Millisecond, WriteTimeout: -1,
				PoolSize: 20, MinIdleConns: 2, HealthCheckInterval: 30 * time.Second, PoolTimeout: 100 * time.Millisecond,
				IdleTimeout: time.Minute, MaxLifetime: time.Hour, DecodeResponses: true, RetryOnTimeout: true, Parser: "go"}, false},
		// redis-py's names.
		{"redis://h/2?socket_timeout=2.5&socket_connect_timeout=1&max_connections=7&socket_keepalive=True&retry_on_timeout=True",
			client.Options{Network: "tcp", Addr: "h:6379", DB: 2, ReadTimeout: 2500 * time.Millisecond, WriteTimeout: 2500 * time.Millisecond,
				DialTimeout: time.Second, PoolSize: 7, RetryOnTimeout: true}, false},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			o, err := client.ParseURL(c.url)
			require.NoError(t, err)
			assert.Equal(t, c.tls, o.TLSConfig != nil)
			if c.tls {
				assert.False(t, o.TLSConfig.InsecureSkipVerify, "verification is on by default")
				assert.Equal(t, "h", o.TLSConfig.ServerName)
				o.TLSConfig = nil
			}
			assert.Equal(t, c.want, *o)
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	cases := []struct{ url, msg string }{
		{"http://h", "unsupported URL scheme"},
		{"localhost:6379", "unsupported URL scheme"},
		{"//h", "needs a scheme"},
		{"redis://h/abc", "invalid database number"},
		{"redis://h/-1", "invalid database number"},
		{"redis://h/1?db=2", "database twice"},
		{"redis://h?protocol=4", "protocol"},
		{"redis://h?dial_timeout=soon", "dial_timeout"},
		{"redis://h?pool_size=0", "pool_size"},
		{"redis://h?bogus=1", "unknown URL option"},
		{"redis://h?retry_on_timeout=maybe", "retry_on_timeout"},
		{"redis://h?db=1&db=2", "given 2 times"},
		{"unix://", "socket path"},
		{"redis://u:hunter2@h:port/", "invalid URL"},
		{"redis://u:hunter2@h/x?db=1", "invalid database"},
		{"redis://u:hunter2@h?pool_size=x", "pool_size"},
		{"redis://h?socket_timeout=1&read_timeout=2", "set the same thing"},
		{"redis://h?socket_connect_timeout=1&dial_timeout=2", "set the same thing"},
		{"redis://h?max_connections=5&pool_size=5", "set the same thing"},
		{"redis://h?max_connections=0", "max_connections"},
		{"redis://h?socket_timeout=soon", "socket_timeout"},
		{"redis://h?socket_keepalive=maybe", "socket_keepalive"},
	}
	for _, c := range cases {
		_, err := client.ParseURL(c.url)
		require.Error(t, err, c.url)
		assert.Contains(t, err.Error(), c.msg, c.url)
		assert.NotContains(t, err.Error(), "hunter2", "password leaked in %q", err)
	}
}

func TestOptionsStringHidesPassword(t *testing.T) {
	o, err := client.ParseURL("redis://app:hunter2@h:6379/1")
	require.NoError(t, err)
	for _, s := range []string{o.String(), fmt.Sprintf("%v", o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o), fmt.Sprint(*o)} {
		assert.NotContains(t, s, "hunter2")
	}
	assert.Contains(t, o.String(), "[redacted]")
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	for _, o := range []client.Options{
		{Protocol: 4},
		{Network: "udp"},
		{DB: -1},
		{Parser: "java"},
	} {
		_, err := client.New(o)
		assert.Error(t, err, "%v", o)
	}
	rdb, err := client.New(client.Options{Addr: "127.0.0.1:1", Password: "hunter2", DialTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	defer rdb.Close()
	err = rdb.Get(ctx, "k").Err()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.NotContains(t, rdb.String(), "hunter2")
}
