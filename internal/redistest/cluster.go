package redistest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/goparser"
)

// ClusterSlots is the number of hash slots of a Redis Cluster.
const ClusterSlots = 16384

const (
	// defaultClusterNodeTimeout is the cluster-node-timeout of StartCluster.
	defaultClusterNodeTimeout = 1500 * time.Millisecond
	// clusterStableTimeout bounds the wait for a new cluster to be stable.
	clusterStableTimeout = 15 * time.Second
	// clusterPortLow and clusterPortHigh bound the client ports of cluster
	// nodes. The bus port is the client port + 10000; both stay below
	// Linux's ephemeral range (32768 and up), so the kernel never hands one
	// of them to an outgoing connection between the check and the bind.
	clusterPortLow  = 10000
	clusterPortHigh = 22700
	// clusterBusOffset is the distance of a node's bus port from its port.
	clusterBusOffset = 10000
	// migrateBatch is the number of keys moved by one MIGRATE.
	migrateBatch = 100
)

// ClusterOption configures a cluster started by [StartCluster] or
// [SharedCluster].
type ClusterOption func(*clusterConfig)

type clusterConfig struct {
	masters     int
	replicas    int
	nodeTimeout time.Duration
	password    string
	args        []string
}

// ClusterNodeTimeout sets the nodes' cluster-node-timeout: how long a node
// may be unreachable before it is flagged failing and its replica takes
// over. default: 1.5 seconds
func ClusterNodeTimeout(d time.Duration) ClusterOption {
	return func(c *clusterConfig) { c.nodeTimeout = d }
}

// ClusterMasters sets the number of masters, at least 3 (redis-cli
// --cluster create refuses fewer). default: 3
func ClusterMasters(n int) ClusterOption {
	return func(c *clusterConfig) { c.masters = n }
}

// ClusterReplicas sets the number of replicas of each master, 0 or more.
// default: 1
func ClusterReplicas(n int) ClusterOption {
	return func(c *clusterConfig) { c.replicas = n }
}

// ClusterPassword makes every node require a password (requirepass, and
// masterauth for the replicas). Do, Exec and the fault helpers authenticate
// with it.
func ClusterPassword(password string) ClusterOption {
	return func(c *clusterConfig) { c.password = password }
}

// ClusterArgs appends raw server arguments for every node, as [Args] does.
func ClusterArgs(args ...string) ClusterOption {
	return func(c *clusterConfig) { c.args = append(c.args, args...) }
}

// Cluster is a running Redis Cluster of redis-server processes (or of
// REDISTEST_SERVER's binary) on loopback. Its layout (which node is a
// master, which replica follows which master, who serves which slot) is the
// one read by the last [Cluster.Refresh], [Cluster.WaitStable] or fault
// helper; the servers may have moved on since. Its methods are safe for
// concurrent use.
type Cluster struct {
	cfg   clusterConfig
	cli   string
	nodes []*ClusterNode // in start order; never changes

	mu    sync.Mutex // guards the layout below and the role fields of nodes
	owner [ClusterSlots]*ClusterNode
}

// ClusterNode is one node of a [Cluster]. It is a [Server]: Addr, Port,
// Do, Exec, Stop, Kill, Restart (same port, directory and nodes.conf, so it
// rejoins the cluster, with an empty dataset) and Log work on it. Its role
// is the one of the cluster's current layout.
type ClusterNode struct {
	*Server
	// ID is the node's cluster ID (CLUSTER MYID), kept across restarts.
	ID string

	c        *Cluster
	master   bool   // guarded by c.mu
	masterID string // guarded by c.mu; "" for a master
}

// SlotRange is an inclusive range of hash slots, Start <= End.
type SlotRange struct{ Start, End int }

// StartCluster starts a cluster for the calling test, by default 3 masters
// and 3 replicas, and stops it in t.Cleanup. Every node is a server started
// with --cluster-enabled yes, on a free loopback port whose bus port (port
// + 10000) is free too, in a temporary directory of its own with its own
// nodes.conf, with --enable-debug-command yes (for DEBUG SLEEP), a short
// cluster-node-timeout, no persistence, diskless replication without delay
// and cluster-allow-replica-migration no (the layout changes only when the
// test changes it). The cluster is made with redis-cli (or valkey-cli,
// found next to the server binary or on PATH; REDISTEST_CLI names another)
// --cluster create, and StartCluster returns once every node reports
// cluster_state:ok, all agree on the slot map and every replica is in sync.
// The layout is read from CLUSTER NODES: on one host redis-cli does not
// pair replicas with masters in start order.
//
// It skips the test when the server or the cli is not installed (fails it
// when CI is set).
func StartCluster(t testing.TB, opts ...ClusterOption) *Cluster {
	t.Helper()
	bin := binary(t)
	cfg := newClusterConfig(opts)
	cli := clusterCLI(t, bin)
	dirs := make([]string, cfg.masters*(1+cfg.replicas))
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	c := &Cluster{cfg: cfg, cli: cli}
	t.Cleanup(func() {
		if err := c.stopAll(); err != nil {
			t.Error(err)
		}
	})
	if err := c.start(bin, dirs); err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return c
}

