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
// master.
//
// # Failover
//
// From the first connection of its clients, a Sentinel subscribes to the
// events of every sentinel (+switch-master, and the replica set's +sdown,
// -sdown, +odown, -odown, +slave, +convert-to-slave), and renews a
// subscription that a sentinel drops. When a sentinel announces a new
// master, the connections of MasterFor clients to the former one, pooled
// and auto-pipelined alike, are closed at once, and none is made there any
// more: after a graceful failover (SENTINEL FAILOVER) the former master
// still accepts writes for seconds, and each one it takes is lost when it
// becomes a replica, so no command must reach it after the announcement.
// Answers of sentinels that have not yet heard of the failover (an older
// config-epoch) are passed over. The Sentinel also asks where each master
// is every Options.WatchInterval, the fallback when no sentinel's event
// gets through. Writes that the old master took between the promotion of
// its replica and the announcement are lost whatever the client does.
//
// A ReplicaFor client spreads its connections over the replicas that are
// up, round robin, and falls back to the master when none is. Replicas
// serve reads while the master is down (Options.SyncedReplicasOnly keeps
// to replicas whose link to the master is up), as with redis-py.
//
// The sentinels' credentials (Options.Username and Options.Password) are
// separate from those of the data nodes (the Password of the clients'
// options); neither appears in errors, logs or String output.
package sentinel
