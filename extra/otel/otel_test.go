package otel_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/extra/otel"
	"github.com/duoredis/redis/pipeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

var ctx = context.Background()

// variants runs fn once per RESP version, with auto-pipelining off and on
// (then every command takes the shared path, even alone).
func variants(t *testing.T, fn func(t *testing.T, o client.Options, auto bool)) {
	srv := sharedTB(t)
	for _, proto := range []int{2, 3} {
		for _, auto := range []bool{false, true} {
			name := "resp" + strconv.Itoa(proto)
			if auto {
				name += "-autopipeline"
			}
			t.Run(name, func(t *testing.T) {
				fn(t, client.Options{Addr: srv.addr, DB: 2, Protocol: proto, DisableAutoPipeline: !auto}, auto)
			})
		}
	}
}

// traced returns a client for o, instrumented for tracing into a recorder.
func traced(t *testing.T, o client.Options, auto bool, opts ...otel.Option) (*client.Client, *tracetest.SpanRecorder) {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	rdb, err := client.New(o)
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	if auto {
		rdb.Engine().Mux().ShareAlways(true)
	}
	require.NoError(t, otel.InstrumentTracing(rdb, append([]otel.Option{otel.WithTracerProvider(tp)}, opts...)...))
	return rdb, sr
}

// key is a key of the test's own.
func key(t *testing.T, name string) string {
	return "otel:" + t.Name() + ":" + name
}

// operations are the ended spans but the dials.
func operations(sr *tracetest.SpanRecorder) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.Name() != otel.DialSpanName {
			out = append(out, s)
		}
	}
	return out
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

