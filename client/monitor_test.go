package client_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// monitorServer is the server of the monitor tests: one of their own, so
// that the commands of other tests do not show in the streams, with a unix
// socket.
func monitorServer(t *testing.T) *redistest.Server {
	return redistest.SharedNamed(t, "monitor", redistest.UnixSocket())
}

// startMonitor opens a monitor on srv through a client of the given
// protocol, closed when the test ends.
func startMonitor(t *testing.T, srv *redistest.Server, proto int) (*client.Client, *client.Monitor) {
	t.Helper()
	rdb := serverNew(t, srv, client.Options{Protocol: proto})
	m, err := rdb.Monitor(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return rdb, m
}

// monitorUntil returns the events that m reports before the ECHO of marker
// (which the test sends last).
func monitorUntil(t *testing.T, m *client.Monitor, marker string) []client.MonitorEvent {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var evs []client.MonitorEvent
	for {
		ev, err := m.Next(cctx)
		require.NoError(t, err)
		if strings.EqualFold(ev.Command, "ECHO") && len(ev.Args) == 1 && ev.Args[0] == marker {
			return evs
		}
		evs = append(evs, ev)
	}
}

// tricky are argument values that the server must escape.
var tricky = []string{
	"plain",
	"with spaces  and  more",
	`"quoted" and \backslash\ and \"both\"`,
	"new\nline\r\ncrlf\ttab\abell\bbackspace",
	"\x00\xff\x01\x7f binary",
	"unicode: héllo wörld ✓ 日本語 🎉",
	"",
	`\x41 is not an escape here`,
	"] [0 127.0.0.1:1] \"SET\"",
}

func TestMonitorEvents(t *testing.T) {
	srv := monitorServer(t)
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			_, m := startMonitor(t, srv, proto)
			sender := serverNew(t, srv, client.Options{DB: 3, PoolSize: 1, DisableAutoPipeline: true})
			info, err := sender.ClientInfo(ctx).Result()
			require.NoError(t, err)
			before := time.Now()

			k := "monitor:" + t.Name() + ":"
			for i, v := range tricky {
				require.NoError(t, sender.Set(ctx, k+strconv.Itoa(i), v, 0).Err())
			}
			require.NoError(t, sender.Do(ctx, "SET", k+"int", 12345).Err())
			require.NoError(t, sender.Do(ctx, "set", k+"key with \"space\"", -7).Err())
			require.NoError(t, sender.Do(ctx, "ECHO", "done").Err())
			after := time.Now()

			evs := monitorUntil(t, m, "done")
			var sets []client.MonitorEvent
			for _, ev := range evs {
				if strings.EqualFold(ev.Command, "SET") {
					sets = append(sets, ev)
				}
			}
			require.Len(t, sets, len(tricky)+2, "events: %+v", evs)
			for i, v := range tricky {
				ev := sets[i]
				assert.Equal(t, "SET", ev.Command)
				assert.Equal(t, []string{k + strconv.Itoa(i), v}, ev.Args, "raw: %s", ev.Raw)
				assert.Equal(t, 3, ev.DB)
				assert.Equal(t, info.Addr, ev.Client)
				assert.Equal(t, "", ev.ClientType)
				assert.False(t, ev.Time.Before(before.Truncate(time.Microsecond)), "%v before %v", ev.Time, before)
				assert.False(t, ev.Time.After(after), "%v after %v", ev.Time, after)
				assert.True(t, strings.HasPrefix(ev.Raw, strconv.FormatInt(ev.Time.Unix(), 10)+"."), ev.Raw)
			}
			assert.Equal(t, []string{k + "int", "12345"}, sets[len(tricky)].Args)
			last := sets[len(tricky)+1]
			assert.Equal(t, "set", last.Command) // as the client sent it
			assert.Equal(t, []string{k + "key with \"space\"", "-7"}, last.Args)
		})
	}
}

