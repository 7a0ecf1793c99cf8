package pool_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandshakeProtocol2(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{DB: 3, ClientName: "duo-p2"})
	assert.Equal(t, "2", clientField(t, c, "resp"))
	assert.Equal(t, "3", clientField(t, c, "db"))
	assert.Equal(t, "duo-p2", clientField(t, c, "name"))
	assert.Equal(t, "default", clientField(t, c, "user"))

	// RESP2 answers HGETALL with an array.
	do(t, c, "HSET", "p2:h", "f", "v")
	var r redis.Reply
	require.NoError(t, c.Do(context.Background(), &r, "HGETALL", "p2:h"))
	assert.Equal(t, redis.KindArray, r.Kind)
}

func TestHandshakeProtocol3(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{Protocol: 3, DB: 5, ClientName: "duo-p3"})
	assert.Equal(t, "3", clientField(t, c, "resp"))
	assert.Equal(t, "5", clientField(t, c, "db"))
	assert.Equal(t, "duo-p3", clientField(t, c, "name"))

	do(t, c, "HSET", "p3:h", "f", "v")
	var r redis.Reply
	require.NoError(t, c.Do(context.Background(), &r, "HGETALL", "p3:h"))
	assert.Equal(t, redis.KindMap, r.Kind, "RESP3 answers HGETALL with a map")
}

func TestHandshakeAuth(t *testing.T) {
	const pw = "hunter2-secret"
	srv := redistest.Start(t, redistest.RequirePass(pw))
	srv.Exec(t, "ACL", "SETUSER", "alice", "on", ">alice-secret", "~*", "&*", "+@all")

	for _, proto := range []int{2, 3} {
		c := dial(t, srv, pool.Options{Protocol: proto, Password: pw, DB: 1, ClientName: "authed"})
		assert.Equal(t, "default", clientField(t, c, "user"))
		assert.Equal(t, "1", clientField(t, c, "db"))
		assert.Equal(t, "authed", clientField(t, c, "name"))

		c = dial(t, srv, pool.Options{Protocol: proto, Username: "alice", Password: "alice-secret"})
		assert.Equal(t, "alice", clientField(t, c, "user"))

		for _, o := range []pool.Options{
			{Protocol: proto, Password: "wrong-" + pw},
			{Protocol: proto, Username: "alice", Password: "wrong-" + pw},
			{Protocol: proto, Username: "nobody", Password: pw},
		} {
			o.Addr = srv.Addr()
			_, err := pool.Dial(context.Background(), &o)
			require.Error(t, err)
			var he *pool.HandshakeError
			require.ErrorAs(t, err, &he)
			var ae *redis.AuthenticationError
			assert.ErrorAs(t, err, &ae, "%v", err)
			assert.NotContains(t, err.Error(), pw)
			assert.Contains(t, err.Error(), "WRONGPASS")
			t.Logf("RESP%d: %v", proto, err)
		}
	}

	// Without a password the connection opens; its commands are refused.
	c := dial(t, srv, pool.Options{})
	var r redis.Reply
	require.NoError(t, c.Do(context.Background(), &r, "GET", "x"))
	var ae *redis.AuthenticationError
	assert.ErrorAs(t, r.Err(), &ae)
	assert.NoError(t, c.Err(), "a server error does not break the connection")
}

func TestHandshakeHelloRefused(t *testing.T) {
	const pw = "hunter2-secret"
	srv := redistest.Start(t, redistest.RequirePass(pw), redistest.Args("--rename-command", "HELLO", ""))
	_, err := pool.Dial(context.Background(), &pool.Options{Addr: srv.Addr(), Protocol: 3, Password: pw, ClientName: "x"})
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), "Protocol")
	assert.Contains(t, err.Error(), "HELLO")
	assert.NotContains(t, err.Error(), pw)
	var se *redis.Error
	require.ErrorAs(t, err, &se)
	assert.NotContains(t, se.Message(), pw)

	// Protocol 2 does not need HELLO.
	c := dial(t, srv, pool.Options{Password: pw})
	assert.Equal(t, "PONG", do(t, c, "PING"))
}

func TestUnixSocket(t *testing.T) {
	srv := redistest.Start(t, redistest.UnixSocket())
	c := dial(t, srv, pool.Options{Addr: srv.Socket(), DB: 2})
	assert.Equal(t, "unix", c.Options().Network)
	assert.Equal(t, "PONG", do(t, c, "PING"))
	assert.Equal(t, "2", clientField(t, c, "db"))
	assert.Equal(t, "0", clientField(t, c, "laddr")[len(clientField(t, c, "laddr"))-1:])

	p := newPool(t, srv, pool.Options{Network: "unix", Addr: srv.Socket()})
	pc, err := p.Get(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "PONG", do(t, pc, "PING"))
	p.Put(pc)
	assert.Equal(t, 1, p.IdleLen())
}

