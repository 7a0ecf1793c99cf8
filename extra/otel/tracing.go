package otel

import (
	"context"
	"errors"
	"net"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// errNilClient is the error of an Instrument function given no client.
var errNilClient = errors.New("otel: the client is nil")

// DialSpanName is the name of the span of a new network connection.
const DialSpanName = "redis.dial"

// InstrumentTracing installs a hook on rdb (client.Client.AddHook) that
// makes a span for every command, pipeline, transaction and new connection
// of the client, its Conns and pipelines included (see the package doc for
// the spans and their attributes). It fails only when rdb is nil.
func InstrumentTracing(rdb *client.Client, opts ...Option) error {
	if rdb == nil {
		return errNilClient
	}
	c := newConfig(opts)
	rdb.AddHook(&tracingHook{
		tracer:    c.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(Version), trace.WithSchemaURL(semconv.SchemaURL)),
		t:         targetOf(rdb, c.attrs),
		extra:     c.attrs,
		queryText: c.queryText,
	})
	return nil
}

type tracingHook struct {
	tracer    trace.Tracer
	t         *target
	extra     []attribute.KeyValue
	queryText bool
}

var _ command.Hook = (*tracingHook)(nil)

func (h *tracingHook) DialHook(next command.DialFunc) command.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		attrs := make([]attribute.KeyValue, 0, 4+len(h.extra))
		attrs = append(attrs, semconv.DBSystemNameRedis)
		if network == "unix" {
			attrs = append(attrs, semconv.ServerAddress(addr), semconv.NetworkTransportUnix)
		} else {
			attrs = append(attrs, serverAttrs(splitHostPort(addr))...)
			attrs = append(attrs, semconv.NetworkTransportTCP)
		}
		attrs = append(attrs, h.extra...)
		ctx, span := h.tracer.Start(ctx, DialSpanName, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
		nc, err := next(ctx, network, addr)
		end(span, err, false)
		return nc, err
	}
}

func (h *tracingHook) ProcessHook(next command.ProcessFunc) command.ProcessFunc {
	return func(ctx context.Context, cmd command.Cmder) error {
		name := cmd.Name()
		attrs := make([]attribute.KeyValue, 0, len(h.t.common)+2)
		attrs = append(attrs, h.t.common...)
		attrs = append(attrs, semconv.DBOperationName(name))
		if h.queryText {
			attrs = append(attrs, semconv.DBQueryText(queryText(cmd)))
		}
		ctx, span := h.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
		err := next(ctx, cmd)
		end(span, err, failed(err) && sensitive(cmd))
		return err
	}
}

func (h *tracingHook) ProcessPipelineHook(next command.ProcessPipelineFunc) command.ProcessPipelineFunc {
	return func(ctx context.Context, cmds []command.Cmder) error {
		ops, tx := batchOps(cmds)
		name := batchName(ops, tx)
		attrs := make([]attribute.KeyValue, 0, len(h.t.common)+3)
		attrs = append(attrs, h.t.common...)
		attrs = append(attrs, semconv.DBOperationName(name))
		attrs = append(attrs, batchSize(ops)...)
		if h.queryText {
			attrs = append(attrs, semconv.DBQueryText(queryText(cmds...)))
		}
		ctx, span := h.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
		err := next(ctx, cmds)
		secret := false
		if failed(err) {
			for _, c := range ops {
				if sensitive(c) {
					secret = true
					break
				}
			}
		}
		end(span, err, secret)
		return err
	}
}

// end ends span with the outcome err: on failure, error.type (and
// db.response.status_code) and the status Error, described by the error's
// message unless the operation carries a secret that a server error might
// echo.
func end(span trace.Span, err error, secret bool) {
	if failed(err) {
		span.SetAttributes(errorAttrs(err)...)
		desc := err.Error()
		if secret {
			desc = ""
		}
		span.SetStatus(codes.Error, desc)
	}
	span.End()
}
