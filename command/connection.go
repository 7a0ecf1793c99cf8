package command

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
)

// Connection commands. AUTH, HELLO and SELECT are the handshake's (the
// pool sets them up from Options.Username, Password, Protocol and DB on
// every connection), and QUIT and RESET would undo a pooled connection:
// none of them has a method.
//
// Most CLIENT commands act on the connection that runs them. On a Client,
// that is whichever pooled connection the command got, and the next command
// may run on another one: use them on a Client whose pool holds a single
// connection (Options.PoolSize 1), or for their effect on the server.

// Ping returns "PONG".
func (c Cmdable) Ping(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "PING")
}

// PingMessage returns message, as the server echoes it (PING message).
func (c Cmdable) PingMessage(ctx context.Context, message any) Result[string] {
	return run(c, ctx, decString, "PING", message)
}

// Echo returns message.
func (c Cmdable) Echo(ctx context.Context, message any) Result[string] {
	return run(c, ctx, decString, "ECHO", message)
}

// ClientID returns the ID of the connection that runs it.
func (c Cmdable) ClientID(ctx context.Context) Result[int64] {
	return run(c, ctx, decInt, "CLIENT", "ID")
}

// ClientInfo describes one client connection, as CLIENT INFO and CLIENT
// LIST report it. Fields the server did not send are zero; Fields holds
// every field as sent, including those newer servers add.
type ClientInfo struct {
	ID           int64         // id: unique, never reused
	Addr         string        // addr: the client's address, ip:port
	LAddr        string        // laddr: the server's address of the connection
	FD           int64         // fd: the socket's descriptor, -1 for an internal client
	Name         string        // name: set with CLIENT SETNAME, "" if none
	Age          time.Duration // age: since the connection was made
	Idle         time.Duration // idle: since its last command
	Flags        string        // flags: one letter per flag, e.g. "N" (none), "P" (pub/sub), "b" (blocked)
	DB           int64         // db: the selected database
	Sub          int64         // sub: channel subscriptions
	PSub         int64         // psub: pattern subscriptions
	SSub         int64         // ssub: shard channel subscriptions
	Multi        int64         // multi: commands queued in MULTI, -1 outside a transaction
	QueryBuf     int64         // qbuf: query buffer length
	QueryBufFree int64         // qbuf-free: free space of the query buffer
	ArgvMem      int64         // argv-mem: memory of the next command's arguments
	MultiMem     int64         // multi-mem: memory of the commands queued in MULTI
	OutputBuf    int64         // obl: output buffer length
	OutputList   int64         // oll: output list length (replies queued beyond the buffer)
	OutputMem    int64         // omem: output buffer memory
	TotalMem     int64         // tot-mem: all memory of this client
	Events       string        // events: "r", "w" or "rw"
	LastCmd      string        // cmd: the last command run, e.g. "client|info"
	User         string        // user: the ACL user
	Redirect     int64         // redir: the client tracking redirects to, -1 if none
	Resp         int64         // resp: the protocol version, 2 or 3
	Fields       map[string]string
}

// connParseClientInfo parses one line of CLIENT LIST: space-separated
// name=value fields.
func connParseClientInfo(line string) (ClientInfo, error) {
	ci := ClientInfo{Fields: map[string]string{}}
	for _, f := range strings.Fields(line) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return ClientInfo{}, fmt.Errorf("redis: client list field %q has no '='", f)
		}
		ci.Fields[k] = v
		var n *int64
		switch k {
		case "id":
			n = &ci.ID
		case "addr":
			ci.Addr = v
		case "laddr":
			ci.LAddr = v
		case "fd":
			n = &ci.FD
		case "name":
			ci.Name = v
		case "age", "idle":
			s, _ := strconv.ParseInt(v, 10, 64)
			if k == "age" {
				ci.Age = time.Duration(s) * time.Second
			} else {
				ci.Idle = time.Duration(s) * time.Second
			}
		case "flags":
			ci.Flags = v
		case "db":
			n = &ci.DB
		case "sub":
			n = &ci.Sub
		case "psub":
			n = &ci.PSub
		case "ssub":
			n = &ci.SSub
		case "multi":
			n = &ci.Multi
		case "qbuf":
			n = &ci.QueryBuf
		case "qbuf-free":
			n = &ci.QueryBufFree
		case "argv-mem":
			n = &ci.ArgvMem
		case "multi-mem":
			n = &ci.MultiMem
		case "obl":
			n = &ci.OutputBuf
		case "oll":
			n = &ci.OutputList
		case "omem":
			n = &ci.OutputMem
		case "tot-mem":
			n = &ci.TotalMem
		case "events":
			ci.Events = v
		case "cmd":
			ci.LastCmd = v
		case "user":
			ci.User = v
		case "redir":
			n = &ci.Redirect
		case "resp":
			n = &ci.Resp
		}
		if n != nil {
			*n, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return ci, nil
}

