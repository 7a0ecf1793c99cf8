package pipeline

import (
	"fmt"
	"strconv"

	"github.com/duoredis/redis/internal/redact"
)

// String describes the pipeline: its mode and the number of buffered
// commands (never their arguments, which may hold secrets).
func (p *Pipeline) String() string {
	s := "pipeline.Pipeline<"
	if p.transaction {
		s += "MULTI/EXEC"
	} else {
		s += "no transaction"
	}
	if p.watching {
		s += ", watching"
	}
	return s + ", " + strconv.Itoa(p.queue.Len()) + " buffered>"
}

// Format prints the pipeline as String does, whatever the verb; also a
// Pipeline value. fmt never prints its fields by reflection.
func (p Pipeline) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }
