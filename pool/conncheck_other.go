//go:build !unix

package pool

import (
	"io"
	"net"
	"syscall"
)

// rawConnOf returns nil: the non-blocking liveness check is implemented on
// unix systems only. Elsewhere a connection the server closed is noticed by
// the first command sent on it (or by HealthCheckInterval's PING).
func rawConnOf(net.Conn) syscall.RawConn { return nil }

func (c *Conn) peekOnce(uintptr) bool { return true }

// sockReader is the unix socket reader of sockread_unix.go; elsewhere the
// parser reads from the net.Conn and Conn.sock stays nil.
type sockReader struct{}

func (*sockReader) writeAndWait([]byte) (int, error, error) { panic("unreachable") }

func replyReader(nc net.Conn, _ syscall.RawConn) (io.Reader, *sockReader) { return nc, nil }
