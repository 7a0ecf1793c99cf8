package command

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
)

// Server commands. DEBUG, SYNC, PSYNC, REPLCONF and RESTORE-ASKING are
// internal to the server, its replication or its cluster; MONITOR has a
// type of its own; ACL has no methods yet. None of them is here.

func init() {
	// Do's default callbacks for the commands whose typed decoder shapes the
	// reply (COMMAND DOCS keeps the plain ToAny value: callers read it as a
	// map with Do).
	for name, cb := range map[string]Callback{
		"SCRIPT EXISTS":           wrap(decBools),
		"FUNCTION LIST":           wrap(scriptDecLibraries),
		"FUNCTION STATS":          wrap(scriptDecFunctionStats),
		"PUBSUB NUMSUB":           wrap(decStringIntMap),
		"PUBSUB SHARDNUMSUB":      wrap(decStringIntMap),
		"CLIENT INFO":             wrap(connDecClientInfo),
		"CLIENT LIST":             wrap(connDecClientList),
		"CLIENT TRACKINGINFO":     wrap(connDecTrackingInfo),
		"INFO":                    wrap(serverDecInfo),
		"CONFIG GET":              wrap(decStringMap),
		"TIME":                    wrap(serverDecTime),
		"LASTSAVE":                wrap(serverDecUnix),
		"SLOWLOG GET":             wrap(serverDecSlowLog),
		"MEMORY STATS":            wrap(serverDecMemoryStats),
		"LATENCY LATEST":          wrap(serverDecLatencyLatest),
		"LATENCY HISTORY":         wrap(serverDecLatencyHistory),
		"LATENCY HISTOGRAM":       wrap(serverDecLatencyHistogram),
		"ROLE":                    wrap(serverDecRole),
		"MODULE LIST":             wrap(serverDecModules),
		"COMMAND INFO":            wrap(serverDecCommandInfos),
		"COMMAND GETKEYSANDFLAGS": wrap(serverDecKeyFlags),
	} {
		defaultCallbacks[name] = cb
	}
}

// serverSubArgs returns a container command, its subcommand and the
// strings after them.
func serverSubArgs(name, sub string, rest []string) []any {
	args := make([]any, 2, 2+len(rest))
	args[0], args[1] = name, sub
	for _, s := range rest {
		args = append(args, s)
	}
	return args
}

// ServerInfo is the reply of INFO: the text as sent, and its fields by
// section.
type ServerInfo struct {
	// Raw is the reply as the server sent it.
	Raw string
	// Sections maps each section's name in lower case ("server",
	// "clients", "memory", "keyspace", ...) to its fields, name to value,
	// as sent: "db0" in "keyspace" holds "keys=1,expires=0,avg_ttl=0".
	Sections map[string]map[string]string
}

// Field returns the value of a field, whatever its section, and whether
// there is one.
func (i ServerInfo) Field(name string) (string, bool) {
	for _, fields := range i.Sections {
		if v, ok := fields[name]; ok {
			return v, true
		}
	}
	return "", false
}

