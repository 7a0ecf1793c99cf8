package client_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hlsScanCounter counts the SCAN-family commands that its clients write.
type hlsScanCounter struct{ n atomic.Int64 }

type hlsCountingConn struct {
	net.Conn
	c *hlsScanCounter
}

func (c hlsCountingConn) Write(p []byte) (int, error) {
	c.c.n.Add(int64(bytes.Count(p, []byte("SCAN\r\n"))))
	return c.Conn.Write(p)
}

// hlsProtocolsCounting is protocols with clients whose scan commands are
// counted.
func hlsProtocolsCounting(t *testing.T, fn func(t *testing.T, rdb *client.Client, k keyspace, calls *hlsScanCounter)) {
	srv := redistest.Shared(t)
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			var calls hlsScanCounter
			var d net.Dialer
			rdb, err := client.New(client.Options{
				Addr:     srv.Addr(),
				Protocol: proto,
				Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
					c, err := d.DialContext(ctx, network, addr)
					if err != nil {
						return nil, err
					}
					return hlsCountingConn{Conn: c, c: &calls}, nil
				},
			})
			require.NoError(t, err)
			t.Cleanup(func() { rdb.Close() })
			k := keyspace(strings.ReplaceAll(t.Name(), "/", ":") + ":")
			hlsFresh(t, rdb, k)
			fn(t, rdb, k, &calls)
		})
	}
}

// hlsFresh deletes the keys of k that an earlier run (go test -count=N)
// left on the shared server.
func hlsFresh(t *testing.T, rdb *client.Client, k keyspace) {
	t.Helper()
	for key, err := range rdb.ScanIter(ctx, client.ScanArgs{Match: k.Key("*"), Count: 1000}) {
		require.NoError(t, err)
		require.NoError(t, rdb.Del(ctx, key).Err())
	}
}

// hlsCollect ranges over seq to the end and returns every element in order
// and the errors.
func hlsCollect[T any](seq func(func(T, error) bool)) ([]T, []error) {
	var out []T
	var errs []error
	for v, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, v)
	}
	return out, errs
}

// hlsCounts returns how many times each element occurs.
func hlsCounts[T comparable](vs []T) map[T]int {
	m := make(map[T]int, len(vs))
	for _, v := range vs {
		m[v]++
	}
	return m
}

const hlsIterN = 3000

func TestScanIter(t *testing.T) {
	hlsProtocolsCounting(t, func(t *testing.T, rdb *client.Client, k keyspace, calls *hlsScanCounter) {
		// hlsIterN string keys and 300 hashes under the test's prefix, plus
		// keys of another prefix that Match must leave out.
		strs := make(map[string]any, hlsIterN)
		for i := range hlsIterN {
			strs[k.Key("s:"+strconv.Itoa(i))] = i
		}
		require.NoError(t, rdb.MSet(ctx, strs).Err())
		hashes := map[string]bool{}
		for i := range 300 {
			h := k.Key("h:" + strconv.Itoa(i))
			hashes[h] = true
			require.NoError(t, rdb.HSet(ctx, h, map[string]any{"f": i}).Err())
		}
		other := keyspace(string(k) + "other:")
		for i := range 100 {
			require.NoError(t, rdb.Set(ctx, other.Key(strconv.Itoa(i)), i, 0).Err())
		}

		// Every key once: the keys are not written during the scan, so the
		// server sends each exactly once and so must the iterator.
		before := calls.n.Load()
		keys, errs := hlsCollect(rdb.ScanIter(ctx, client.ScanArgs{Match: k.Key("s:*"), Count: 100}))
		require.Empty(t, errs)
		assert.Len(t, keys, hlsIterN)
		counts := hlsCounts(keys)
		assert.Len(t, counts, hlsIterN)
		for key := range strs {
			assert.Equal(t, 1, counts[key], key)
		}
		pages := calls.n.Load() - before
		assert.Greater(t, pages, int64(5), "the cursor is followed over many pages")

		// Match over both prefixes; the default Count and a large one.
		for _, count := range []int64{0, 1000, 100000} {
			keys, errs = hlsCollect(rdb.ScanIter(ctx, client.ScanArgs{Match: k.Key("*"), Count: count}))
			require.Empty(t, errs)
			assert.Len(t, hlsCounts(keys), hlsIterN+300+100, "count %d", count)
		}

		// Type.
		keys, errs = hlsCollect(rdb.ScanIter(ctx, client.ScanArgs{Match: k.Key("*"), Type: "hash", Count: 500}))
		require.Empty(t, errs)
		assert.Len(t, keys, 300)
		for _, key := range keys {
			assert.True(t, hashes[key], key)
		}
		keys, _ = hlsCollect(rdb.ScanIter(ctx, client.ScanArgs{Match: k.Key("*"), Type: "zset"}))
		assert.Empty(t, keys)

		// A match that fits nothing yields nothing (after many empty pages).
		keys, errs = hlsCollect(rdb.ScanIter(ctx, client.ScanArgs{Match: k.Key("nothing:*")}))
		assert.Empty(t, keys)
		assert.Empty(t, errs)

		// Early break: no page is fetched after the loop body stopped.
		var got []string
		var atBreak int64
		for key, err := range rdb.ScanIter(ctx, client.ScanArgs{Match: k.Key("s:*"), Count: 10}) {
			require.NoError(t, err)
			got = append(got, key)
			if len(got) == 25 {
				atBreak = calls.n.Load()
				break
			}
		}
		assert.Len(t, got, 25)
		assert.Equal(t, atBreak, calls.n.Load())

		// The sequence can be ranged over again, from the start.
		seq := rdb.ScanIter(ctx, client.ScanArgs{Match: k.Key("h:*"), Count: 50})
		first, _ := hlsCollect(seq)
		second, _ := hlsCollect(seq)
		assert.ElementsMatch(t, first, second)
		assert.Len(t, first, 300)

		// A cancelled context: the error comes once, last, and stops the scan.
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		n := 0
		var last error
		for _, err := range rdb.ScanIter(cctx, client.ScanArgs{Match: k.Key("s:*"), Count: 10}) {
			if err != nil {
				require.NoError(t, last, "a second error")
				last = err
				continue
			}
			n++
			if n == 5 {
				cancel()
			}
		}
		assert.True(t, errors.Is(last, context.Canceled), "%v", last)
		assert.Less(t, n, hlsIterN)
	})
}

