package pool

import (
	"context"
	"errors"
	"strconv"
	"strings"

	redis "github.com/duoredis/redis"
)

// HandshakeError is returned by Dial (and so by Pool.Get) when a command of
// the connection handshake fails: HELLO, AUTH, SELECT or CLIENT SETNAME. The
// connection is closed. Err is the server's error (an *redis.Error or a
// subtype such as *redis.AuthenticationError, found with errors.As) or the
// I/O error that ended the handshake. Neither holds the password.
type HandshakeError struct {
	Addr    string // the server's address
	Command string // the command that failed, e.g. "AUTH", "HELLO 3", "SELECT 3"
	Err     error
	hint    string
}

// Error implements the error interface.
func (e *HandshakeError) Error() string {
	s := "redis: handshake with " + e.Addr + ": " + e.Command + " failed: "
	var se *redis.Error
	if errors.As(e.Err, &se) {
		s += se.Message()
	} else {
		s += e.Err.Error()
	}
	if e.hint != "" {
		s += " (" + e.hint + ")"
	}
	return s
}

// Unwrap returns the server's or the I/O error.
func (e *HandshakeError) Unwrap() error { return e.Err }

// RedisError marks the type as an error of this package.
func (e *HandshakeError) RedisError() {}

// handshake sends, in one write, the commands that prepare a new
// connection, then reads their replies in order:
//
//	Protocol 3:  HELLO 3 [AUTH username password] [SETNAME name]; SELECT db
//	Protocol 2:  AUTH [username] password; SELECT db; CLIENT SETNAME name
//
// each only when its option is set. Protocol 2 sends no HELLO, so it also
// works with servers older than Redis 6.
func (c *Conn) handshake(ctx context.Context) error {
	o := c.opts
	var steps [3]string
	n := 0
	if o.Protocol == 3 {
		var args [7]string
		a := append(args[:0], "HELLO", "3")
		if o.Password != "" {
			user := o.Username
			if user == "" {
				user = "default"
			}
			a = append(a, "AUTH", user, o.Password)
		}
		if o.ClientName != "" {
			a = append(a, "SETNAME", o.ClientName)
		}
		_ = c.WriteStrings(a...)
		steps[n] = "HELLO 3"
		n++
	} else if o.Password != "" {
		if o.Username != "" {
			_ = c.WriteStrings("AUTH", o.Username, o.Password)
		} else {
			_ = c.WriteStrings("AUTH", o.Password)
		}
		steps[n] = "AUTH"
		n++
	}
	if o.DB != 0 {
		db := strconv.Itoa(o.DB)
		_ = c.WriteStrings("SELECT", db)
		steps[n] = "SELECT " + db
		n++
	}
	if o.Protocol == 2 && o.ClientName != "" {
		_ = c.WriteStrings("CLIENT", "SETNAME", o.ClientName)
		steps[n] = "CLIENT SETNAME"
		n++
	}
	if n == 0 {
		return nil
	}
	if err := c.Flush(ctx); err != nil {
		return &HandshakeError{Addr: o.Addr, Command: steps[0], Err: err}
	}
	for _, step := range steps[:n] {
		if err := c.ReadReply(ctx, &c.reply); err != nil {
			return &HandshakeError{Addr: o.Addr, Command: step, Err: err}
		}
		if c.reply.IsError() {
			return c.handshakeRefused(step, string(c.reply.Str))
		}
		if step == "HELLO 3" && c.reply.Kind != redis.KindMap {
			return &HandshakeError{Addr: o.Addr, Command: step, hint: "set Protocol: 2 for this server",
				Err: errors.New("the reply is a " + c.reply.Kind.String() + ", not a RESP3 map")}
		}
	}
	return nil
}

// handshakeRefused builds the error of a handshake command that the server
// answered with an error. Redis repeats the arguments of an unknown command
// in its message ("unknown command 'HELLO', with args beginning with: '3'
// 'AUTH' 'user' 'password'"), so that part is cut, and the password is
// redacted from whatever remains.
func (c *Conn) handshakeRefused(step, msg string) error {
	if i := strings.Index(msg, ", with args beginning with"); i >= 0 {
		msg = msg[:i]
	}
	msg = c.opts.redact(msg)
	e := &HandshakeError{Addr: c.opts.Addr, Command: step, Err: redis.ParseServerError(msg)}
	if step == "HELLO 3" {
		var ae *redis.AuthenticationError
		if !errors.As(e.Err, &ae) {
			e.hint = "Protocol: 3 needs HELLO, which Redis has since 6.0; set Options.Protocol to 2 for this server"
		}
	}
	return e
}
