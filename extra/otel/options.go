package otel

import (
	global "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/duoredis/redis/extra/otel"

// Version is the version of this instrumentation, reported with its scope.
const Version = "0.1.0"

// Option configures InstrumentTracing and InstrumentMetrics.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tp        trace.TracerProvider
	mp        metric.MeterProvider
	queryText bool
	attrs     []attribute.KeyValue
}

func newConfig(opts []Option) *config {
	c := &config{}
	for _, o := range opts {
		o.apply(c)
	}
	if c.tp == nil {
		c.tp = global.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = global.GetMeterProvider()
	}
	return c
}

// WithTracerProvider sets the provider of the tracer.
// default: the global one (go.opentelemetry.io/otel.GetTracerProvider)
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tp = tp })
}

// WithMeterProvider sets the provider of the meter.
// default: the global one (go.opentelemetry.io/otel.GetMeterProvider)
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.mp = mp })
}

// WithQueryText makes spans carry db.query.text: the command line with its
// secrets redacted (see the package doc). Values and keys may still be
// sensitive or large: the semantic conventions keep it off by default.
// default: false
func WithQueryText(on bool) Option {
	return optionFunc(func(c *config) { c.queryText = on })
}

// WithAttributes adds attributes to every span and to every measurement
// (keep them few and of low cardinality on metrics).
// default: none
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) { c.attrs = append(c.attrs, attrs...) })
}