func TestDataErrorKeepsConn(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{})
	var r redis.Reply
	err := c.Do(context.Background(), &r, "SET", "k", true)
	var de *redis.DataError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 2, de.Pos)
	assert.NoError(t, c.Err())
	assert.Zero(t, c.Pending())

	require.NoError(t, c.WriteArgs("SET", "dk", "v1"))
	require.ErrorAs(t, c.WriteArgs("SET", "dk", nil), &de)
	require.NoError(t, c.WriteArgs("GET", "dk"))
	assert.Equal(t, 2, c.Pending())
	require.NoError(t, c.Flush(context.Background()))
	require.NoError(t, c.ReadReply(context.Background(), &r))
	assert.Equal(t, "OK", string(r.Str))
	require.NoError(t, c.ReadReply(context.Background(), &r))
	assert.Equal(t, "v1", string(r.Str))
	assert.Zero(t, c.Pending())
	assert.NoError(t, c.Err())
}

func TestServerErrorIsAReply(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{})
	do(t, c, "SET", "se:str", "x")
	var r redis.Reply
	require.NoError(t, c.Do(context.Background(), &r, "INCR", "se:str"))
	assert.Equal(t, redis.KindError, r.Kind)
	assert.Error(t, r.Err())
	assert.NoError(t, c.Err())
	assert.Equal(t, "PONG", do(t, c, "PING"))
}

func TestReadTimeoutBreaksConn(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{ReadTimeout: 100 * time.Millisecond})
	var r redis.Reply
	start := time.Now()
	err := c.Do(context.Background(), &r, "BLPOP", "rt:none", 2)
	var te *redis.TimeoutError
	require.ErrorAs(t, err, &te, "%v", err)
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, err, c.Err(), "the error sticks")
	assert.Equal(t, err, c.Do(context.Background(), &r, "PING"))
	assert.Equal(t, err, c.WriteArgs("PING"))
}

func TestReadReplyBlocking(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{ReadTimeout: 300 * time.Millisecond})
	var r redis.Reply
	// BLPOP waits 0.6s, twice ReadTimeout: the block extends the deadline
	// (to 0.9s). The server checks blocked clients' timeouts at its hz (10
	// times a second), so its nil reply comes 0.6 to 0.7s after the call.
	require.NoError(t, c.WriteArgs("BLPOP", "rb:none", "0.6"))
	require.NoError(t, c.RoundTrip(context.Background(), &r, 600*time.Millisecond))
	assert.Equal(t, redis.KindNull, r.Kind)
	// A negative block: no read timeout at all.
	go func() {
		time.Sleep(300 * time.Millisecond)
		srv.Exec(t, "RPUSH", "rb:list", "x")
	}()
	require.NoError(t, c.WriteArgs("BLPOP", "rb:list", 0))
	require.NoError(t, c.RoundTrip(context.Background(), &r, -1))
	assert.Equal(t, `["rb:list" "x"]`, r.String())
	assert.Equal(t, "PONG", do(t, c, "PING"), "the deadline is back to ReadTimeout")
}

func TestContextCancelMidReply(t *testing.T) {
	srv := redistest.Shared(t)
	p := newPool(t, srv, pool.Options{ReadTimeout: -1})
	c, err := p.Get(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	var r redis.Reply
	start := time.Now()
	err = c.Do(ctx, &r, "BLPOP", "cc:none", 0)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
	assert.Error(t, c.Err())
	p.Put(c)
	assert.Zero(t, p.Len(), "a cancelled connection is closed, not kept")

	// The same with a deadline: a timeout error that is also DeadlineExceeded.
	c, err = p.Get(context.Background())
	require.NoError(t, err)
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = c.Do(ctx, &r, "BLPOP", "cc:none", 0)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var te *redis.TimeoutError
	assert.ErrorAs(t, err, &te)
	p.Put(c)
	assert.Zero(t, p.Len())
}

func TestContextDoneBeforeRead(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var r redis.Reply
	// Nothing is sent: the connection stays as it was.
	assert.ErrorIs(t, c.Do(ctx, &r, "PING"), context.Canceled)
	assert.NoError(t, c.Err())
	assert.Zero(t, c.Pending())

	// Sent, but the reply is not read: still pending, still readable.
	require.NoError(t, c.WriteArgs("ECHO", "late"))
	require.NoError(t, c.Flush(context.Background()))
	assert.ErrorIs(t, c.ReadReply(ctx, &r), context.Canceled)
	assert.NoError(t, c.Err())
	assert.Equal(t, 1, c.Pending())
	require.NoError(t, c.ReadReply(context.Background(), &r))
	assert.Equal(t, "late", string(r.Str))

	// A cancellable context that is not cancelled changes nothing.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	require.NoError(t, c.Do(ctx, &r, "ECHO", "fine"))
	assert.Equal(t, "fine", string(r.Str))
}

// A context cancelled just as the reply arrives may set a past deadline
// after the read succeeded; the next command must not fail because of it.
func TestCancelRaceLeavesNoStaleDeadline(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{})
	var r redis.Reply
	for i := 0; i < 300; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		go cancel()
		err := c.Do(ctx, &r, "PING")
		if err != nil {
			require.ErrorIs(t, err, context.Canceled)
			c = dial(t, srv, pool.Options{})
			continue
		}
		require.NoError(t, c.Do(context.Background(), &r, "PING"), "round %d", i)
	}
}

