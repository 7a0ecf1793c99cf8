package redistest

import (
	"os"
	"strings"
)

// EnvClusterAddrs are the addresses of nodes of a Redis Cluster, separated
// by commas: the cluster Examples' seeds. The cluster has 3 masters, each
// with one replica.
const EnvClusterAddrs = "REDIS_CLUSTER_ADDRS"

// ClusterEnv sets REDIS_CLUSTER_ADDRS to the nodes of the package's shared
// cluster (the one SharedCluster returns without options: 3 masters with a
// replica each), starting it, unless the variable is set already.
func ClusterEnv() error {
	if os.Getenv(EnvClusterAddrs) != "" {
		return nil
	}
	bin, err := lookBinary()
	if err != nil {
		return err
	}
	cli, err := lookCLI(bin)
	if err != nil {
		return err
	}
	c, err := sharedCluster(bin, cli, newClusterConfig(nil))
	if err != nil {
		return err
	}
	return os.Setenv(EnvClusterAddrs, strings.Join(c.Addrs(), ","))
}
