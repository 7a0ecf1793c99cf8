package redistest_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clusterNodesOf returns a node's CLUSTER NODES.
func clusterNodesOf(t *testing.T, n *redistest.ClusterNode) string {
	t.Helper()
	return n.Exec(t, "CLUSTER", "NODES")
}

// ownerInView returns the address of the master that serves slot in n's
// CLUSTER NODES.
func ownerInView(t *testing.T, n *redistest.ClusterNode, slot int) string {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(clusterNodesOf(t, n)), "\n") {
		f := strings.Fields(line)
		for _, tok := range f[8:] {
			if strings.HasPrefix(tok, "[") {
				continue
			}
			lo, hi, ok := strings.Cut(tok, "-")
			if !ok {
				hi = lo
			}
			a, _ := strconv.Atoi(lo)
			b, _ := strconv.Atoi(hi)
			if a <= slot && slot <= b {
				addr, _, _ := strings.Cut(f[1], "@")
				return addr
			}
		}
	}
	return ""
}

// serverErr returns the server error of err, or fails the test.
func serverErr(t *testing.T, err error) *redis.Error {
	t.Helper()
	var se *redis.Error
	require.ErrorAs(t, err, &se)
	return se
}

func TestClusterStartsStable(t *testing.T) {
	start := time.Now()
	c := redistest.SharedCluster(t)
	t.Logf("cluster ready in %v", time.Since(start))

	require.Len(t, c.Addrs(), 6)
	masters, replicas := c.Masters(), c.Replicas()
	require.Len(t, masters, 3)
	require.Len(t, replicas, 3)

	covered := 0
	prevEnd := -1
	for _, m := range masters {
		assert.True(t, m.IsMaster())
		assert.Empty(t, m.MasterID())
		assert.Len(t, c.ReplicasOf(m), 1, "one replica per master")
		for _, r := range m.Slots() {
			assert.Greater(t, r.Start, prevEnd, "masters are ordered by slot, ranges do not overlap")
			prevEnd = r.End
			covered += r.End - r.Start + 1
			assert.Same(t, m, c.MasterOf(r.Start))
			assert.Same(t, m, c.MasterOf(r.End))
		}
		assert.Equal(t, "OK", m.Exec(t, "DEBUG", "SLEEP", "0"), "DEBUG is enabled")
	}
	assert.Equal(t, redistest.ClusterSlots, covered)
	for _, r := range replicas {
		assert.False(t, r.IsMaster())
		m := c.NodeByID(r.MasterID())
		require.NotNil(t, m)
		assert.True(t, m.IsMaster())
		assert.Empty(t, r.Slots())
		assert.Contains(t, r.Exec(t, "INFO", "replication"), "master_port:"+strconv.Itoa(m.Port()))
	}
	for _, n := range c.Nodes() {
		assert.Contains(t, n.Exec(t, "CLUSTER", "INFO"), "cluster_state:ok")
		assert.Equal(t, n.ID, n.Exec(t, "CLUSTER", "MYID"))
		assert.Same(t, n, c.Node(n.Addr()))
	}

	// The layout routes a key to its master: no MOVED.
	for i := range 50 {
		key := fmt.Sprintf("startsstable:%d", i)
		n := c.NodeForKey(key)
		assert.Equal(t, "OK", n.Exec(t, "SET", key, "v"))
		assert.Equal(t, "v", n.Exec(t, "GET", key))
	}
	c.WaitStable(t, 5*time.Second)
	c.Refresh(t)
	assert.Len(t, c.Masters(), 3)
}

func TestClusterSlotMatchesKeyslot(t *testing.T) {
	c := redistest.SharedCluster(t)
	n := c.Nodes()[0]
	// CRC-16/XMODEM of "123456789" is 0x31C3.
	assert.Equal(t, 0x31C3%16384, redistest.Slot("123456789"))
	keys := []string{"", "foo", "{user1000}.following", "{user1000}.followers", "foo{}{bar}",
		"foo{{bar}}zap", "foo{bar}{zap}", "{}", "{", "}", "}{a}", "a{b", "{a}", "\x00\xff{\x01}"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			switch rng.IntN(8) {
			case 0:
				b[i] = '{'
			case 1:
				b[i] = '}'
			default:
				b[i] = byte(rng.IntN(256))
			}
		}
		keys = append(keys, string(b))
	}
	for _, k := range keys {
		assert.Equal(t, n.Exec(t, "CLUSTER", "KEYSLOT", k), strconv.Itoa(redistest.Slot(k)), "key %q", k)
	}
	for _, s := range []int{0, 1, 4711, 16383} {
		k := redistest.KeyInSlot(s, "x")
		assert.Equal(t, s, redistest.Slot(k))
		assert.Equal(t, strconv.Itoa(s), n.Exec(t, "CLUSTER", "KEYSLOT", k))
	}
}