// fakeServer accepts one connection and answers every read with reply.
func fakeServer(t *testing.T, reply string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			if _, err := io.WriteString(c, reply); err != nil {
				return
			}
		}
	}()
	return ln.Addr().String()
}

func TestProtocolErrorBreaksConn(t *testing.T) {
	c := dial(t, nil, pool.Options{Addr: fakeServer(t, "?garbage\r\n")})
	var r redis.Reply
	err := c.Do(context.Background(), &r, "PING")
	var pe *redis.ProtocolError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, err, c.Err())
}

func TestConnectionErrorOnEOF(t *testing.T) {
	// A server that answers half a reply and hangs up.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			buf := make([]byte, 64)
			_, _ = c.Read(buf)
			_, _ = io.WriteString(c, "$10\r\nabc")
			c.Close()
		}
	}()
	c := dial(t, nil, pool.Options{Addr: ln.Addr().String()})
	var r redis.Reply
	err = c.Do(context.Background(), &r, "GET", "k")
	var ce *redis.ConnectionError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestCustomDialerAndFactory(t *testing.T) {
	srv := redistest.Shared(t)
	dials := 0
	opts := pool.Options{
		Addr: "redis.invalid:1", // the dialer ignores it
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials++
			var d net.Dialer
			return d.DialContext(ctx, "tcp", srv.Addr())
		},
		NewConn: func(ctx context.Context, o *pool.Options) (*pool.Conn, error) {
			c, err := pool.Dial(ctx, o)
			if err != nil {
				return nil, err
			}
			// Setup of its own, as a redis-py connection_class would do.
			if err := c.Do(ctx, c.Reply(), "CLIENT", "SETNAME", "from-factory"); err != nil {
				return nil, err
			}
			return c, nil
		},
	}
	p := newPool(t, srv, opts)
	c, err := p.Get(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "from-factory", clientField(t, c, "name"))
	p.Put(c)
	assert.Equal(t, 1, dials)

	// Open over a net.Conn of the caller's, here one without a descriptor
	// (no liveness check is possible; the pool still works).
	nc, err := net.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	c2, err := pool.Open(context.Background(), wrapped{nc}, &pool.Options{Addr: srv.Addr(), ClientName: "opened"})
	require.NoError(t, err)
	defer c2.Close()
	assert.Equal(t, "opened", clientField(t, c2, "name"))
}

// wrapped hides the syscall.Conn of a net.Conn.
type wrapped struct{ net.Conn }

func TestPasswordNeverShown(t *testing.T) {
	const pw = "hunter2-secret"
	srv := redistest.Start(t, redistest.RequirePass(pw), redistest.Args("--rename-command", "HELLO", ""))
	var errs []error
	for _, o := range []pool.Options{
		{Addr: srv.Addr(), Password: "x" + pw},
		{Addr: srv.Addr(), Password: pw, Protocol: 3},
		{Addr: srv.Addr(), Username: "u", Password: pw, Protocol: 3},
		{Addr: srv.Addr(), Password: pw, DB: 99},
		{Addr: "127.0.0.1:1", Password: pw},
	} {
		_, err := pool.Dial(context.Background(), &o)
		require.Error(t, err)
		errs = append(errs, err)
		p := pool.New(o)
		_, err = p.Get(context.Background())
		errs = append(errs, err)
		assert.NotContains(t, p.String(), pw)
		p.Close()
	}
	c := dial(t, srv, pool.Options{Password: pw})
	assert.NotContains(t, c.String(), pw)
	for _, err := range errs {
		for e := err; e != nil; e = errors.Unwrap(e) {
			assert.NotContains(t, e.Error(), pw)
		}
		assert.False(t, strings.Contains(err.Error(), pw), "%v", err)
	}
}

// countingConn counts the deadlines set on a net.Conn.
type countingConn struct {
	net.Conn
	reads, writes, both int
}

func (c *countingConn) SetReadDeadline(t time.Time) error {
	c.reads++
	return c.Conn.SetReadDeadline(t)
}
func (c *countingConn) SetWriteDeadline(t time.Time) error {
	c.writes++
	return c.Conn.SetWriteDeadline(t)
}
func (c *countingConn) SetDeadline(t time.Time) error { c.both++; return c.Conn.SetDeadline(t) }