func connDecClientInfo(r *redis.Reply) (ClientInfo, error) {
	s, err := decString(r)
	if err != nil {
		return ClientInfo{}, err
	}
	return connParseClientInfo(strings.TrimSpace(s))
}

func connDecClientList(r *redis.Reply) ([]ClientInfo, error) {
	s, err := decString(r)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(s), "\n")
	out := make([]ClientInfo, 0, len(lines))
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ci, err := connParseClientInfo(line)
		if err != nil {
			return nil, err
		}
		out = append(out, ci)
	}
	return out, nil
}

// ClientInfo describes the connection that runs it.
func (c Cmdable) ClientInfo(ctx context.Context) Result[ClientInfo] {
	return run(c, ctx, connDecClientInfo, "CLIENT", "INFO")
}

// ClientListArgs holds the filters of CLIENT LIST.
type ClientListArgs struct {
	// Type lists only clients of this type: "normal", "master", "replica"
	// or "pubsub"; "" lists all.
	Type string
	// IDs lists only the clients of these IDs.
	IDs []int64
}

// ClientList describes the client connections, in the server's order.
func (c Cmdable) ClientList(ctx context.Context, a ClientListArgs) Result[[]ClientInfo] {
	args := make([]any, 0, 5+len(a.IDs))
	args = append(args, "CLIENT", "LIST")
	if a.Type != "" {
		args = append(args, "TYPE", a.Type)
	}
	if len(a.IDs) > 0 {
		args = append(args, "ID")
		for _, id := range a.IDs {
			args = append(args, id)
		}
	}
	return run(c, ctx, connDecClientList, args...)
}

// ClientGetName returns the name of the connection that runs it;
// redis.Nil when it has none.
func (c Cmdable) ClientGetName(ctx context.Context) Result[string] {
	return run(c, ctx, decString, "CLIENT", "GETNAME")
}

// ClientSetName names the connection that runs it and returns "OK"; ""
// removes the name. On a Client this names one pooled connection, whichever
// ran the command: to name every connection of a Client, set
// Options.ClientName, which the handshake applies to each.
func (c Cmdable) ClientSetName(ctx context.Context, name string) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "SETNAME", name)
}

// ClientKill closes the connection of the client at addr ("ip:port", as
// ClientInfo.Addr) and returns "OK"; an unknown address is a *redis.Error.
// This is the old form of CLIENT KILL; ClientKillByFilter is the new one.
func (c Cmdable) ClientKill(ctx context.Context, addr string) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "KILL", addr)
}

// ClientKillArgs holds the filters of CLIENT KILL; a client must match
// all that are set.
type ClientKillArgs struct {
	ID    int64  // ID: the client of this ID (0: any)
	Type  string // TYPE: "normal", "master", "replica" or "pubsub"
	User  string // USER: clients authenticated as this ACL user
	Addr  string // ADDR: the client at this address, ip:port
	LAddr string // LADDR: clients connected to this local address of the server
	// NoSkipMe sends SKIPME no: the connection that runs the command may be
	// closed too. The server skips it by default.
	NoSkipMe bool
}

// ClientKillByFilter closes the client connections that match a and
// returns how many it closed.
func (c Cmdable) ClientKillByFilter(ctx context.Context, a ClientKillArgs) Result[int64] {
	args := make([]any, 0, 14)
	args = append(args, "CLIENT", "KILL")
	if a.ID != 0 {
		args = append(args, "ID", a.ID)
	}
	if a.Type != "" {
		args = append(args, "TYPE", a.Type)
	}
	if a.User != "" {
		args = append(args, "USER", a.User)
	}
	if a.Addr != "" {
		args = append(args, "ADDR", a.Addr)
	}
	if a.LAddr != "" {
		args = append(args, "LADDR", a.LAddr)
	}
	if a.NoSkipMe {
		args = append(args, "SKIPME", "no")
	}
	return run(c, ctx, decInt, args...)
}

