package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/duoredis/redis/benchmarks/internal/measure"
	"github.com/duoredis/redis/benchmarks/internal/workload"
)

// Large values: duoredis's GetInto (a buffer the caller reuses), GetTo (an
// io.Writer) and SetFrom (an io.Reader); the other clients have no such
// calls and skip those workloads. SET 1 MiB runs every client with its
// plain Set.

// countingWriter takes what it is given and counts it, as a writer to a
// file or a socket would (without the copy).
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func init() {
	loops[workload.GetInto1M] = func(ctx context.Context, c Client) (loop, error) {
		d, ok := c.(*duo)
		if !ok {
			return nil, workload.ErrSkip
		}
		var buf []byte
		return measure.Serial(func() error {
			v, err := d.rdb.GetInto(ctx, workload.Key1M, buf).Result()
			if err != nil {
				return err
			}
			buf = v
			return workload.CheckCount(len(v), nil, workload.Size1M)
		}), nil
	}
	loops[workload.GetTo1M] = func(ctx context.Context, c Client) (loop, error) {
		d, ok := c.(*duo)
		if !ok {
			return nil, workload.ErrSkip
		}
		var w countingWriter
		return measure.Serial(func() error {
			w.n = 0
			n, err := d.rdb.GetTo(ctx, workload.Key1M, &w).Result()
			if err == nil && n != w.n {
				return fmt.Errorf("GetTo: reported %d bytes, the writer took %d", n, w.n)
			}
			return workload.CheckCount(int(n), err, workload.Size1M)
		}), nil
	}
	value := workload.Value1M()
	loops[workload.Set1M] = func(ctx context.Context, c Client) (loop, error) {
		return measure.Serial(func() error { return c.Set(ctx, workload.KeySet1M, value) }), nil
	}
	loops[workload.SetFrom1M] = func(ctx context.Context, c Client) (loop, error) {
		d, ok := c.(*duo)
		if !ok {
			return nil, workload.ErrSkip
		}
		r := bytes.NewReader(value)
		return measure.Serial(func() error {
			r.Reset(value)
			return d.rdb.SetFrom(ctx, workload.KeySet1M, r, int64(len(value)), 0).Err()
		}), nil
	}
}
