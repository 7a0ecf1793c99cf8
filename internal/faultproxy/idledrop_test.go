package faultproxy_test

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A link idle past IdleDrop goes silent: what the client sends then is
// neither answered nor refused, and the client's socket stays open. A new
// link works.
func TestIdleDrop(t *testing.T) {
	p, err := faultproxy.New(echoServer(t))
	require.NoError(t, err)
	defer p.Close()
	p.SetFaults(faultproxy.Faults{IdleDrop: 100 * time.Millisecond})

	c := dial(t, p)
	buf := make([]byte, 2)
	_, err = c.Write([]byte("hi"))
	require.NoError(t, err)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)

	time.Sleep(250 * time.Millisecond)
	_, err = c.Write([]byte("hi"))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	_, err = c.Read(buf)
	assert.True(t, errors.Is(err, os.ErrDeadlineExceeded), "no answer and no close, got %v", err)
	assert.Equal(t, int64(1), p.Stats().Dropped)

	c2 := dial(t, p)
	_, err = c2.Write([]byte("ok"))
	require.NoError(t, err)
	_, err = io.ReadFull(c2, buf)
	require.NoError(t, err)
	assert.Equal(t, "ok", string(buf))
}
