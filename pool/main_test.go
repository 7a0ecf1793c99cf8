package pool_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// dial opens a connection to srv with opts (Addr filled in) and closes it
// at the end of the test.
func dial(t *testing.T, srv *redistest.Server, opts pool.Options) *pool.Conn {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = srv.Addr()
	}
	c, err := pool.Dial(context.Background(), &opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// newPool makes a pool on srv and closes it at the end of the test.
func newPool(t *testing.T, srv *redistest.Server, opts pool.Options) *pool.Pool {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = srv.Addr()
	}
	p := pool.New(opts)
	t.Cleanup(func() { p.Close() })
	return p
}

// do runs one command and returns its reply as text (see redistest.Text);
// any error fails the test.
func do(t *testing.T, c *pool.Conn, args ...any) string {
	t.Helper()
	var r redis.Reply
	require.NoError(t, c.Do(context.Background(), &r, args...))
	return redistest.Text(&r)
}

// clientField returns a field of CLIENT INFO, such as "db" or "resp".
func clientField(t *testing.T, c *pool.Conn, field string) string {
	t.Helper()
	for _, kv := range strings.Fields(do(t, c, "CLIENT", "INFO")) {
		if k, v, ok := strings.Cut(kv, "="); ok && k == field {
			return v
		}
	}
	t.Fatalf("CLIENT INFO has no %s", field)
	return ""
}

// clientLine returns the line of CLIENT LIST of the client with the given
// name, or "".
func clientLine(t *testing.T, srv *redistest.Server, name string) string {
	t.Helper()
	for _, line := range strings.Split(srv.Exec(t, "CLIENT", "LIST"), "\n") {
		if strings.Contains(line, " name="+name+" ") {
			return line
		}
	}
	return ""
}

// checkGoroutines fails the test if, within a few seconds, the number of
// goroutines does not come back to at most base+slack.
func checkGoroutines(t *testing.T, base, slack int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base+slack {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutine leak: %d goroutines, %d before\n%s", n, base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
