// Package clienttest holds checks of a client.Client that the tests of
// more than one package run (client, pipeline).
package clienttest

import (
	"context"
	"errors"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/pipeline"
)

// RunTransactionRetryCap checks that MaxTransactionRetries caps the
// retries of Client.Transaction: a client of the server at addr with
// MaxTransactionRetries: retries runs a transaction whose every attempt
// changes its watched key (named after the test), and must give up with
// ErrTooManyRetries, wrapping the last WatchError, after the first try and
// that many retries.
func RunTransactionRetryCap(t *testing.T, addr string, retries int) {
	t.Helper()
	ctx := context.Background()
	rdb, err := client.New(client.Options{Addr: addr, MaxTransactionRetries: retries})
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	key := t.Name()
	calls := 0
	_, err = rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
		calls++
		rdb.Incr(ctx, key) // every attempt changes the watched key
		p.Multi()
		p.Set(ctx, key, "x", 0)
		return nil
	}, key)
	if !errors.Is(err, client.ErrTooManyRetries) {
		t.Errorf("Transaction: %v, want ErrTooManyRetries", err)
	}
	var we *redis.WatchError
	if !errors.As(err, &we) {
		t.Errorf("Transaction: %v, want a WatchError in it", err)
	}
	if calls != retries+1 {
		t.Errorf("the function ran %d times, want %d", calls, retries+1)
	}
}