func attrs(s sdktrace.ReadOnlySpan) attrMap {
	m := attrMap{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// assertOperation checks the attributes every operation span has.
func assertOperation(t *testing.T, s sdktrace.ReadOnlySpan, op string, port int) {
	t.Helper()
	a := attrs(s)
	assert.Equal(t, trace.SpanKindClient, s.SpanKind(), s.Name())
	assert.Equal(t, op, s.Name())
	assert.Equal(t, "redis", a["db.system.name"].AsString(), s.Name())
	assert.Equal(t, op, a["db.operation.name"].AsString(), s.Name())
	assert.Equal(t, "2", a["db.namespace"].AsString(), s.Name())
	assert.Equal(t, "127.0.0.1", a["server.address"].AsString(), s.Name())
	assert.Equal(t, int64(port), a["server.port"].AsInt64(), s.Name())
	assert.NotContains(t, a, attribute.Key("db.query.text"), "db.query.text is off by default")
	assert.Equal(t, "otel-test", a["deployment.environment.name"].AsString(), "WithAttributes")
}

func assertOK(t *testing.T, s sdktrace.ReadOnlySpan) {
	t.Helper()
	a := attrs(s)
	assert.Equal(t, codes.Unset, s.Status().Code, s.Name())
	assert.NotContains(t, a, attribute.Key("error.type"), s.Name())
	assert.NotContains(t, a, attribute.Key("db.response.status_code"), s.Name())
}

func assertServerError(t *testing.T, s sdktrace.ReadOnlySpan, prefix string) {
	t.Helper()
	a := attrs(s)
	assert.Equal(t, codes.Error, s.Status().Code, s.Name())
	assert.Contains(t, s.Status().Description, prefix)
	assert.Equal(t, prefix, a["db.response.status_code"].AsString(), s.Name())
	assert.Equal(t, prefix, a["error.type"].AsString(), s.Name())
}

var env = otel.WithAttributes(attribute.String("deployment.environment.name", "otel-test"))

func TestCommandSpans(t *testing.T) {
	variants(t, func(t *testing.T, o client.Options, auto bool) {
		rdb, sr := traced(t, o, auto, env)
		k := key(t, "k")
		require.NoError(t, rdb.Set(ctx, k, "v", time.Minute).Err())
		v, err := rdb.Get(ctx, k).Result()
		require.NoError(t, err)
		assert.Equal(t, "v", v)
		_, err = rdb.Get(ctx, k+":missing").Result()
		require.ErrorIs(t, err, redis.Nil)
		err = rdb.LPush(ctx, k, "x").Err()
		var se *redis.Error
		require.ErrorAs(t, err, &se)
		require.Equal(t, "WRONGTYPE", se.Prefix())
		_, err = rdb.Do(ctx, "NOSUCHCOMMAND", "a").Result()
		require.Error(t, err)

		spans := operations(sr)
		require.Equal(t, []string{"SET", "GET", "GET", "LPUSH", "NOSUCHCOMMAND"}, names(spans))
		port := sharedTB(t).port
		for _, s := range spans {
			assertOperation(t, s, s.Name(), port)
			assert.NotContains(t, attrs(s), attribute.Key("db.operation.batch.size"))
		}
		assertOK(t, spans[0])
		assertOK(t, spans[1])
		assertOK(t, spans[2]) // redis.Nil is a nil reply, not an error
		assertServerError(t, spans[3], "WRONGTYPE")
		assertServerError(t, spans[4], "ERR")
	})
}

func TestPipelineSpans(t *testing.T) {
	variants(t, func(t *testing.T, o client.Options, auto bool) {
		rdb, sr := traced(t, o, auto, env)
		port := sharedTB(t).port
		k, s := key(t, "n"), key(t, "s")

		p := rdb.PipelineNoTx()
		defer p.Close()
		p.Set(ctx, k, "1", time.Minute)
		p.Get(ctx, k)
		p.Incr(ctx, k)
		_, err := p.Exec(ctx)
		require.NoError(t, err)

		p.Get(ctx, k)
		p.Get(ctx, k+":missing")
		p.Exec(ctx) // GET of a missing key: redis.Nil, in its command

		tx := rdb.Pipeline()
		defer tx.Close()
		tx.Set(ctx, s, "a", time.Minute)
		tx.Incr(ctx, k)
		_, err = tx.Exec(ctx)
		require.NoError(t, err)

		tx.Get(ctx, k)
		_, err = tx.Exec(ctx)
		require.NoError(t, err)

		tx.Incr(ctx, k)
		tx.Incr(ctx, s) // ERR value is not an integer, at EXEC
		_, err = tx.Exec(ctx)
		require.Error(t, err)

		_, err = rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
			if err := p.Get(ctx, k).Err(); err != nil {
				return err
			}
			p.Multi()
			p.Incr(ctx, k)
			p.Incr(ctx, k)
			return nil
		}, k)
		require.NoError(t, err)

		spans := operations(sr)
		got := names(spans)
		// The pipelined commands have no span of their own; the
		// transaction's WATCH and GET, sent at once, do.
		require.Equal(t, []string{"PIPELINE", "PIPELINE GET", "MULTI", "MULTI GET", "MULTI INCR", "WATCH", "GET", "MULTI INCR"}, got)
		for _, sp := range spans {
			assertOperation(t, sp, sp.Name(), port)
		}
		size := func(sp sdktrace.ReadOnlySpan) any {
			v, ok := attrs(sp)["db.operation.batch.size"]
			if !ok {
				return nil
			}
			return v.AsInt64()
		}
		assert.Equal(t, int64(3), size(spans[0]))
		assert.Equal(t, int64(2), size(spans[1]))
		assert.Equal(t, int64(2), size(spans[2]))
		assert.Nil(t, size(spans[3]), "a batch of one is not a batch")
		assert.Equal(t, int64(2), size(spans[4]))
		assert.Equal(t, int64(2), size(spans[7]))
		for _, i := range []int{0, 1, 2, 3, 5, 6, 7} {
			assertOK(t, spans[i])
		}
		assertServerError(t, spans[4], "ERR")
	})
}

