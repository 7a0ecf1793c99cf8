//go:build unix

package pool

import (
	"crypto/tls"
	"io"
	"net"
	"syscall"
)

// rawConnOf returns the raw descriptor access of nc (of the connection
// under TLS), or nil when it has none, as a custom Dialer's net.Conn may.
func rawConnOf(nc net.Conn) syscall.RawConn {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

// peekOnce is called by RawConn.Read with the socket's descriptor, which
// the runtime keeps in non-blocking mode. It peeks at one byte (MSG_PEEK:
// nothing is consumed): EAGAIN on a healthy idle connection, 0 bytes at the
// end of the stream, data when something arrived unasked. Returning true
// tells the runtime not to wait for readiness.
func (c *Conn) peekOnce(fd uintptr) bool {
	n, _, err := syscall.Recvfrom(int(fd), c.peekBuf[:], syscall.MSG_PEEK)
	switch {
	case n > 0:
		c.peekErr = errUnexpectedData
	case n == 0 && err == nil:
		c.peekErr = io.EOF
	case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK || err == syscall.EINTR:
		c.peekErr = nil
	default:
		c.peekErr = err
	}
	return true
}
