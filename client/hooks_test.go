package client_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pipeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a hook that writes down what passes through it.
type recorder struct {
	tag string
	log *[]string // shared by the hooks of one test, to see their order
	mu  *sync.Mutex

	dials    []string
	commands []command.Cmder
	batches  [][]string
}

func newRecorders(tags ...string) []*recorder {
	var log []string
	var mu sync.Mutex
	out := make([]*recorder, len(tags))
	for i, t := range tags {
		out[i] = &recorder{tag: t, log: &log, mu: &mu}
	}
	return out
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	*r.log = append(*r.log, r.tag+":"+s)
	r.mu.Unlock()
}

func (r *recorder) DialHook(next command.DialFunc) command.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := next(ctx, network, addr)
		r.mu.Lock()
		r.dials = append(r.dials, addr)
		r.mu.Unlock()
		return nc, err
	}
}

func (r *recorder) ProcessHook(next command.ProcessFunc) command.ProcessFunc {
	return func(ctx context.Context, cmd command.Cmder) error {
		r.note("before " + cmd.Name())
		err := next(ctx, cmd)
		r.note("after " + cmd.Name())
		r.mu.Lock()
		r.commands = append(r.commands, cmd)
		r.mu.Unlock()
		return err
	}
}

func (r *recorder) ProcessPipelineHook(next command.ProcessPipelineFunc) command.ProcessPipelineFunc {
	return func(ctx context.Context, cmds []command.Cmder) error {
		err := next(ctx, cmds)
		var names []string
		for _, c := range cmds {
			names = append(names, c.Name())
		}
		r.mu.Lock()
		r.batches = append(r.batches, names)
		r.mu.Unlock()
		return err
	}
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.commands {
		out = append(out, c.Name())
	}
	return out
}

// Every command passes through the process hooks once, with its name,
// arguments, value and error, on every path: pooled and auto-pipelined,
// RESP2 and RESP3. Hooks added first run outermost.
func TestHooksSeeEveryCommand(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		rs := newRecorders("a", "b")
		rdb.AddHook(rs[0])
		rdb.AddHook(rs[1])
		require.NoError(t, rdb.Set(ctx, k.Key("s"), 42, 0).Err())
		v, err := rdb.Get(ctx, k.Key("s")).Result()
		require.NoError(t, err)
		assert.Equal(t, "42", v)
		assert.ErrorIs(t, rdb.Get(ctx, k.Key("missing")).Err(), redis.Nil)
		err = rdb.LPush(ctx, k.Key("s"), "x").Err()
		var se *redis.Error
		require.ErrorAs(t, err, &se)

		for _, r := range rs {
			require.Equal(t, []string{"SET", "GET", "GET", "LPUSH"}, r.names())
		}
		cmds := rs[1].commands
		assert.Equal(t, []any{"SET", k.Key("s"), "42"}, cmds[0].Args())
		assert.Equal(t, "OK", cmds[0].Value())
		assert.Equal(t, "42", cmds[1].Value())
		assert.ErrorIs(t, cmds[2].Err(), redis.Nil)
		assert.ErrorAs(t, cmds[3].Err(), &se)
		assert.Equal(t, []string{"a:before SET", "b:before SET", "b:after SET", "a:after SET"}, (*rs[0].log)[:4])
	})
}

// Concurrent commands on the auto-pipelined path: one hook call each, each
// with its own value.
func TestHooksConcurrent(t *testing.T) {
	srv := redistest.Shared(t)
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer rdb.Close()
	r := newRecorders("r")[0]
	rdb.AddHook(r)
	k := keyspace("TestHooksConcurrent:")
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := k.Key(string(rune('a' + g)))
			for i := range 50 {
				want := key + ":" + string(rune('0'+i%10))
				if !assert.NoError(t, rdb.Set(ctx, key, want, 0).Err()) {
					return
				}
				got, err := rdb.Get(ctx, key).Result()
				assert.NoError(t, err)
				assert.Equal(t, want, got)
			}
		}()
	}
	wg.Wait()
	require.Len(t, r.commands, 16*50*2)
	for _, c := range r.commands {
		if c.Name() == "GET" {
			args := c.Args()
			require.Len(t, args, 2)
			assert.True(t, strings.HasPrefix(c.Value().(string), args[1].(string)+":"), "GET %v gave %v", args, c.Value())
		}
	}
}

