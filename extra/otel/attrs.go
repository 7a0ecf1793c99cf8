package otel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Attribute keys that the semantic conventions do not define.
const (
	// closeReasonKey is the reason of redis.client.connection.closed.
	closeReasonKey = attribute.Key("redis.client.connection.close.reason")
)

// maxQueryText bounds db.query.text, in bytes.
const maxQueryText = 2048

// target is what the instrumentation knows of a client's server.
type target struct {
	network string // "tcp" or "unix"
	address string // host, or the socket's path
	port    int    // 0 when there is none (unix)
	db      string // the database index, as a string
	// common are the attributes of every operation: db.system.name,
	// db.namespace, server.address, server.port and the user's.
	common []attribute.KeyValue
	// poolName names the pool in connection metrics.
	poolName string
}

// targetOf reads the server of rdb from its pool's options (the defaults
// applied, the pool's when it is shared), falling back on the client's.
func targetOf(rdb *client.Client, extra []attribute.KeyValue) *target {
	co := rdb.Options()
	po := rdb.Pool().Options()
	t := &target{network: po.Network, address: po.Addr, db: strconv.Itoa(po.DB)}
	if t.address == "" {
		t.address, t.network = co.Addr, co.Network
	}
	if t.address == "" {
		t.address = "localhost:6379"
	}
	if t.network == "" {
		t.network = "tcp"
		if strings.HasPrefix(t.address, "/") {
			t.network = "unix"
		}
	}
	if t.network != "unix" {
		t.address, t.port = splitHostPort(t.address)
	}
	t.common = append(t.common, semconv.DBSystemNameRedis, semconv.DBNamespace(t.db))
	t.common = append(t.common, serverAttrs(t.address, t.port)...)
	t.common = append(t.common, extra...)
	t.poolName = t.address
	if t.port != 0 {
		t.poolName = net.JoinHostPort(t.address, strconv.Itoa(t.port))
	}
	t.poolName += "/" + t.db
	return t
}

// splitHostPort splits host:port; a port that is missing or not a number
// gives 0.
func splitHostPort(addr string) (string, int) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, 0
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return host, 0
	}
	return host, port
}

// serverAttrs are server.address and, when there is one, server.port.
func serverAttrs(address string, port int) []attribute.KeyValue {
	if port == 0 {
		return []attribute.KeyValue{semconv.ServerAddress(address)}
	}
	return []attribute.KeyValue{semconv.ServerAddress(address), semconv.ServerPort(port)}
}

// failed reports whether err is the error of a failed operation: redis.Nil
// (a nil reply) is not one.
func failed(err error) bool {
	return err != nil && !errors.Is(err, redis.Nil)
}

// errorAttrs are db.response.status_code (for a server error with a
// prefix) and error.type of a failed operation's error.
func errorAttrs(err error) []attribute.KeyValue {
	var se *redis.Error
	if errors.As(err, &se) {
		if p := se.Prefix(); p != "" {
			return []attribute.KeyValue{semconv.DBResponseStatusCode(p), semconv.ErrorTypeKey.String(p)}
		}
		return []attribute.KeyValue{semconv.ErrorTypeOther}
	}
	// The context's errors by name, wherever in the chain (a dial that a
	// cancelled context stopped gives a *redis.ConnectionError that wraps
	// context.Canceled): the cause is the caller's, and their types say
	// nothing.
	switch {
	case errors.Is(err, context.Canceled):
		return []attribute.KeyValue{semconv.ErrorTypeKey.String("context.Canceled")}
	case errors.Is(err, context.DeadlineExceeded):
		return []attribute.KeyValue{semconv.ErrorTypeKey.String("context.DeadlineExceeded")}
	}
	return []attribute.KeyValue{semconv.ErrorType(err)}
}

// batchOps returns the user's commands of a pipeline's batch (MULTI and
// EXEC left out) and whether it is a transaction.
func batchOps(cmds []command.Cmder) ([]command.Cmder, bool) {
	n := len(cmds)
	if n >= 2 && cmds[0].Name() == "MULTI" && cmds[n-1].Name() == "EXEC" {
		return cmds[1 : n-1], true
	}
	return cmds, false
}

// batchName is db.operation.name of a batch: "PIPELINE" or "MULTI",
// followed by the commands' name when they all have the same one.
func batchName(ops []command.Cmder, tx bool) string {
	name := "PIPELINE"
	if tx {
		name = "MULTI"
	}
	if len(ops) == 0 {
		return name
	}
	first := ops[0].Name()
	for _, c := range ops[1:] {
		if c.Name() != first {
			return name
		}
	}
	return name + " " + first
}

// batchSize is db.operation.batch.size, set for 0 or at least 2 commands.
func batchSize(ops []command.Cmder) []attribute.KeyValue {
	if len(ops) == 1 {
		return nil
	}
	return []attribute.KeyValue{semconv.DBOperationBatchSize(len(ops))}
}

// sensitive reports whether a command's arguments carry a secret.
func sensitive(c command.Cmder) bool {
	args := c.Args()
	if len(args) == 0 {
		return false
	}
	r := command.RedactArgs(args)
	return &r[0] != &args[0]
}

// queryText is db.query.text of the commands: each one's redacted
// arguments, quoted where needed, the commands joined with "; ", cut at
// maxQueryText bytes.
func queryText(cmds ...command.Cmder) string {
	var b strings.Builder
	for i, c := range cmds {
		if i > 0 {
			b.WriteString("; ")
		}
		args := command.RedactArgs(c.Args())
		if len(args) == 0 {
			b.WriteString(c.Name())
		}
		for j, a := range args {
			if j > 0 {
				b.WriteByte(' ')
			}
			writeArg(&b, a)
			if b.Len() > maxQueryText {
				return cut(b.String())
			}
		}
	}
	return cut(b.String())
}

// cut cuts s at maxQueryText bytes, at a character's start, marking the cut
// with "...".
func cut(s string) string {
	if len(s) <= maxQueryText {
		return s
	}
	i := maxQueryText - 3
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "..."
}

// writeArg writes an argument as redis-cli would take it: as it is, or
// quoted when empty or holding spaces, quotes or unprintable bytes.
func writeArg(b *strings.Builder, a any) {
	var s string
	switch v := a.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		s = fmt.Sprint(v)
	}
	if s == "" || strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r == '"' || r == '\'' || r == 0x7f || r == 0xfffd
	}) {
		s = strconv.Quote(s)
	}
	b.WriteString(s)
}
