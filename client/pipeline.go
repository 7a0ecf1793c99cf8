package client

import (
	"context"
	"errors"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pipeline"
)

// Pipeline returns a pipeline whose Exec runs the buffered commands as one
// MULTI/EXEC transaction, in one round trip. See package pipeline.
func (c *Client) Pipeline() *pipeline.Pipeline { return pipeline.New(c.engine, true) }

// PipelineNoTx returns a pipeline that sends its commands in one round trip
// without MULTI/EXEC: faster, but other clients' commands may run between
// them.
func (c *Client) PipelineNoTx() *pipeline.Pipeline { return pipeline.New(c.engine, false) }

// ErrTooManyRetries is returned by Transaction when a watched key kept
// changing for MaxTransactionRetries attempts. It wraps the last
// *redis.WatchError.
var ErrTooManyRetries = errors.New("redis: transaction retried too often")

// Transaction runs optimistic-locking transactions: it WATCHes keys, calls
// fn with a pipeline in immediate mode (reads return values at once), and
// after fn returns sends the commands fn buffered after p.Multi() as one
// MULTI/EXEC. When a watched key changed meanwhile, it starts over, up to
// Options.MaxTransactionRetries times. It returns the transaction's results
// (see Pipeline.Exec), or fn's error, which ends it without retry.
//
//	_, err := rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
//		s, err := p.Get(ctx, "counter").Result() // runs at once
//		if err != nil && err != redis.Nil {
//			return err
//		}
//		n, _ := strconv.Atoi(s)
//		p.Multi()
//		p.Set(ctx, "counter", n+1, 0) // buffered, sent by the EXEC
//		return nil
//	}, "counter")
func (c *Client) Transaction(ctx context.Context, fn func(p *pipeline.Pipeline) error, keys ...string) ([]pipeline.Cmder, error) {
	return transaction(ctx, c.Pipeline(), c.opts.MaxTransactionRetries, fn, keys)
}

// transaction is Transaction on the pipeline p, which it closes.
func transaction(ctx context.Context, p *pipeline.Pipeline, retries int, fn func(p *pipeline.Pipeline) error, keys []string) ([]pipeline.Cmder, error) {
	if retries <= 0 {
		retries = 100
	}
	defer p.Close()
	var lastErr error
	for attempt := 0; attempt <= retries; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(keys) > 0 {
			if err := p.Watch(ctx, keys...); err != nil {
				p.Reset()
				return nil, err
			}
		}
		if err := fn(p); err != nil {
			p.Reset()
			return nil, err
		}
		res, err := p.Exec(ctx)
		var we *redis.WatchError
		if errors.As(err, &we) {
			lastErr = err
			p.Reset()
			continue
		}
		return res, err
	}
	return nil, errors.Join(ErrTooManyRetries, lastErr)
}
