package cluster_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pipeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command family reaches the node of its key, whatever the slot.
func TestRoutingFamilies(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		p := t.Name() + ":"
		for i := range 30 {
			k := fmt.Sprintf("%sstr%d", p, i)
			require.NoError(t, rdb.Set(ctx, k, i, time.Minute).Err())
			v, err := rdb.Get(ctx, k).Result()
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprint(i), v)
		}
		require.NoError(t, rdb.HSet(ctx, p+"h", map[string]any{"a": 1, "b": 2}).Err())
		h, err := rdb.HGetAll(ctx, p+"h").Result()
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"a": "1", "b": "2"}, h)
		require.NoError(t, rdb.RPush(ctx, p+"l", "x", "y").Err())
		l, err := rdb.LRange(ctx, p+"l", 0, -1).Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"x", "y"}, l)
		require.NoError(t, rdb.SAdd(ctx, p+"s", "m").Err())
		ok, err := rdb.SIsMember(ctx, p+"s", "m").Result()
		require.NoError(t, err)
		assert.True(t, ok)
		require.NoError(t, rdb.ZAdd(ctx, p+"z", map[string]float64{"a": 1}, client.ZAddArgs{}).Err())
		n, err := rdb.ZCard(ctx, p+"z").Result()
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
		id, err := rdb.Do(ctx, "XADD", p+"x", "*", "f", "v").Result()
		require.NoError(t, err)
		assert.NotEmpty(t, id)
		require.NoError(t, rdb.PFAdd(ctx, p+"hll", "a", "b").Err())
		// Keys that share a hash tag may meet in one command.
		require.NoError(t, rdb.SAdd(ctx, "{"+p+"}a", "1", "2").Err())
		require.NoError(t, rdb.SAdd(ctx, "{"+p+"}b", "2", "3").Err())
		inter, err := rdb.SInter(ctx, "{"+p+"}a", "{"+p+"}b").Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"2"}, inter)
		// Keyless commands run somewhere, fan-out ones everywhere.
		require.NoError(t, rdb.Ping(ctx).Err())
		size, err := rdb.DBSize(ctx).Result()
		require.NoError(t, err)
		assert.GreaterOrEqual(t, size, int64(30))
		keys, err := rdb.Keys(ctx, p+"str*").Result()
		require.NoError(t, err)
		assert.Len(t, keys, 30)
		// Eval by its first key.
		v, err := rdb.Do(ctx, "EVAL", "return redis.call('GET', KEYS[1])", 1, p+"str3").Result()
		require.NoError(t, err)
		assert.EqualValues(t, "3", fmt.Sprintf("%s", v))
	})
}

// Commands whose keys must share a slot fail before sending.
func TestCrossSlotRefused(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		err := rdb.SUnionStore(ctx, "a-dest", "a-src1", "a-src2").Err()
		var cs *redis.CrossSlotError
		require.ErrorAs(t, err, &cs)
		assert.Equal(t, "SUNIONSTORE", cs.Command)
		assert.Len(t, cs.Slots, 3)
		assert.Contains(t, err.Error(), fmt.Sprint(redistest.Slot("a-dest")))
		err = rdb.MSetNX(ctx, map[string]any{"nx-a": 1, "nx-b": 2}).Err()
		require.ErrorAs(t, err, &cs)
		err = rdb.Rename(ctx, "r-a", "r-b").Err()
		require.ErrorAs(t, err, &cs)
		_, err = rdb.Do(ctx, "EVAL", "return 1", 2, "e-a", "e-b").Result()
		require.ErrorAs(t, err, &cs)
	})
}

