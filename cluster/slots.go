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
	cmd    string          // the command it answered: CLUSTER SHARDS or CLUSTER SLOTS
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

// parseShards reads a CLUSTER SHARDS reply (Redis 7+, Valkey), as the node
// reached at from sent it: per shard a map of "slots" (start, end pairs)
// and "nodes" (maps of id, endpoint, ip, hostname, port, tls-port, role,
// replication-offset, health). Endpoints follow the rules of parseSlots;
// the port is tls-port when useTLS and the node has one, else port.
// Shards without slots are left out, and so are replicas whose health is
// not "online" (a replica still loading its first sync, or failed), which
// CLUSTER SLOTS would list. mapAddr, when not nil, rewrites each address.
func parseShards(r *redis.Reply, from string, useTLS bool, mapAddr func(string) string) (*topology, error) {
	if r.IsError() {
		return nil, r.Err()
	}
	if r.Kind != redis.KindArray && r.Kind != redis.KindSet {
		return nil, fmt.Errorf("redis: CLUSTER SHARDS: unexpected %v reply", r.Kind)
	}
	fromHost, _, _ := net.SplitHostPort(from)
	t := &topology{from: from}
	for i := range t.owner {
		t.owner[i] = -1
	}
	for i := range r.Elems {
		e := &r.Elems[i]
		slots, nodes := field(e, "slots"), field(e, "nodes")
		if slots == nil || nodes == nil {
			return nil, fmt.Errorf("redis: CLUSTER SHARDS: malformed shard %v", e)
		}
		if len(slots.Elems)%2 != 0 {
			return nil, fmt.Errorf("redis: CLUSTER SHARDS: odd slot list %v", slots)
		}
		if len(slots.Elems) == 0 {
			continue // a master without slots: nothing is routed to it
		}
		var sh ShardInfo
		for j := range nodes.Elems {
			n := &nodes.Elems[j]
			a, ok := shardNodeAddr(n, fromHost, useTLS)
			if !ok {
				return nil, fmt.Errorf("redis: CLUSTER SHARDS: malformed node %v", n)
			}
			if mapAddr != nil {
				a = mapAddr(a)
			}
			switch text(field(n, "role")) {
			case "master":
				if sh.Master != "" && text(field(n, "health")) != "online" {
					continue // keep the online one of two (a stale entry)
				}
				sh.Master = a
			case "replica", "slave":
				if text(field(n, "health")) == "online" {
					sh.Replicas = append(sh.Replicas, a)
				}
			}
		}
		if sh.Master == "" {
			return nil, fmt.Errorf("redis: CLUSTER SHARDS: a shard with slots and no master: %v", e)
		}
		idx := len(t.shards)
		for k := 0; k < len(slots.Elems); k += 2 {
			lo, lok := number(&slots.Elems[k])
			hi, hok := number(&slots.Elems[k+1])
			if !lok || !hok || lo < 0 || hi >= NumSlots || lo > hi {
				return nil, fmt.Errorf("redis: CLUSTER SHARDS: invalid slot range %v-%v", &slots.Elems[k], &slots.Elems[k+1])
			}
			sh.Ranges = append(sh.Ranges, [2]int{lo, hi})
			for s := lo; s <= hi; s++ {
				t.owner[s] = int16(idx)
			}
		}
		t.shards = append(t.shards, sh)
	}
	if len(t.shards) == 0 {
		return nil, errors.New("redis: CLUSTER SHARDS: no slot is served (is the cluster created?)")
	}
	return t, nil
}

// shardNodeAddr returns host:port of one node map of CLUSTER SHARDS.
func shardNodeAddr(n *redis.Reply, fromHost string, useTLS bool) (string, bool) {
	port, pok := number(field(n, "port"))
	tport, tok := number(field(n, "tls-port"))
	if (useTLS && tok && tport > 0) || !pok || port <= 0 {
		port, pok = tport, tok && tport > 0
	}
	if !pok {
		return "", false
	}
	host := text(field(n, "endpoint"))
	if host == "?" {
		host = text(field(n, "ip"))
	}
	if host == "" {
		host = fromHost
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), true
}

// field returns the value of key in a map reply (a map in RESP3, a flat
// list of pairs in RESP2), or nil.
func field(m *redis.Reply, key string) *redis.Reply {
	if m == nil || (m.Kind != redis.KindMap && m.Kind != redis.KindArray) {
		return nil
	}
	for k := 0; k+1 < len(m.Elems); k += 2 {
		if string(m.Elems[k].Str) == key {
			return &m.Elems[k+1]
		}
	}
	return nil
}

// text returns a string reply's text, or "" for anything else.
func text(r *redis.Reply) string {
	if r == nil {
		return ""
	}
	switch r.Kind {
	case redis.KindBulkString, redis.KindSimpleString, redis.KindVerbatim:
		return string(r.Str)
	}
	return ""
}

// number returns an integer reply, or a string reply that holds one.
func number(r *redis.Reply) (int, bool) {
	if r == nil {
		return 0, false
	}
	if r.Kind == redis.KindInteger {
		return int(r.Int), true
	}
	n, err := strconv.Atoi(text(r))
	return n, err == nil
}

// trustShards reports whether CLUSTER SHARDS describes a server's cluster
// reliably, from the server and version fields of its HELLO: Valkey from
// 7.2.6 and Redis from 8.0. Earlier versions can report a fully synced
// replica as loading, with replication offset 0, for about a second after
// a reshard (measured on Redis 7.0.15), so the client reads CLUSTER SLOTS
// from them. A variable, so that tests can use SHARDS on any server.
var trustShards = func(server, version string) bool {
	v := strings.SplitN(version, ".", 3)
	num := func(i int) int {
		if i >= len(v) {
			return 0
		}
		n, _ := strconv.Atoi(v[i])
		return n
	}
	major, minor, patch := num(0), num(1), num(2)
	switch server {
	case "valkey":
		return major > 7 || (major == 7 && (minor > 2 || (minor == 2 && patch >= 6)))
	case "redis":
		return major >= 8
	}
	return false
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
