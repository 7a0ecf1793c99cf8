package sentinel

import (
	"fmt"

	"github.com/duoredis/redis/internal/redact"
)

// Format prints o as String does, whatever the verb, so that no verb
// prints the sentinels' password or the data nodes' by reflection.
func (o Options) Format(f fmt.State, verb rune) { redact.Format(f, verb, o.String()) }

// Format prints the Sentinel as String does, whatever the verb.
func (s *Sentinel) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }
