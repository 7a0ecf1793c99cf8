package client_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// redirectClient returns a client whose cache is in REDIRECT mode, its
// tracked connections speaking protocol proto.
func redirectClient(t *testing.T, addr string, proto int, edit ...func(o *client.Options)) *client.Client {
	t.Helper()
	return cachedClient(t, addr, 1<<20, append([]func(o *client.Options){func(o *client.Options) {
		o.Protocol = proto
		o.CacheMode = command.CacheRedirect
	}}, edit...)...)
}

func redirectID(rdb *client.Client) int64 { return rdb.Engine().Cache().Tracker().RedirectID() }

// clientInfo returns the CLIENT LIST line of the client id.
func clientInfo(t *testing.T, srv *redistest.Server, id int64) string {
	t.Helper()
	return srv.Exec(t, "CLIENT", "LIST", "ID", strconv.FormatInt(id, 10))
}

func forProtocols(t *testing.T, f func(t *testing.T, proto int)) {
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) { f(t, proto) })
	}
}

// Another client's write invalidates through the redirect connection;
// the tracked connections speak the client's protocol.
func TestCacheRedirectOtherClientsWrite(t *testing.T) {
	forProtocols(t, func(t *testing.T, proto int) {
		srv := redistest.Start(t)
		rdb := redirectClient(t, srv.Addr(), proto)
		other, err := client.New(client.Options{Addr: srv.Addr()})
		require.NoError(t, err)
		defer other.Close()
		c := rdb.Cached(time.Minute)
		require.NoError(t, other.Set(ctx, "k", "v1", 0).Err())
		require.Equal(t, "v1", warm(t, c, "k"))

		rid := redirectID(rdb)
		require.NotZero(t, rid)
		info := clientInfo(t, srv, rid)
		require.Contains(t, info, "resp=2")
		require.Contains(t, info, "sub=1")
		for _, id := range rdb.Engine().Cache().Tracker().ClientIDs() {
			if id != 0 {
				info := clientInfo(t, srv, id)
				require.Contains(t, info, "resp="+strconv.Itoa(proto))
				require.Regexp(t, `flags=\S*t`, info)
			}
		}

		require.NoError(t, other.Set(ctx, "k", "v2", 0).Err())
		eventually(t, "invalidated through the redirect connection", func() bool { return rdb.CacheStats().Invalidated >= 1 })
		r := c.Get(ctx, "k")
		require.Equal(t, "v2", r.Val())
		require.False(t, r.IsCacheHit())
		require.Equal(t, "v2", warm(t, c, "k"))

		// MGET, nil values, and this client's own writes.
		require.NoError(t, other.Set(ctx, "a", "A", 0).Err())
		eventually(t, "MGET cached", func() bool {
			return c.MGet(ctx, "a", "none").IsCacheHit()
		})
		require.Equal(t, []any{"A", nil}, c.MGet(ctx, "a", "none").Val())
		require.NoError(t, rdb.Set(ctx, "none", "now", 0).Err())
		require.Equal(t, []any{"A", "now"}, c.MGet(ctx, "a", "none").Val())
	})
}

func TestCacheRedirectFlushAll(t *testing.T) {
	forProtocols(t, func(t *testing.T, proto int) {
		srv := redistest.Start(t)
		rdb := redirectClient(t, srv.Addr(), proto)
		c := rdb.Cached(time.Minute)
		for i := 0; i < 10; i++ {
			require.NoError(t, rdb.Set(ctx, "k"+itoa(i), "v", 0).Err())
			warm(t, c, "k"+itoa(i))
		}
		require.Equal(t, 10, rdb.CacheStats().Entries)
		srv.Exec(t, "FLUSHALL")
		eventually(t, "flushed", func() bool { return rdb.CacheStats().Entries == 0 })
		require.GreaterOrEqual(t, rdb.CacheStats().Flushed, uint64(10))
		require.Zero(t, rdb.CacheStats().RedirectsLost)
		require.ErrorIs(t, c.Get(ctx, "k0").Err(), redis.Nil)
	})
}

// The redirect connection killed: every entry goes, a new one is opened,
// the tracked connections are pointed at it, and caching resumes with
// its invalidations.
func TestCacheRedirectKilled(t *testing.T) {
	forProtocols(t, func(t *testing.T, proto int) {
		srv := redistest.Start(t)
		rdb := redirectClient(t, srv.Addr(), proto)
		other, err := client.New(client.Options{Addr: srv.Addr()})
		require.NoError(t, err)
		defer other.Close()
		c := rdb.Cached(time.Minute)
		for i := 0; i < 10; i++ {
			require.NoError(t, other.Set(ctx, "k"+itoa(i), "old", 0).Err())
			warm(t, c, "k"+itoa(i))
		}
		trackedIDs := rdb.Engine().Cache().Tracker().ClientIDs()
		rid := redirectID(rdb)
		srv.Exec(t, "CLIENT", "KILL", "ID", strconv.FormatInt(rid, 10))
		eventually(t, "redirect connection lost", func() bool { return rdb.CacheStats().RedirectsLost == 1 })
		st := rdb.CacheStats()
		require.Zero(t, st.Entries)
		require.GreaterOrEqual(t, st.ConnLost, uint64(10))
		// Written while nobody hears its invalidations: must be seen.
		require.NoError(t, other.Set(ctx, "k0", "new", 0).Err())
		require.Equal(t, "new", c.Get(ctx, "k0").Val())

		eventually(t, "a new redirect connection", func() bool {
			id := redirectID(rdb)
			return id != 0 && id != rid
		})
		require.Equal(t, "new", warm(t, c, "k0"))
		require.Equal(t, trackedIDs, rdb.Engine().Cache().Tracker().ClientIDs(), "tracked connections kept, re-pointed")
		require.NoError(t, other.Set(ctx, "k0", "newer", 0).Err())
		eventually(t, "invalidated through the new redirect connection", func() bool {
			r := c.Get(ctx, "k0")
			return r.Val() == "newer"
		})
		require.Equal(t, "newer", warm(t, c, "k0"))
	})
}

// gateDialer is a Dialer whose dials wait while hold is set, and whose
// connections that subscribe to __redis__:invalidate can be muted: once
// muted, the server's close of one is not seen (reads block until the
// client closes it or its read deadline passes), as with a connection
// lost silently.
type gateDialer struct {
	mu    sync.Mutex
	hold  bool
	gate  chan struct{}
	mute  atomic.Bool
	dials atomic.Int32
	delay atomic.Int64 // each read of a redirect connection waits this long first
}

func newGateDialer() *gateDialer { return &gateDialer{gate: make(chan struct{})} }

func (g *gateDialer) setHold(on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if on && !g.hold {
		g.gate = make(chan struct{})
	} else if !on && g.hold {
		close(g.gate)
	}
	g.hold = on
}

