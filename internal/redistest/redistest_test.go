package redistest_test

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { redistest.Main(m) }

func TestStartExecRestart(t *testing.T) {
	srv := redistest.Start(t, redistest.UnixSocket())
	assert.Equal(t, "PONG", srv.Exec(t, "PING"))
	assert.Equal(t, "OK", srv.Exec(t, "SET", "k", "v"))
	assert.Equal(t, "v", srv.Exec(t, "GET", "k"))
	assert.Equal(t, "", srv.Exec(t, "GET", "missing"))
	assert.Equal(t, "1", srv.Exec(t, "EXISTS", "k"))
	assert.Contains(t, srv.Exec(t, "CONFIG", "GET", "save"), `"save" ""`)

	c, err := net.Dial("unix", srv.Socket())
	require.NoError(t, err)
	c.Close()

	_, err = srv.Do("NOSUCHCOMMAND")
	var se *redis.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "ERR", se.Prefix())

	port := srv.Port()
	srv.Restart(t)
	assert.Equal(t, port, srv.Port())
	assert.Equal(t, "", srv.Exec(t, "GET", "k"), "nothing is saved across a restart")

	require.NoError(t, srv.Stop())
	_, err = srv.Do("PING")
	assert.Error(t, err)
	require.NoError(t, srv.Stop(), "a second Stop does nothing")
}

func TestRequirePassAndArgs(t *testing.T) {
	srv := redistest.Start(t, redistest.RequirePass("s3cret"), redistest.Args("--rename-command", "HELLO", ""))
	assert.Equal(t, "PONG", srv.Exec(t, "PING"), "Exec authenticates")
	_, err := srv.Do("HELLO", "3")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown command")

	c, err := net.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("*1\r\n$4\r\nPING\r\n"))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(2*time.Second)))
	buf := make([]byte, 64)
	n, _ := c.Read(buf)
	assert.True(t, strings.HasPrefix(string(buf[:n]), "-NOAUTH"), "%q", buf[:n])
}

func TestShared(t *testing.T) {
	a := redistest.Shared(t)
	b := redistest.Shared(t)
	assert.Same(t, a, b)
	assert.Equal(t, "PONG", a.Exec(t, "PING"))
	c := redistest.SharedNamed(t, "other")
	assert.NotEqual(t, a.Port(), c.Port())
}

func TestTLS(t *testing.T) {
	srv := redistest.Start(t, redistest.TLS("optional"))
	require.NotEmpty(t, srv.TLSAddr())
	c, err := tls.Dial("tcp", srv.TLSAddr(), srv.TLSConfig())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("*1\r\n$4\r\nPING\r\n"))
	require.NoError(t, err)
	buf := make([]byte, 16)
	n, err := c.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, "+PONG\r\n", string(buf[:n]))

	_, err = tls.Dial("tcp", srv.TLSAddr(), &tls.Config{})
	assert.Error(t, err, "the CA is not a system root")
	assert.NotEmpty(t, srv.ClientCert().Certificate)
	assert.Empty(t, redistest.Start(t).TLSAddr())
}