// ClientPause suspends all client commands for timeout (CLIENT PAUSE ALL)
// and returns "OK". ClientUnpause ends the pause sooner.
func (c Cmdable) ClientPause(ctx context.Context, timeout time.Duration) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "PAUSE", int64(timeout/time.Millisecond))
}

// ClientPauseWrite suspends commands that may write for timeout (CLIENT
// PAUSE WRITE), while reads go on, and returns "OK".
func (c Cmdable) ClientPauseWrite(ctx context.Context, timeout time.Duration) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "PAUSE", int64(timeout/time.Millisecond), "WRITE")
}

// ClientUnpause ends a pause and returns "OK".
func (c Cmdable) ClientUnpause(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "UNPAUSE")
}

// ClientNoEvict exempts the connection that runs it from client eviction
// (maxmemory-clients), or ends the exemption, and returns "OK".
func (c Cmdable) ClientNoEvict(ctx context.Context, on bool) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "NO-EVICT", connOnOff(on))
}

func connOnOff(on bool) string {
	if on {
		return "ON"
	}
	return "OFF"
}

// ClientTrackingArgs holds the options of CLIENT TRACKING ON.
type ClientTrackingArgs struct {
	// Redirect sends the invalidation messages to the connection of this
	// ID (REDIRECT), which must be subscribed to __redis__:invalidate
	// (RESP2) or be a RESP3 connection; 0 sends them to the tracking
	// connection itself.
	Redirect int64
	// BCast tracks every key of the Prefixes (or all keys), not only those
	// the connection read (broadcasting mode, BCAST).
	BCast    bool
	Prefixes []string // PREFIX, with BCast
	OptIn    bool     // OPTIN: track only reads after CLIENT CACHING yes
	OptOut   bool     // OPTOUT: track reads unless after CLIENT CACHING no
	NoLoop   bool     // NOLOOP: no invalidations for the connection's own writes
}

// ClientTracking turns server-assisted client-side caching on (with the
// options of a) or off for the connection that runs it, and returns "OK".
//
// Tracking is a state of one connection: run it on a Client.Conn (whose
// connection is closed, not pooled, afterwards), and set a.Redirect to the
// ID of a connection of your own that reads the invalidations: without
// REDIRECT the server pushes invalidation messages on the tracking
// connection itself (RESP3), between replies, where they are skipped.
func (c Cmdable) ClientTracking(ctx context.Context, on bool, a ClientTrackingArgs) Result[string] {
	args := []any{"CLIENT", "TRACKING", connOnOff(on)}
	if on {
		if a.Redirect != 0 {
			args = append(args, "REDIRECT", a.Redirect)
		}
		for _, p := range a.Prefixes {
			args = append(args, "PREFIX", p)
		}
		if a.BCast {
			args = append(args, "BCAST")
		}
		if a.OptIn {
			args = append(args, "OPTIN")
		}
		if a.OptOut {
			args = append(args, "OPTOUT")
		}
		if a.NoLoop {
			args = append(args, "NOLOOP")
		}
	}
	return run(c, ctx, decStatus, args...)
}

// TrackingInfo is the reply of CLIENT TRACKINGINFO.
type TrackingInfo struct {
	// Flags are the tracking flags: "off" or "on", and "bcast", "optin",
	// "optout", "caching-yes", "caching-no", "noloop", "broken_redirect".
	Flags []string
	// Redirect is the ID invalidations go to: -1 when tracking is off, 0
	// when they go to the connection itself.
	Redirect int64
	// Prefixes are the BCAST prefixes.
	Prefixes []string
}

// ClientTrackingInfo describes the tracking state of the connection that
// runs it.
func (c Cmdable) ClientTrackingInfo(ctx context.Context) Result[TrackingInfo] {
	return run(c, ctx, connDecTrackingInfo, "CLIENT", "TRACKINGINFO")
}