// Int returns the value of a field as an integer; 0 when there is no such
// field or it is not an integer.
func (i ServerInfo) Int(name string) int64 {
	v, _ := i.Field(name)
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// Float returns the value of a field as a float (a trailing "%" is
// dropped); 0 when there is no such field or it is not a number.
func (i ServerInfo) Float(name string) float64 {
	v, _ := i.Field(name)
	f, _ := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	return f
}

// InfoCommon holds the INFO fields that are most often read, typed. A
// field that the reply lacks (because its section was not asked for) is
// zero.
type InfoCommon struct {
	RedisVersion             string        // server: redis_version
	RedisMode                string        // server: redis_mode (Valkey: server_mode), "standalone", "sentinel" or "cluster"
	OS                       string        // server: os
	ProcessID                int64         // server: process_id
	TCPPort                  int64         // server: tcp_port
	Uptime                   time.Duration // server: uptime_in_seconds
	ConnectedClients         int64         // clients: connected_clients
	BlockedClients           int64         // clients: blocked_clients
	UsedMemory               int64         // memory: used_memory, in bytes
	UsedMemoryPeak           int64         // memory: used_memory_peak
	MaxMemory                int64         // memory: maxmemory, 0 for no limit
	MaxMemoryPolicy          string        // memory: maxmemory_policy
	RDBChangesSinceLastSave  int64         // persistence: rdb_changes_since_last_save
	AOFEnabled               bool          // persistence: aof_enabled
	TotalConnectionsReceived int64         // stats: total_connections_received
	TotalCommandsProcessed   int64         // stats: total_commands_processed
	InstantaneousOpsPerSec   int64         // stats: instantaneous_ops_per_sec
	KeyspaceHits             int64         // stats: keyspace_hits
	KeyspaceMisses           int64         // stats: keyspace_misses
	ExpiredKeys              int64         // stats: expired_keys
	EvictedKeys              int64         // stats: evicted_keys
	Role                     string        // replication: role, "master" or "slave"
	ConnectedReplicas        int64         // replication: connected_slaves
}

// Common returns the most read fields, typed.
func (i ServerInfo) Common() InfoCommon {
	str := func(name string) string { v, _ := i.Field(name); return v }
	return InfoCommon{
		RedisVersion:             str("redis_version"),
		RedisMode:                firstOf(str("redis_mode"), str("server_mode")), // Valkey 8: server_mode
		OS:                       str("os"),
		ProcessID:                i.Int("process_id"),
		TCPPort:                  i.Int("tcp_port"),
		Uptime:                   time.Duration(i.Int("uptime_in_seconds")) * time.Second,
		ConnectedClients:         i.Int("connected_clients"),
		BlockedClients:           i.Int("blocked_clients"),
		UsedMemory:               i.Int("used_memory"),
		UsedMemoryPeak:           i.Int("used_memory_peak"),
		MaxMemory:                i.Int("maxmemory"),
		MaxMemoryPolicy:          str("maxmemory_policy"),
		RDBChangesSinceLastSave:  i.Int("rdb_changes_since_last_save"),
		AOFEnabled:               i.Int("aof_enabled") != 0,
		TotalConnectionsReceived: i.Int("total_connections_received"),
		TotalCommandsProcessed:   i.Int("total_commands_processed"),
		InstantaneousOpsPerSec:   i.Int("instantaneous_ops_per_sec"),
		KeyspaceHits:             i.Int("keyspace_hits"),
		KeyspaceMisses:           i.Int("keyspace_misses"),
		ExpiredKeys:              i.Int("expired_keys"),
		EvictedKeys:              i.Int("evicted_keys"),
		Role:                     str("role"),
		ConnectedReplicas:        i.Int("connected_slaves"),
	}
}

// KeyspaceInfo is one database of INFO's keyspace section.
type KeyspaceInfo struct {
	Keys    int64         // keys
	Expires int64         // keys with an expiry
	AvgTTL  time.Duration // avg_ttl: the average time to live of those
}

// Keyspace returns the keyspace section by database number (only
// databases that hold keys are listed).
func (i ServerInfo) Keyspace() map[int]KeyspaceInfo {
	out := map[int]KeyspaceInfo{}
	for name, v := range i.Sections["keyspace"] {
		db, err := strconv.Atoi(strings.TrimPrefix(name, "db"))
		if err != nil || !strings.HasPrefix(name, "db") {
			continue
		}
		var ks KeyspaceInfo
		for _, f := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(f, "=")
			n, _ := strconv.ParseInt(val, 10, 64)
			switch k {
			case "keys":
				ks.Keys = n
			case "expires":
				ks.Expires = n
			case "avg_ttl":
				ks.AvgTTL = time.Duration(n) * time.Millisecond
			}
		}
		out[db] = ks
	}
	return out
}