func TestMonitorLuaAndUnix(t *testing.T) {
	srv := monitorServer(t)
	require.NotEmpty(t, srv.Socket())
	_, m := startMonitor(t, srv, 2)

	sender := serverNew(t, srv, client.Options{DB: 2})
	_, err := sender.Eval(ctx, "return redis.call('SET', KEYS[1], ARGV[1])", []string{"monitor:lua"}, "from \"lua\"\n").Result()
	require.NoError(t, err)

	unix, err := client.New(client.Options{Addr: srv.Socket(), DB: 5})
	require.NoError(t, err)
	defer unix.Close()
	require.NoError(t, unix.Set(ctx, "monitor:unix", "over the socket", 0).Err())
	require.NoError(t, sender.Do(ctx, "ECHO", "lua-done").Err())

	evs := monitorUntil(t, m, "lua-done")
	var eval, lua, viaUnix *client.MonitorEvent
	for i := range evs {
		ev := &evs[i]
		switch {
		case strings.EqualFold(ev.Command, "EVAL"):
			eval = ev
		case ev.ClientType == client.MonitorClientLua:
			lua = ev
		case ev.ClientType == client.MonitorClientUnix && ev.Command == "SET":
			viaUnix = ev
		}
	}
	require.NotNil(t, eval, "events: %+v", evs)
	require.NotNil(t, lua, "events: %+v", evs)
	require.NotNil(t, viaUnix, "events: %+v", evs)

	assert.Equal(t, "", eval.ClientType)
	assert.Equal(t, []string{"return redis.call('SET', KEYS[1], ARGV[1])", "1", "monitor:lua", "from \"lua\"\n"}, eval.Args)
	assert.Equal(t, "SET", lua.Command)
	assert.Equal(t, []string{"monitor:lua", "from \"lua\"\n"}, lua.Args)
	assert.Equal(t, "", lua.Client)
	assert.Equal(t, 2, lua.DB)
	assert.Contains(t, lua.Raw, "[2 lua]")

	assert.Equal(t, srv.Socket(), viaUnix.Client)
	assert.Equal(t, 5, viaUnix.DB)
	assert.Equal(t, []string{"monitor:unix", "over the socket"}, viaUnix.Args)
}

func TestMonitorAll(t *testing.T) {
	srv := monitorServer(t)
	_, m := startMonitor(t, srv, 2)
	sender := serverNew(t, srv, client.Options{})
	for i := range 3 {
		require.NoError(t, sender.Do(ctx, "ECHO", "all-"+strconv.Itoa(i)).Err())
	}
	var got []string
	for ev, err := range m.All(ctx) {
		require.NoError(t, err)
		if ev.Command == "ECHO" {
			got = append(got, ev.Args[0])
		}
		if len(got) == 3 {
			break
		}
	}
	assert.Equal(t, []string{"all-0", "all-1", "all-2"}, got)

	// Breaking out left the monitor open; Close from another goroutine
	// ends a range loop without an error.
	time.AfterFunc(50*time.Millisecond, func() { m.Close() })
	for _, err := range m.All(ctx) {
		require.NoError(t, err)
	}
	_, err := m.Next(ctx)
	assert.ErrorIs(t, err, client.ErrMonitorClosed)
}

