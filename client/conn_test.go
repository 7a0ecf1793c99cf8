package client_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pipeline"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newPoolOfOne returns a client with a single pooled connection and no
// auto-pipelining, so that which connection a command used is known.
func newPoolOfOne(t *testing.T, proto int) *client.Client {
	t.Helper()
	rdb, err := client.New(client.Options{Addr: redistest.Shared(t).Addr(), Protocol: proto, PoolSize: 1,
		PoolTimeout: 200 * time.Millisecond, DisableAutoPipeline: true})
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// A Conn keeps its connection for its caller: the pool cannot hand it out
// meanwhile, every command runs on it, and Close gives it back as it was.
func TestConnReservesOneConnection(t *testing.T) {
	for _, proto := range []int{2, 3} {
		rdb := newPoolOfOne(t, proto)
		id, err := rdb.ClientID(ctx).Result()
		require.NoError(t, err)

		k, err := rdb.Conn(ctx)
		require.NoError(t, err)
		for range 3 {
			got, err := k.ClientID(ctx).Result()
			require.NoError(t, err)
			assert.Equal(t, id, got, "the pool's one connection")
		}
		var pe *pool.PoolTimeoutError
		assert.ErrorAs(t, rdb.Ping(ctx).Err(), &pe, "reserved: the client waits for it")

		require.NoError(t, k.Close())
		require.NoError(t, k.Close(), "twice is fine")
		got, err := rdb.ClientID(ctx).Result()
		require.NoError(t, err)
		assert.Equal(t, id, got, "given back, not closed: nothing changed its state")
		assert.Equal(t, 1, rdb.PoolStats().TotalConns)
	}
}

// State set on a Conn holds from one command to the next, and the
// connection is closed afterwards, so the pool never hands out a
// connection on another database, user or name.
func TestConnStateStaysWithIt(t *testing.T) {
	rdb := newPoolOfOne(t, 2)
	key := t.Name()
	require.NoError(t, rdb.Set(ctx, key, "db0", 0).Err())
	id, err := rdb.ClientID(ctx).Result()
	require.NoError(t, err)

	k, err := rdb.Conn(ctx)
	require.NoError(t, err)
	require.NoError(t, k.Select(ctx, 1))
	require.NoError(t, k.Set(ctx, key, "db1", 0).Err())
	assert.Equal(t, "db1", k.Get(ctx, key).Val())
	info, err := k.ClientInfo(ctx).Result()
	require.NoError(t, err)
	assert.EqualValues(t, 1, info.DB)
	require.NoError(t, k.ClientSetName(ctx, "reserved").Err())
	assert.Equal(t, "reserved", k.ClientGetName(ctx).Val())
	// A pipeline of the Conn runs on it, on its database.
	p := k.Pipeline()
	get := p.Get(ctx, key)
	pid := p.ClientID(ctx)
	_, err = p.Exec(ctx)
	require.NoError(t, err)
	assert.Equal(t, "db1", get.Val())
	assert.Equal(t, id, pid.Val())
	p.Close()
	assert.Contains(t, k.String(), "state changed")
	require.NoError(t, k.Close())

	assert.Equal(t, "db0", rdb.Get(ctx, key).Val(), "the pool's connections are on db 0")
	newID, err := rdb.ClientID(ctx).Result()
	require.NoError(t, err)
	assert.NotEqual(t, id, newID, "the changed connection was closed")
	assert.Empty(t, rdb.ClientGetName(ctx).Val())
	assert.Equal(t, 1, rdb.PoolStats().TotalConns)
	var se *client.StatefulCommandError
	assert.ErrorAs(t, rdb.Do(ctx, "SELECT", 1).Err(), &se, "the client's own Do still refuses SELECT")
}

// Tracking and caching are states of one connection: on a Conn, CLIENT
// TRACKING's redirection is still there for the next command.
func TestConnKeepsTracking(t *testing.T) {
	rdb := newPoolOfOne(t, 2)
	k, err := rdb.Conn(ctx)
	require.NoError(t, err)
	defer k.Close()
	id, err := k.ClientID(ctx).Result()
	require.NoError(t, err)
	require.NoError(t, k.ClientTracking(ctx, true, client.ClientTrackingArgs{Redirect: id, OptIn: true}).Err())
	assert.Equal(t, id, k.ClientGetRedir(ctx).Val())
	require.NoError(t, k.ClientCaching(ctx, true).Err())
	require.NoError(t, k.Close())
	assert.EqualValues(t, -1, rdb.ClientGetRedir(ctx).Val(), "a pooled connection without tracking")
}

// Do on a Conn accepts SELECT, AUTH and RESET, and still refuses what
// would break the one-reply-per-command exchange.
func TestConnDo(t *testing.T) {
	rdb := newPoolOfOne(t, 2)
	k, err := rdb.Conn(ctx)
	require.NoError(t, err)
	defer k.Close()
	var se *client.StatefulCommandError
	for _, args := range [][]any{{"SUBSCRIBE", "ch"}, {"MONITOR"}, {"CLIENT", "REPLY", "OFF"}, {"MULTI"}, {"HELLO", 3}, {"QUIT"}} {
		assert.ErrorAs(t, k.Do(ctx, args...).Err(), &se, "%v", args)
	}
	assert.NotContains(t, k.String(), "state changed", "nothing was sent")
	require.NoError(t, k.Do(ctx, "SELECT", 2).Err())
	var re *redis.Error
	assert.ErrorAs(t, k.Do(ctx, "AUTH", "nobody", "wrong").Err(), &re)
	require.NoError(t, k.Do(ctx, "RESET").Err())
	assert.EqualValues(t, 0, k.ClientInfo(ctx).Val().DB, "RESET went back to db 0")
}

// After Close a Conn's commands fail at once: the connection may already
// serve another caller.
func TestConnAfterClose(t *testing.T) {
	rdb := newPoolOfOne(t, 2)
	k, err := rdb.Conn(ctx)
	require.NoError(t, err)
	p := k.PipelineNoTx()
	p.Ping(ctx)
	require.NoError(t, k.Close())

	other, err := rdb.Conn(ctx) // the same connection, for someone else
	require.NoError(t, err)
	defer other.Close()
	assert.ErrorIs(t, k.Ping(ctx).Err(), client.ErrConnClosed)
	assert.ErrorIs(t, k.Select(ctx, 1), client.ErrConnClosed)
	_, err = p.Exec(ctx)
	assert.ErrorIs(t, err, client.ErrConnClosed)
	assert.ErrorIs(t, k.Err(), client.ErrConnClosed)
	assert.NoError(t, other.Ping(ctx).Err())
	assert.EqualValues(t, 0, other.ClientInfo(ctx).Val().DB)
}

// A Conn whose connection failed is not replaced: its commands return the
// error, and Close frees the pool's place.
func TestConnBroken(t *testing.T) {
	rdb := newPoolOfOne(t, 2)
	k, err := rdb.Conn(ctx)
	require.NoError(t, err)
	c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	require.Error(t, k.BLPop(c, time.Second, t.Name()).Err(), "the context ends mid-reply")
	require.Error(t, k.Err())
	assert.Error(t, k.Ping(ctx).Err())
	require.NoError(t, k.Close())
	assert.NoError(t, rdb.Ping(ctx).Err(), "a new connection took its place")
}

// Transaction on a Conn runs on its connection and database, and retries
// when a watched key changed.
func TestConnTransaction(t *testing.T) {
	rdb, err := client.New(client.Options{Addr: redistest.Shared(t).Addr(), DisableAutoPipeline: true})
	require.NoError(t, err)
	defer rdb.Close()
	key := t.Name()
	k, err := rdb.Conn(ctx)
	require.NoError(t, err)
	defer k.Close()
	require.NoError(t, k.Select(ctx, 1))
	require.NoError(t, k.Set(ctx, key, 10, 0).Err())
	other, err := rdb.Conn(ctx)
	require.NoError(t, err)
	defer other.Close()
	require.NoError(t, other.Select(ctx, 1))

	attempts := 0
	res, err := k.Transaction(ctx, func(p *pipeline.Pipeline) error {
		attempts++
		s, err := p.Get(ctx, key).Result()
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		if attempts == 1 {
			// Someone else changes the watched key: EXEC fails, and the
			// transaction starts over.
			require.NoError(t, other.IncrBy(ctx, key, 5).Err())
		}
		p.Multi()
		p.Set(ctx, key, n*2, 0)
		return nil
	}, key)
	require.NoError(t, err)
	require.Len(t, res, 1)
	assert.Equal(t, 2, attempts)
	assert.Equal(t, "30", k.Get(ctx, key).Val(), "(10+5)*2, on db 1")
	assert.Equal(t, int64(0), rdb.Exists(ctx, key).Val(), "nothing on db 0")
}
