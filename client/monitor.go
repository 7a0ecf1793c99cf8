package client

import (
	"context"
	"errors"
	"iter"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// ErrMonitorClosed is returned by [Monitor.Next] once [Monitor.Close] was
// called, including by a Next that Close interrupted.
var ErrMonitorClosed = errors.New("redis: monitor is closed")

// errMonitorBusy is returned by a Next called while another one is reading.
var errMonitorBusy = errors.New("redis: Monitor.Next called concurrently")

// The ClientType of a [MonitorEvent] for commands that did not come from a
// TCP client.
const (
	// MonitorClientLua marks a command that a Lua script or function sent
	// with redis.call or redis.pcall.
	MonitorClientLua = "lua"
	// MonitorClientUnix marks a command from a client on the server's unix
	// socket.
	MonitorClientUnix = "unix"
)

// MonitorEvent is one command that the server executed, as MONITOR reports
// it. A line such as
//
//	1700000000.123456 [0 127.0.0.1:54321] "SET" "greeting" "hello world"
//
// gives Time 2023-11-14 22:13:20.123456 UTC, DB 0, Client
// "127.0.0.1:54321", ClientType "", Command "SET" and Args ["greeting",
// "hello world"].
type MonitorEvent struct {
	// Time is when the server ran the command, to the microsecond.
	Time time.Time
	// DB is the database the command ran in.
	DB int
	// Client is the address of the client that sent the command
	// ("127.0.0.1:54321", "[::1]:54321"); for a unix socket client, the
	// path of the server's socket; for a Lua script, "".
	Client string
	// ClientType is "" for a TCP client, [MonitorClientLua] ("lua") for a
	// command sent by a script, and [MonitorClientUnix] ("unix") for a
	// client on a unix socket.
	ClientType string
	// Command is the command's name as the client sent it (Redis keeps its
	// case: "SET", or "set" from a client that sends lower case).
	Command string
	// Args are the command's arguments after the name, unescaped: the
	// exact bytes the client sent, binary ones included.
	Args []string
	// Raw is the whole line as the server sent it.
	Raw string
}

// Monitor is a MONITOR stream: every command that the server executes,
// from any client, as a [MonitorEvent]. It reads from a connection of its
// own, which it closes on Close and which never goes back to a pool.
//
// Next (and All) must be used by one goroutine at a time; a second Next
// that overlaps a running one fails at once. Close may be called from any
// goroutine at any time, more than once: it interrupts a Next that waits
// for the next line.
//
// MONITOR costs the server noticeably on a busy instance (every command is
// formatted once per monitor): use it for debugging, not in production
// paths.
type Monitor struct {
	conn  *pool.Conn
	nc    net.Conn // conn's network connection, taken before any concurrency: Close closes it to interrupt a read
	reply redis.Reply

	mu     sync.Mutex
	busy   bool // a Next is reading
	closed bool
}

// Monitor opens a connection of its own (with the options and the
// connection factory of the client's pool, outside the pool's size and
// statistics), sends MONITOR and checks the server's +OK. The caller must
// Close the monitor; closing the client does not.
//
//	m, err := rdb.Monitor(ctx)
//	...
//	defer m.Close()
//	for ev, err := range m.All(ctx) { ... }
//
// ctx bounds the dial and the MONITOR round trip, not the stream. A server
// that refuses MONITOR (an ACL user without the permission) gives its
// *redis.Error.
func (c *Client) Monitor(ctx context.Context) (*Monitor, error) {
	opts := c.pool.Options()
	conn, err := opts.NewConn(ctx, &opts)
	if err == nil && conn == nil {
		err = errors.New("redis: Options.NewConn returned neither a connection nor an error")
	}
	if err != nil {
		return nil, err
	}
	m := &Monitor{conn: conn, nc: conn.NetConn()}
	if err := conn.Do(ctx, &m.reply, "MONITOR"); err != nil {
		_ = conn.Close()
		return nil, err
	}
	if err := m.reply.Err(); err != nil {
		_ = conn.Close()
		return nil, err
	}
	if m.reply.Kind != redis.KindSimpleString || string(m.reply.Str) != "OK" {
		_ = conn.Close()
		return nil, &redis.ProtocolError{Msg: "MONITOR answered " + m.reply.String() + ", want +OK"}
	}
	return m, nil
}

// Next waits for the next command and returns it. It waits as long as ctx
// allows (the client's ReadTimeout does not apply).
//
// Errors:
//   - a *[MonitorLineError] for a line that cannot be parsed, with the
//     event's Raw set; the monitor goes on;
//   - a server error (*redis.Error) sent on the stream; the monitor goes on;
//   - [ErrMonitorClosed] after Close, or when Close interrupted the wait;
//   - when ctx ends during the wait, an error wrapping ctx.Err() (a
//     *redis.TimeoutError for a deadline): the stream stopped mid-read, so
//     the monitor is finished and every later Next returns that error too
//     (Close it all the same);
//   - a *redis.ConnectionError or *redis.ProtocolError when the connection
//     fails; the monitor is finished.
//
// If ctx has already ended when Next is called, Next returns its error at
// once and the monitor goes on.
func (m *Monitor) Next(ctx context.Context) (MonitorEvent, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return MonitorEvent{}, ErrMonitorClosed
	}
	if m.busy {
		m.mu.Unlock()
		return MonitorEvent{}, errMonitorBusy
	}
	m.busy = true
	m.mu.Unlock()

	ev, err := m.next(ctx)

	m.mu.Lock()
	m.busy = false
	closed := m.closed
	m.mu.Unlock()
	if closed {
		// Close only closed the socket, to wake the read: finish the
		// connection here, in the goroutine that owns it.
		_ = m.conn.Close()
		if err != nil {
			return MonitorEvent{}, ErrMonitorClosed
		}
	}
	return ev, err
}