// A pipeline's batch passes through the pipeline hooks once, its commands
// not through the process hooks; a transaction's batch is framed by MULTI
// and EXEC.
func TestHooksPipelines(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		r := newRecorders("r")[0]
		rdb.AddHook(r)
		for _, tx := range []bool{false, true} {
			var p *pipeline.Pipeline
			if tx {
				p = rdb.Pipeline()
			} else {
				p = rdb.PipelineNoTx()
			}
			p.Set(ctx, k.Key("p"), "v", 0)
			get := p.Get(ctx, k.Key("p"))
			cmds, err := p.Exec(ctx)
			require.NoError(t, err)
			require.Len(t, cmds, 2)
			assert.Equal(t, "v", get.Val())
			assert.Equal(t, []any{"SET", k.Key("p"), "v"}, cmds[0].Args())
			p.Close()
		}
		assert.Empty(t, r.commands)
		assert.Equal(t, [][]string{{"SET", "GET"}, {"MULTI", "SET", "GET", "EXEC"}}, r.batches)

		// Transaction: the WATCHed reads run at once (process hooks), the
		// EXEC as a batch.
		r.commands, r.batches = nil, nil
		_, err := rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
			n, err := p.Get(ctx, k.Key("p")).Result()
			if err != nil {
				return err
			}
			p.Multi()
			p.Set(ctx, k.Key("p"), n+"!", 0)
			return nil
		}, k.Key("p"))
		require.NoError(t, err)
		assert.Equal(t, []string{"WATCH", "GET"}, r.names()[:2])
		assert.Equal(t, [][]string{{"MULTI", "SET", "EXEC"}}, r.batches)
	})
}

// A Conn's commands, and a PubSub's, pass through the client's hooks; the
// dial hook sees every connection the client opens, the shared ones too.
func TestHooksConnPubSubDial(t *testing.T) {
	srv := redistest.Shared(t)
	for _, auto := range []bool{false, true} {
		rdb, err := client.New(client.Options{Addr: srv.Addr(), DisableAutoPipeline: !auto})
		require.NoError(t, err)
		defer rdb.Close()
		if auto {
			rdb.Engine().Mux().ShareAlways(true)
		}
		r := newRecorders("r")[0]
		rdb.AddHook(r)
		require.NoError(t, rdb.Ping(ctx).Err())
		cn, err := rdb.Conn(ctx)
		require.NoError(t, err)
		require.NoError(t, cn.Ping(ctx).Err())
		require.NoError(t, cn.Close())
		ps, err := rdb.Subscribe(ctx, "TestHooksConnPubSubDial")
		require.NoError(t, err)
		require.NoError(t, ps.Ping(ctx))
		require.NoError(t, ps.Unsubscribe(ctx))
		require.NoError(t, ps.Close())
		assert.Equal(t, []string{"PING", "PING", "SUBSCRIBE", "PING", "UNSUBSCRIBE"}, r.names())
		assert.GreaterOrEqual(t, len(r.dials), 2, "the command's, the Conn's and the PubSub's connections")
		for _, a := range r.dials {
			assert.Equal(t, srv.Addr(), a)
		}
	}
}

