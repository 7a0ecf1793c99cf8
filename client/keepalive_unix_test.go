//go:build unix

package client_test

import (
	"net"
	"syscall"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// socket_keepalive=false (redis-py's default) dials without TCP keep-alive;
// by default it is on.
func TestURLSocketKeepAlive(t *testing.T) {
	srv := redistest.Shared(t)
	for _, c := range []struct {
		query string
		want  int
	}{{"", 1}, {"?socket_keepalive=true", 1}, {"?socket_keepalive=false", 0}} {
		rdb, err := client.NewFromURL("redis://" + srv.Addr() + c.query)
		require.NoError(t, err)
		cn, err := rdb.Pool().Get(ctx)
		require.NoError(t, err)
		raw, err := cn.NetConn().(*net.TCPConn).SyscallConn()
		require.NoError(t, err)
		var on int
		require.NoError(t, raw.Control(func(fd uintptr) {
			on, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
		}))
		require.NoError(t, err)
		assert.Equal(t, c.want, on, c.query)
		rdb.Pool().Put(cn)
		rdb.Close()
	}
}