func TestSScanIter(t *testing.T) {
	hlsProtocolsCounting(t, func(t *testing.T, rdb *client.Client, k keyspace, calls *hlsScanCounter) {
		s := k.Key("set")
		members := make([]any, hlsIterN)
		for i := range members {
			members[i] = "m:" + strconv.Itoa(i)
		}
		require.Equal(t, int64(hlsIterN), rdb.SAdd(ctx, s, members...).Val())

		before := calls.n.Load()
		got, errs := hlsCollect(rdb.SScanIter(ctx, s, client.ScanArgs{Count: 50}))
		require.Empty(t, errs)
		assert.Len(t, got, hlsIterN)
		assert.Len(t, hlsCounts(got), hlsIterN)
		assert.Greater(t, calls.n.Load()-before, int64(5))

		// Match: m:1, m:1x, m:1xx, m:1xxx = 1 + 10 + 100 + 1000.
		got, errs = hlsCollect(rdb.SScanIter(ctx, s, client.ScanArgs{Match: "m:1*", Count: 200}))
		require.Empty(t, errs)
		assert.Len(t, got, 1111)
		for _, m := range got {
			assert.Regexp(t, `^m:1\d*$`, m)
		}

		// A small set comes in one page; a missing key yields nothing.
		small := k.Key("small")
		rdb.SAdd(ctx, small, "a", "b", "c")
		got, _ = hlsCollect(rdb.SScanIter(ctx, small, client.ScanArgs{}))
		assert.ElementsMatch(t, []string{"a", "b", "c"}, got)
		got, errs = hlsCollect(rdb.SScanIter(ctx, k.Key("none"), client.ScanArgs{}))
		assert.Empty(t, got)
		assert.Empty(t, errs)

		// Early break.
		var atBreak int64
		n := 0
		for _, err := range rdb.SScanIter(ctx, s, client.ScanArgs{Count: 10}) {
			require.NoError(t, err)
			if n++; n == 3 {
				atBreak = calls.n.Load()
				break
			}
		}
		assert.Equal(t, atBreak, calls.n.Load())

		// A server error is yielded once, with the zero element, and ends
		// the iteration.
		str := k.Key("str")
		rdb.Set(ctx, str, "x", 0)
		got, errs = hlsCollect(rdb.SScanIter(ctx, str, client.ScanArgs{}))
		assert.Empty(t, got)
		require.Len(t, errs, 1)
		var re *redis.Error
		require.True(t, errors.As(errs[0], &re))
		assert.Equal(t, "WRONGTYPE", re.Prefix())
	})
}