// serverParseInfo parses the text of INFO.
func serverParseInfo(raw string) ServerInfo {
	info := ServerInfo{Raw: raw, Sections: map[string]map[string]string{}}
	section := ""
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			section = strings.ToLower(strings.TrimSpace(line[1:]))
			if info.Sections[section] == nil {
				info.Sections[section] = map[string]string{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if info.Sections[section] == nil {
			info.Sections[section] = map[string]string{}
		}
		info.Sections[section][k] = v
	}
	return info
}

func serverDecInfo(r *redis.Reply) (ServerInfo, error) {
	s, err := decString(r)
	if err != nil {
		return ServerInfo{}, err
	}
	return serverParseInfo(s), nil
}

// Info returns the server's information and statistics: the sections
// named ("server", "clients", "memory", "persistence", "stats",
// "replication", "cpu", "modules", "errorstats", "cluster", "keyspace",
// "commandstats", "latencystats", or "all", "everything", "default"), or
// the default ones when none is named.
func (c Cmdable) Info(ctx context.Context, sections ...string) Result[ServerInfo] {
	return run(c, ctx, serverDecInfo, keysArgs("INFO", sections)...)
}

// ConfigGet returns the configuration parameters that match the glob
// patterns, name to value.
func (c Cmdable) ConfigGet(ctx context.Context, patterns ...string) Result[map[string]string] {
	return run(c, ctx, decStringMap, serverSubArgs("CONFIG", "GET", patterns)...)
}

// ConfigSet sets a configuration parameter and returns "OK".
func (c Cmdable) ConfigSet(ctx context.Context, parameter string, value any) Result[string] {
	return run(c, ctx, decStatus, "CONFIG", "SET", parameter, value)
}

// ConfigSetMap sets several configuration parameters at once (all or
// none) and returns "OK".
func (c Cmdable) ConfigSetMap(ctx context.Context, values map[string]any) Result[string] {
	args := make([]any, 2, 2+2*len(values))
	args[0], args[1] = "CONFIG", "SET"
	for k, v := range values {
		args = append(args, k, v)
	}
	return run(c, ctx, decStatus, args...)
}

// ConfigResetStat resets the statistics that INFO reports and returns "OK".
func (c Cmdable) ConfigResetStat(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "CONFIG", "RESETSTAT")
}

// ConfigRewrite writes the running configuration to the server's
// configuration file and returns "OK"; a server started without one
// answers with a *redis.Error.
func (c Cmdable) ConfigRewrite(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "CONFIG", "REWRITE")
}

// ConfigHelp returns CONFIG's help text.
func (c Cmdable) ConfigHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "CONFIG", "HELP")
}

// DBSize returns the number of keys in the client's database.
func (c Cmdable) DBSize(ctx context.Context) Result[int64] {
	return run(c, ctx, decInt, "DBSIZE")
}

// FlushDB deletes every key of the client's database and returns "OK".
func (c Cmdable) FlushDB(ctx context.Context, mode FlushMode) Result[string] {
	return run(c, ctx, decStatus, serverFlushArgs(mode, "FLUSHDB")...)
}

// FlushAll deletes every key of every database and returns "OK".
func (c Cmdable) FlushAll(ctx context.Context, mode FlushMode) Result[string] {
	return run(c, ctx, decStatus, serverFlushArgs(mode, "FLUSHALL")...)
}

// SwapDB swaps two databases, for every client of the server, and returns
// "OK".
func (c Cmdable) SwapDB(ctx context.Context, index1, index2 int) Result[string] {
	return run(c, ctx, decStatus, "SWAPDB", index1, index2)
}

// serverDecTime reads TIME's [seconds, microseconds].
func serverDecTime(r *redis.Reply) (time.Time, error) {
	es, err := elems(r)
	if err != nil {
		return time.Time{}, err
	}
	if len(es) != 2 {
		return time.Time{}, unexpected("[seconds, microseconds]", r)
	}
	sec, err := decInt(&es[0])
	if err != nil {
		return time.Time{}, err
	}
	usec, err := decInt(&es[1])
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(sec, usec*int64(time.Microsecond)), nil
}

// serverDecUnix reads a Unix time in seconds.
func serverDecUnix(r *redis.Reply) (time.Time, error) {
	n, err := decInt(r)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(n, 0), nil
}

// Time returns the server's clock, to the microsecond.
func (c Cmdable) Time(ctx context.Context) Result[time.Time] {
	return run(c, ctx, serverDecTime, "TIME")
}

// LastSave returns the time of the last successful save to disk (the
// server's start when it never saved).
func (c Cmdable) LastSave(ctx context.Context) Result[time.Time] {
	return run(c, ctx, serverDecUnix, "LASTSAVE")
}

// Save saves the dataset to disk, blocking the server until it is done,
// and returns "OK".
func (c Cmdable) Save(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "SAVE")
}

// BgSave starts saving the dataset to disk in a child process and returns
// the server's status, "Background saving started". While an AOF rewrite
// runs, it is an error; see BgSaveSchedule.
func (c Cmdable) BgSave(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "BGSAVE")
}