// A retry on timeout happens inside the one hook call of its command.
func TestHooksRetryInsideOneCall(t *testing.T) {
	srv := redistest.Shared(t)
	px, err := faultproxy.New(srv.Addr())
	require.NoError(t, err)
	defer px.Close()
	for _, auto := range []bool{false, true} {
		rdb, err := client.New(client.Options{Addr: px.Addr(), ReadTimeout: 200 * time.Millisecond,
			RetryOnTimeout: true, DisableAutoPipeline: !auto})
		require.NoError(t, err)
		defer rdb.Close()
		if auto {
			rdb.Engine().Mux().ShareAlways(true)
		}
		require.NoError(t, rdb.Ping(ctx).Err())
		r := newRecorders("r")[0]
		rdb.AddHook(r)
		px.DelayNext(time.Hour)
		require.NoError(t, rdb.Ping(ctx).Err())
		assert.Equal(t, []string{"PING"}, r.names())
		assert.GreaterOrEqual(t, len(r.dials), 1, "the retry's new connection")
	}
}

// The slog hook logs commands, batches and dials, at the levels asked for,
// without arguments.
func TestSlogHook(t *testing.T) {
	srv := redistest.Shared(t)
	var buf bytes.Buffer
	var mu sync.Mutex
	l := slog.New(slog.NewTextHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer rdb.Close()
	rdb.AddHook(command.NewSlogHook(l, command.SlogOptions{ServerErrorLevel: slog.LevelWarn}))
	k := keyspace("TestSlogHook:")
	require.NoError(t, rdb.Set(ctx, k.Key("a"), "secret-value", 0).Err())
	require.Error(t, rdb.LPush(ctx, k.Key("a"), "x").Err())
	p := rdb.Pipeline()
	p.Get(ctx, k.Key("a"))
	_, err = p.Exec(ctx)
	require.NoError(t, err)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	assert.Contains(t, out, `level=DEBUG msg="redis dial" network=tcp addr=`+srv.Addr())
	assert.Contains(t, out, `level=DEBUG msg="redis command" command=SET`)
	assert.Regexp(t, `level=WARN msg="redis command" command=LPUSH duration=\S+ error="redis: WRONGTYPE`, out)
	assert.Contains(t, out, `level=DEBUG msg="redis pipeline" commands=1 transaction=true`)
	assert.NotContains(t, out, "secret-value")

	// A logger above the levels: nothing logged.
	buf.Reset()
	quiet := slog.New(slog.NewTextHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	rdb2, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer rdb2.Close()
	rdb2.AddHook(command.NewSlogHook(quiet, command.SlogOptions{}))
	require.NoError(t, rdb2.Ping(ctx).Err())
	assert.Empty(t, buf.String())

	// A logger at Info, the defaults: errors logged, successes not.
	buf.Reset()
	info := slog.New(slog.NewTextHandler(lockedWriter{&buf, &mu}, nil))
	rdb3, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer rdb3.Close()
	rdb3.AddHook(command.NewSlogHook(info, command.SlogOptions{}))
	require.NoError(t, rdb3.Ping(ctx).Err())
	require.Error(t, rdb3.Incr(ctx, k.Key("a")).Err())
	mu.Lock()
	out = buf.String()
	mu.Unlock()
	assert.NotContains(t, out, "PING")
	assert.NotContains(t, out, "redis dial")
	assert.Contains(t, out, `level=ERROR msg="redis command" command=INCR`)
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// A hook that passes on a command of its own making gets a DataError, not
// a panic.
func TestHookForeignCmder(t *testing.T) {
	srv := redistest.Shared(t)
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer rdb.Close()
	rdb.AddHook(swapHook{})
	err = rdb.Ping(ctx).Err()
	var de *redis.DataError
	assert.True(t, errors.As(err, &de), "%v", err)
}

type swapHook struct{}

func (swapHook) DialHook(next command.DialFunc) command.DialFunc { return next }
func (swapHook) ProcessHook(next command.ProcessFunc) command.ProcessFunc {
	return func(ctx context.Context, cmd command.Cmder) error {
		return next(ctx, fakeCmd{})
	}
}
func (swapHook) ProcessPipelineHook(next command.ProcessPipelineFunc) command.ProcessPipelineFunc {
	return next
}

type fakeCmd struct{}

func (fakeCmd) Name() string { return "FAKE" }
func (fakeCmd) Err() error   { return nil }
func (fakeCmd) Value() any   { return nil }
func (fakeCmd) Args() []any  { return nil }