func TestClusterMigrateSlots(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t)
	ms := c.Masters()
	from, to := ms[0], ms[1]
	slots := from.SlotList()[:100]
	nFrom, nTo := len(from.SlotList()), len(to.SlotList())
	var keys []string
	for _, s := range slots {
		for j := range 3 {
			k := redistest.KeyInSlot(s, strconv.Itoa(j))
			keys = append(keys, k)
			require.Equal(t, "OK", from.Exec(t, "SET", k, "v"+k))
		}
	}

	start := time.Now()
	c.MigrateSlots(t, from, to, slots)
	t.Logf("migrated %d slots with %d keys in %v", len(slots), len(keys), time.Since(start))
	for _, s := range slots {
		assert.Same(t, to, c.MasterOf(s))
	}
	assert.Len(t, from.SlotList(), nFrom-100)
	assert.Len(t, to.SlotList(), nTo+100)
	for _, k := range keys {
		assert.Equal(t, "v"+k, to.Exec(t, "GET", k))
		_, err := from.Do("GET", k)
		assert.Equal(t, "MOVED", serverErr(t, err).Prefix(), k)
	}

	c.WaitStable(t, 10*time.Second)
	for _, n := range c.Nodes() {
		for _, s := range []int{slots[0], slots[50], slots[99]} {
			assert.Equal(t, to.Addr(), ownerInView(t, n, s), "slot %d seen from %s", s, n.Addr())
		}
	}
	for _, r := range c.ReplicasOf(to) {
		// Replication is asynchronous: the replica gets the key (and
		// learns that its master owns the slot) a moment later.
		k := keys[0]
		var last string
		ok := assert.Eventually(t, func() bool {
			reps, err := r.DoAll([]string{"READONLY"}, []string{"GET", k})
			if err != nil {
				last = err.Error()
				return false
			}
			if reps[1].IsError() {
				last = reps[1].Err().Error()
				return false
			}
			last = redistest.Text(&reps[1])
			return last == "v"+k
		}, 5*time.Second, 20*time.Millisecond, "the target's replica has the key")
		if !ok {
			t.Logf("the target's replica %s answered %q", r.Addr(), last)
		}
	}
	for _, r := range c.ReplicasOf(from) {
		reps, err := r.DoAll([]string{"READONLY"}, []string{"GET", keys[0]})
		require.NoError(t, err)
		assert.Equal(t, "MOVED", serverErr(t, reps[1].Err()).Prefix())
	}

	// And back.
	c.MigrateSlots(t, to, from, slots)
	c.WaitStable(t, 10*time.Second)
	for _, k := range keys {
		assert.Equal(t, "v"+k, from.Exec(t, "GET", k))
	}
}

func TestClusterBeginMigration(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t)
	ms := c.Masters()
	from, to := ms[2], ms[0]
	slot := from.SlotList()[7]
	k := func(i int) string { return redistest.KeyInSlot(slot, strconv.Itoa(i)) }
	for i := range 4 {
		require.Equal(t, "OK", from.Exec(t, "SET", k(i), "v"+strconv.Itoa(i)))
	}

	m := c.BeginMigration(t, from, to, slot, k(0), k(1))
	assert.Equal(t, []string{k(0), k(1)}, m.Moved())
	s := strconv.Itoa(slot)
	assert.Contains(t, clusterNodesOf(t, from), "["+s+"->-"+to.ID+"]")
	assert.Contains(t, clusterNodesOf(t, to), "["+s+"-<-"+from.ID+"]")

	_, err := from.Do("GET", k(0))
	assert.Equal(t, "ASK "+s+" "+to.Addr(), serverErr(t, err).Message(), "a moved key: ASK")
	assert.Equal(t, "v2", from.Exec(t, "GET", k(2)), "a key not moved yet is served by the source")
	_, err = from.Do("MGET", k(0), k(2))
	assert.Equal(t, "TRYAGAIN", serverErr(t, err).Prefix(), "moved and unmoved keys: TRYAGAIN")
	_, err = to.Do("GET", k(0))
	assert.Equal(t, "MOVED", serverErr(t, err).Prefix(), "the target wants ASKING")
	reps, err := to.DoAll([]string{"ASKING"}, []string{"GET", k(0)})
	require.NoError(t, err)
	assert.Equal(t, "v0", redistest.Text(&reps[1]))

	m.Move(t, k(2))
	assert.Equal(t, []string{k(0), k(1), k(2)}, m.Moved())
	_, err = from.Do("GET", k(2))
	assert.Equal(t, "ASK", serverErr(t, err).Prefix())

	m.Finish(t)
	m.Finish(t)
	assert.ElementsMatch(t, []string{k(0), k(1), k(2), k(3)}, m.Moved())
	assert.Same(t, to, c.MasterOf(slot))
	for i := range 4 {
		assert.Equal(t, "v"+strconv.Itoa(i), to.Exec(t, "GET", k(i)))
		_, err := from.Do("GET", k(i))
		assert.Equal(t, "MOVED", serverErr(t, err).Prefix())
	}
	assert.NotContains(t, clusterNodesOf(t, from), "["+s+"->-")
	assert.NotContains(t, clusterNodesOf(t, to), "["+s+"-<-")

	// Without keys, half of the slot's keys move.
	slot2 := from.SlotList()[8]
	for i := range 10 {
		require.Equal(t, "OK", from.Exec(t, "SET", redistest.KeyInSlot(slot2, strconv.Itoa(i)), "v"))
	}
	m2 := c.BeginMigration(t, from, to, slot2)
	assert.Len(t, m2.Moved(), 5)
	assert.Equal(t, "5", from.Exec(t, "CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(slot2)))
	m2.Finish(t)
	c.WaitStable(t, 10*time.Second)
	assert.Equal(t, to.Addr(), ownerInView(t, c.Replicas()[0], slot2))
}

func TestClusterFailover(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t)
	m := c.Masters()[1]
	r := c.ReplicasOf(m)[0]
	slots := m.Slots()

	start := time.Now()
	c.Failover(t, r)
	t.Logf("failover in %v", time.Since(start))
	assert.True(t, r.IsMaster())
	assert.Equal(t, slots, r.Slots())
	assert.False(t, m.IsMaster())
	assert.Equal(t, r.ID, m.MasterID())
	for _, n := range c.Nodes() {
		assert.Equal(t, r.Addr(), ownerInView(t, n, slots[0].Start))
	}
	assert.Contains(t, m.Exec(t, "INFO", "replication"), "role:slave")
}