// next reads and parses one line; it runs with m.busy set.
func (m *Monitor) next(ctx context.Context) (MonitorEvent, error) {
	if err := m.conn.ReadReplyBlocking(ctx, &m.reply, -1); err != nil {
		return MonitorEvent{}, err
	}
	switch r := &m.reply; {
	case r.Kind == redis.KindSimpleString:
		return ParseMonitorLine(string(r.Str))
	case r.IsError():
		return MonitorEvent{Raw: string(r.Str)}, r.Err()
	default:
		raw := r.String()
		return MonitorEvent{Raw: raw}, &MonitorLineError{
			Line: raw,
			Err:  &redis.ProtocolError{Msg: "MONITOR stream sent a reply of kind " + r.Kind.String() + ", want a simple string"},
		}
	}
}

// All returns an iterator over the monitor's events, for a range loop:
//
//	for ev, err := range m.All(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(ev.Command, ev.Args)
//	}
//
// Each iteration is a Next. A line that cannot be parsed and a server error
// are yielded and the iteration goes on; any other error is yielded and
// ends it. Close (from another goroutine) ends the iteration without an
// error. Breaking out of the loop leaves the monitor open.
func (m *Monitor) All(ctx context.Context) iter.Seq2[MonitorEvent, error] {
	return func(yield func(MonitorEvent, error) bool) {
		for {
			ev, err := m.Next(ctx)
			if errors.Is(err, ErrMonitorClosed) {
				return
			}
			if !yield(ev, err) || (err != nil && !monitorRecoverable(err)) {
				return
			}
		}
	}
}

// monitorRecoverable reports whether Next can go on after err.
func monitorRecoverable(err error) bool {
	var le *MonitorLineError
	var se *redis.Error
	return errors.As(err, &le) || errors.As(err, &se)
}

// Close ends the monitor and closes its connection, interrupting a Next
// that waits (it returns [ErrMonitorClosed]). It is safe to call from any
// goroutine, and more than once.
func (m *Monitor) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	busy := m.busy
	m.mu.Unlock()
	if busy {
		// The reading goroutine owns conn: only wake it, and let it
		// close conn when its read returns.
		err := m.nc.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil // the read's failure closed it already
		}
		return err
	}
	return m.conn.Close()
}

// MonitorLineError reports a line of a MONITOR stream that could not be
// parsed. It wraps a *redis.ProtocolError whose Offset is the position of
// the problem in the line (not in the connection's stream). The monitor
// stays usable.
type MonitorLineError struct {
	// Line is the line as received.
	Line string
	// Err says what is wrong and where.
	Err *redis.ProtocolError
}

// Error describes the problem, quoting the line (shortened when long).
func (e *MonitorLineError) Error() string {
	line := e.Line
	if len(line) > 120 {
		line = line[:120] + "..."
	}
	return "redis: malformed MONITOR line (" + e.Err.Msg + " at byte " + strconv.FormatInt(e.Err.Offset, 10) + "): " +
		strconv.Quote(line)
}