func newClusterConfig(opts []ClusterOption) clusterConfig {
	cfg := clusterConfig{masters: 3, replicas: 1, nodeTimeout: defaultClusterNodeTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.masters = max(cfg.masters, 3)
	cfg.replicas = max(cfg.replicas, 0)
	if cfg.nodeTimeout <= 0 {
		cfg.nodeTimeout = defaultClusterNodeTimeout
	}
	return cfg
}

// clusterCLI returns the path of redis-cli or valkey-cli, or skips the test
// (fails it in CI).
func clusterCLI(t testing.TB, serverBin string) string {
	t.Helper()
	path, err := lookCLI(serverBin)
	if err != nil {
		if inCI() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return path
}

// lookCLI finds REDISTEST_CLI, or the cli of serverBin's family (valkey-cli
// for valkey-server) next to it, or either cli next to it or on PATH.
func lookCLI(serverBin string) (string, error) {
	if name := os.Getenv("REDISTEST_CLI"); name != "" {
		path, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("redistest: REDISTEST_CLI: %w", err)
		}
		return path, nil
	}
	names := []string{"redis-cli", "valkey-cli"}
	if strings.Contains(filepath.Base(serverBin), "valkey") {
		names[0], names[1] = names[1], names[0]
	}
	for _, n := range names {
		p := filepath.Join(filepath.Dir(serverBin), n)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("redistest: neither redis-cli nor valkey-cli is installed (next to %s or on PATH): install it (Debian: apt-get install redis-tools) to run the cluster tests", serverBin)
}

// start starts one node per directory, creates the cluster and waits until
// it is stable. On error the caller stops what was started.
func (c *Cluster) start(bin string, dirs []string) error {
	c.nodes = make([]*ClusterNode, len(dirs))
	errs := make([]error, len(dirs))
	var wg sync.WaitGroup
	for i, dir := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := c.startNode(bin, dir)
			if err != nil {
				errs[i] = err
				return
			}
			c.nodes[i] = &ClusterNode{Server: s, c: c}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}

	args := []string{"--cluster", "create"}
	for _, n := range c.nodes {
		args = append(args, n.Addr())
	}
	args = append(args, "--cluster-replicas", strconv.Itoa(c.cfg.replicas), "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.cli, args...)
	if c.cfg.password != "" {
		cmd.Env = append(os.Environ(), "REDISCLI_AUTH="+c.cfg.password, "VALKEYCLI_AUTH="+c.cfg.password)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", c.cli, strings.Join(args, " "), err, out)
	}
	for _, n := range c.nodes {
		r, err := n.Do("CLUSTER", "MYID")
		if err != nil {
			return fmt.Errorf("CLUSTER MYID on %s: %w", n.Addr(), err)
		}
		n.ID = Text(&r)
	}
	_, err := c.waitLayout(clusterStableTimeout, nil)
	return err
}

// startNode starts one cluster node in dir on a port of the cluster range.
func (c *Cluster) startNode(bin, dir string) (*Server, error) {
	conf := filepath.Join(dir, "nodes.conf")
	args := []string{
		"--cluster-enabled", "yes",
		"--cluster-config-file", conf,
		"--cluster-node-timeout", strconv.FormatInt(c.cfg.nodeTimeout.Milliseconds(), 10),
		"--cluster-allow-replica-migration", "no",
		"--enable-debug-command", "yes",
		"--repl-diskless-sync-delay", "0",
	}
	opts := []Option{Args(args...)}
	if c.cfg.password != "" {
		opts = append(opts, RequirePass(c.cfg.password), Args("--masterauth", c.cfg.password))
	}
	opts = append(opts, Args(c.cfg.args...))
	s := newServer(bin, dir, opts)
	var err error
	for try := 0; try < 10; try++ {
		if s.port, err = reserveClusterPort(); err != nil {
			return nil, err
		}
		if err = s.start(); err == nil {
			return s, nil
		}
		releaseClusterPort(s.port)
		if !strings.Contains(err.Error(), "in use") {
			return nil, err
		}
		// A failed start may have written nodes.conf naming the old port.
		_ = os.Remove(conf)
	}
	return nil, err
}

// clusterPorts are the ports that the cluster nodes of this process hold,
// reserved from their start until their cluster is stopped (a killed node
// keeps its port for Restart).
var clusterPorts struct {
	mu   sync.Mutex
	used map[int]bool
}

// reserveClusterPort picks a random port in the cluster range that is not
// reserved and whose bus port is free as well.
func reserveClusterPort() (int, error) {
	clusterPorts.mu.Lock()
	defer clusterPorts.mu.Unlock()
	if clusterPorts.used == nil {
		clusterPorts.used = make(map[int]bool)
	}
	for try := 0; try < 200; try++ {
		p := clusterPortLow + rand.IntN(clusterPortHigh-clusterPortLow)
		if clusterPorts.used[p] || !portFree(p) || !portFree(p+clusterBusOffset) || !claimPort(p) {
			continue
		}
		clusterPorts.used[p] = true
		return p, nil
	}
	return 0, fmt.Errorf("no free port pair (port, port+%d) in %d-%d", clusterBusOffset, clusterPortLow, clusterPortHigh)
}

func releaseClusterPort(p int) {
	clusterPorts.mu.Lock()
	delete(clusterPorts.used, p)
	clusterPorts.mu.Unlock()
	unclaimPort(p)
}

func portFree(p int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// stopAll stops every node, in parallel, and releases their ports.
func (c *Cluster) stopAll() error {
	errs := make([]error, len(c.nodes))
	var wg sync.WaitGroup
	for i, n := range c.nodes {
		if n == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = n.Stop()
			releaseClusterPort(n.Port())
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Nodes returns every node, running or not, in start order.
func (c *Cluster) Nodes() []*ClusterNode { return slices.Clone(c.nodes) }

// Addrs returns the addresses of all nodes, running or not, in start order:
// seed addresses for a cluster client.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		addrs[i] = n.Addr()
	}
	return addrs
}

// NodeTimeout returns the nodes' cluster-node-timeout.
func (c *Cluster) NodeTimeout() time.Duration { return c.cfg.nodeTimeout }

// Password returns the password given with [ClusterPassword], if any.
func (c *Cluster) Password() string { return c.cfg.password }

// Node returns the node listening on addr, or nil.
func (c *Cluster) Node(addr string) *ClusterNode {
	for _, n := range c.nodes {
		if n.Addr() == addr {
			return n
		}
	}
	return nil
}

// NodeByID returns the node of the given cluster ID, or nil.
func (c *Cluster) NodeByID(id string) *ClusterNode {
	for _, n := range c.nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// Masters returns the running masters of the layout, ordered by their first
// slot (masters without slots last, by port).
func (c *Cluster) Masters() []*ClusterNode {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := make(map[*ClusterNode]int)
	for s := ClusterSlots - 1; s >= 0; s-- {
		if n := c.owner[s]; n != nil {
			first[n] = s
		}
	}
	var ms []*ClusterNode
	for _, n := range c.nodes {
		if n.master && n.Running() {
			ms = append(ms, n)
		}
	}
	sort.SliceStable(ms, func(i, j int) bool {
		fi, oki := first[ms[i]]
		fj, okj := first[ms[j]]
		if oki != okj {
			return oki
		}
		if oki {
			return fi < fj
		}
		return ms[i].Port() < ms[j].Port()
	})
	return ms
}

// Replicas returns the running replicas of the layout, in start order.
func (c *Cluster) Replicas() []*ClusterNode {
	c.mu.Lock()
	defer c.mu.Unlock()
	var rs []*ClusterNode
	for _, n := range c.nodes {
		if !n.master && n.Running() {
			rs = append(rs, n)
		}
	}
	return rs
}

// ReplicasOf returns the running replicas of master m in the layout.
func (c *Cluster) ReplicasOf(m *ClusterNode) []*ClusterNode {
	c.mu.Lock()
	defer c.mu.Unlock()
	var rs []*ClusterNode
	for _, n := range c.nodes {
		if !n.master && n.masterID == m.ID && n.Running() {
			rs = append(rs, n)
		}
	}
	return rs
}

// MasterOf returns the master that serves slot in the layout (it may have
// been killed since), or nil.
func (c *Cluster) MasterOf(slot int) *ClusterNode {
	if slot < 0 || slot >= ClusterSlots {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.owner[slot]
}

// NodeForKey returns the master that serves key's slot in the layout.
func (c *Cluster) NodeForKey(key string) *ClusterNode { return c.MasterOf(Slot(key)) }

// Running reports whether the node's process runs (it was not stopped or
// killed, or was restarted since).
func (n *ClusterNode) Running() bool {
	n.Server.mu.Lock()
	defer n.Server.mu.Unlock()
	return n.Server.proc != nil
}

// IsMaster reports whether the node is a master in the layout.
func (n *ClusterNode) IsMaster() bool {
	n.c.mu.Lock()
	defer n.c.mu.Unlock()
	return n.master
}

// MasterID returns the ID of the node's master in the layout, or "" when
// the node is a master.
func (n *ClusterNode) MasterID() string {
	n.c.mu.Lock()
	defer n.c.mu.Unlock()
	return n.masterID
}

// Slots returns the slot ranges that the node serves in the layout, in
// order (none for a replica).
func (n *ClusterNode) Slots() []SlotRange {
	n.c.mu.Lock()
	defer n.c.mu.Unlock()
	var rs []SlotRange
	for s := 0; s < ClusterSlots; s++ {
		if n.c.owner[s] != n {
			continue
		}
		if k := len(rs); k > 0 && rs[k-1].End == s-1 {
			rs[k-1].End = s
		} else {
			rs = append(rs, SlotRange{s, s})
		}
	}
	return rs
}

// SlotList returns the slots that the node serves in the layout, in order.
func (n *ClusterNode) SlotList() []int {
	var list []int
	for _, r := range n.Slots() {
		for s := r.Start; s <= r.End; s++ {
			list = append(list, s)
		}
	}
	return list
}

// DoAll sends commands over one new connection (authenticated with the
// cluster's password, if any), pipelined, and returns their replies, which
// own their memory: ASKING followed by a command works. Server error
// replies are replies (see redis.Reply.Err); the error is a connection's.
func (n *ClusterNode) DoAll(cmds ...[]string) ([]redis.Reply, error) {
	nc, err := dialNode(n.Server)
	if err != nil {
		return nil, err
	}
	defer nc.close()
	return nc.send(cmds)
}

// Refresh reads the layout from CLUSTER NODES of the first running node
// that answers. It does not wait for the nodes to agree: WaitStable does.
func (c *Cluster) Refresh(t testing.TB) {
	t.Helper()
	var errs []error
	for _, n := range c.nodes {
		if !n.Running() {
			continue
		}
		v, err := n.view()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.apply(v)
		return
	}
	t.Fatalf("redistest: cluster refresh: no node answers: %v", errors.Join(errs...))
}

// WaitStable waits up to timeout until every running node reports
// cluster_state:ok, all agree on the slot map (every slot served by a
// master) and on the role of every running node, none sees a running node
// as failing, and every running replica's link to its master is up; then
// it takes that view as the layout. It fails the test on timeout.
func (c *Cluster) WaitStable(t testing.TB, timeout time.Duration) {
	t.Helper()
	if _, err := c.waitLayout(timeout, nil); err != nil {
		t.Fatalf("redistest: %v", err)
	}
}

// Failover runs CLUSTER FAILOVER on replica (with args, such as "FORCE"
// when its master is down, or "TAKEOVER") and waits until the cluster is
// stable with the replica as a master in every node's view.
func (c *Cluster) Failover(t testing.TB, replica *ClusterNode, args ...string) {
	t.Helper()
	r, err := replica.Do(append([]string{"CLUSTER", "FAILOVER"}, args...)...)
	if err != nil {
		t.Fatalf("redistest: CLUSTER FAILOVER on %s: %v", replica.Addr(), err)
	}
	if txt := Text(&r); txt != "OK" {
		t.Fatalf("redistest: CLUSTER FAILOVER on %s: %s", replica.Addr(), txt)
	}
	_, err = c.waitLayout(c.faultTimeout(), func(v *clusterView) error {
		if e := v.nodes[replica.ID]; e == nil || !e.master {
			return fmt.Errorf("%s is not a master yet", replica.Addr())
		}
		return nil
	})
	if err != nil {
		t.Fatalf("redistest: failover to %s: %v", replica.Addr(), err)
	}
}

// KillMaster kills master at once (SIGKILL, as a crash would), after
// checking that it is a master in the layout. Waiting for its replica to
// take over is up to the test: see [Cluster.WaitTakeover]. Restart starts
// the node again; it rejoins as a replica of the new master.
func (c *Cluster) KillMaster(t testing.TB, master *ClusterNode) {
	t.Helper()
	if !master.IsMaster() {
		t.Fatalf("redistest: KillMaster: %s is not a master", master.Addr())
	}
	if err := master.Kill(); err != nil {
		t.Fatal(err)
	}
}

// WaitTakeover waits up to timeout until another node serves the slots
// that dead served in the layout, and the cluster is stable (as
// WaitStable), and returns that node.
func (c *Cluster) WaitTakeover(t testing.TB, dead *ClusterNode, timeout time.Duration) *ClusterNode {
	t.Helper()
	slots := dead.SlotList()
	if len(slots) == 0 {
		t.Fatalf("redistest: WaitTakeover: %s serves no slot in the layout", dead.Addr())
	}
	v, err := c.waitLayout(timeout, func(v *clusterView) error {
		owner := v.owner[slots[0]]
		if owner == dead.ID {
			return fmt.Errorf("%s still serves slot %d", dead.Addr(), slots[0])
		}
		for _, s := range slots {
			if v.owner[s] != owner {
				return fmt.Errorf("the slots of %s are split: %d is served by %s, %d by %s",
					dead.Addr(), slots[0], owner, s, v.owner[s])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("redistest: takeover of %s: %v", dead.Addr(), err)
	}
	return c.NodeByID(v.owner[slots[0]])
}

// faultTimeout bounds the waits of the fault helpers.
func (c *Cluster) faultTimeout() time.Duration { return 5*c.cfg.nodeTimeout + 10*time.Second }

// MigrateSlots moves slots (served by from) to to the way redis-cli
// --cluster reshard does: per slot, CLUSTER SETSLOT IMPORTING on to,
// MIGRATING on from, CLUSTER GETKEYSINSLOT and MIGRATE ... KEYS in batches
// until the slot is empty, then CLUSTER SETSLOT NODE on to, from and every
// other running master. Slots go in groups of up to 64, each step sent for
// the whole group at once, pipelined over several connections (a node then
// saves nodes.conf, with an fsync, once per step rather than once per
// slot, and Valkey 8, which answers SETSLOT only once the node's replicas
// have acknowledged it, works on many slots at a time), so up to 64 slots
// are half-migrated at a time. It returns when the masters agree (they
// were told); replicas learn by gossip, which WaitStable waits for. The
// layout is updated.
func (c *Cluster) MigrateSlots(t testing.TB, from, to *ClusterNode, slots []int) {
	t.Helper()
	if err := c.migrateSlots(from, to, slots); err != nil {
		t.Fatalf("redistest: migrating %d slots from %s to %s: %v", len(slots), from.Addr(), to.Addr(), err)
	}
}

// migrateGroup is the number of slots that MigrateSlots moves at a time.
const migrateGroup = 64

func (c *Cluster) migrateSlots(from, to *ClusterNode, slots []int) error {
	conns, err := c.dialMasters(from, to)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	src, dst := conns[0], conns[1]
	for len(slots) > 0 {
		group := slots[:min(len(slots), migrateGroup)]
		slots = slots[len(group):]
		if err := beginSlots(src, dst, from, to, group); err != nil {
			return err
		}
		counts, err := src.pipe(cmdPerSlot(group, []string{"CLUSTER", "COUNTKEYSINSLOT"}))
		if err != nil {
			return err
		}
		for i, s := range group {
			if counts[i].Int == 0 {
				continue
			}
			if _, err := moveSlotKeys(src, to, s, -1); err != nil {
				return err
			}
		}
		if err := c.finishSlots(conns, to, group); err != nil {
			return err
		}
	}
	return nil
}

// cmdPerSlot returns, per slot, args with the slot appended, then tail.
func cmdPerSlot(slots []int, args []string, tail ...string) [][]string {
	cmds := make([][]string, len(slots))
	for i, s := range slots {
		cmds[i] = append(append(slices.Clip(args), strconv.Itoa(s)), tail...)
	}
	return cmds
}

// dialMasters connects to from, to and the other running masters of the
// layout, in that order.
func (c *Cluster) dialMasters(from, to *ClusterNode) ([]*nodeConns, error) {
	nodes := []*ClusterNode{from, to}
	for _, m := range c.Masters() {
		if m != from && m != to {
			nodes = append(nodes, m)
		}
	}
	conns := make([]*nodeConns, 0, len(nodes))
	for _, n := range nodes {
		nc, err := dialNodeConns(n.Server)
		if err != nil {
			closeAll(conns)
			return nil, err
		}
		conns = append(conns, nc)
	}
	return conns, nil
}

func closeAll(conns []*nodeConns) {
	for _, nc := range conns {
		nc.close()
	}
}

// beginSlots sets slots importing on to, then migrating on from.
func beginSlots(src, dst *nodeConns, from, to *ClusterNode, slots []int) error {
	if _, err := dst.pipeWide(cmdPerSlot(slots, []string{"CLUSTER", "SETSLOT"}, "IMPORTING", from.ID)); err != nil {
		return err
	}
	_, err := src.pipeWide(cmdPerSlot(slots, []string{"CLUSTER", "SETSLOT"}, "MIGRATING", to.ID))
	return err
}

// moveSlotKeys migrates up to limit keys (all for -1) of slot from src to
// to and returns them.
func moveSlotKeys(src *nodeConns, to *ClusterNode, slot, limit int) ([]string, error) {
	var moved []string
	for limit < 0 || len(moved) < limit {
		n := migrateBatch
		if limit >= 0 {
			n = min(n, limit-len(moved))
		}
		r, err := src.do("CLUSTER", "GETKEYSINSLOT", strconv.Itoa(slot), strconv.Itoa(n))
		if err != nil {
			return moved, err
		}
		if len(r.Elems) == 0 {
			break
		}
		keys := make([]string, len(r.Elems))
		for i := range r.Elems {
			keys[i] = string(r.Elems[i].Str)
		}
		if err := migrateKeys(src, to, keys); err != nil {
			return moved, err
		}
		moved = append(moved, keys...)
	}
	return moved, nil
}

// migrateKeys runs MIGRATE ... KEYS keys on src towards to.
func migrateKeys(src *nodeConns, to *ClusterNode, keys []string) error {
	args := []string{"MIGRATE", "127.0.0.1", strconv.Itoa(to.Port()), "", "0", "5000"}
	if pw := to.Password(); pw != "" {
		args = append(args, "AUTH", pw)
	}
	args = append(append(args, "KEYS"), keys...)
	_, err := src.do(args...)
	return err
}

// finishSlots assigns slots to to: on to first, then on the others (conns
// as dialMasters returns them). The layout is updated.
func (c *Cluster) finishSlots(conns []*nodeConns, to *ClusterNode, slots []int) error {
	cmds := cmdPerSlot(slots, []string{"CLUSTER", "SETSLOT"}, "NODE", to.ID)
	order := append([]*nodeConns{conns[1], conns[0]}, conns[2:]...)
	for _, nc := range order {
		if _, err := nc.pipeWide(cmds); err != nil {
			return err
		}
	}
	c.mu.Lock()
	for _, s := range slots {
		c.owner[s] = to
	}
	c.mu.Unlock()
	return nil
}

// Migration is a slot left half-migrated by [Cluster.BeginMigration]: the
// target imports it, the source migrates it, and some of its keys have
// moved. Its methods are safe for concurrent use.
type Migration struct {
	Slot     int
	From, To *ClusterNode

	c     *Cluster
	mu    sync.Mutex
	moved []string
	done  bool
}

// BeginMigration starts moving slot from from to to and stops half-way:
// CLUSTER SETSLOT IMPORTING on to, MIGRATING on from, then it migrates
// keys: the given ones, or when none is given, half of the slot's keys
// (rounded down). From then on from answers -ASK for the moved (and new)
// keys and -TRYAGAIN for a multi-key command across moved and unmoved keys.
// Finish completes the migration.
func (c *Cluster) BeginMigration(t testing.TB, from, to *ClusterNode, slot int, keys ...string) *Migration {
	t.Helper()
	m := &Migration{Slot: slot, From: from, To: to, c: c}
	err := func() error {
		src, err := dialNodeConns(from.Server)
		if err != nil {
			return err
		}
		defer src.close()
		dst, err := dialNodeConns(to.Server)
		if err != nil {
			return err
		}
		defer dst.close()
		if err := beginSlots(src, dst, from, to, []int{slot}); err != nil {
			return err
		}
		if len(keys) == 0 {
			r, err := src.do("CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(slot))
			if err != nil {
				return err
			}
			m.moved, err = moveSlotKeys(src, to, slot, int(r.Int/2))
			return err
		}
		if err := migrateKeys(src, to, keys); err != nil {
			return err
		}
		m.moved = slices.Clone(keys)
		return nil
	}()
	if err != nil {
		t.Fatalf("redistest: beginning the migration of slot %d from %s to %s: %v", slot, from.Addr(), to.Addr(), err)
	}
	return m
}

// Moved returns the keys moved so far.
func (m *Migration) Moved() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.moved)
}

// Move migrates more keys of the slot to the target.
func (m *Migration) Move(t testing.TB, keys ...string) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	err := func() error {
		src, err := dialNodeConns(m.From.Server)
		if err != nil {
			return err
		}
		defer src.close()
		return migrateKeys(src, m.To, keys)
	}()
	if err != nil {
		t.Fatalf("redistest: migrating keys of slot %d: %v", m.Slot, err)
	}
	m.moved = append(m.moved, keys...)
}

// Finish migrates the slot's remaining keys and assigns the slot to the
// target, as MigrateSlots does. Finishing twice does nothing.
func (m *Migration) Finish(t testing.TB) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done {
		return
	}
	err := func() error {
		conns, err := m.c.dialMasters(m.From, m.To)
		if err != nil {
			return err
		}
		defer closeAll(conns)
		keys, err := moveSlotKeys(conns[0], m.To, m.Slot, -1)
		m.moved = append(m.moved, keys...)
		if err != nil {
			return err
		}
		return m.c.finishSlots(conns, m.To, []int{m.Slot})
	}()
	if err != nil {
		t.Fatalf("redistest: finishing the migration of slot %d: %v", m.Slot, err)
	}
	m.done = true
}

// migrateWidth is the number of connections per node over which the
// migration helpers spread CLUSTER SETSLOT commands: Valkey 8 answers one
// only when the node's replicas have acknowledged it, so one connection
// would wait for a replica round trip per slot.
const migrateWidth = 32

// nodeConns are connections to one node; the first runs the commands that
// must go in order.
type nodeConns struct {
	s     *Server
	conns []*nodeConn
}

// dialNodeConns connects once to s; pipeWide adds connections.
func dialNodeConns(s *Server) (*nodeConns, error) {
	nc, err := dialNode(s)
	if err != nil {
		return nil, err
	}
	return &nodeConns{s: s, conns: []*nodeConn{nc}}, nil
}

func (c *nodeConns) do(args ...string) (redis.Reply, error) { return c.conns[0].do(args...) }

func (c *nodeConns) pipe(cmds [][]string) ([]redis.Reply, error) { return c.conns[0].pipe(cmds) }

// pipeWide is pipe with cmds spread over up to migrateWidth connections,
// in no particular order.
func (c *nodeConns) pipeWide(cmds [][]string) ([]redis.Reply, error) {
	width := min(migrateWidth, (len(cmds)+1)/2)
	if width <= 1 {
		return c.pipe(cmds)
	}
	for len(c.conns) < width {
		nc, err := dialNode(c.s)
		if err != nil {
			return nil, err
		}
		c.conns = append(c.conns, nc)
	}
	replies := make([]redis.Reply, len(cmds))
	errs := make([]error, width)
	per := (len(cmds) + width - 1) / width
	var wg sync.WaitGroup
	for i := 0; i < width; i++ {
		lo, hi := min(i*per, len(cmds)), min((i+1)*per, len(cmds))
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs, err := c.conns[i].pipe(cmds[lo:hi])
			copy(replies[lo:hi], rs)
			errs[i] = err
		}()
	}
	wg.Wait()
	return replies, errors.Join(errs...)
}

func (c *nodeConns) close() {
	for _, nc := range c.conns {
		nc.close()
	}
}

// nodeConn is a connection to a node for a sequence of commands.
type nodeConn struct {
	nc   net.Conn
	p    *goparser.Parser
	addr string
}

// dialNode connects to s and authenticates with its password, if any.
func dialNode(s *Server) (*nodeConn, error) {
	nc, err := net.DialTimeout("tcp", s.Addr(), 2*time.Second)
	if err != nil {
		return nil, err
	}
	c := &nodeConn{nc: nc, p: goparser.New(nc, redis.ParserOptions{}), addr: s.Addr()}
	if pw := s.Password(); pw != "" {
		if _, err := c.do("AUTH", pw); err != nil {
			nc.Close()
			return nil, err
		}
	}
	return c, nil
}

// do runs one command; a server error reply is returned as its error.
func (c *nodeConn) do(args ...string) (redis.Reply, error) {
	replies, err := c.pipe([][]string{args})
	if err != nil {
		return redis.Reply{}, err
	}
	return replies[0], nil
}

// send sends cmds in one write and reads their replies, which own their
// memory. The error is a connection's: server errors are replies.
func (c *nodeConn) send(cmds [][]string) ([]redis.Reply, error) {
	_ = c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	var buf []byte
	for _, args := range cmds {
		buf = redis.AppendArrayHeader(buf, len(args))
		for _, a := range args {
			buf = redis.AppendBulkString(buf, a)
		}
	}
	if _, err := c.nc.Write(buf); err != nil {
		return nil, fmt.Errorf("writing to %s: %w", c.addr, err)
	}
	replies := make([]redis.Reply, len(cmds))
	var r redis.Reply
	for i, args := range cmds {
		if err := c.p.ReadReply(&r); err != nil {
			return replies[:i], fmt.Errorf("%s on %s: %w", args[0], c.addr, err)
		}
		replies[i] = r.Clone()
	}
	return replies, nil
}

// pipe is send, with the first server error reply as its error.
func (c *nodeConn) pipe(cmds [][]string) ([]redis.Reply, error) {
	replies, err := c.send(cmds)
	if err != nil {
		return nil, err
	}
	for i := range replies {
		if err := replies[i].Err(); err != nil {
			return replies, fmt.Errorf("%s on %s: %w", strings.Join(cmds[i][:min(len(cmds[i]), 4)], " "), c.addr, err)
		}
	}
	return replies, nil
}

func (c *nodeConn) close() { _ = c.nc.Close() }

// clusterView is one node's view of the cluster, from CLUSTER NODES.
type clusterView struct {
	from  string // the address of the node that gave it
	nodes map[string]*viewNode
	owner [ClusterSlots]string // the ID of each slot's master, or ""
}

type viewNode struct {
	id, addr string
	master   bool
	masterID string // "" for a master
	failing  bool   // fail, fail?, handshake or noaddr
}

// view reads the node's CLUSTER NODES.
func (n *ClusterNode) view() (*clusterView, error) {
	r, err := n.Do("CLUSTER", "NODES")
	if err != nil {
		return nil, fmt.Errorf("CLUSTER NODES on %s: %w", n.Addr(), err)
	}
	v, err := parseClusterNodes(Text(&r))
	if err != nil {
		return nil, fmt.Errorf("CLUSTER NODES on %s: %w", n.Addr(), err)
	}
	v.from = n.Addr()
	return v, nil
}

// parseClusterNodes parses CLUSTER NODES: per line, id addr flags master
// ping-sent pong-recv config-epoch link-state slot...
func parseClusterNodes(text string) (*clusterView, error) {
	v := &clusterView{nodes: make(map[string]*viewNode)}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			return nil, fmt.Errorf("bad line %q", line)
		}
		addr, _, _ := strings.Cut(f[1], "@")
		e := &viewNode{id: f[0], addr: addr}
		for _, flag := range strings.Split(f[2], ",") {
			switch flag {
			case "master":
				e.master = true
			case "fail", "fail?", "handshake", "noaddr":
				e.failing = true
			}
		}
		if !e.master && f[3] != "-" {
			e.masterID = f[3]
		}
		v.nodes[e.id] = e
		for _, tok := range f[8:] {
			if strings.HasPrefix(tok, "[") {
				continue // a migrating or importing slot
			}
			lo, hi, ok := strings.Cut(tok, "-")
			if !ok {
				hi = lo
			}
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil || a < 0 || b >= ClusterSlots || a > b {
				return nil, fmt.Errorf("bad slot range %q in line %q", tok, line)
			}
			for s := a; s <= b; s++ {
				if v.owner[s] != "" && v.owner[s] != e.id {
					return nil, fmt.Errorf("slot %d served by %s and %s", s, v.owner[s], e.id)
				}
				v.owner[s] = e.id
			}
		}
	}
	return v, nil
}

// apply makes v the layout.
func (c *Cluster) apply(v *clusterView) {
	byID := make(map[string]*ClusterNode, len(c.nodes))
	for _, n := range c.nodes {
		byID[n.ID] = n
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.nodes {
		if e := v.nodes[n.ID]; e != nil {
			n.master, n.masterID = e.master, e.masterID
		}
	}
	for s := range c.owner {
		c.owner[s] = byID[v.owner[s]]
	}
}

// waitLayout polls the running nodes until they are stable (see
// WaitStable) and cond, if not nil, holds for their common view, then
// makes that view the layout and returns it.
func (c *Cluster) waitLayout(timeout time.Duration, cond func(*clusterView) error) (*clusterView, error) {
	deadline := time.Now().Add(timeout)
	for {
		v, err := c.stableView()
		if err == nil && cond != nil {
			err = cond(v)
		}
		if err == nil {
			c.apply(v)
			return v, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("cluster not stable after %v: %w", timeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stableView returns the running nodes' common view, or why there is none.
func (c *Cluster) stableView() (*clusterView, error) {
	var live []*ClusterNode
	for _, n := range c.nodes {
		if n.Running() {
			live = append(live, n)
		}
	}
	if len(live) == 0 {
		return nil, errors.New("no node is running")
	}
	var ref *clusterView
	for _, n := range live {
		r, err := n.Do("CLUSTER", "INFO")
		if err != nil {
			return nil, fmt.Errorf("CLUSTER INFO on %s: %w", n.Addr(), err)
		}
		if info := Text(&r); !strings.Contains(info, "cluster_state:ok") {
			return nil, fmt.Errorf("%s: cluster state is not ok", n.Addr())
		}
		v, err := n.view()
		if err != nil {
			return nil, err
		}
		for s, id := range v.owner {
			if id == "" {
				return nil, fmt.Errorf("%s: slot %d is not covered", n.Addr(), s)
			}
		}
		for _, m := range live {
			e := v.nodes[m.ID]
			switch {
			case e == nil:
				return nil, fmt.Errorf("%s does not know %s", n.Addr(), m.Addr())
			case e.failing:
				return nil, fmt.Errorf("%s sees %s failing", n.Addr(), m.Addr())
			case ref != nil && (e.master != ref.nodes[m.ID].master || e.masterID != ref.nodes[m.ID].masterID):
				return nil, fmt.Errorf("%s and %s disagree on the role of %s", n.Addr(), ref.from, m.Addr())
			}
		}
		if ref != nil && v.owner != ref.owner {
			return nil, fmt.Errorf("%s and %s disagree on the slot map", n.Addr(), ref.from)
		}
		if e := v.nodes[n.ID]; !e.master {
			r, err := n.Do("INFO", "replication")
			if err != nil {
				return nil, fmt.Errorf("INFO on %s: %w", n.Addr(), err)
			}
			if !strings.Contains(Text(&r), "master_link_status:up") {
				return nil, fmt.Errorf("replica %s is not in sync with its master", n.Addr())
			}
		}
		if ref == nil {
			ref = v
		}
	}
	return ref, nil
}

// crc16tab is the table of CRC-16/XMODEM (polynomial 0x1021), the key hash
// of Redis Cluster.
var crc16tab = func() (tab [256]uint16) {
	for i := range tab {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		tab[i] = crc
	}
	return tab
}()

func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc = crc<<8 ^ crc16tab[byte(crc>>8)^s[i]]
	}
	return crc
}

// Slot returns key's hash slot, as CLUSTER KEYSLOT does: CRC-16/XMODEM of
// the key modulo 16384, or of its hash tag, the text between its first '{'
// and the first '}' after it, when that text is not empty.
func Slot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return int(crc16(key) % ClusterSlots)
}

// slotTags holds, per slot, a short hash tag that hashes to it.
var slotTags = sync.OnceValue(func() *[ClusterSlots]string {
	var tags [ClusterSlots]string
	for i, n := 0, 0; n < ClusterSlots; i++ {
		tag := strconv.Itoa(i)
		if s := Slot(tag); tags[s] == "" {
			tags[s] = tag
			n++
		}
	}
	return &tags
})

// KeyInSlot returns a key of the given slot: name behind a hash tag, as in
// "{4711}name". It panics if slot is out of range.
func KeyInSlot(slot int, name string) string {
	return "{" + slotTags()[slot] + "}" + name
}

// sharedClusters are the clusters of SharedCluster, by configuration.
var sharedClusters struct {
	mu sync.Mutex
	m  map[string]*Cluster
}

// SharedCluster returns the package's shared cluster for these options,
// starting it (as StartCluster does) on first use; [Main] stops it when
// the test binary exits, so the package's TestMain must call Main. Tests
// that share it must use keys of their own and leave its topology and slot
// map as they found them: a test that migrates slots, fails over, kills or
// restarts nodes starts its own cluster with StartCluster.
func SharedCluster(t testing.TB, opts ...ClusterOption) *Cluster {
	t.Helper()
	bin := binary(t)
	shared.mu.Lock()
	main := shared.main
	shared.mu.Unlock()
	if !main {
		t.Fatal(errNoMain)
	}
	cfg := newClusterConfig(opts)
	cli := clusterCLI(t, bin)
	c, err := sharedCluster(bin, cli, cfg)
	if err != nil {
		t.Fatalf("redistest: shared cluster: %v", err)
	}
	return c
}

// sharedCluster returns the shared cluster of cfg, starting it on first
// use; Main stops it.
func sharedCluster(bin, cli string, cfg clusterConfig) (*Cluster, error) {
	key := fmt.Sprintf("%+v", cfg)
	sharedClusters.mu.Lock()
	defer sharedClusters.mu.Unlock()
	if c := sharedClusters.m[key]; c != nil {
		return c, nil
	}
	dirs := make([]string, cfg.masters*(1+cfg.replicas))
	for i := range dirs {
		d, err := os.MkdirTemp("", "redistest")
		if err != nil {
			return nil, err
		}
		dirs[i] = d
	}
	shared.mu.Lock()
	shared.dirs = append(shared.dirs, dirs...)
	shared.mu.Unlock()
	c := &Cluster{cfg: cfg, cli: cli}
	if err := c.start(bin, dirs); err != nil {
		_ = c.stopAll()
		return nil, err
	}
	shared.mu.Lock()
	if shared.servers == nil {
		shared.servers = make(map[string]*Server)
	}
	for _, n := range c.nodes {
		shared.servers[fmt.Sprintf("cluster-%p", n.Server)] = n.Server
	}
	shared.mu.Unlock()
	if sharedClusters.m == nil {
		sharedClusters.m = make(map[string]*Cluster)
	}
	sharedClusters.m[key] = c
	return c, nil
}
