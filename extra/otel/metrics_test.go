package otel_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/extra/otel"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// collected reads every metric of the reader, by name.
func collected(t *testing.T, r *sdkmetric.ManualReader) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, otel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// point returns the value of the data point of an int64 sum whose
// attributes include kv, failing when there is none.
func point(t *testing.T, m metricdata.Metrics, kv ...attribute.KeyValue) int64 {
	t.Helper()
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a %T", m.Name, m.Data)
	for _, dp := range sum.DataPoints {
		if hasAll(dp.Attributes, kv) {
			return dp.Value
		}
	}
	t.Fatalf("%s has no point with %v", m.Name, kv)
	return 0
}

func hasAll(set attribute.Set, kv []attribute.KeyValue) bool {
	for _, want := range kv {
		if v, ok := set.Value(want.Key); !ok || v != want.Value {
			return false
		}
	}
	return true
}

func TestMetrics(t *testing.T) {
	srv := sharedTB(t)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { mp.Shutdown(context.Background()) })
	// One connection, and a short wait for it, to see a timeout.
	rdb, err := client.New(client.Options{Addr: srv.addr, PoolSize: 1, PoolTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	defer rdb.Close()
	require.NoError(t, otel.InstrumentMetrics(rdb, otel.WithMeterProvider(mp), env))

	k := key(t, "k")
	require.NoError(t, rdb.Set(ctx, k, "v", time.Minute).Err())
	require.NoError(t, rdb.Get(ctx, k).Err())
	require.ErrorIs(t, rdb.Get(ctx, k+":missing").Err(), redis.Nil)
	require.Error(t, rdb.LPush(ctx, k, "x").Err())
	p := rdb.PipelineNoTx()
	p.Get(ctx, k)
	p.Incr(ctx, k+":n")
	_, err = p.Exec(ctx)
	require.NoError(t, err)
	p.Close()

	// BLPOP holds the only connection: a GET waits PoolTimeout for it.
	done := make(chan error)
	go func() { done <- rdb.BLPop(ctx, 500*time.Millisecond, key(t, "list")).Err() }()
	time.Sleep(100 * time.Millisecond)
	err = rdb.Get(ctx, k).Err()
	require.ErrorIs(t, err, pool.ErrPoolTimeout)
	require.ErrorIs(t, <-done, redis.Nil)

	ms := collected(t, reader)
	poolName := attribute.String("db.client.connection.pool.name", "127.0.0.1:"+strconv.Itoa(srv.port)+"/0")
	envAttr := attribute.String("deployment.environment.name", "otel-test")

	// db.client.operation.duration: one value per command or batch.
	d := ms["db.client.operation.duration"]
	assert.Equal(t, "s", d.Unit)
	h, ok := d.Data.(metricdata.Histogram[float64])
	require.True(t, ok)
	counts := map[string]uint64{}
	for _, dp := range h.DataPoints {
		assert.Equal(t, otel.DurationBuckets, dp.Bounds)
		assert.Equal(t, 0.0001, dp.Bounds[0])
		op, _ := dp.Attributes.Value("db.operation.name")
		label := op.AsString()
		if st, ok := dp.Attributes.Value("db.response.status_code"); ok {
			label += "/" + st.AsString()
		}
		if et, ok := dp.Attributes.Value("error.type"); ok {
			label += "/" + et.AsString()
		}
		counts[label] += dp.Count
		assert.True(t, hasAll(dp.Attributes, []attribute.KeyValue{
			attribute.String("db.system.name", "redis"), attribute.String("db.namespace", "0"),
			attribute.String("server.address", "127.0.0.1"), attribute.Int("server.port", srv.port), envAttr,
		}), "%s: %v", label, dp.Attributes.ToSlice())
		assert.False(t, dp.Attributes.HasValue("db.query.text"))
		assert.Positive(t, dp.Sum)
	}
	assert.Equal(t, map[string]uint64{
		"SET": 1, "GET": 2, "LPUSH/WRONGTYPE/WRONGTYPE": 1, "PIPELINE": 1, "BLPOP": 1,
		"GET/*pool.PoolTimeoutError": 1,
	}, counts)

	// db.client.connection.create_time: the one connection.
	ct := ms["db.client.connection.create_time"].Data.(metricdata.Histogram[float64])
	require.Len(t, ct.DataPoints, 1)
	assert.Equal(t, uint64(1), ct.DataPoints[0].Count)
	assert.True(t, hasAll(ct.DataPoints[0].Attributes, []attribute.KeyValue{poolName, envAttr}))

	// Pool statistics.
	st := rdb.PoolStats()
	idle := point(t, ms["db.client.connection.count"], poolName, attribute.String("db.client.connection.state", "idle"))
	used := point(t, ms["db.client.connection.count"], poolName, attribute.String("db.client.connection.state", "used"))
	assert.Equal(t, int64(st.TotalConns), idle+used)
	assert.Equal(t, int64(1), idle)
	assert.Equal(t, int64(1), point(t, ms["db.client.connection.max"], poolName))
	assert.Equal(t, int64(0), point(t, ms["db.client.connection.idle.min"], poolName))
	assert.Equal(t, int64(0), point(t, ms["db.client.connection.pending_requests"], poolName))
	assert.Equal(t, int64(1), point(t, ms["db.client.connection.timeouts"], poolName, envAttr))
	assert.Equal(t, int64(st.WaitCount), point(t, ms["redis.client.connection.waits"], poolName))
	assert.GreaterOrEqual(t, st.WaitCount, uint64(1))
	wt := ms["redis.client.connection.wait_time"].Data.(metricdata.Sum[float64])
	require.Len(t, wt.DataPoints, 1)
	assert.True(t, wt.IsMonotonic)
	assert.InDelta(t, st.WaitDuration.Seconds(), wt.DataPoints[0].Value, 1e-9)
	assert.GreaterOrEqual(t, wt.DataPoints[0].Value, 0.09)
	for _, reason := range []string{"idle_timeout", "max_lifetime", "dead", "error", "pool_closed"} {
		assert.Equal(t, int64(0), point(t, ms["redis.client.connection.closed"], poolName,
			attribute.String("redis.client.connection.close.reason", reason)), reason)
	}

	// Closing the client closes its pool's connection.
	require.NoError(t, rdb.Close())
	ms = collected(t, reader)
	assert.Equal(t, int64(1), point(t, ms["redis.client.connection.closed"], poolName,
		attribute.String("redis.client.connection.close.reason", "pool_closed")))
	assert.Equal(t, int64(0), point(t, ms["db.client.connection.count"], attribute.String("db.client.connection.state", "idle")))
}

func TestInstrumentNil(t *testing.T) {
	assert.Error(t, otel.InstrumentTracing(nil))
	assert.Error(t, otel.InstrumentMetrics(nil))
}

// TestMetricsDialFailure: a failed dial records no create_time, and the
// command's duration has its error.type.
func TestMetricsDialFailure(t *testing.T) {
	port, err := freePort()
	require.NoError(t, err)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	rdb, err := client.New(client.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), DisableAutoPipeline: true})
	require.NoError(t, err)
	defer rdb.Close()
	require.NoError(t, otel.InstrumentMetrics(rdb, otel.WithMeterProvider(mp)))
	err = rdb.Ping(ctx).Err()
	var ce *redis.ConnectionError
	require.True(t, errors.As(err, &ce), "%v", err)
	ms := collected(t, reader)
	_, ok := ms["db.client.connection.create_time"]
	assert.False(t, ok)
	h := ms["db.client.operation.duration"].Data.(metricdata.Histogram[float64])
	require.Len(t, h.DataPoints, 1)
	et, _ := h.DataPoints[0].Attributes.Value("error.type")
	assert.Equal(t, "*redis.ConnectionError", et.AsString())
}
