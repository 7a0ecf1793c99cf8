package client_test

import (
	"errors"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Do refuses the commands that would leave a pooled connection in a state
// that the next command on it does not expect, before anything is sent.
func TestDoRefusesStatefulCommands(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		key := k.Key("stateful")
		require.NoError(t, rdb.Set(ctx, key, "db0", 0).Err())
		refused := [][]any{
			{"SUBSCRIBE", "ch"}, {"psubscribe", "p*"}, {"SSUBSCRIBE", "s"},
			{"UNSUBSCRIBE"}, {"PUNSUBSCRIBE"}, {"SUNSUBSCRIBE"},
			{"MONITOR"}, {"SYNC"}, {"PSYNC", "?", "-1"},
			{"SELECT", 1}, {"AUTH", "pw"}, {"HELLO", 3}, {"RESET"}, {"QUIT"},
			{"CLIENT", "REPLY", "OFF"}, {"client", "reply", "skip"},
			{"MULTI"}, {"exec"}, {"DISCARD"}, {"WATCH", key}, {"SCRIPT", "DEBUG", "YES"},
		}
		for _, args := range refused {
			err := rdb.Do(ctx, args...).Err()
			var se *client.StatefulCommandError
			require.True(t, errors.As(err, &se), "%v: %v", args, err)
			assert.NotEmpty(t, se.Reason)
			assert.NotContains(t, err.Error(), "pw", "arguments are not echoed")

			p := rdb.PipelineNoTx()
			assert.ErrorAs(t, p.Do(ctx, args...).Err(), &se, "%v in a pipeline", args)
			p.Close()
		}
		// Every pooled connection is still on db 0 and answering.
		for i := 0; i < 4; i++ {
			v, err := rdb.Get(ctx, key).Result()
			require.NoError(t, err)
			assert.Equal(t, "db0", v)
		}
		v, err := rdb.Do(ctx, "CLIENT", "REPLY", "ON").Result()
		require.NoError(t, err, "CLIENT REPLY ON changes nothing")
		assert.EqualValues(t, "OK", v)
		v, err = rdb.Do(ctx, "SCRIPT", "DEBUG", "NO").Result()
		require.NoError(t, err, "SCRIPT DEBUG NO changes nothing")
		assert.EqualValues(t, "OK", v)
		require.NoError(t, rdb.Do(ctx, "UNWATCH").Err(), "UNWATCH only clears")

		// A pipeline's WATCH runs on the pipeline's own connection, which
		// the pipeline gives back unwatched.
		p := rdb.Pipeline()
		require.NoError(t, p.Watch(ctx, key))
		require.NoError(t, p.Do(ctx, "WATCH", key+":other").Err())
		p.Multi()
		p.Set(ctx, key, "db0", 0)
		_, err = p.Exec(ctx)
		require.NoError(t, err)
		p.Close()
	})
}
