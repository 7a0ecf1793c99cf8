// Package otel instruments a duoredis client with OpenTelemetry, through
// its hooks (see command.Hook), following the OpenTelemetry semantic
// conventions for database clients and for Redis (semantic conventions
// 1.43; the Redis conventions have status "Development").
//
// It lives in a module of its own, github.com/duoredis/redis/extra/otel, so
// that the client library itself depends on no OpenTelemetry package.
//
//	rdb, _ := client.New(client.Options{Addr: "localhost:6379"})
//	if err := otel.InstrumentTracing(rdb); err != nil { ... }
//	if err := otel.InstrumentMetrics(rdb); err != nil { ... }
//
// # Spans
//
// InstrumentTracing makes a span of kind CLIENT for every command (named
// after the command, "GET", "CLIENT LIST"), for every pipeline's batch
// (named "PIPELINE", or "PIPELINE SET" when all its commands are SETs) and
// every transaction ("MULTI", or "MULTI SET"), and for every new network
// connection ("redis.dial"). Commands inside a pipeline or a transaction
// get no span of their own: the batch is one operation. Auto-pipelined
// commands are commands like others: one span each.
//
// Span attributes:
//
//   - db.system.name: "redis"
//   - db.operation.name: the command's name as the span's; for a batch,
//     "PIPELINE" or "MULTI", followed by the command's name when all the
//     batch's commands have the same one
//   - db.namespace: the database index the client SELECTs (client.Options.DB)
//     as a string, "0" by default. It is the index given when the
//     connection was made: the client has no SELECT.
//   - server.address, server.port: from the client's options (Addr); for a
//     unix socket, server.address is its path and there is no port
//   - db.operation.batch.size: the number of commands of a batch (MULTI
//     and EXEC not counted), when it is 0 or at least 2
//   - db.response.status_code: the prefix of a server error ("ERR",
//     "WRONGTYPE", "NOSCRIPT", ...)
//   - error.type: when the operation failed, the prefix of a server error
//     (or "_OTHER" for a server error without one), "context.Canceled" or
//     "context.DeadlineExceeded" when the context ended the operation (even
//     wrapped in a *redis.ConnectionError), or else the Go type of the error as
//     semconv.ErrorType gives it ("*redis.TimeoutError", ...). A nil reply
//     (redis.Nil) is not an error.
//   - db.query.text: only with WithQueryText(true): the command line, with
//     the secrets of AUTH, HELLO AUTH, MIGRATE AUTH/AUTH2, CONFIG SET
//     requirepass/masterauth, ACL SETUSER and SENTINEL SET replaced by "?"
//     (command.RedactArgs), cut at 2048 bytes; the commands of a batch are
//     joined with "; "
//
// A failed operation has the status Error, described by the error's
// message unless the command carries a secret; no exception event is
// added. A dial span has db.system.name, server.address, server.port and
// network.transport ("tcp" or "unix"), and error.type when the dial failed.
//
// # Metrics
//
// InstrumentMetrics records:
//
//   - db.client.operation.duration (histogram, s): one value per command
//     or batch, buckets from 100 µs to 10 s, with the attributes of the spans
//     but db.query.text and db.operation.batch.size
//   - db.client.connection.create_time (histogram, s): the time to open a
//     network connection (the dial hook: TCP, unix or TLS connect, before
//     the handshake)
//
// and observes the pool's statistics (client.Client.PoolStats) when the
// reader collects, each with db.client.connection.pool.name
// ("address:port/db", or "path/db" for a unix socket):
//
//   - db.client.connection.count (up-down counter, {connection}): by
//     db.client.connection.state, "idle" (IdleConns) and "used" (the other
//     open connections, auto-pipelining ones included)
//   - db.client.connection.max and db.client.connection.idle.min (up-down
//     counters, {connection}): the pool's PoolSize and MinIdleConns
//   - db.client.connection.pending_requests (up-down counter, {request}):
//     the auto-pipelined commands in flight (pool.Stats.PendingRequests)
//   - db.client.connection.timeouts (counter, {timeout}): the times a
//     command gave up waiting for a free connection (pool.Stats.Timeouts)
//   - redis.client.connection.wait_time (counter, s) and
//     redis.client.connection.waits (counter, {wait}): the total time that
//     commands waited for a free connection, and how many waited
//     (pool.Stats.WaitDuration and WaitCount). The semantic conventions'
//     db.client.connection.wait_time is a histogram of each wait, which the
//     pool's totals cannot give: their ratio is the mean wait.
//   - redis.client.connection.closed (counter, {connection}): connections
//     closed, by redis.client.connection.close.reason: "idle_timeout",
//     "max_lifetime", "dead" (found closed or failing its health check
//     before use), "error" (after an I/O, timeout or protocol error) and
//     "pool_closed"
//
// Clients that share a pool (client.Options.Pool) share its statistics:
// instrument only one of them with InstrumentMetrics, or their connection
// metrics count twice.
package otel