func connDecTrackingInfo(r *redis.Reply) (TrackingInfo, error) {
	var ti TrackingInfo
	err := pairs(r, func(k, v *redis.Reply) error {
		var err error
		switch string(k.Str) {
		case "flags":
			ti.Flags, err = decStrings(v)
		case "redirect":
			ti.Redirect, err = decInt(v)
		case "prefixes":
			ti.Prefixes, err = decStrings(v)
		}
		return err
	})
	return ti, err
}

// ClientGetRedir returns the ID that the tracking of the connection that
// runs it redirects to: 0 for none (invalidations go to itself), -1 when
// tracking is off.
func (c Cmdable) ClientGetRedir(ctx context.Context) Result[int64] {
	return run(c, ctx, decInt, "CLIENT", "GETREDIR")
}

// ClientCaching tells the server whether to track the keys of the next
// command on the same connection (CLIENT CACHING yes|no), with tracking on
// in OPTIN or OPTOUT mode, and returns "OK". It only makes sense on a
// connection of its own (a Client.Conn, or a pipeline), where the next
// command is sure to follow it.
func (c Cmdable) ClientCaching(ctx context.Context, yes bool) Result[string] {
	if yes {
		return run(c, ctx, decStatus, "CLIENT", "CACHING", "yes")
	}
	return run(c, ctx, decStatus, "CLIENT", "CACHING", "no")
}

// ClientUnblock wakes the client of id from a blocking command (BLPOP,
// XREAD BLOCK, WAIT, ...) as if its timeout had expired, and reports
// whether that client was blocked.
func (c Cmdable) ClientUnblock(ctx context.Context, id int64) Result[bool] {
	return run(c, ctx, decBool, "CLIENT", "UNBLOCK", id)
}

// ClientUnblockWithError is ClientUnblock making the blocked command fail
// with an UNBLOCKED error (CLIENT UNBLOCK id ERROR).
func (c Cmdable) ClientUnblockWithError(ctx context.Context, id int64) Result[bool] {
	return run(c, ctx, decBool, "CLIENT", "UNBLOCK", id, "ERROR")
}

// ClientReplyOn sends CLIENT REPLY ON and returns "OK". It is the only
// mode of CLIENT REPLY with a method: after CLIENT REPLY OFF or SKIP the
// server sends no reply to the commands that follow, while a pooled
// connection (or a pipeline) reads one reply per command; it would wait out
// its read timeout and close the connection. A connection of your own
// (pool.Dial) that writes without reading may use them.
func (c Cmdable) ClientReplyOn(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "REPLY", "ON")
}

// ClientHelp returns CLIENT's help text.
func (c Cmdable) ClientHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "CLIENT", "HELP")
}

// ClientNoTouch makes the commands of the connection that runs it leave
// the LRU/LFU data of the keys they read untouched, or ends that, and
// returns "OK" (Redis 7.2, Valkey 7.2).
func (c Cmdable) ClientNoTouch(ctx context.Context, on bool) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "NO-TOUCH", connOnOff(on))
}

// ClientSetLibName sets the library name that CLIENT LIST and CLIENT INFO
// show for the connection that runs it (lib-name), and returns "OK"
// (Redis 7.2, Valkey 7.2). The name may not contain spaces.
func (c Cmdable) ClientSetLibName(ctx context.Context, name string) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "SETINFO", "LIB-NAME", name)
}

// ClientSetLibVersion sets the library version that CLIENT LIST and
// CLIENT INFO show for the connection that runs it (lib-ver), and returns
// "OK" (Redis 7.2, Valkey 7.2).
func (c Cmdable) ClientSetLibVersion(ctx context.Context, version string) Result[string] {
	return run(c, ctx, decStatus, "CLIENT", "SETINFO", "LIB-VER", version)
}

// ClientCapa declares capabilities of the connection that runs it (for
// example "redirect", which lets a replica answer a read-write command
// with a -REDIRECT to its primary) and returns "OK" (Valkey 8).
func (c Cmdable) ClientCapa(ctx context.Context, capabilities ...string) Result[string] {
	return run(c, ctx, decStatus, serverSubArgs("CLIENT", "CAPA", capabilities)...)
}
