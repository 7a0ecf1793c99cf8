package otel

import (
	"context"
	"net"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// DurationBuckets are the bucket boundaries, in seconds, of
// db.client.operation.duration and db.client.connection.create_time: from
// 100 µs, since a command on a local network takes a few hundred, to 10 s.
var DurationBuckets = []float64{
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// InstrumentMetrics installs a hook on rdb (client.Client.AddHook) that
// records the duration of every command, pipeline and transaction, and the
// time to open each network connection, and registers a callback that
// reports the statistics of rdb's connection pool when the meter's reader
// collects (see the package doc for the instruments and their attributes).
// The callback stays registered as long as the meter provider lives. It
// fails when rdb is nil or the meter refuses an instrument.
func InstrumentMetrics(rdb *client.Client, opts ...Option) error {
	if rdb == nil {
		return errNilClient
	}
	c := newConfig(opts)
	meter := c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version), metric.WithSchemaURL(semconv.SchemaURL))
	t := targetOf(rdb, c.attrs)
	h := &metricsHook{t: t}
	var err error
	if h.duration, err = meter.Float64Histogram("db.client.operation.duration",
		metric.WithDescription("Duration of database client operations."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(DurationBuckets...)); err != nil {
		return err
	}
	if h.createTime, err = meter.Float64Histogram("db.client.connection.create_time",
		metric.WithDescription("The time it took to create a new connection."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(DurationBuckets...)); err != nil {
		return err
	}
	pool := append([]attribute.KeyValue{semconv.DBClientConnectionPoolName(t.poolName)}, c.attrs...)
	h.poolSet = attribute.NewSet(pool...)
	if err := observePool(meter, rdb, pool); err != nil {
		return err
	}
	rdb.AddHook(h)
	return nil
}

// observePool registers the instruments of the pool's statistics and their
// callback.
func observePool(meter metric.Meter, rdb *client.Client, pool []attribute.KeyValue) error {
	count, err := meter.Int64ObservableUpDownCounter("db.client.connection.count",
		metric.WithDescription("The number of connections that are currently in state described by the state attribute."),
		metric.WithUnit("{connection}"))
	if err != nil {
		return err
	}
	maxConns, err := meter.Int64ObservableUpDownCounter("db.client.connection.max",
		metric.WithDescription("The maximum number of open connections allowed."),
		metric.WithUnit("{connection}"))
	if err != nil {
		return err
	}
	idleMin, err := meter.Int64ObservableUpDownCounter("db.client.connection.idle.min",
		metric.WithDescription("The minimum number of idle open connections allowed."),
		metric.WithUnit("{connection}"))
	if err != nil {
		return err
	}
	pending, err := meter.Int64ObservableUpDownCounter("db.client.connection.pending_requests",
		metric.WithDescription("The number of auto-pipelined commands in flight on the shared connections."),
		metric.WithUnit("{request}"))
	if err != nil {
		return err
	}
	timeouts, err := meter.Int64ObservableCounter("db.client.connection.timeouts",
		metric.WithDescription("The number of connection timeouts that have occurred trying to obtain a connection from the pool."),
		metric.WithUnit("{timeout}"))
	if err != nil {
		return err
	}
	waitTime, err := meter.Float64ObservableCounter("redis.client.connection.wait_time",
		metric.WithDescription("The total time spent waiting for a free connection of the pool."),
		metric.WithUnit("s"))
	if err != nil {
		return err
	}
	waits, err := meter.Int64ObservableCounter("redis.client.connection.waits",
		metric.WithDescription("The number of times a command waited for a free connection of the pool."),
		metric.WithUnit("{wait}"))
	if err != nil {
		return err
	}
	closed, err := meter.Int64ObservableCounter("redis.client.connection.closed",
		metric.WithDescription("The number of connections closed, by reason."),
		metric.WithUnit("{connection}"))
	if err != nil {
		return err
	}

	with := func(kv ...attribute.KeyValue) metric.MeasurementOption {
		return metric.WithAttributeSet(attribute.NewSet(append(append([]attribute.KeyValue(nil), pool...), kv...)...))
	}
	all := with()
	idle, used := with(semconv.DBClientConnectionStateIdle), with(semconv.DBClientConnectionStateUsed)
	reasons := [...]metric.MeasurementOption{
		with(closeReasonKey.String("idle_timeout")),
		with(closeReasonKey.String("max_lifetime")),
		with(closeReasonKey.String("dead")),
		with(closeReasonKey.String("error")),
		with(closeReasonKey.String("pool_closed")),
	}
	po := rdb.Pool().Options()
	_, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := rdb.PoolStats()
		o.ObserveInt64(count, int64(st.IdleConns), idle)
		o.ObserveInt64(count, int64(st.TotalConns-st.IdleConns), used)
		o.ObserveInt64(maxConns, int64(po.PoolSize), all)
		o.ObserveInt64(idleMin, int64(po.MinIdle), all)
		o.ObserveInt64(pending, int64(st.PendingRequests), all)
		o.ObserveInt64(timeouts, int64(st.Timeouts), all)
		o.ObserveFloat64(waitTime, st.WaitDuration.Seconds(), all)
		o.ObserveInt64(waits, int64(st.WaitCount), all)
		for i, n := range [...]uint64{st.Closed.IdleTimeout, st.Closed.MaxLifetime, st.Closed.Dead, st.Closed.Error, st.Closed.PoolClosed} {
			o.ObserveInt64(closed, int64(n), reasons[i])
		}
		return nil
	}, count, maxConns, idleMin, pending, timeouts, waitTime, waits, closed)
	return err
}

type metricsHook struct {
	t          *target
	duration   metric.Float64Histogram
	createTime metric.Float64Histogram
	poolSet    attribute.Set
}

var _ command.Hook = (*metricsHook)(nil)

func (h *metricsHook) DialHook(next command.DialFunc) command.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		start := time.Now()
		nc, err := next(ctx, network, addr)
		if err == nil {
			h.createTime.Record(ctx, time.Since(start).Seconds(), metric.WithAttributeSet(h.poolSet))
		}
		return nc, err
	}
}

func (h *metricsHook) ProcessHook(next command.ProcessFunc) command.ProcessFunc {
	return func(ctx context.Context, cmd command.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		h.record(ctx, start, cmd.Name(), err)
		return err
	}
}

func (h *metricsHook) ProcessPipelineHook(next command.ProcessPipelineFunc) command.ProcessPipelineFunc {
	return func(ctx context.Context, cmds []command.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		ops, tx := batchOps(cmds)
		h.record(ctx, start, batchName(ops, tx), err)
		return err
	}
}

// record records one operation's duration.
func (h *metricsHook) record(ctx context.Context, start time.Time, name string, err error) {
	d := time.Since(start).Seconds()
	attrs := make([]attribute.KeyValue, 0, len(h.t.common)+3)
	attrs = append(attrs, h.t.common...)
	attrs = append(attrs, semconv.DBOperationName(name))
	if failed(err) {
		attrs = append(attrs, errorAttrs(err)...)
	}
	h.duration.Record(ctx, d, metric.WithAttributeSet(attribute.NewSet(attrs...)))
}
