package otel_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/extra/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// The examples connect to the server named by the REDIS_URL environment
// variable, or to localhost:6379, and use keys under "example:".

func ExampleInstrumentTracing() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	// A real program passes the provider its exporter is on, or none (the
	// global provider); this one records the spans in memory.
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	if err := otel.InstrumentTracing(rdb, otel.WithTracerProvider(tp)); err != nil {
		panic(err)
	}

	rdb.Set(ctx, "example:otel:greeting", "hello", time.Minute)
	rdb.Get(ctx, "example:otel:greeting")
	rdb.Get(ctx, "example:otel:missing") // a nil reply is no error
	rdb.LPush(ctx, "example:otel:greeting", "x")
	p := rdb.PipelineNoTx()
	p.Incr(ctx, "example:otel:a")
	p.Incr(ctx, "example:otel:b")
	p.Exec(ctx)
	p.Close()

	for _, s := range spans.Ended() {
		if s.Name() == otel.DialSpanName {
			continue // one per new connection: how many depends on the pool
		}
		line := fmt.Sprintf("%s %s", s.Name(), s.Status().Code)
		for _, kv := range s.Attributes() {
			switch kv.Key {
			case "db.operation.batch.size", "db.response.status_code":
				line += fmt.Sprintf(" %s=%s", kv.Key, kv.Value.String())
			}
		}
		fmt.Println(line)
	}
	// Output:
	// SET Unset
	// GET Unset
	// GET Unset
	// LPUSH Error db.response.status_code=WRONGTYPE
	// PIPELINE INCR Unset db.operation.batch.size=2
}

func ExampleInstrumentMetrics() {
	ctx := context.Background()
	rdb, err := client.NewFromURL(cmp.Or(os.Getenv("REDIS_URL"), "redis://localhost:6379"))
	if err != nil {
		panic(err)
	}
	defer rdb.Close()

	// A real program passes the provider its exporter is on, or none (the
	// global provider); this one reads the metrics when asked.
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	if err := otel.InstrumentMetrics(rdb, otel.WithMeterProvider(mp)); err != nil {
		panic(err)
	}

	rdb.Set(ctx, "example:otel:greeting", "hello", time.Minute)
	rdb.Get(ctx, "example:otel:greeting")

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		panic(err)
	}
	var names []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Println(n)
	}
	// Output:
	// db.client.connection.count
	// db.client.connection.create_time
	// db.client.connection.idle.min
	// db.client.connection.max
	// db.client.connection.pending_requests
	// db.client.connection.timeouts
	// db.client.operation.duration
	// redis.client.connection.closed
	// redis.client.connection.wait_time
	// redis.client.connection.waits
}
