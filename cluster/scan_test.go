package cluster_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// scanAll runs ScanIter to the end and returns how often each key came.
func scanAll(t *testing.T, rdb *cluster.Client, a command.ScanArgs, each func(n int)) (map[string]int, error) {
	got := map[string]int{}
	var err error
	n := 0
	for k, e := range rdb.ScanIter(ctx, a) {
		if e != nil {
			err = e
			break
		}
		got[k]++
		n++
		if each != nil {
			each(n)
		}
	}
	return got, err
}

// fillKeys writes n keys named prefix:i, spread over every slot range.
func fillKeys(t *testing.T, rdb *cluster.Client, prefix string, n int) map[string]bool {
	want := map[string]bool{}
	p := rdb.PipelineNoTx()
	defer p.Close()
	for i := 0; i < n; i++ {
		k := prefix + ":" + strconv.Itoa(i)
		want[k] = true
		p.Set(ctx, k, i, 0)
	}
	_, err := p.Exec(ctx)
	require.NoError(t, err)
	return want
}

// checkScan: every key of want came at least once, and no key outside
// want matching the prefix came (none invented).
func checkScan(t *testing.T, name string, got map[string]int, want map[string]bool) {
	t.Helper()
	missing, dup := 0, 0
	for k := range want {
		if got[k] == 0 {
			missing++
		}
	}
	for k, n := range got {
		require.True(t, want[k], "%s: key %q was never written", name, k)
		if n > 1 {
			dup++
		}
	}
	t.Logf("FIGURES %s: %d keys, %d returned, %d missing, %d returned more than once", name, len(want), len(got), missing, dup)
	require.Zero(t, missing, name)
}

// TestScanIter: every key of every master once, Match and Type applied,
// on both protocols; breaking out stops.
func TestScanIter(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		prefix := "scan" + strconv.FormatInt(time.Now().UnixNano(), 36)
		want := fillKeys(t, rdb, prefix, 1000)
		require.NoError(t, rdb.SAdd(ctx, prefix+":set", "m").Err())
		got, err := scanAll(t, rdb, command.ScanArgs{Match: prefix + ":*", Count: 100, Type: "string"}, nil)
		require.NoError(t, err)
		checkScan(t, "scan", got, want)
		n := 0
		for range rdb.ScanIter(ctx, command.ScanArgs{Match: prefix + ":*"}) {
			if n++; n == 5 {
				break
			}
		}
		require.Equal(t, 5, n)
	})
}

// TestScanIterFaults: 5000 keys scanned while 2000 slots migrate, and
// while a master is killed (kill -9): every key comes at least once,
// none is invented, on both protocols at once.
func TestScanIterFaults(t *testing.T) {
	c := redistest.StartCluster(t)
	rdb, err := cluster.New(cluster.Options{Addrs: c.Addrs()[:1]})
	require.NoError(t, err)
	defer rdb.Close()
	want := fillKeys(t, rdb, "k", 5000)

	// scanDuring runs a slow scan per protocol (a pause every 50 keys)
	// and fault once each has yielded 500 keys.
	scanDuring := func(name string, fault func()) {
		var wg sync.WaitGroup
		var ready sync.WaitGroup
		results := make([]map[string]int, 2)
		errs := make([]error, 2)
		for i, proto := range []int{2, 3} {
			o := cluster.Options{Addrs: c.Addrs()[:1]}
			o.Protocol = proto
			sc, err := cluster.New(o)
			require.NoError(t, err)
			defer sc.Close()
			wg.Add(1)
			ready.Add(1)
			go func() {
				defer wg.Done()
				once := sync.OnceFunc(ready.Done)
				defer once()
				results[i], errs[i] = scanAll(t, sc, command.ScanArgs{Count: 20}, func(n int) {
					if n == 500 {
						once()
					}
					if n%50 == 0 {
						time.Sleep(5 * time.Millisecond)
					}
				})
			}()
		}
		ready.Wait()
		start := time.Now()
		fault()
		wg.Wait()
		for i := range results {
			require.NoError(t, errs[i])
			checkScan(t, fmt.Sprintf("%s resp%d (scan ended %v after the fault began)", name, 2+i, time.Since(start).Round(time.Millisecond)), results[i], want)
		}
	}

	ms := c.Masters()
	var slots []int
	for _, s := range ms[0].SlotList() {
		if len(slots) == 2000 {
			break
		}
		slots = append(slots, s)
	}
	scanDuring("scan during the migration of 2000 slots", func() {
		c.MigrateSlots(t, ms[0], ms[1], slots)
	})
	c.WaitStable(t, 30*time.Second)
	scanDuring("scan during a kill -9 of a master", func() {
		c.KillMaster(t, ms[1])
		c.WaitTakeover(t, ms[1], 30*time.Second)
	})
}