func (g *gateDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	g.mu.Lock()
	hold, gate := g.hold, g.gate
	g.mu.Unlock()
	if hold {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	g.dials.Add(1)
	nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &gatedConn{Conn: nc, g: g, closed: make(chan struct{})}, nil
}

type gatedConn struct {
	net.Conn
	g        *gateDialer
	redirect atomic.Bool
	once     sync.Once
	closed   chan struct{}
	dl       atomic.Int64 // read deadline, unix nanoseconds (0: none)
}

func (c *gatedConn) Write(b []byte) (int, error) {
	if strings.Contains(string(b), "__redis__:invalidate") {
		c.redirect.Store(true)
	}
	return c.Conn.Write(b)
}

func (c *gatedConn) SetReadDeadline(t time.Time) error {
	if t.IsZero() {
		c.dl.Store(0)
	} else {
		c.dl.Store(t.UnixNano())
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *gatedConn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.Conn.SetDeadline(t)
}

func (c *gatedConn) Read(b []byte) (int, error) {
	if d := c.g.delay.Load(); d > 0 && c.redirect.Load() {
		time.Sleep(time.Duration(d))
	}
	n, err := c.Conn.Read(b)
	if err != nil && c.redirect.Load() && c.g.mute.Load() && (errors.Is(err, io.EOF) || !isNetTimeout(err)) {
		// Muted: the close is not seen.
		for {
			select {
			case <-c.closed:
				return 0, net.ErrClosed
			case <-time.After(5 * time.Millisecond):
			}
			if dl := c.dl.Load(); dl != 0 && time.Now().UnixNano() > dl {
				return 0, &timeoutErr{}
			}
		}
	}
	return n, err
}

func (c *gatedConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

func isNetTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

type timeoutErr struct{}

func (*timeoutErr) Error() string   { return "i/o timeout" }
func (*timeoutErr) Timeout() bool   { return true }
func (*timeoutErr) Temporary() bool { return true }

// The race guard: a value fetched while the redirect connection is down
// (being dialed again) is never cached, since nobody would hear of its
// invalidation; once it is back, caching resumes.
func TestCacheRedirectReconnectingNotCached(t *testing.T) {
	forProtocols(t, func(t *testing.T, proto int) {
		srv := redistest.Start(t)
		g := newGateDialer()
		rdb := redirectClient(t, srv.Addr(), proto, func(o *client.Options) { o.Dialer = g.dial })
		other, err := client.New(client.Options{Addr: srv.Addr()})
		require.NoError(t, err)
		defer other.Close()
		c := rdb.Cached(time.Minute)
		require.NoError(t, other.Set(ctx, "k", "v1", 0).Err())
		warm(t, c, "k")
		// Open the pool connection the writes below use, and both tracked
		// connections, before the hold.
		require.NoError(t, rdb.Ping(ctx).Err())
		eventually(t, "both tracked connections open", func() bool {
			c.Get(ctx, "x")
			ids := rdb.Engine().Cache().Tracker().ClientIDs()
			return ids[0] != 0 && ids[1] != 0
		})

		g.setHold(true)
		srv.Exec(t, "CLIENT", "KILL", "ID", strconv.FormatInt(redirectID(rdb), 10))
		eventually(t, "redirect connection lost", func() bool { return rdb.CacheStats().RedirectsLost == 1 })
		require.Zero(t, redirectID(rdb))
		for i := 0; i < 20; i++ {
			r := c.Get(ctx, "k")
			require.NoError(t, r.Err())
			require.False(t, r.IsCacheHit(), "read %d while the redirect connection is down", i)
			if i == 10 {
				require.NoError(t, other.Set(ctx, "k", "v2", 0).Err())
			}
			want := "v1"
			if i > 10 {
				want = "v2"
			}
			require.Equal(t, want, r.Val())
			time.Sleep(2 * time.Millisecond) // room for a confirmation
		}
		mget := c.MGet(ctx, "k", "x")
		require.NoError(t, mget.Err())
		time.Sleep(20 * time.Millisecond)
		st := rdb.CacheStats()
		require.Zero(t, st.Entries, "nothing cached while the redirect connection was down")
		require.GreaterOrEqual(t, st.Discarded, uint64(20))

		g.setHold(false)
		eventually(t, "redirect connection back", func() bool { return redirectID(rdb) != 0 })
		require.Equal(t, "v2", warm(t, c, "k"))
		require.NoError(t, other.Set(ctx, "k", "v3", 0).Err())
		eventually(t, "invalidated", func() bool { return c.Get(ctx, "k").Val() == "v3" })
	})
}

// The redirect connection lost without our noticing (its close muted):
// the server stops delivering its invalidations. On RESP3 tracked
// connections the server says so (tracking-redir-broken) at the first
// invalidation it cannot deliver: the cache drops everything and starts
// afresh then, without waiting for the heartbeat. On RESP2 ones nothing is
// said, and the heartbeat on the redirect connection finds the loss
// within CacheHeartbeat plus ReadTimeout.
func TestCacheRedirectBroken(t *testing.T) {
	forProtocols(t, func(t *testing.T, proto int) {
		srv := redistest.Start(t)
		g := newGateDialer()
		hb, rt := time.Hour, 200*time.Millisecond
		if proto == 2 {
			hb = 200 * time.Millisecond
		}
		rdb := redirectClient(t, srv.Addr(), proto, func(o *client.Options) {
			o.Dialer = g.dial
			o.CacheHeartbeat = hb
			o.ReadTimeout = rt
		})
		other, err := client.New(client.Options{Addr: srv.Addr()})
		require.NoError(t, err)
		defer other.Close()
		c := rdb.Cached(time.Minute)
		require.NoError(t, other.Set(ctx, "k", "old", 0).Err())
		require.NoError(t, other.Set(ctx, "j", "j1", 0).Err())
		warm(t, c, "k")
		warm(t, c, "j")
		rid := redirectID(rdb)
		g.mute.Store(true)
		srv.Exec(t, "CLIENT", "KILL", "ID", strconv.FormatInt(rid, 10))
		time.Sleep(20 * time.Millisecond)
		require.Equal(t, rid, redirectID(rdb), "the loss is not seen yet")
		require.Zero(t, rdb.CacheStats().RedirectsLost)

		require.NoError(t, other.Set(ctx, "k", "new", 0).Err()) // its invalidation is lost
		written := time.Now()
		require.True(t, redistest.WaitFor(3*time.Second, func() bool { return rdb.CacheStats().RedirectsLost >= 1 }))
		lag := time.Since(written)
		t.Logf("RESP%d: lost redirect connection found %v after the write", proto, lag)
		if proto == 3 {
			require.Less(t, lag, 150*time.Millisecond, "tracking-redir-broken acted on")
		} else {
			require.Less(t, lag, hb+rt+500*time.Millisecond)
		}
		g.mute.Store(false)
		require.Zero(t, rdb.CacheStats().Entries)
		require.Equal(t, "new", c.Get(ctx, "k").Val())
		eventually(t, "a new redirect connection", func() bool {
			id := redirectID(rdb)
			return id != 0 && id != rid
		})
		require.Equal(t, "new", warm(t, c, "k"))
		require.NoError(t, other.Set(ctx, "k", "newer", 0).Err())
		eventually(t, "invalidated through the new redirect connection", func() bool { return c.Get(ctx, "k").Val() == "newer" })
	})
}

func TestCacheBroadcastRedirect(t *testing.T) {
	srv := redistest.Start(t)
	rdb := cachedClient(t, srv.Addr(), 1<<20, func(o *client.Options) {
		o.Protocol = 2
		o.CacheMode = command.CacheBroadcastRedirect
		o.CachePrefixes = []string{"user:"}
	})
	other, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer other.Close()
	c := rdb.Cached(time.Minute)
	require.NoError(t, other.Set(ctx, "user:1", "a", 0).Err())
	require.NoError(t, other.Set(ctx, "other", "x", 0).Err())
	warm(t, c, "user:1")
	require.Equal(t, "x", c.Get(ctx, "other").Val())
	require.False(t, c.Get(ctx, "other").IsCacheHit(), "outside the prefixes: not cached")
	require.NoError(t, other.Set(ctx, "user:1", "b", 0).Err())
	eventually(t, "invalidated", func() bool { return c.Get(ctx, "user:1").Val() == "b" })
	// After a lost redirect connection, the tracked connections are
	// re-pointed with their prefixes (CLIENT TRACKING OFF, ON).
	srv.Exec(t, "CLIENT", "KILL", "ID", strconv.FormatInt(redirectID(rdb), 10))
	eventually(t, "redirect connection lost", func() bool { return rdb.CacheStats().RedirectsLost == 1 })
	eventually(t, "back", func() bool { return redirectID(rdb) != 0 })
	require.Equal(t, "b", warm(t, c, "user:1"))
	require.NoError(t, other.Set(ctx, "user:1", "c", 0).Err())
	eventually(t, "invalidated", func() bool { return c.Get(ctx, "user:1").Val() == "c" })
}
