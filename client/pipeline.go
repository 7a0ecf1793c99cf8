package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

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
// changing through the first attempt and Options.MaxTransactionRetries
// retries (when that option is set; by default Transaction retries until
// its context ends). It wraps the last *redis.WatchError.
var ErrTooManyRetries = errors.New("redis: transaction retried too often")

// Transaction runs optimistic-locking transactions: it WATCHes keys, calls
// fn with a pipeline in immediate mode (reads return values at once), and
// after fn returns sends the commands fn buffered after p.Multi() as one
// MULTI/EXEC. When a watched key changed meanwhile, it waits a short random
// while (so that contenders do not collide again in step) and starts over,
// as redis-py's transaction() does: until it succeeds or ctx ends (the error
// then matches ctx's error, and wraps the last *redis.WatchError), or, when
// Options.MaxTransactionRetries is set, until that many retries failed
// (ErrTooManyRetries). It returns the transaction's results (see
// Pipeline.Exec), or fn's error, which ends it without retry.
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

// Backoff between the attempts of a transaction: full jitter, a random
// wait below a ceiling that doubles from txBackoffMin to txBackoffMax.
const (
	txBackoffMin = time.Millisecond
	txBackoffMax = 16 * time.Millisecond
)

// txBackoff returns the wait before retry number n (from 1).
func txBackoff(n int) time.Duration {
	ceiling := txBackoffMax
	if shift := n - 1; shift < 5 { // txBackoffMin<<4 == txBackoffMax
		ceiling = txBackoffMin << shift
	}
	return rand.N(ceiling) + 1
}

// transaction is Transaction on the pipeline p, which it closes. retries
// > 0 caps the retries; otherwise they go on until ctx ends.
func transaction(ctx context.Context, p *pipeline.Pipeline, retries int, fn func(p *pipeline.Pipeline) error, keys []string) ([]pipeline.Cmder, error) {
	defer p.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
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
		if !errors.As(err, &we) {
			return res, err
		}
		p.Reset()
		if retries > 0 && attempt >= retries {
			return nil, fmt.Errorf("%w (%d retries): %w", ErrTooManyRetries, retries, err)
		}
		t := time.NewTimer(txBackoff(attempt + 1))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("redis: transaction stopped after %d attempts: %w (last: %w)", attempt+1, ctx.Err(), err)
		}
	}
}