// BgSaveSchedule is BgSave that, while an AOF rewrite runs, schedules the
// save for when it ends ("Background saving scheduled") instead of failing
// (BGSAVE SCHEDULE).
func (c Cmdable) BgSaveSchedule(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "BGSAVE", "SCHEDULE")
}

// BgRewriteAOF starts rewriting the append-only file in a child process
// and returns the server's status ("Background append only file rewriting
// started", or "... scheduled" while a save runs).
func (c Cmdable) BgRewriteAOF(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "BGREWRITEAOF")
}

// Lolwut returns the server's version with a piece of generative art;
// version > 0 chooses the art of that Redis version.
func (c Cmdable) Lolwut(ctx context.Context, version int) Result[string] {
	if version > 0 {
		return run(c, ctx, decString, "LOLWUT", "VERSION", version)
	}
	return run(c, ctx, decString, "LOLWUT")
}

// Wait blocks until the writes of the connection that runs it reached
// numReplicas replicas, or timeout passed (0 waits without limit), and
// returns how many replicas acknowledged them: 0 on a server without
// replicas.
func (c Cmdable) Wait(ctx context.Context, numReplicas int, timeout time.Duration) Result[int64] {
	return runBlocking(c, ctx, timeout, decInt, "WAIT", numReplicas, int64(timeout/time.Millisecond))
}

// RoleInfo is the reply of ROLE. Which fields are set depends on Role.
type RoleInfo struct {
	// Role is "master", "slave" (a replica) or "sentinel".
	Role string
	// ReplicationOffset is the replication offset: the master's, or the
	// one this replica has received.
	ReplicationOffset int64
	// Replicas are a master's connected replicas.
	Replicas []RoleReplica
	// MasterHost and MasterPort are a replica's master.
	MasterHost string
	MasterPort int64
	// State is a replica's link state: "connect", "connecting", "sync" or
	// "connected".
	State string
	// MasterNames are the masters a sentinel monitors.
	MasterNames []string
}

// RoleReplica is one replica of a master's ROLE.
type RoleReplica struct {
	Host   string
	Port   int64
	Offset int64 // the replication offset it acknowledged
}

func serverDecRole(r *redis.Reply) (RoleInfo, error) {
	es, err := elems(r)
	if err != nil {
		return RoleInfo{}, err
	}
	if len(es) == 0 {
		return RoleInfo{}, unexpected("role", r)
	}
	var ri RoleInfo
	if ri.Role, err = decString(&es[0]); err != nil {
		return RoleInfo{}, err
	}
	switch {
	case ri.Role == "master" && len(es) >= 3:
		if ri.ReplicationOffset, err = decInt(&es[1]); err != nil {
			return RoleInfo{}, err
		}
		reps, err := elems(&es[2])
		if err != nil {
			return RoleInfo{}, err
		}
		ri.Replicas = make([]RoleReplica, len(reps))
		for i := range reps {
			f, err := elems(&reps[i])
			if err != nil {
				return RoleInfo{}, err
			}
			if len(f) < 3 {
				return RoleInfo{}, unexpected("[host, port, offset]", &reps[i])
			}
			rep := &ri.Replicas[i]
			if rep.Host, err = decString(&f[0]); err != nil {
				return RoleInfo{}, err
			}
			if rep.Port, err = decInt(&f[1]); err != nil {
				return RoleInfo{}, err
			}
			if rep.Offset, err = decInt(&f[2]); err != nil {
				return RoleInfo{}, err
			}
		}
	case ri.Role == "slave" && len(es) >= 5:
		if ri.MasterHost, err = decString(&es[1]); err != nil {
			return RoleInfo{}, err
		}
		if ri.MasterPort, err = decInt(&es[2]); err != nil {
			return RoleInfo{}, err
		}
		if ri.State, err = decString(&es[3]); err != nil {
			return RoleInfo{}, err
		}
		if ri.ReplicationOffset, err = decInt(&es[4]); err != nil {
			return RoleInfo{}, err
		}
	case ri.Role == "sentinel" && len(es) >= 2:
		if ri.MasterNames, err = decStrings(&es[1]); err != nil {
			return RoleInfo{}, err
		}
	}
	return ri, nil
}

// Role returns the server's replication role and its details.
func (c Cmdable) Role(ctx context.Context) Result[RoleInfo] {
	return run(c, ctx, serverDecRole, "ROLE")
}