func TestQueryText(t *testing.T) {
	variants(t, func(t *testing.T, o client.Options, auto bool) {
		rdb, sr := traced(t, o, auto, otel.WithQueryText(true))
		k := key(t, "k")
		rdb.Set(ctx, k, "hello world", 0)
		rdb.Get(ctx, k)
		rdb.Set(ctx, k, strings.Repeat("x", 5000), 0)
		p := rdb.PipelineNoTx()
		p.Set(ctx, k, "v", 0)
		p.Get(ctx, k)
		p.Exec(ctx)
		p.Close()
		tx := rdb.Pipeline()
		tx.Get(ctx, k)
		tx.Exec(ctx)
		tx.Close()
		cn, err := rdb.Conn(ctx) // AUTH runs only on a Conn of one's own
		require.NoError(t, err)
		cn.Do(ctx, "AUTH", "not-a-password") // the server has none: an error
		cn.Close()

		var texts []string
		for _, s := range operations(sr) {
			texts = append(texts, attrs(s)["db.query.text"].AsString())
		}
		require.Len(t, texts, 6, "%.300q", texts)
		assert.Equal(t, "SET "+k+` "hello world"`, texts[0])
		assert.Equal(t, "GET "+k, texts[1])
		assert.Len(t, texts[2], 2048)
		assert.True(t, strings.HasSuffix(texts[2], "..."))
		assert.Equal(t, "SET "+k+" v; GET "+k, texts[3])
		assert.Equal(t, "MULTI; GET "+k+"; EXEC", texts[4])
		assert.Equal(t, "AUTH ?", texts[5])
	})
}

func TestDialSpans(t *testing.T) {
	srv := sharedTB(t)
	rdb, sr := traced(t, client.Options{Addr: srv.addr, DisableAutoPipeline: true}, false)
	require.NoError(t, rdb.Ping(ctx).Err())
	var dials []sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.Name() == otel.DialSpanName {
			dials = append(dials, s)
		}
	}
	require.Len(t, dials, 1)
	d := dials[0]
	a := attrs(d)
	assert.Equal(t, trace.SpanKindClient, d.SpanKind())
	assert.Equal(t, codes.Unset, d.Status().Code)
	assert.Equal(t, "redis", a["db.system.name"].AsString())
	assert.Equal(t, "127.0.0.1", a["server.address"].AsString())
	assert.Equal(t, int64(srv.port), a["server.port"].AsInt64())
	assert.Equal(t, "tcp", a["network.transport"].AsString())

	// A dial that fails: the dial span and the command's tell why.
	port, err := freePort()
	require.NoError(t, err)
	bad, sr := traced(t, client.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), DialTimeout: time.Second, DisableAutoPipeline: true}, false)
	require.Error(t, bad.Ping(ctx).Err())
	var failedDial, ping sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		switch s.Name() {
		case otel.DialSpanName:
			failedDial = s
		case "PING":
			ping = s
		}
	}
	require.NotNil(t, failedDial)
	require.NotNil(t, ping)
	for _, s := range []sdktrace.ReadOnlySpan{failedDial, ping} {
		assert.Equal(t, codes.Error, s.Status().Code, s.Name())
		assert.NotEmpty(t, attrs(s)["error.type"].AsString(), s.Name())
		assert.NotContains(t, attrs(s), attribute.Key("db.response.status_code"), s.Name())
	}
	assert.Equal(t, "*net.OpError", attrs(failedDial)["error.type"].AsString())
	assert.Equal(t, "*redis.ConnectionError", attrs(ping)["error.type"].AsString())
}

func TestContextErrorType(t *testing.T) {
	srv := sharedTB(t)
	rdb, sr := traced(t, client.Options{Addr: srv.addr, DisableAutoPipeline: true}, false)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.Error(t, rdb.Get(cctx, key(t, "k")).Err())
	spans := operations(sr)
	require.Len(t, spans, 1)
	assert.Equal(t, "context.Canceled", attrs(spans[0])["error.type"].AsString())
}