// Unwrap returns the *redis.ProtocolError.
func (e *MonitorLineError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this module.
func (e *MonitorLineError) RedisError() {}

// ParseMonitorLine parses one line of MONITOR output, without the RESP
// "+" and "\r\n" around it, as redis-cli prints it:
//
//	1700000000.123456 [0 127.0.0.1:54321] "SET" "k" "a \"quoted\"\n\x00\xff"
//
// Arguments are unescaped as the server escapes them (\" \\ \n \r \t \a
// \b and \xHH). A line that does not have this shape gives a
// *[MonitorLineError], with the event's Raw set to the line.
func ParseMonitorLine(line string) (MonitorEvent, error) {
	ev := MonitorEvent{Raw: line}
	fail := func(pos int, msg string) (MonitorEvent, error) {
		return MonitorEvent{Raw: line}, &MonitorLineError{Line: line, Err: &redis.ProtocolError{Offset: int64(pos), Msg: msg}}
	}

	// The time: seconds, '.', fraction, ' '.
	sp := strings.IndexByte(line, ' ')
	if sp < 0 {
		return fail(len(line), "no space after the time stamp")
	}
	t, pos, msg := parseMonitorTime(line[:sp])
	if msg != "" {
		return fail(pos, msg)
	}
	ev.Time = t

	// '[', the database, ' ', the client, "] ".
	i := sp + 1
	if i >= len(line) || line[i] != '[' {
		return fail(i, "want '[' after the time stamp")
	}
	i++
	j := i
	for j < len(line) && line[j] >= '0' && line[j] <= '9' {
		j++
	}
	if j == i {
		return fail(i, "want the database number")
	}
	db, err := strconv.Atoi(line[i:j])
	if err != nil {
		return fail(i, "database number out of range")
	}
	ev.DB = db
	if j >= len(line) || line[j] != ' ' {
		return fail(j, "want ' ' after the database number")
	}
	i = j + 1
	end := strings.Index(line[i:], "] ")
	if end < 0 {
		return fail(i, "want \"] \" after the client")
	}
	switch who := line[i : i+end]; {
	case who == "lua":
		ev.ClientType = MonitorClientLua
	case strings.HasPrefix(who, "unix:"):
		ev.ClientType, ev.Client = MonitorClientUnix, who[len("unix:"):]
	case who == "":
		return fail(i, "empty client address")
	default:
		ev.Client = who
	}
	i += end + 2

	// The command and its arguments: quoted strings separated by one space.
	args := make([]string, 0, 4)
	for {
		arg, next, pos, msg := unquoteMonitorArg(line, i)
		if msg != "" {
			return fail(pos, msg)
		}
		args = append(args, arg)
		i = next
		if i == len(line) {
			break
		}
		if line[i] != ' ' {
			return fail(i, "want ' ' or the end of the line after an argument")
		}
		i++
	}
	ev.Command, ev.Args = args[0], args[1:]
	return ev, nil
}

// parseMonitorTime parses "1700000000.123456" (seconds, '.', 1 to 9
// digits of fraction). On failure, msg says why and pos where.
func parseMonitorTime(s string) (t time.Time, pos int, msg string) {
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return time.Time{}, len(s), "want a time stamp of seconds.microseconds"
	}
	sec, frac := s[:dot], s[dot+1:]
	if sec == "" || len(sec) > 18 || !allDigits(sec) {
		return time.Time{}, 0, "bad seconds in the time stamp"
	}
	if frac == "" || len(frac) > 9 || !allDigits(frac) {
		return time.Time{}, dot + 1, "bad fraction in the time stamp"
	}
	secs, _ := strconv.ParseInt(sec, 10, 64) // at most 18 digits: no overflow
	nsec := 0
	for k := 0; k < 9; k++ {
		nsec *= 10
		if k < len(frac) {
			nsec += int(frac[k] - '0')
		}
	}
	return time.Unix(secs, int64(nsec)), 0, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// unquoteMonitorArg reads the quoted argument that starts at line[i],
// undoing the escapes of Redis's sdscatrepr. It returns the argument and
// the index after its closing quote; on failure, msg says why and pos
// where. An argument without escapes is a substring of line.
func unquoteMonitorArg(line string, i int) (arg string, next, pos int, msg string) {
	if i >= len(line) || line[i] != '"' {
		return "", 0, i, "want '\"' to start an argument"
	}
	start := i + 1
	// Fast path: no escape before the closing quote.
	k := start
	for k < len(line) && line[k] != '"' && line[k] != '\\' {
		k++
	}
	if k == len(line) {
		return "", 0, i, "unterminated argument"
	}
	if line[k] == '"' {
		return line[start:k], k + 1, 0, ""
	}
	var b strings.Builder
	b.Grow(k - start + 16)
	b.WriteString(line[start:k])
	for k < len(line) {
		c := line[k]
		switch c {
		case '"':
			return b.String(), k + 1, 0, ""
		case '\\':
			if k+1 >= len(line) {
				return "", 0, k, "unterminated argument"
			}
			switch e := line[k+1]; e {
			case '"', '\\':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'x':
				if k+3 >= len(line) {
					return "", 0, k, "short \\x escape"
				}
				hi, ok1 := unhex(line[k+2])
				lo, ok2 := unhex(line[k+3])
				if !ok1 || !ok2 {
					return "", 0, k, "bad \\x escape"
				}
				b.WriteByte(hi<<4 | lo)
				k += 2
			default:
				return "", 0, k, "unknown escape " + strconv.Quote(line[k:k+2])
			}
			k += 2
		default:
			b.WriteByte(c)
			k++
		}
	}
	return "", 0, i, "unterminated argument"
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