// Deadlines are not set again on every command: only when the wanted one
// moved by more than 1/64 of the timeout, or when a context's deadline
// changes, or never when there is no timeout at all.
func TestDeadlinesSetSparingly(t *testing.T) {
	srv := redistest.Shared(t)
	for _, tc := range []struct {
		name     string
		timeout  time.Duration
		max      int
		ctxLimit bool
	}{
		{"DefaultTimeout", 0, 50, false},
		{"NoTimeout", -1, 0, false},
		{"ContextDeadline", -1, 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cc *countingConn
			opts := pool.Options{Addr: srv.Addr(), ReadTimeout: tc.timeout,
				Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
					nc, err := net.Dial(network, addr)
					cc = &countingConn{Conn: nc}
					return cc, err
				}}
			c, err := pool.Dial(context.Background(), &opts)
			require.NoError(t, err)
			defer c.Close()
			ctx := context.Background()
			if tc.ctxLimit {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, time.Minute)
				defer cancel()
			}
			var r redis.Reply
			start := time.Now()
			for i := 0; i < 1000; i++ {
				require.NoError(t, c.Do(ctx, &r, "PING"))
			}
			t.Logf("1000 PINGs in %v: %d read, %d write deadlines", time.Since(start), cc.reads, cc.writes)
			assert.LessOrEqual(t, cc.reads, tc.max)
			assert.LessOrEqual(t, cc.writes, tc.max)
			if tc.ctxLimit {
				assert.Equal(t, 1, cc.reads, "one context, one deadline")
			}
		})
	}
}

// A large value is read into memory of its own (Reply.Owned), by either
// parser, so the command layer keeps it without a copy; the replies after
// it are read as usual.
func TestLargeBulkOwned(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{})
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	do(t, c, "SET", "lb:big", big)
	for i := 0; i < 3; i++ {
		require.NoError(t, c.WriteArgs("GET", "lb:big"))
		require.NoError(t, c.WriteArgs("STRLEN", "lb:big"))
		var owned []bool
		var strs []string
		require.NoError(t, c.ReadReplies(context.Background(), 2, 0, func(i int, r *redis.Reply) {
			owned = append(owned, r.Owned)
			strs = append(strs, redistest.Text(r))
		}))
		assert.Equal(t, []bool{true, false}, owned, "parser %s", pool.DefaultParserName())
		assert.True(t, strs[0] == big, "the value comes back whole")
		assert.Equal(t, "1048576", strs[1])
	}
}

// RESP3 push data (here CLIENT TRACKING invalidations) that arrives on a
// connection before a command's reply is not taken for that reply.
func TestPushSkippedBeforeReply(t *testing.T) {
	srv := redistest.Shared(t)
	c := dial(t, srv, pool.Options{Protocol: 3})
	other := dial(t, srv, pool.Options{})
	assert.Equal(t, "OK", do(t, c, "CLIENT", "TRACKING", "ON"))

	// RoundTrip.
	do(t, other, "SET", "push:a", "1")
	assert.Equal(t, "1", do(t, c, "GET", "push:a")) // now tracked
	do(t, other, "SET", "push:a", "2")              // invalidates
	require.True(t, redistest.WaitFor(time.Second, func() bool {
		// The invalidation is in the socket or the parser's buffer.
		return c.Buffered() > 0 || peekable(t, c)
	}))
	assert.Equal(t, "PONG", do(t, c, "PING"))
	assert.Zero(t, c.Pending())

	// ReadReplies.
	assert.Equal(t, "2", do(t, c, "GET", "push:a"))
	do(t, other, "SET", "push:a", "3")
	require.True(t, redistest.WaitFor(time.Second, func() bool { return peekable(t, c) }))
	require.NoError(t, c.WriteArgs("ECHO", "x"))
	require.NoError(t, c.WriteArgs("GET", "push:a"))
	var got []string
	require.NoError(t, c.ReadReplies(context.Background(), 2, 0, func(i int, r *redis.Reply) {
		got = append(got, redistest.Text(r))
	}))
	assert.Equal(t, []string{"x", "3"}, got)
	assert.Zero(t, c.Pending())

	// ReadReply hands push data over as it is.
	do(t, other, "SET", "push:a", "4")
	var r redis.Reply
	require.NoError(t, c.ReadReply(context.Background(), &r))
	assert.Equal(t, redis.KindPush, r.Kind)
	assert.Equal(t, "invalidate", string(r.Elems[0].Str))
}

// peekable reports whether data waits in c's socket.
func peekable(t *testing.T, c *pool.Conn) bool {
	t.Helper()
	raw, err := c.NetConn().(*net.TCPConn).SyscallConn()
	require.NoError(t, err)
	var n int
	require.NoError(t, raw.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, _ = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true
	}))
	return n > 0
}