func TestClusterKillMasterAndRestart(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t)
	m := c.Masters()[0]
	r := c.ReplicasOf(m)[0]
	key := redistest.KeyInSlot(m.SlotList()[0], "kill")
	// WAIT counts the replicas that have its own connection's writes: the
	// SET goes on the same connection.
	reps, err := m.DoAll([]string{"SET", key, "v"}, []string{"WAIT", "1", "5000"})
	require.NoError(t, err)
	require.Equal(t, "OK", redistest.Text(&reps[0]))
	require.Equal(t, "1", redistest.Text(&reps[1]))

	c.KillMaster(t, m)
	start := time.Now()
	assert.False(t, m.Running())
	nm := c.WaitTakeover(t, m, c.NodeTimeout()+10*time.Second)
	took := time.Since(start)
	t.Logf("takeover after kill -9 in %v (node timeout %v)", took, c.NodeTimeout())
	assert.Same(t, r, nm)
	assert.Less(t, took, c.NodeTimeout()+4*time.Second)
	assert.True(t, r.IsMaster())
	assert.Len(t, c.Masters(), 3)
	assert.Len(t, c.Replicas(), 2)
	if !assert.Equal(t, "v", r.Exec(t, "GET", key), "the acknowledged write survived") {
		l := r.Log()
		t.Logf("the promoted replica %s's log (its end):\n%s", r.Addr(), l[max(0, len(l)-4000):])
		l = m.Log()
		t.Logf("the killed master %s's log (its end):\n%s", m.Addr(), l[max(0, len(l)-4000):])
	}

	_, err = m.Do("PING")
	assert.Error(t, err)
	m.Restart(t)
	c.WaitStable(t, 15*time.Second)
	assert.False(t, m.IsMaster(), "the restarted node rejoins as a replica")
	assert.Equal(t, r.ID, m.MasterID())
	assert.Len(t, c.Replicas(), 3)
	reps, err = m.DoAll([]string{"READONLY"}, []string{"GET", key})
	require.NoError(t, err)
	assert.Equal(t, "v", redistest.Text(&reps[1]), "the restarted replica synced")
}

func TestClusterPasswordNoReplicas(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t, redistest.ClusterPassword("s3cret"), redistest.ClusterReplicas(0),
		redistest.ClusterNodeTimeout(time.Second))
	assert.Equal(t, time.Second, c.NodeTimeout())
	require.Len(t, c.Addrs(), 3)
	require.Len(t, c.Masters(), 3)
	assert.Empty(t, c.Replicas())
	for _, n := range c.Nodes() {
		assert.Contains(t, n.Exec(t, "CONFIG", "GET", "cluster-node-timeout"), "1000")
	}

	from, to := c.Masters()[0], c.Masters()[2]
	key := redistest.KeyInSlot(from.SlotList()[3], "pw")
	require.Equal(t, "OK", from.Exec(t, "SET", key, "v"))
	c.MigrateSlots(t, from, to, from.SlotList()[:10])
	assert.Equal(t, "v", to.Exec(t, "GET", key), "MIGRATE authenticated with the target")
	c.WaitStable(t, 10*time.Second)
	assert.Same(t, to, c.NodeForKey(key))
}