// MGET, MSET, DEL, EXISTS, TOUCH and UNLINK across slots: split and rejoined
// in the caller's order.
func TestCrossSlotSplit(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		p := t.Name() + ":"
		var keys []string
		kv := map[string]any{}
		for i := range 50 {
			k := fmt.Sprintf("%sk%d", p, i)
			keys = append(keys, k)
			kv[k] = "v" + fmt.Sprint(i)
		}
		require.NoError(t, rdb.MSet(ctx, kv).Err())
		ask := append([]string{p + "missing"}, keys...)
		vals, err := rdb.MGet(ctx, ask...).Result()
		require.NoError(t, err)
		require.Len(t, vals, 51)
		assert.Nil(t, vals[0])
		for i := range 50 {
			assert.Equal(t, "v"+fmt.Sprint(i), vals[i+1], "key %d", i)
		}
		n, err := rdb.Exists(ctx, ask...).Result()
		require.NoError(t, err)
		assert.EqualValues(t, 50, n)
		n, err = rdb.Touch(ctx, keys[:10]...).Result()
		require.NoError(t, err)
		assert.EqualValues(t, 10, n)
		n, err = rdb.Unlink(ctx, keys[:5]...).Result()
		require.NoError(t, err)
		assert.EqualValues(t, 5, n)
		n, err = rdb.Del(ctx, ask...).Result()
		require.NoError(t, err)
		assert.EqualValues(t, 45, n)
	})
}

// A split MGET puts every value at its key's place: keys of one slot
// interleaved with others', repeated keys, empty, numeric and large values
// (beyond the chunk its texts are copied to), missing keys; an MSET split
// by slot sets each key to its own value; an MGET callback sees the joined
// reply.
func TestCrossSlotSplitOrder(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		p := t.Name()
		tag := func(s string, i int) string { return fmt.Sprintf("{%s:%s}%d", p, s, i) }
		kv := map[string]any{}
		var keys []string
		want := []any{}
		for i := range 30 {
			for _, s := range []string{"a", "b", "c", "d"} {
				k := tag(s, i)
				keys = append(keys, k)
				var v string
				switch i % 5 {
				case 0:
					v = ""
				case 1:
					v = strconv.Itoa(i * 1000)
				case 2:
					v = strings.Repeat(s, 5000+i) // more than a chunk
				default:
					v = s + "-" + strconv.Itoa(i)
				}
				kv[k] = v
				want = append(want, v)
			}
		}
		require.NoError(t, rdb.MSet(ctx, kv).Err())
		for k, v := range kv {
			got, err := rdb.Get(ctx, k).Result()
			require.NoError(t, err)
			require.Equal(t, v, got, k)
		}
		ask := append(slices.Clone(keys), tag("e", 0), keys[5], keys[0], tag("a", 99))
		want = append(want, nil, want[5], want[0], nil)
		got, err := rdb.MGet(ctx, ask...).Result()
		require.NoError(t, err)
		require.Equal(t, want, got)

		// A callback sees the joined reply, in the caller's order.
		var seen [][]byte
		rdb.SetResponseCallback("MGET", func(r *redis.Reply, _ command.CallbackOptions) (any, error) {
			seen = seen[:0]
			for _, e := range r.Elems {
				seen = append(seen, bytes.Clone(e.Str))
			}
			return []any{len(r.Elems)}, nil
		})
		got, err = rdb.MGet(ctx, keys[13], tag("e", 1), keys[12]).Result() // "b-3", missing, "a-3"
		require.NoError(t, err)
		assert.Equal(t, []any{3}, got)
		assert.Equal(t, [][]byte{[]byte("b-3"), nil, []byte("a-3")}, seen)
	})
}

// A pipeline over many nodes gives every command its result, in order.
func TestPipelineAcrossNodes(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		p := rdb.PipelineNoTx()
		defer p.Close()
		pre := t.Name() + ":"
		var gets []command_Result
		for i := range 100 {
			k := fmt.Sprintf("%sp%d", pre, i)
			p.Set(ctx, k, i, time.Minute)
			gets = append(gets, p.Get(ctx, k))
		}
		incr := p.Incr(ctx, pre+"counter")
		res, err := p.Exec(ctx)
		require.NoError(t, err)
		require.Len(t, res, 201)
		for i, g := range gets {
			assert.Equal(t, fmt.Sprint(i), g.Val())
			assert.Equal(t, "GET", res[2*i+1].Name())
		}
		assert.EqualValues(t, 1, incr.Val())
		// A multi-key command must stay in one slot in a pipeline.
		bad := p.MGet(ctx, pre+"p1", pre+"p2")
		var cs *redis.CrossSlotError
		require.ErrorAs(t, bad.Err(), &cs)
	})
}

