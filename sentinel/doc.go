// Package sentinel is Redis Sentinel support for duoredis: discovery of a
// master and its replicas through a set of sentinels, clients bound to
// them, and failover, with the behaviour of redis-py 3.5's Sentinel.
//
//	s, err := sentinel.New([]string{"10.0.0.1:26379", "10.0.0.2:26379"}, sentinel.Options{
//		Password: "sentinel-secret",                       // the sentinels' own password, if any
//		Client:   client.Options{Password: "data-secret"}, // for the master and its replicas
//	})
//	...
//	defer s.Close()
//	master, err := s.MasterFor("mymaster", nil)   // writes; follows failovers
//	...
//	defer master.Close()
//	replica, err := s.ReplicaFor("mymaster", nil) // reads, spread over the replicas
//
// # Discovery
//
// [Sentinel.DiscoverMaster] and [Sentinel.DiscoverReplicas] ask the
// sentinels in turn, and the one that answered is asked first next time.
// A master counts only when it is not down in the sentinel's view (no
// s_down or o_down flag), and replicas that are down or disconnected are
// left out. When no sentinel gives an answer, they return a
// [*redis.MasterNotFoundError] or [*redis.ReplicaNotFoundError]; both are
// connection errors (errors.As finds a [*redis.ConnectionError]).
//
// # Clients
//
// [Sentinel.MasterFor] and [Sentinel.ReplicaFor] return ordinary
// [*client.Client]s with the whole command set, pipelines and pub/sub.
// Their address is not fixed: every new connection asks the sentinels
// first (through the pool's connection factory, client.Options.NewConn),
// so after a failover the clients reach the new master by themselves. A
// MasterFor client checks with ROLE that the server it reached is the
// master, and a Sentinel watches the masters its clients use
// (Options.WatchInterval): when the master moves, connections to the
// former one are closed rather than left serving. A ReplicaFor client
// spreads its connections over the replicas that are up, round robin, and
// falls back to the master when none is.
//
// The sentinels' credentials (Options.Username and Options.Password) are
// separate from those of the data nodes (the Password of the clients'
// options); neither appears in errors, logs or String output.
package sentinel
