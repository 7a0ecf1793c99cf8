package pubsub

import (
	"fmt"

	"github.com/duoredis/redis/internal/redact"
)

// String describes the PubSub by its server, without secrets.
func (p *PubSub) String() string {
	o := &p.opts.Conn
	addr := o.Addr
	if addr == "" {
		addr = "localhost:6379"
	}
	return "pubsub.PubSub<" + addr + ">"
}

// Format prints the PubSub as String does, whatever the verb: fmt never
// prints its fields (its options hold the password) by reflection.
func (p *PubSub) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// Format prints the options without the password, whatever the verb.
func (o Options) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, fmt.Sprintf("pubsub.Options{Conn: %v, DecodeResponses: %t, IgnoreSubscribeMessages: %t, HealthCheckInterval: %v, QueueSize: %d}",
		o.Conn, o.DecodeResponses, o.IgnoreSubscribeMessages, o.HealthCheckInterval, o.QueueSize))
}
