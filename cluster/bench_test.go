package cluster_test

import (
	"strconv"
	"testing"

	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// BenchmarkMGetAcrossSlots is an MGET of 100 keys in 100 slots (the
// benchmarks/ module's mget100 workload): split by slot, one round trip
// per node.
func BenchmarkMGetAcrossSlots(b *testing.B) {
	c := redistest.SharedCluster(b)
	rdb, err := cluster.New(cluster.Options{Addrs: c.Addrs()[:1]})
	require.NoError(b, err)
	defer rdb.Close()
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = redistest.KeyInSlot(i*163, "bench-mget-"+strconv.Itoa(i))
		require.NoError(b, rdb.Set(ctx, keys[i], "value-"+strconv.Itoa(i), 0).Err())
	}
	b.ReportAllocs()
	for b.Loop() {
		vals, err := rdb.MGet(ctx, keys...).Result()
		if err != nil || len(vals) != len(keys) || vals[7] != "value-7" {
			b.Fatal(vals, err)
		}
	}
}
