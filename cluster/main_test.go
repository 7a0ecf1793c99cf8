package cluster_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// TestMain starts the examples' cluster (REDIS_CLUSTER_ADDRS) unless the
// user named one; it is the tests' SharedCluster.
func TestMain(m *testing.M) { redistest.Main(m, redistest.ClusterEnv) }

var ctx = context.Background()

// variants runs fn once per RESP version, with and without
// auto-pipelining, each with its own client on c.
func variants(t *testing.T, c *redistest.Cluster, fn func(t *testing.T, rdb *cluster.Client), mod ...func(*cluster.Options)) {
	for _, proto := range []int{2, 3} {
		for _, auto := range []bool{false, true} {
			name := "resp" + strconv.Itoa(proto)
			if auto {
				name += "-autopipeline"
			}
			t.Run(name, func(t *testing.T) {
				o := cluster.Options{Addrs: c.Addrs()[:1]}
				o.Protocol, o.DisableAutoPipeline = proto, !auto
				for _, m := range mod {
					m(&o)
				}
				rdb, err := cluster.New(o)
				require.NoError(t, err)
				t.Cleanup(func() { rdb.Close() })
				fn(t, rdb)
			})
		}
	}
}
