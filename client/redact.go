package client

import (
	"fmt"
	"strconv"

	"github.com/duoredis/redis/internal/redact"
)

// The types of this package that hold a password (directly or through the
// client) implement fmt.Formatter: every verb prints the description that
// String gives, never the fields, which fmt would otherwise print by
// reflection, password included (for %#v, for a dereferenced value, or
// for a verb such as %d that String does not serve).

// Format prints o as String does, whatever the verb.
func (o Options) Format(f fmt.State, verb rune) { redact.Format(f, verb, o.String()) }

// Format prints the client as String does, whatever the verb; also a
// Client value (fmt.Sprint(*rdb)).
func (c Client) Format(f fmt.State, verb rune) {
	if c.opts == nil {
		redact.Format(f, verb, "client.Client<nil>")
		return
	}
	redact.Format(f, verb, c.String())
}

// Format prints the connection as String does, whatever the verb.
func (k Conn) Format(f fmt.State, verb rune) { redact.Format(f, verb, k.String()) }

// String describes the script by its SHA1 digest.
func (s *Script) String() string { return "client.Script<" + s.sha + ">" }

// Format prints the script as String does, whatever the verb.
func (s Script) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// String describes the lock by its key, and whether it is held (its token
// is left out).
func (l *Lock) String() string {
	s := "client.Lock<" + strconv.Quote(l.name)
	if l.token != "" {
		s += " held"
	}
	return s + ">"
}

// Format prints the lock as String does, whatever the verb.
func (l Lock) Format(f fmt.State, verb rune) { redact.Format(f, verb, l.String()) }

// String describes the monitor by its connection's address.
func (m *Monitor) String() string {
	if m.conn == nil {
		return "client.Monitor<>"
	}
	o := m.conn.Options()
	return "client.Monitor<" + o.Network + " " + o.Addr + ">"
}

// Format prints the monitor as String does, whatever the verb.
func (m *Monitor) Format(f fmt.State, verb rune) { redact.Format(f, verb, m.String()) }
