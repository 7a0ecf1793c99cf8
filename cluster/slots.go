package cluster

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	redis "github.com/duoredis/redis"
)

// NumSlots is the number of hash slots of a Redis Cluster.
const NumSlots = 16384

// ShardInfo is one shard of a slot map: the address of its master, those of
// its replicas, and the slot ranges it serves.
type ShardInfo struct {
	Master   string
	Replicas []string
	Ranges   [][2]int // inclusive [start, end] ranges
}

// topology is a slot map as one node described it.
type topology struct {
	shards []ShardInfo
	owner  [NumSlots]int16 // index into shards, -1: uncovered
	epoch  uint64          // the highest config epoch among the nodes (CLUSTER NODES)
	from   string          // the node that answered
}

// parseSlots reads a CLUSTER SLOTS reply, as the node reached at from
// sent it. An endpoint that is null or empty means "the host you reached me
// at"; "?" (unknown endpoint) takes the node's ip from the metadata when
// there is one, else that host too. mapAddr, when not nil, rewrites each
// address.
func parseSlots(r *redis.Reply, from string, mapAddr func(string) string) (*topology, error) {
	if r.IsError() {
		return nil, r.Err()
	}
	if r.Kind != redis.KindArray && r.Kind != redis.KindSet {
		return nil, fmt.Errorf("redis: CLUSTER SLOTS: unexpected %v reply", r.Kind)
	}
	fromHost, _, _ := net.SplitHostPort(from)
	t := &topology{from: from}
	for i := range t.owner {
		t.owner[i] = -1
	}
	byMaster := map[string]int{}
	for _, e := range r.Elems {
		if len(e.Elems) < 3 || e.Elems[0].Kind != redis.KindInteger || e.Elems[1].Kind != redis.KindInteger {
			return nil, fmt.Errorf("redis: CLUSTER SLOTS: malformed slot range %v", e)
		}
		lo, hi := int(e.Elems[0].Int), int(e.Elems[1].Int)
		if lo < 0 || hi >= NumSlots || lo > hi {
			return nil, fmt.Errorf("redis: CLUSTER SLOTS: invalid slot range %d-%d", lo, hi)
		}
		var addrs []string
		for j := 2; j < len(e.Elems); j++ {
			a, ok := endpoint(&e.Elems[j], fromHost)
			if !ok {
				if j == 2 {
					return nil, fmt.Errorf("redis: CLUSTER SLOTS: malformed master of slots %d-%d", lo, hi)
				}
				continue
			}
			if mapAddr != nil {
				a = mapAddr(a)
			}
			addrs = append(addrs, a)
		}
		idx, ok := byMaster[addrs[0]]
		if !ok {
			idx = len(t.shards)
			byMaster[addrs[0]] = idx
			t.shards = append(t.shards, ShardInfo{Master: addrs[0], Replicas: addrs[1:]})
		}
		t.shards[idx].Ranges = append(t.shards[idx].Ranges, [2]int{lo, hi})
		for s := lo; s <= hi; s++ {
			t.owner[s] = int16(idx)
		}
	}
	if len(t.shards) == 0 {
		return nil, errors.New("redis: CLUSTER SLOTS: no slot is served (is the cluster created?)")
	}
	return t, nil
}

// endpoint returns host:port of one node entry of CLUSTER SLOTS:
// [endpoint, port, id, metadata...].
func endpoint(n *redis.Reply, fromHost string) (string, bool) {
	if len(n.Elems) < 2 || n.Elems[1].Kind != redis.KindInteger {
		return "", false
	}
	port := strconv.FormatInt(n.Elems[1].Int, 10)
	host := ""
	if n.Elems[0].Kind == redis.KindBulkString || n.Elems[0].Kind == redis.KindSimpleString || n.Elems[0].Kind == redis.KindVerbatim {
		host = string(n.Elems[0].Str)
	}
	if host == "?" {
		host = metaIP(n)
	}
	if host == "" {
		host = fromHost
	}
	return net.JoinHostPort(host, port), true
}

// metaIP returns the "ip" field of a node entry's metadata (a map in RESP3,
// a flat list of pairs in RESP2), or "".
func metaIP(n *redis.Reply) string {
	for j := 3; j < len(n.Elems); j++ {
		m := n.Elems[j].Elems
		for k := 0; k+1 < len(m); k += 2 {
			if string(m[k].Str) == "ip" {
				return string(m[k+1].Str)
			}
		}
	}
	return ""
}

// maxEpoch returns the highest config epoch in a CLUSTER NODES reply: the
// seventh field of every line.
func maxEpoch(text string) (uint64, error) {
	var best uint64
	seen := false
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		ep, err := strconv.ParseUint(f[6], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("redis: CLUSTER NODES: invalid config epoch %q", f[6])
		}
		seen = true
		best = max(best, ep)
	}
	if !seen {
		return 0, errors.New("redis: CLUSTER NODES: no node")
	}
	return best, nil
}
