package pool_test

import (
	"context"
	"crypto/tls"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTLS(t *testing.T) {
	srv := redistest.Start(t, redistest.TLS("optional"))
	ctx := context.Background()

	// Verified against the server's CA; ServerName comes from Addr.
	for _, addr := range []string{srv.TLSAddr(), "localhost:" + portOf(t, srv.TLSAddr())} {
		c := dial(t, srv, pool.Options{Addr: addr, TLSConfig: srv.TLSConfig(), Protocol: 3, DB: 1})
		assert.Equal(t, "PONG", do(t, c, "PING"))
		assert.Equal(t, "3", clientField(t, c, "resp"))
		_, isTLS := c.NetConn().(*tls.Conn)
		assert.True(t, isTLS)
	}

	// Not trusted: the system roots do not know the test CA.
	_, err := pool.Dial(ctx, &pool.Options{Addr: srv.TLSAddr(), TLSConfig: &tls.Config{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tls handshake")
	assert.Contains(t, err.Error(), "certificate")

	// The host name is checked.
	cfg := srv.TLSConfig()
	cfg.ServerName = "wrong.example"
	_, err = pool.Dial(ctx, &pool.Options{Addr: srv.TLSAddr(), TLSConfig: cfg})
	assert.ErrorContains(t, err, "wrong.example")

	// The caller's config is not changed.
	cfg = srv.TLSConfig()
	dial(t, srv, pool.Options{Addr: srv.TLSAddr(), TLSConfig: cfg})
	assert.Empty(t, cfg.ServerName)
	assert.False(t, cfg.InsecureSkipVerify)
}

func TestTLSClientCertificate(t *testing.T) {
	srv := redistest.Start(t, redistest.TLS("yes"))
	cfg := srv.TLSConfig()
	cfg.Certificates = []tls.Certificate{srv.ClientCert()}
	c := dial(t, srv, pool.Options{Addr: srv.TLSAddr(), TLSConfig: cfg})
	assert.Equal(t, "PONG", do(t, c, "PING"))

	// Without one the server refuses; with TLS 1.3 that may show only at
	// the first read, here the handshake's or the first command's.
	o := pool.Options{Addr: srv.TLSAddr(), TLSConfig: srv.TLSConfig(), ClientName: "no-cert", ReadTimeout: time.Second}
	c2, err := pool.Dial(context.Background(), &o)
	if err == nil {
		defer c2.Close()
		err = c2.Do(context.Background(), c2.Reply(), "PING")
	}
	assert.Error(t, err)
}

func TestTLSClientKillNoticedAtCheckout(t *testing.T) {
	srv := redistest.Start(t, redistest.TLS("no"))
	p := newPool(t, srv, pool.Options{Addr: srv.TLSAddr(), TLSConfig: srv.TLSConfig(), ClientName: "tls-kill"})
	ctx := context.Background()
	c, err := p.Get(ctx)
	require.NoError(t, err)
	id := do(t, c, "CLIENT", "ID")
	p.Put(c)
	assert.Equal(t, "1", srv.Exec(t, "CLIENT", "KILL", "ID", id))
	require.Eventually(t, func() bool { return clientLine(t, srv, "tls-kill") == "" }, time.Second, time.Millisecond)
	c2, err := p.Get(ctx)
	require.NoError(t, err)
	assert.NotSame(t, c, c2)
	assert.Equal(t, "PONG", do(t, c2, "PING"))
	p.Put(c2)
	assert.EqualValues(t, 1, p.Stats().StaleConns)
}

func portOf(t *testing.T, addr string) string {
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	_, err = strconv.Atoi(port)
	require.NoError(t, err)
	return port
}

// A TLS 1.3 server sends session tickets after the handshake; on a
// connection that has not read anything yet they wait in the socket. They
// are not a sign of a dead connection.
func TestTLSSessionTicketsAreNotUnaskedData(t *testing.T) {
	srv := redistest.Start(t, redistest.TLS("no"))
	p := newPool(t, srv, pool.Options{Addr: srv.TLSAddr(), TLSConfig: srv.TLSConfig(), MinIdle: 1})
	require.Eventually(t, func() bool { return p.IdleLen() == 1 }, 2*time.Second, 5*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // let the tickets arrive
	for i := 0; i < 3; i++ {
		c, err := p.Get(context.Background())
		require.NoError(t, err)
		if i == 2 {
			assert.Equal(t, "PONG", do(t, c, "PING"))
		}
		p.Put(c)
	}
	st := p.Stats()
	assert.EqualValues(t, 3, st.Hits)
	assert.Zero(t, st.StaleConns)
}
