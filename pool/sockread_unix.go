//go:build unix

package pool

import (
	"io"
	"net"
	"syscall"
)

// sockReader reads a plain (non-TLS) TCP or unix socket through its
// RawConn, and sends requests in a way that saves a system call per round
// trip.
//
// A net.Conn's Read always tries read(2) first and waits for readiness
// only when that fails with EAGAIN. Right after a request is written the
// reply is almost never there yet (the server has to be scheduled, read,
// execute and write), so that first read(2) is spent to learn nothing, on
// every round trip. writeAndWait writes the request from inside
// RawConn.Read and then waits for the runtime's poller to report the
// socket readable; the parser's read that follows finds the reply.
//
// Writing inside RawConn.Read is what makes this safe: RawConn.Read first
// clears the readiness the poller recorded earlier, and only then runs the
// callback, so the readiness of the reply (which cannot come before the
// request) is never cleared. A stale readiness can only make the wait end
// early, after which the parser's read sees EAGAIN and waits as usual.
//
// Deadlines and Close work as on the net.Conn: RawConn.Read honours both.
// The write itself never blocks (the descriptor is non-blocking); what the
// socket does not take at once is written with the net.Conn's Write.
type sockReader struct {
	raw syscall.RawConn

	// Read's buffer and results, for readFn.
	p      []byte
	n      int
	err    error
	readFn func(fd uintptr) bool

	// writeAndWait's request, progress and result, for writeFn.
	w       []byte
	written int
	werr    error
	waiting bool // written in full: the next call is the readiness
	writeFn func(fd uintptr) bool
}

func newSockReader(raw syscall.RawConn) *sockReader {
	r := &sockReader{raw: raw}
	r.readFn = r.readOnce
	r.writeFn = r.writeOnce
	return r
}

// Read implements io.Reader.
func (r *sockReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.p, r.n, r.err = p, 0, nil
	err := r.raw.Read(r.readFn)
	r.p = nil
	if err != nil {
		return 0, err
	}
	if r.err != nil {
		return 0, r.err
	}
	if r.n == 0 {
		return 0, io.EOF
	}
	return r.n, nil
}

// readOnce is called by RawConn.Read with the descriptor, which the
// runtime keeps non-blocking. Returning false makes the runtime wait for
// readiness and call it again.
func (r *sockReader) readOnce(fd uintptr) bool {
	for {
		n, err := syscall.Read(int(fd), r.p)
		switch err {
		case nil:
			r.n = n
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		r.err = err
		return true
	}
}

// writeAndWait writes as much of b as the socket takes at once and, when
// that is all of it, waits until the socket is readable (or the read
// deadline passes). It returns how much it wrote; werr is an error of the
// write (nothing was waited for), err one of the wait.
func (r *sockReader) writeAndWait(b []byte) (written int, werr, err error) {
	r.w, r.written, r.werr, r.waiting = b, 0, nil, false
	err = r.raw.Read(r.writeFn)
	written, werr = r.written, r.werr
	r.w, r.werr = nil, nil
	if !r.waiting || werr != nil {
		// The wait did not start: an error of RawConn.Read is one of
		// the write (a closed connection).
		if werr == nil {
			werr = err
		}
		return written, werr, nil
	}
	return written, nil, err
}

// writeOnce is writeAndWait's callback: the first call writes, the second
// (after the runtime waited for readiness) ends the wait.
func (r *sockReader) writeOnce(fd uintptr) bool {
	if r.waiting {
		return true
	}
	for r.written < len(r.w) {
		n, err := syscall.Write(int(fd), r.w[r.written:])
		if n > 0 {
			r.written += n
		}
		switch err {
		case nil:
		case syscall.EINTR:
		case syscall.EAGAIN:
			return true // the socket is full: the caller writes the rest
		default:
			r.werr = err
			return true
		}
	}
	r.waiting = true
	return false
}

// replyReader returns what a connection's parser reads from: a sockReader
// for a plain TCP or unix socket, nc itself otherwise (TLS, or a custom
// net.Conn without a descriptor).
func replyReader(nc net.Conn, raw syscall.RawConn) (io.Reader, *sockReader) {
	if raw == nil {
		return nc, nil
	}
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		r := newSockReader(raw)
		return r, r
	}
	return nc, nil
}
