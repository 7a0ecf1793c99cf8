package client_test

import (
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerCommand(t *testing.T) {
	var infos [2]map[string]client.CommandInfo
	var docs [2]map[string]client.CommandDoc
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		count, err := rdb.CommandCount(ctx).Result()
		require.NoError(t, err)
		assert.Greater(t, count, int64(200))

		m, err := rdb.CommandInfo(ctx, "get", "no-such-command", "config").Result()
		require.NoError(t, err)
		require.Len(t, m, 2)
		get := m["get"]
		assert.Equal(t, "get", get.Name)
		assert.Equal(t, int64(2), get.Arity)
		assert.Equal(t, []string{"readonly", "fast"}, get.Flags)
		assert.Equal(t, [3]int64{1, 1, 1}, [3]int64{get.FirstKey, get.LastKey, get.KeyStep})
		assert.Equal(t, []string{"@read", "@string", "@fast"}, get.ACLCategories)
		assert.Empty(t, get.Tips)
		assert.Empty(t, get.Subcommands)
		require.Len(t, get.KeySpecs, 1)
		assert.Equal(t, client.KeySpec{
			Flags:       []string{"RO", "access"},
			BeginSearch: client.KeySpecBeginSearch{Type: "index", Index: 1},
			FindKeys:    client.KeySpecFindKeys{Type: "range", LastKey: 0, KeyStep: 1, Limit: 0},
		}, get.KeySpecs[0])
		cfg := m["config"]
		assert.Equal(t, int64(-2), cfg.Arity)
		var subs []string
		for _, s := range cfg.Subcommands {
			subs = append(subs, s.Name)
			if s.Name == "config|set" {
				assert.Contains(t, s.Tips, "request_policy:all_nodes")
				assert.Contains(t, s.Flags, "admin")
			}
		}
		assert.Contains(t, subs, "config|get")

		// Key specs of the other kinds.
		m = rdb.CommandInfo(ctx, "zunionstore", "migrate").Val()
		zs := m["zunionstore"].KeySpecs
		require.Len(t, zs, 2)
		assert.Equal(t, client.KeySpecFindKeys{Type: "keynum", KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}, zs[1].FindKeys)
		var keyword bool
		for _, s := range m["migrate"].KeySpecs {
			if s.BeginSearch.Type == "keyword" {
				keyword = true
				assert.Equal(t, "KEYS", s.BeginSearch.Keyword)
				assert.Equal(t, int64(-2), s.BeginSearch.StartFrom)
			}
		}
		assert.True(t, keyword)

		all, err := rdb.CommandInfo(ctx).Result()
		require.NoError(t, err)
		assert.Len(t, all, int(count))
		assert.Equal(t, all, rdb.Command(ctx).Val())
		infos[rdb.Options().Protocol-2] = all

		d, err := rdb.CommandDocs(ctx, "set", "slaveof", "client", "no-such-command").Result()
		require.NoError(t, err)
		require.Len(t, d, 3)
		set := d["set"]
		assert.Equal(t, "string", set.Group)
		assert.Equal(t, "1.0.0", set.Since)
		assert.Equal(t, "O(1)", set.Complexity)
		assert.NotEmpty(t, set.Summary)
		require.NotEmpty(t, set.History)
		assert.Equal(t, "2.6.12", set.History[0].Version)
		require.Greater(t, len(set.Arguments), 3)
		// Valkey fills display_text for every argument; Redis 7.0 only
		// where it differs from the name.
		key, value := set.Arguments[0], set.Arguments[1]
		assert.Contains(t, []string{"", "key"}, key.DisplayText)
		assert.Contains(t, []string{"", "value"}, value.DisplayText)
		key.DisplayText, value.DisplayText = "", ""
		assert.Equal(t, client.CommandArg{Name: "key", Type: "key", KeySpecIndex: 0}, key)
		assert.Equal(t, client.CommandArg{Name: "value", Type: "string", KeySpecIndex: -1}, value)
		cond := set.Arguments[2]
		assert.Equal(t, "oneof", cond.Type)
		assert.Equal(t, []string{"optional"}, cond.Flags)
		require.Len(t, cond.Arguments, 2)
		assert.Equal(t, "NX", cond.Arguments[0].Token)
		assert.Equal(t, "pure-token", cond.Arguments[0].Type)
		sl := d["slaveof"]
		assert.Equal(t, []string{"deprecated"}, sl.DocFlags)
		assert.Equal(t, "5.0.0", sl.DeprecatedSince)
		assert.Equal(t, "`REPLICAOF`", sl.ReplacedBy)
		kill, ok := d["client"].Subcommands["client|kill"]
		require.True(t, ok)
		assert.Equal(t, "connection", kill.Group)

		everything, err := rdb.CommandDocs(ctx).Result()
		require.NoError(t, err)
		assert.Len(t, everything, int(count))
		docs[rdb.Options().Protocol-2] = everything

		names, err := rdb.CommandList(ctx, client.CommandListFilter{}).Result()
		require.NoError(t, err)
		assert.Greater(t, len(names), int(count), "subcommands are listed too")
		assert.Contains(t, names, "get")
		assert.Contains(t, names, "config|get")
		names, err = rdb.CommandList(ctx, client.CommandListFilter{Pattern: "getd*"}).Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"getdel"}, names)
		names, err = rdb.CommandList(ctx, client.CommandListFilter{ACLCat: "hyperloglog"}).Result()
		require.NoError(t, err)
		assert.Contains(t, names, "pfadd")
		assert.NotContains(t, names, "get")
		names, err = rdb.CommandList(ctx, client.CommandListFilter{Module: "nosuchmodule"}).Result()
		require.NoError(t, err)
		assert.Empty(t, names)

		keys, err := rdb.CommandGetKeys(ctx, "MSET", "a", 1, "b", 2).Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, keys)
		_, err = rdb.CommandGetKeys(ctx, "PING").Result()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		kf, err := rdb.CommandGetKeysAndFlags(ctx, "LMOVE", "a", "b", "LEFT", "RIGHT").Result()
		require.NoError(t, err)
		assert.Equal(t, []client.KeyFlags{
			{Key: "a", Flags: []string{"RW", "access", "delete"}},
			{Key: "b", Flags: []string{"RW", "insert"}},
		}, kf)

		help, err := rdb.CommandHelp(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, help)
	})
	// Every command's description and documentation decode to the same
	// values under both protocols.
	assert.Equal(t, infos[0], infos[1])
	assert.Equal(t, docs[0], docs[1])
}