func TestHScanIter(t *testing.T) {
	hlsProtocolsCounting(t, func(t *testing.T, rdb *client.Client, k keyspace, calls *hlsScanCounter) {
		h := k.Key("hash")
		fields := make(map[string]any, hlsIterN)
		want := make(map[string]string, hlsIterN)
		for i := range hlsIterN {
			f := "f:" + strconv.Itoa(i)
			fields[f] = i * 7
			want[f] = strconv.Itoa(i * 7)
		}
		require.Equal(t, int64(hlsIterN), rdb.HSet(ctx, h, fields).Val())

		before := calls.n.Load()
		got, errs := hlsCollect(rdb.HScanIter(ctx, h, client.ScanArgs{Count: 100}))
		require.Empty(t, errs)
		assert.Len(t, got, hlsIterN)
		m := map[string]string{}
		for _, p := range got {
			m[p.Field] = p.Value
		}
		assert.Equal(t, want, m)
		assert.Greater(t, calls.n.Load()-before, int64(5))

		// Match applies to field names.
		got, errs = hlsCollect(rdb.HScanIter(ctx, h, client.ScanArgs{Match: "f:2??", Count: 300}))
		require.Empty(t, errs)
		assert.Len(t, got, 100)
		for _, p := range got {
			assert.Equal(t, want[p.Field], p.Value)
			assert.Regexp(t, `^f:2\d\d$`, p.Field)
		}

		// A small hash (listpack) comes in one page, pairs in order.
		small := k.Key("small")
		rdb.HSetPairs(ctx, small, "a", "1", "b", "2")
		got, _ = hlsCollect(rdb.HScanIter(ctx, small, client.ScanArgs{}))
		assert.Equal(t, []client.HashField{{Field: "a", Value: "1"}, {Field: "b", Value: "2"}}, got)
		got, errs = hlsCollect(rdb.HScanIter(ctx, k.Key("none"), client.ScanArgs{}))
		assert.Empty(t, got)
		assert.Empty(t, errs)

		// Early break.
		var atBreak int64
		n := 0
		for _, err := range rdb.HScanIter(ctx, h, client.ScanArgs{Count: 10}) {
			require.NoError(t, err)
			if n++; n == 30 {
				atBreak = calls.n.Load()
				break
			}
		}
		assert.Equal(t, 30, n)
		assert.Equal(t, atBreak, calls.n.Load())

		// WRONGTYPE.
		str := k.Key("str")
		rdb.Set(ctx, str, "x", 0)
		got, errs = hlsCollect(rdb.HScanIter(ctx, str, client.ScanArgs{}))
		assert.Empty(t, got)
		require.Len(t, errs, 1)
		var re *redis.Error
		require.True(t, errors.As(errs[0], &re))
		assert.Equal(t, "WRONGTYPE", re.Prefix())
	})
}

func TestZScanIter(t *testing.T) {
	hlsProtocolsCounting(t, func(t *testing.T, rdb *client.Client, k keyspace, calls *hlsScanCounter) {
		z := k.Key("zset")
		args := []any{"ZADD", z}
		want := make(map[string]float64, hlsIterN)
		for i := range hlsIterN {
			score := float64(i)/4 - 100
			switch i {
			case 0:
				score = math.Inf(-1)
			case 1:
				score = math.Inf(1)
			}
			m := "m:" + strconv.Itoa(i)
			want[m] = score
			args = append(args, score, m)
		}
		require.Equal(t, int64(hlsIterN), rdb.Do(ctx, args...).Val())

		before := calls.n.Load()
		got, errs := hlsCollect(rdb.ZScanIter(ctx, z, client.ScanArgs{Count: 100}))
		require.Empty(t, errs)
		assert.Len(t, got, hlsIterN)
		m := map[string]float64{}
		for _, p := range got {
			m[p.Member] = p.Score
		}
		assert.Equal(t, want, m)
		assert.Greater(t, calls.n.Load()-before, int64(5))

		// Match applies to members.
		got, errs = hlsCollect(rdb.ZScanIter(ctx, z, client.ScanArgs{Match: "m:1?", Count: 1000}))
		require.Empty(t, errs)
		assert.Len(t, got, 10)
		for _, p := range got {
			assert.Equal(t, want[p.Member], p.Score)
		}

		// ZScan itself: one page of a small sorted set, scores as text.
		small := k.Key("small")
		rdb.Do(ctx, "ZADD", small, 1.5, "a", "-inf", "b")
		page, err := rdb.ZScan(ctx, small, 0, client.ScanArgs{}).Result()
		require.NoError(t, err)
		assert.Equal(t, uint64(0), page.Cursor)
		assert.Equal(t, []string{"b", "-inf", "a", "1.5"}, page.Keys)
		got, _ = hlsCollect(rdb.ZScanIter(ctx, small, client.ScanArgs{}))
		assert.Equal(t, []client.ScoredMember{{Member: "b", Score: math.Inf(-1)}, {Member: "a", Score: 1.5}}, got)
		got, errs = hlsCollect(rdb.ZScanIter(ctx, k.Key("none"), client.ScanArgs{}))
		assert.Empty(t, got)
		assert.Empty(t, errs)

		// Early break.
		var atBreak int64
		n := 0
		for _, err := range rdb.ZScanIter(ctx, z, client.ScanArgs{Count: 10}) {
			require.NoError(t, err)
			if n++; n == 7 {
				atBreak = calls.n.Load()
				break
			}
		}
		assert.Equal(t, atBreak, calls.n.Load())

		// WRONGTYPE.
		str := k.Key("str")
		rdb.Set(ctx, str, "x", 0)
		got, errs = hlsCollect(rdb.ZScanIter(ctx, str, client.ScanArgs{}))
		assert.Empty(t, got)
		require.Len(t, errs, 1)
		var re *redis.Error
		require.True(t, errors.As(errs[0], &re))
		assert.Equal(t, "WRONGTYPE", re.Prefix())
	})
}