// serverReplicaOfArgs returns REPLICAOF or SLAVEOF with host and port, or
// with NO ONE when host is "".
func serverReplicaOfArgs(name, host string, port int) []any {
	if host == "" {
		return []any{name, "NO", "ONE"}
	}
	return []any{name, host, port}
}

// ReplicaOf makes the server a replica of the master at host and port, or,
// with host "", a master again (REPLICAOF NO ONE), and returns "OK".
func (c Cmdable) ReplicaOf(ctx context.Context, host string, port int) Result[string] {
	return run(c, ctx, decStatus, serverReplicaOfArgs("REPLICAOF", host, port)...)
}

// SlaveOf is ReplicaOf under its old name (SLAVEOF).
//
// Deprecated: use ReplicaOf.
func (c Cmdable) SlaveOf(ctx context.Context, host string, port int) Result[string] {
	return run(c, ctx, decStatus, serverReplicaOfArgs("SLAVEOF", host, port)...)
}

// FailoverArgs holds the options of FAILOVER.
type FailoverArgs struct {
	// Host and Port name the replica to promote (TO); "" lets the server
	// choose.
	Host string
	Port int
	// Force promotes the target even if it did not catch up by Timeout
	// (FORCE; needs Host and Timeout).
	Force bool
	// Abort stops a failover in progress (ABORT); the other fields must be
	// zero.
	Abort bool
	// Timeout bounds how long the master waits for the replica to catch up
	// (TIMEOUT); 0 is no limit.
	Timeout time.Duration
}

// Failover starts a coordinated failover from this master to one of its
// replicas and returns "OK"; the switch then happens in the background
// (ROLE and INFO show its progress).
func (c Cmdable) Failover(ctx context.Context, a FailoverArgs) Result[string] {
	args := []any{"FAILOVER"}
	if a.Host != "" {
		args = append(args, "TO", a.Host, a.Port)
		if a.Force {
			args = append(args, "FORCE")
		}
	}
	if a.Abort {
		args = append(args, "ABORT")
	}
	if a.Timeout > 0 {
		args = append(args, "TIMEOUT", int64(a.Timeout/time.Millisecond))
	}
	return run(c, ctx, decStatus, args...)
}

// ShutdownArgs holds the options of SHUTDOWN.
type ShutdownArgs struct {
	NoSave bool // NOSAVE: do not save, even with save points configured
	Save   bool // SAVE: save, even without save points
	Now    bool // NOW: do not wait for lagging replicas
	Force  bool // FORCE: exit even if saving or writing the AOF fails
	Abort  bool // ABORT: cancel a shutdown in progress
}

// Shutdown stops the server. On success the server exits without a reply:
// Shutdown then returns "" and no error (in a pipeline, the connection error
// of the closed connection). With Abort, it returns "OK"; a refused
// shutdown (a failed save, nothing to abort) is a *redis.Error.
func (c Cmdable) Shutdown(ctx context.Context, a ShutdownArgs) Result[string] {
	args := make([]any, 0, 6)
	args = append(args, "SHUTDOWN")
	if a.NoSave {
		args = append(args, "NOSAVE")
	}
	if a.Save {
		args = append(args, "SAVE")
	}
	if a.Now {
		args = append(args, "NOW")
	}
	if a.Force {
		args = append(args, "FORCE")
	}
	if a.Abort {
		args = append(args, "ABORT")
	}
	res := run(c, ctx, decStatus, args...)
	if c.e.queue == nil && !a.Abort {
		var ce *redis.ConnectionError
		if errors.As(res.Err(), &ce) && ce.Op == "read" {
			// The server closed the connection after the command was sent:
			// it has shut down.
			return NewResult("", nil)
		}
	}
	return res
}

// firstOf returns the first of vals that is not empty.
func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// WaitAOF blocks until the writes of the connection that runs it were
// written to the append-only file of the server (numLocal, 0 or 1) and of
// numReplicas replicas, or timeout passed (0 waits without limit), and
// returns how many local AOFs (0 or 1) and replicas' AOFs acknowledged
// them (Redis 7.2, Valkey 7.2). With numLocal 1 and appendonly off, the
// server answers with a *redis.Error.
func (c Cmdable) WaitAOF(ctx context.Context, numLocal, numReplicas int, timeout time.Duration) Result[[]int64] {
	return runBlocking(c, ctx, timeout, decInts, "WAITAOF", numLocal, numReplicas, int64(timeout/time.Millisecond))
}