type command_Result = interface{ Val() string }

// Transactions run on one slot's master; several slots are refused.
func TestTransactions(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		tag := "{" + t.Name() + "}"
		p := rdb.Pipeline()
		p.Set(ctx, tag+"a", "1", 0)
		p.Incr(ctx, tag+"n")
		_, err := p.Exec(ctx)
		require.NoError(t, err)
		p.Set(ctx, "tx-x", "1", 0)
		p.Set(ctx, "tx-y", "1", 0)
		_, err = p.Exec(ctx)
		var cs *redis.CrossSlotError
		require.ErrorAs(t, err, &cs)
		assert.Equal(t, "MULTI", cs.Command)
		p.Close()

		// Optimistic locking on a cluster.
		for range 5 {
			_, err = rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
				s, err := p.Get(ctx, tag+"n").Result()
				if err != nil {
					return err
				}
				n, _ := strconv.Atoi(s)
				p.Multi()
				p.Set(ctx, tag+"n", n+1, 0)
				return nil
			}, tag+"n")
			require.NoError(t, err)
		}
		v, err := rdb.Get(ctx, tag+"n").Result()
		require.NoError(t, err)
		assert.Equal(t, "6", v)
		_, err = rdb.Transaction(ctx, func(p *pipeline.Pipeline) error { return nil }, "w-a", "w-b")
		require.ErrorAs(t, err, &cs)
		_, err = rdb.Transaction(ctx, func(p *pipeline.Pipeline) error {
			p.Multi()
			p.Set(ctx, "elsewhere", 1, 0)
			return nil
		}, tag+"n")
		require.ErrorAs(t, err, &cs)
	})
}

// ForEachMaster, MasterForKey and Shards agree with the cluster.
func TestNodesAPI(t *testing.T) {
	c := redistest.SharedCluster(t)
	rdb, err := cluster.New(cluster.Options{Addrs: c.Addrs()})
	require.NoError(t, err)
	defer rdb.Close()
	// CLUSTER SLOTS lists a replica once its replication offset is not 0
	// (it has received something): write to every shard.
	for i := range 30 {
		require.NoError(t, rdb.Set(ctx, fmt.Sprint("nodes-api-", i), i, time.Minute).Err())
	}
	var shards []cluster.ShardInfo
	require.Eventually(t, func() bool {
		require.NoError(t, rdb.Refresh(ctx))
		shards, err = rdb.Shards()
		require.NoError(t, err)
		for _, s := range shards {
			if len(s.Replicas) == 0 {
				return false
			}
		}
		return true
	}, 10*time.Second, 100*time.Millisecond)
	require.Len(t, shards, 3)
	var masters []string
	for _, m := range c.Masters() {
		masters = append(masters, m.Addr())
	}
	var got []string
	total := 0
	for _, s := range shards {
		got = append(got, s.Master)
		assert.Len(t, s.Replicas, 1)
		for _, r := range s.Ranges {
			total += r[1] - r[0] + 1
		}
	}
	sort.Strings(masters)
	sort.Strings(got)
	assert.Equal(t, masters, got)
	assert.Equal(t, cluster.NumSlots, total)
	var seen []string
	ch := make(chan string, 3)
	require.NoError(t, rdb.ForEachMaster(ctx, func(ctx context.Context, m *client.Client) error {
		ch <- m.Options().Addr
		return m.Ping(ctx).Err()
	}))
	close(ch)
	for a := range ch {
		seen = append(seen, a)
	}
	sort.Strings(seen)
	assert.Equal(t, masters, seen)
	m, err := rdb.MasterForKey("foo")
	require.NoError(t, err)
	assert.Equal(t, c.NodeForKey("foo").Addr(), m.Options().Addr)
	st := rdb.Stats()
	assert.NotZero(t, st.Epoch)
	assert.NotEmpty(t, st.Nodes)
	_ = errors.New
}