// TestSecretsNeverInSpans sends every kind of command that carries a
// password, with db.query.text on, and looks for the passwords in every
// attribute, event and status of every span.
func TestSecretsNeverInSpans(t *testing.T) {
	const pw, pw2 = "s3cret-pw-4d2", "other-s3cret-9x"
	srv := ownServer(t, "--requirepass", pw)
	port := strconv.Itoa(srv.port)
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			rdb, sr := traced(t, client.Options{Addr: srv.addr, Password: pw, Protocol: proto}, false, otel.WithQueryText(true))
			// AUTH runs only on a Conn of one's own; HELLO, refused by
			// Do, is only sent by the handshake (HELLO 3 AUTH with
			// RESP3), which the hooks do not see.
			cn, err := rdb.Conn(ctx)
			require.NoError(t, err)
			defer cn.Close()
			do := func(args ...any) error { return cn.Do(ctx, args...).Err() }
			require.NoError(t, do("AUTH", pw))
			require.NoError(t, do("auth", "default", pw))
			require.Error(t, do("AUTH", "wrong-"+pw))
			require.NoError(t, do("CONFIG", "SET", "requirepass", pw))
			require.NoError(t, do("ACL", "SETUSER", "otel-user", "on", ">"+pw2, "~*", "+@all"))
			require.NoError(t, do("AUTH", "otel-user", pw2))
			require.NoError(t, do("MIGRATE", "127.0.0.1", port, "otel:nokey", "0", "1000", "AUTH", pw))
			require.NoError(t, do("MIGRATE", "127.0.0.1", port, "", "0", "1000", "AUTH2", "otel-user", pw2, "KEYS", "otel:nokey"))
			p := cn.PipelineNoTx()
			p.Do(ctx, "AUTH", pw)
			p.Do(ctx, "AUTH", "otel-user", "wrong-"+pw2)
			p.Do(ctx, "CONFIG", "SET", "masterauth", pw2)
			_, err = p.Exec(ctx)
			require.Error(t, err)
			p.Close()

			spans := sr.Ended()
			require.GreaterOrEqual(t, len(spans), 9)
			for _, s := range spans {
				var texts []string
				for _, kv := range s.Attributes() {
					texts = append(texts, kv.Value.String())
				}
				for _, e := range s.Events() {
					texts = append(texts, e.Name)
					for _, kv := range e.Attributes {
						texts = append(texts, kv.Value.String())
					}
				}
				texts = append(texts, s.Name(), s.Status().Description)
				for _, txt := range texts {
					assert.NotContains(t, txt, pw, s.Name())
					assert.NotContains(t, txt, pw2, s.Name())
				}
			}
			ops := operations(sr)
			assert.Equal(t, "AUTH ?", attrs(ops[0]).get("db.query.text"))
			assert.Equal(t, "auth ? ?", attrs(ops[1]).get("db.query.text"))
			assert.Equal(t, codes.Error, ops[2].Status().Code)
			assert.Equal(t, "WRONGPASS", attrs(ops[2]).get("db.response.status_code"))
			assert.Empty(t, ops[2].Status().Description, "a failed command with a secret has no description")
			assert.Equal(t, "CONFIG SET requirepass ?", attrs(ops[3]).get("db.query.text"))
			assert.Equal(t, "ACL SETUSER otel-user on ? ~* +@all", attrs(ops[4]).get("db.query.text"))
			assert.Equal(t, "MIGRATE 127.0.0.1 "+port+" otel:nokey 0 1000 AUTH ?", attrs(ops[6]).get("db.query.text"))
			assert.Equal(t, "MIGRATE 127.0.0.1 "+port+` "" 0 1000 AUTH2 ? ? KEYS otel:nokey`, attrs(ops[7]).get("db.query.text"))
			require.Len(t, ops, 9)
			assert.Equal(t, "AUTH ?; AUTH ? ?; CONFIG SET masterauth ?", attrs(ops[len(ops)-1]).get("db.query.text"))
		})
	}
}

// attrMap holds a span's attributes by key.
type attrMap map[attribute.Key]attribute.Value

// get is the string form of an attribute, "" when absent.
func (m attrMap) get(k string) string {
	v, ok := m[attribute.Key(k)]
	if !ok {
		return ""
	}
	return v.String()
}
