package faultproxy_test

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoServer answers every read with the same bytes.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

func dial(t *testing.T, p *faultproxy.Proxy) net.Conn {
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	return c
}

func TestOnlyLoopback(t *testing.T) {
	for _, target := range []string{"10.0.0.1:6379", "example.com:6379", "6379"} {
		_, err := faultproxy.New(target)
		assert.Error(t, err, target)
	}
}

func TestForwardDelayCutTruncate(t *testing.T) {
	p, err := faultproxy.New(echoServer(t))
	require.NoError(t, err)
	defer p.Close()

	c := dial(t, p)
	_, err = c.Write([]byte("hello"))
	require.NoError(t, err)
	buf := make([]byte, 5)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(buf))

	p.SetDelay(50 * time.Millisecond)
	start := time.Now()
	_, err = c.Write([]byte("slow!"))
	require.NoError(t, err)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond, "delayed both ways")
	p.SetDelay(0)

	p.TruncateNext()
	_, err = c.Write([]byte("0123456789"))
	require.NoError(t, err)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	assert.Equal(t, "01234", string(got), "half the chunk, then EOF")

	c2 := dial(t, p)
	_, err = c2.Write([]byte("x"))
	require.NoError(t, err)
	_, err = io.ReadFull(c2, buf[:1])
	require.NoError(t, err)
	assert.Equal(t, 1, p.Cut())
	_, err = c2.Read(buf)
	assert.Error(t, err, "cut")

	st := p.Stats()
	assert.EqualValues(t, 2, st.Conns)
	assert.EqualValues(t, 1, st.Truncations)
	assert.EqualValues(t, 1, st.Cuts)
	assert.NotZero(t, st.Delays)
}

func TestInjectNext(t *testing.T) {
	p, err := faultproxy.New(echoServer(t))
	require.NoError(t, err)
	defer p.Close()
	c := dial(t, p)
	p.InjectNext([]byte("-X\r\n"))
	p.InjectNext([]byte("+Y\r\n"))
	buf := make([]byte, 6)
	for _, want := range []string{"-X\r\nab", "+Y\r\ncd"} {
		_, err = c.Write([]byte(want[len(want)-2:]))
		require.NoError(t, err)
		_, err = io.ReadFull(c, buf)
		require.NoError(t, err)
		assert.Equal(t, want, string(buf))
	}
	_, err = c.Write([]byte("ef"))
	require.NoError(t, err)
	_, err = io.ReadFull(c, buf[:2])
	require.NoError(t, err)
	assert.Equal(t, "ef", string(buf[:2]), "nothing more to inject")
}

func TestDelayNext(t *testing.T) {
	p, err := faultproxy.New(echoServer(t))
	require.NoError(t, err)
	defer p.Close()
	c := dial(t, p)
	p.DelayNext(200 * time.Millisecond)
	buf := make([]byte, 2)
	for i, want := range []string{"ab", "cd"} {
		start := time.Now()
		_, err = c.Write([]byte(want))
		require.NoError(t, err)
		_, err = io.ReadFull(c, buf)
		require.NoError(t, err)
		assert.Equal(t, want, string(buf))
		if i == 0 {
			assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "held")
		} else {
			assert.Less(t, time.Since(start), 200*time.Millisecond, "only the next chunk is held")
		}
	}
	assert.EqualValues(t, 1, p.Stats().Delays)

	// A link cut while its chunk is held drops it.
	p.DelayNext(time.Hour)
	_, err = c.Write([]byte("ef"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return p.Stats().Delays == 2 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, 1, p.Cut())
	_, err = c.Read(buf)
	assert.Error(t, err)
}

func TestRandomFaults(t *testing.T) {
	p, err := faultproxy.New(echoServer(t))
	require.NoError(t, err)
	p.SetFaults(faultproxy.Faults{Seed: 7, CutProb: 0.2, TruncateProb: 0.2, DelayProb: 0.5, MaxDelay: time.Millisecond})
	failures := 0
	for i := 0; i < 50; i++ {
		c := dial(t, p)
		msg := bytes.Repeat([]byte{'a' + byte(i%26)}, 100)
		if _, err := c.Write(msg); err != nil {
			failures++
			continue
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil {
			failures++
			continue
		}
		assert.Equal(t, msg, got, "what arrives whole is intact")
	}
	assert.NotZero(t, failures)
	assert.Less(t, failures, 50)
	require.NoError(t, p.Close())
	assert.Zero(t, p.Stats().Open)
}
