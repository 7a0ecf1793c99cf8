//go:build !unix

package pool

import (
	"net"
	"syscall"
)

// rawConnOf returns nil: the non-blocking liveness check is implemented on
// unix systems only. Elsewhere a connection the server closed is noticed by
// the first command sent on it (or by HealthCheckInterval's PING).
func rawConnOf(net.Conn) syscall.RawConn { return nil }

func (c *Conn) peekOnce(uintptr) bool { return true }