func TestMonitorCloseUnblocksNext(t *testing.T) {
	srv := monitorServer(t)
	_, m := startMonitor(t, srv, 2)
	done := make(chan error, 1)
	go func() {
		for {
			// Other tests' leftovers may show; wait for the Close.
			if _, err := m.Next(ctx); err != nil {
				done <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	// A second reader fails at once (with a context that ended, so that
	// it could not block even if it got to read).
	ended, cancel := context.WithCancel(ctx)
	cancel()
	_, err := m.Next(ended)
	assert.ErrorContains(t, err, "called concurrently")

	require.NoError(t, m.Close())
	select {
	case err := <-done:
		assert.ErrorIs(t, err, client.ErrMonitorClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock Next")
	}
	require.NoError(t, m.Close()) // twice is fine
	_, err = m.Next(ctx)
	assert.ErrorIs(t, err, client.ErrMonitorClosed)
}

func TestMonitorContext(t *testing.T) {
	srv := monitorServer(t)

	t.Run("deadline", func(t *testing.T) {
		_, m := startMonitor(t, srv, 2)
		dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		var err error
		for err == nil {
			_, err = m.Next(dctx)
		}
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var te *redis.TimeoutError
		assert.ErrorAs(t, err, &te)
		// The stream stopped mid-read: the monitor is finished.
		_, err2 := m.Next(ctx)
		assert.Error(t, err2)
		assert.NoError(t, m.Close())
	})

	t.Run("cancel", func(t *testing.T) {
		_, m := startMonitor(t, srv, 2)
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(50*time.Millisecond, cancel)
		var err error
		for err == nil {
			_, err = m.Next(cctx)
		}
		assert.ErrorIs(t, err, context.Canceled)
		assert.NoError(t, m.Close())
	})

	t.Run("ended before", func(t *testing.T) {
		rdb, m := startMonitor(t, srv, 2)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := m.Next(cctx)
		assert.ErrorIs(t, err, context.Canceled)
		// Nothing was read: the monitor goes on.
		require.NoError(t, rdb.Do(ctx, "ECHO", "still-there").Err())
		monitorUntil(t, m, "still-there")
	})
}

func TestMonitorOwnConnection(t *testing.T) {
	srv := monitorServer(t)
	rdb := serverNew(t, srv, client.Options{PoolSize: 1, DisableAutoPipeline: true})
	require.NoError(t, rdb.Ping(ctx).Err())
	before := rdb.PoolStats()

	m, err := rdb.Monitor(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, rdb.PoolStats(), "the monitor's connection is not the pool's")

	// The pool's only connection still serves commands while the monitor runs.
	require.NoError(t, rdb.Set(ctx, "monitor:own", "v", 0).Err())
	for {
		ev, err := m.Next(ctx)
		require.NoError(t, err)
		if ev.Command == "SET" {
			assert.Equal(t, []string{"monitor:own", "v"}, ev.Args)
			break
		}
	}
	monitors := func() int {
		list, err := rdb.ClientList(ctx, client.ClientListArgs{}).Result()
		require.NoError(t, err)
		n := 0
		for _, ci := range list {
			if strings.Contains(ci.Flags, "O") {
				n++
			}
		}
		return n
	}
	// (Monitors of earlier tests may take a moment to go.)
	assert.True(t, redistest.WaitFor(5*time.Second, func() bool { return monitors() == 1 }))

	require.NoError(t, m.Close())
	assert.True(t, redistest.WaitFor(5*time.Second, func() bool { return monitors() == 0 }),
		"the monitor's connection is closed, not kept")
	st := rdb.PoolStats()
	assert.Equal(t, 1, st.TotalConns)
	assert.Equal(t, before.Misses, st.Misses, "no connection was dialed for the pool")
	require.NoError(t, rdb.Ping(ctx).Err())
}

func TestMonitorRefused(t *testing.T) {
	srv := monitorServer(t)
	admin := serverNew(t, srv, client.Options{})
	require.NoError(t, admin.Do(ctx, "ACL", "SETUSER", "monitor-nope", "on", ">pw", "+@all", "-monitor").Err())
	defer admin.Do(ctx, "ACL", "DELUSER", "monitor-nope")

	rdb := serverNew(t, srv, client.Options{Username: "monitor-nope", Password: "pw"})
	m, err := rdb.Monitor(ctx)
	assert.Nil(t, m)
	var se *redis.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "NOPERM", se.Prefix())
}

// monitorProxy puts a fault proxy in front of a server of its own, through
// which tests feed a monitor data that a real server would not send.
func monitorProxy(t *testing.T) (*redistest.Server, *faultproxy.Proxy) {
	srv := redistest.Start(t)
	px, err := faultproxy.New(srv.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { px.Close() })
	return srv, px
}

func TestMonitorBadStream(t *testing.T) {
	srv, px := monitorProxy(t)
	rdb, err := client.New(client.Options{Addr: px.Addr(), DisableAutoPipeline: true})
	require.NoError(t, err)
	defer rdb.Close()
	m, err := rdb.Monitor(ctx)
	require.NoError(t, err)
	defer m.Close()

	// The server's line for the first PING comes after four bad replies
	// that the proxy puts in front of it; the second comes as it is.
	px.InjectNext([]byte("+not a monitor line\r\n-ERR something odd\r\n:42\r\n$3\r\nabc\r\n"))
	srv.Exec(t, "PING")
	srv.Exec(t, "GET", "k")

	var cmds []string
	var errs []error
	for ev, err := range m.All(ctx) {
		if err != nil {
			errs = append(errs, err)
		} else {
			cmds = append(cmds, ev.Command+" "+strings.Join(ev.Args, " "))
		}
		if len(cmds) == 2 {
			px.Cut() // the end of the stream
		}
	}
	assert.Equal(t, []string{"PING ", "GET k"}, cmds)
	require.Len(t, errs, 5, "%v", errs)
	var le *client.MonitorLineError
	var pe *redis.ProtocolError
	var se *redis.Error
	var ce *redis.ConnectionError
	if assert.ErrorAs(t, errs[0], &le) {
		assert.Equal(t, "not a monitor line", le.Line)
		assert.ErrorAs(t, errs[0], &pe)
	}
	if assert.ErrorAs(t, errs[1], &se) {
		assert.Equal(t, "ERR something odd", se.Message())
	}
	for _, err := range errs[2:4] { // :42 and $3 abc
		assert.ErrorAs(t, err, &le)
		assert.Contains(t, err.Error(), "want a simple string")
	}
	assert.ErrorAs(t, errs[4], &ce) // the end of the stream ends All
	_, err = m.Next(ctx)
	assert.ErrorAs(t, err, &ce)
}

func TestMonitorBadHandshakeReply(t *testing.T) {
	_, px := monitorProxy(t)
	rdb, err := client.New(client.Options{Addr: px.Addr()})
	require.NoError(t, err)
	defer rdb.Close()
	// MONITOR's +OK arrives after an integer, which is taken for its reply.
	px.InjectNext([]byte(":1\r\n"))
	_, err = rdb.Monitor(ctx)
	var pe *redis.ProtocolError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Msg, "want +OK")
}

func TestParseMonitorLine(t *testing.T) {
	at := func(sec, nsec int64) time.Time { return time.Unix(sec, nsec) }
	ok := []struct {
		line string
		want client.MonitorEvent
	}{
		{`1700000000.123456 [0 127.0.0.1:54321] "SET" "k" "v"`,
			client.MonitorEvent{Time: at(1700000000, 123456000), Client: "127.0.0.1:54321", Command: "SET", Args: []string{"k", "v"}}},
		{`1.000001 [15 [::1]:6000] "PING"`,
			client.MonitorEvent{Time: at(1, 1000), DB: 15, Client: "[::1]:6000", Command: "PING", Args: []string{}}},
		{`1700000000.5 [2 lua] "set" "k"`,
			client.MonitorEvent{Time: at(1700000000, 500000000), DB: 2, ClientType: "lua", Command: "set", Args: []string{"k"}}},
		{`1700000000.123456789 [0 unix:/tmp/redis.sock] "GET" "k"`,
			client.MonitorEvent{Time: at(1700000000, 123456789), Client: "/tmp/redis.sock", ClientType: "unix", Command: "GET", Args: []string{"k"}}},
		{`0.0 [0 a] "" "" ""`,
			client.MonitorEvent{Time: at(0, 0), Client: "a", Command: "", Args: []string{"", ""}}},
		{`1.1 [0 a] "a b" "\"q\"" "\\" "\\\"" "x\\"`,
			client.MonitorEvent{Time: at(1, 1e8), Client: "a", Command: "a b", Args: []string{`"q"`, `\`, `\"`, `x\`}}},
		{`1.1 [0 a] "\n\r\t\a\b" "\x00\xff\xAb\x7f" "\xc3\xa9t\xc3\xa9"`,
			client.MonitorEvent{Time: at(1, 1e8), Client: "a", Command: "\n\r\t\a\b", Args: []string{"\x00\xff\xab\x7f", "été"}}},
		{`1.1 [0 a] "] [0 b] \"SET\"" "raw é ✓"`,
			client.MonitorEvent{Time: at(1, 1e8), Client: "a", Command: `] [0 b] "SET"`, Args: []string{"raw é ✓"}}},
	}
	for _, tc := range ok {
		t.Run(tc.line, func(t *testing.T) {
			ev, err := client.ParseMonitorLine(tc.line)
			require.NoError(t, err)
			tc.want.Raw = tc.line
			assert.True(t, tc.want.Time.Equal(ev.Time), "time %v, want %v", ev.Time, tc.want.Time)
			ev.Time = tc.want.Time
			assert.Equal(t, tc.want, ev)
		})
	}

	bad := []struct {
		line string
		pos  int64
		msg  string
	}{
		{``, 0, "no space"},
		{`1700000000.123456`, 17, "no space"},
		{`1700000000 [0 a] "X"`, 10, "seconds.microseconds"},
		{`.5 [0 a] "X"`, 0, "bad seconds"},
		{`-1.5 [0 a] "X"`, 0, "bad seconds"},
		{`1. [0 a] "X"`, 2, "bad fraction"},
		{`1.1234567890 [0 a] "X"`, 2, "bad fraction"},
		{`9999999999999999999.1 [0 a] "X"`, 0, "bad seconds"},
		{`1.1 0 a] "X"`, 4, "want '['"},
		{`1.1 `, 4, "want '['"},
		{`1.1 [x a] "X"`, 5, "database number"},
		{`1.1 [99999999999999999999 a] "X"`, 5, "out of range"},
		{`1.1 [0] "X"`, 6, "after the database"},
		{`1.1 [0 a "X"`, 7, `"] "`},
		{`1.1 [0 ] "X"`, 7, "empty client"},
		{`1.1 [0 a] X`, 10, `want '"'`},
		{`1.1 [0 a] `, 10, `want '"'`},
		{`1.1 [0 a] "X`, 10, "unterminated"},
		{`1.1 [0 a] "X\`, 12, "unterminated"},
		{`1.1 [0 a] "X\"`, 10, "unterminated"},
		{`1.1 [0 a] "X\q"`, 12, "unknown escape"},
		{`1.1 [0 a] "\x4`, 11, "short \\x"},
		{`1.1 [0 a] "\x4"`, 11, "bad \\x"},
		{`1.1 [0 a] "\x4g"`, 11, "bad \\x"},
		{`1.1 [0 a] "X""Y"`, 13, "want ' ' or the end"},
		{`1.1 [0 a] "X" `, 14, `want '"'`},
		{`1.1 [0 a] "X"  "Y"`, 14, `want '"'`},
		{"1.1 [0 a] \"X\"\r\n", 13, "want ' ' or the end"},
	}
	for _, tc := range bad {
		t.Run(tc.line, func(t *testing.T) {
			ev, err := client.ParseMonitorLine(tc.line)
			var le *client.MonitorLineError
			require.ErrorAs(t, err, &le)
			var pe *redis.ProtocolError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.line, le.Line)
			assert.Equal(t, tc.line, ev.Raw)
			assert.Contains(t, pe.Msg, tc.msg)
			assert.Equal(t, tc.pos, pe.Offset, pe.Msg)
			assert.True(t, strings.HasPrefix(err.Error(), "redis: malformed MONITOR line ("), err.Error())
		})
	}
}

// formatMonitorLine writes ev the way redis-server does (replication.c's
// replicationFeedMonitors with sds.c's sdscatrepr), with the time's
// microseconds.
func formatMonitorLine(ev client.MonitorEvent) string {
	var b strings.Builder
	usec := ev.Time.Nanosecond() / 1000
	b.WriteString(strconv.FormatInt(ev.Time.Unix(), 10) + "." + leftPad(strconv.Itoa(usec), 6))
	b.WriteString(" [" + strconv.Itoa(ev.DB) + " ")
	switch ev.ClientType {
	case client.MonitorClientLua:
		b.WriteString("lua")
	case client.MonitorClientUnix:
		b.WriteString("unix:" + ev.Client)
	default:
		b.WriteString(ev.Client)
	}
	b.WriteString("]")
	for _, a := range append([]string{ev.Command}, ev.Args...) {
		b.WriteString(` "`)
		for i := 0; i < len(a); i++ {
			switch c := a[i]; c {
			case '\\', '"':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '\a':
				b.WriteString(`\a`)
			case '\b':
				b.WriteString(`\b`)
			default:
				if c >= 0x20 && c <= 0x7e {
					b.WriteByte(c)
				} else {
					b.WriteString(`\x` + leftPad(strconv.FormatUint(uint64(c), 16), 2))
				}
			}
		}
		b.WriteByte('"')
	}
	return b.String()
}

func leftPad(s string, n int) string {
	return strings.Repeat("0", max(0, n-len(s))) + s
}

func TestFormatMonitorLineMatchesServer(t *testing.T) {
	// The formatter of the fuzz test must write what the server writes.
	ev, err := client.ParseMonitorLine(`1700000000.000042 [0 127.0.0.1:1] "SET" "a\\ \"b\"" "\x00\xff\n\r\t\a\b\x7f\x1b"`)
	require.NoError(t, err)
	assert.Equal(t, ev.Raw, formatMonitorLine(ev))
}

func FuzzParseMonitorLine(f *testing.F) {
	f.Add(`1700000000.123456 [0 127.0.0.1:54321] "SET" "k" "v"`, uint64(1700000000), uint32(123456), uint32(0), uint8(0), "127.0.0.1:1", "SET", "k", "v\x00\xff \"\\")
	f.Add(`1.1 [2 lua] "a\x41"`, uint64(1), uint32(0), uint32(2), uint8(1), "", "GET", "é", "")
	f.Add(`1.1 [0 unix:/s] "" "\"`, uint64(0), uint32(999999), uint32(15), uint8(2), "/tmp/s] x", "", "\n\r\t\a\b", "] [")
	f.Fuzz(func(t *testing.T, raw string, sec uint64, usec, db uint32, kind uint8, who, name, a1, a2 string) {
		// Any input: an event or a *MonitorLineError, never a panic.
		ev, err := client.ParseMonitorLine(raw)
		if err != nil {
			var le *client.MonitorLineError
			var pe *redis.ProtocolError
			if !errors.As(err, &le) || !errors.As(err, &pe) || le.Line != raw {
				t.Fatalf("ParseMonitorLine(%q): error %T %v", raw, err, err)
			}
			if pe.Offset < 0 || pe.Offset > int64(len(raw)) {
				t.Fatalf("ParseMonitorLine(%q): offset %d", raw, pe.Offset)
			}
		} else if ev.Raw != raw {
			t.Fatalf("Raw %q, want %q", ev.Raw, raw)
		}

		// A formatted event parses back to itself.
		want := client.MonitorEvent{
			Time:    time.Unix(int64(sec%1e15), int64(usec%1e6)*1000),
			DB:      int(db % 1e6),
			Command: name,
			Args:    []string{a1, a2},
		}
		who = strings.ReplaceAll(who, "] ", "]_") // "] " ends the address
		switch kind % 3 {
		case 0:
			if who == "" || who == "lua" || strings.HasPrefix(who, "unix:") {
				who = "x" + who
			}
			want.Client = who
		case 1:
			want.ClientType = client.MonitorClientLua
		case 2:
			want.ClientType = client.MonitorClientUnix
			want.Client = who
		}
		want.Raw = formatMonitorLine(want)
		got, err := client.ParseMonitorLine(want.Raw)
		if err != nil {
			t.Fatalf("ParseMonitorLine(%q): %v", want.Raw, err)
		}
		if !got.Time.Equal(want.Time) {
			t.Fatalf("time %v, want %v", got.Time, want.Time)
		}
		got.Time = want.Time
		assert.Equal(t, want, got)
	})
}
