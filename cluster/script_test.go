package cluster_test

import (
	"fmt"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Scripts run by their first key's slot; NOSCRIPT loads them (on every
// master) and runs them again; in a pipeline they are loaded on every
// master before it runs.
func TestScripts(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		s := client.NewScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`)
		require.NoError(t, rdb.ScriptFlush(ctx, command.FlushSync).Err())
		for i := range 10 {
			k := fmt.Sprintf("%s:script%d", t.Name(), i)
			rdb.Del(ctx, k)
			v, err := s.RunOn(ctx, rdb, []string{k}, 5).Result()
			require.NoError(t, err)
			assert.EqualValues(t, 5, v)
		}
		exists, err := rdb.ScriptExists(ctx, s.SHA()).Result()
		require.NoError(t, err)
		assert.Equal(t, []bool{true}, exists, "loaded on every master")
		require.NoError(t, rdb.ScriptFlush(ctx, command.FlushSync).Err())
		exists, err = rdb.ScriptExists(ctx, s.SHA()).Result()
		require.NoError(t, err)
		assert.Equal(t, []bool{false}, exists)
		p := rdb.PipelineNoTx()
		defer p.Close()
		var res []interface{ Err() error }
		for i := range 10 {
			res = append(res, s.RunOn(ctx, p, []string{fmt.Sprintf("%s:script%d", t.Name(), i)}, 1))
		}
		_, err = p.Exec(ctx)
		require.NoError(t, err)
		for _, r := range res {
			assert.NoError(t, r.Err())
		}
	})
}
