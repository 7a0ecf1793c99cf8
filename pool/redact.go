package pool

import (
	"fmt"
	"strconv"

	"github.com/duoredis/redis/internal/redact"
)

// The types of this package that hold a password implement fmt.Formatter:
// every verb prints the description that String gives, never the fields,
// which fmt would otherwise print by reflection, password included (for
// %#v, or for a verb such as %d that String does not serve).

// Format prints o as String does, whatever the verb.
func (o Options) Format(f fmt.State, verb rune) { redact.Format(f, verb, o.String()) }

// Format prints the pool as String does, whatever the verb.
func (p *Pool) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// Format prints the connection as String does, whatever the verb.
func (c *Conn) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// String describes the Mux by its server and number of shared connections.
func (m *Mux) String() string {
	return "pool.Mux{" + m.opts.Network + " " + m.opts.Addr + ", " + strconv.Itoa(len(m.conns)) + " shared connections}"
}

// Format prints the Mux as String does, whatever the verb.
func (m *Mux) Format(f fmt.State, verb rune) { redact.Format(f, verb, m.String()) }
