// Package cluster is a Redis Cluster client: the command set of
// client.Client (the same command.Cmdable, not a copy), each command sent
// to the node that serves the hash slot of its keys.
//
//	rdb, err := cluster.New(cluster.Options{Addrs: []string{"10.0.0.1:7000", "10.0.0.2:7000"}})
//	// or cluster.NewFromURL("redis://10.0.0.1:7000?addr=10.0.0.2:7000")
//	...
//	defer rdb.Close()
//	err = rdb.Set(ctx, "{user1}:name", "Ada", 0).Err()
//	vals, err := rdb.MGet(ctx, "a", "b", "c").Result() // split by slot, rejoined in order
//
// # Topology
//
// The slot map comes from CLUSTER SHARDS on servers that report their
// replicas' health reliably (Valkey 7.2.6 and later, Redis 8 and later:
// replicas that are loading or failed get no reads) and from CLUSTER SLOTS
// on earlier ones (Redis 7.0 can report a synced replica as loading for a
// second after a reshard); HELLO tells, the first time a node is asked.
// It is asked of a known node or a seed, with CLUSTER NODES in the same
// round trip for the config epochs: a map
// is installed only when its highest config epoch is not below the one in
// use (a node that has not heard of a failover yet cannot roll the map
// back; ties are installed). A null or empty endpoint is the host the node
// was reached at; "?" the node's ip from the metadata. Options.MapAddr
// rewrites every address (NAT, containers). The map is refreshed in the
// background every RefreshInterval (15 s), and at once after a MOVED, a
// connection error, CLUSTERDOWN, TRYAGAIN, LOADING, READONLY or an
// uncovered slot: requests are coalesced into one refresh, refreshes are at
// least MinRefreshInterval (200 ms) apart and start after a random delay
// of up to half of it. Each node has a client.Client of its own (pool and
// auto-pipelining, made when first needed, closed when the node has been
// out of the map for three refreshes).
//
// # Routing and redirects
//
// See command.NewRoutedEngine for what runs where: commands with keys on
// the master of their slot (or a replica, for read-only ones with
// Options.ReadOnly, RouteRandomly, RouteByLatency or NodeSelector), keys in
// several slots refused with a *redis.CrossSlotError before sending,
// except MGET, MSET, DEL, UNLINK, EXISTS and TOUCH, which are split by
// slot and rejoined in key order (not atomic; MSETNX is refused across
// slots), and DBSIZE, KEYS, FLUSHALL, FLUSHDB, SCRIPT LOAD/FLUSH/EXISTS,
// FUNCTION LOAD/DELETE/FLUSH and PING on every master. MOVED updates the
// map and is followed at once; ASK is followed with ASKING on a pooled
// connection of the target; TRYAGAIN, CLUSTERDOWN and LOADING are retried
// after a jittered backoff; all within Options.MaxRedirects and the
// context. After a connection error, a command is sent again only when it
// was never sent (the dial failed) or is read-only. SCAN, RANDOMKEY and
// other keyless commands run on a random master: ScanIter scans every
// master (see below), ForEachMaster runs anything on each.
//
// # Scanning
//
// ScanIter scans every master with SCAN and keeps the set of slots it has
// finished, checked with the node itself (CLUSTER NODES) before and after
// its scan: slots that moved, were migrating, or whose node failed or
// changed its config epoch meanwhile are scanned again on their new
// owner after a refresh. Every key that exists throughout the scan is
// yielded at least once, through failovers and resharding; some may come
// twice.
//
// # Pub/sub
//
// PubSub, Subscribe, PSubscribe and SSubscribe return the *pubsub.PubSub
// of client.Client (handlers, GetMessage, Listen, Channel, Run): channels
// and patterns on one connection to any master, shard channels on one
// connection per master, each on the master of its slot. When a slot
// moves or its master fails, its channels are subscribed again on the new
// master before the next read; the caller never subscribes again.
// Messages published on the new master before that are lost: in the
// tests (TestShardedPubSubFaults, Redis 7.0 and Valkey 8), 0 or 1 message
// around a slot migration, 1 to 4 (up to 0.1 s of publishing) around a
// CLUSTER FAILOVER, and up to 0.16 s of publishing after a kill -9
// takeover (the time to learn the new map). A master demoted by
// CLUSTER FAILOVER still accepts SPUBLISH (as a replica, without MOVED)
// and only its own subscribers get it: a publisher learns of the failover
// from its refreshes (a second one follows a map of a new config epoch;
// RefreshInterval bounds the rest).
//
// # Client-side caching
//
// With Options.CacheSize, every node has a command.Cache of that many
// bytes on tracked connections of its own (dialled when first used), and
// Cached(ttl) reads go to the master of their slot, never a replica, and
// are served by its cache; MOVED, ASK (read uncached) and retries are
// followed as for any command. A Cached MGET across slots is split by
// slot: slots whose keys are all in memory are answered with no I/O, the
// others fetched in parallel. Every write of this client drops its keys
// from every node's cache, and a node that stops serving a slot (a MOVED
// naming another node, a new slot map) drops its entries of that slot.
// CacheStats adds up the nodes' statistics; FlushCache empties them all.
//
// # Locks and scripts
//
// Lock is client.Lock on the master of the lock key's slot;
// RegisterScript binds a client.Script to the cluster client (EVALSHA by
// the first key, loaded on every master on NOSCRIPT).
//
// # Pipelines and transactions
//
// PipelineNoTx sends each node its commands in one round trip, in
// parallel, and gives every command its own result; Pipeline and
// Transaction run MULTI/EXEC on one slot's master. Hooks (AddHook) see one
// call per command, pipeline or transaction, with its redirects inside.
package cluster
