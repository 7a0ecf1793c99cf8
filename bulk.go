package redis

import "io"

// BulkDest is where the payload of a bulk string reply goes when it is read
// with [ReadBulk]: into memory the caller owns and reuses (Buf), or to a
// writer (W), instead of the parser's buffer. A large payload not buffered
// yet is read straight from the stream into Buf, so it is copied once, from
// the socket, and never held by the parser.
//
// The caller sets Buf or W; the parser sets the other fields. The zero
// value reads into a new slice.
type BulkDest struct {
	// Buf receives the payload: Buf[:n] when cap(Buf) >= n, else a new
	// slice of n bytes. The reply's Str is that slice.
	Buf []byte
	// W, when non-nil, receives the payload instead of Buf, in pieces,
	// as it arrives; the reply's Str is then empty. If W fails, the rest
	// of the payload is read and dropped, so that the stream stays in
	// step, and WErr holds W's error.
	W io.Writer

	// Done is set when the payload of a bulk string went here. It stays
	// false when the reply was not a bulk string (a null, an error, ...).
	Done bool
	// N is the payload's length, Written how many of its bytes W took.
	N, Written int64
	// WErr is the first error of W (io.ErrShortWrite for a short write
	// without an error).
	WErr error

	got int // bytes of the payload delivered so far
}

// BulkSelector chooses where the payload of a bulk string goes, once its
// header was read: SelectBulk is called with the payload's length, before
// any of it was delivered, and returns the destination, or nil for a reply
// read as [Parser.ReadReply] reads it. A *BulkDest selects itself.
type BulkSelector interface {
	SelectBulk(n int64) *BulkDest
}

// SelectBulk implements BulkSelector: d takes every bulk string.
func (d *BulkDest) SelectBulk(int64) *BulkDest { return d }

// BulkReader is an optional interface of a [Parser] (found by a type
// assertion, as [ReadBulk] does): it can deliver the payload of a
// top-level bulk string to a destination of the caller's choice.
//
// ReadBulk reads the next reply into *dst as ReadReply does, except that
// when it is a bulk string (at the top level, not inside an aggregate) and
// sel selects a destination for it, the payload goes there: dst.Str is then
// the destination's slice (empty for a writer), and delivered is true. A
// parser may leave a bulk string it cannot deliver (one preceded by a RESP3
// attribute, or one already parsed into its own memory) to the caller:
// delivered is then false and dst holds the reply as ReadReply fills it.
// Errors are those of ReadReply; a failing writer is not one (see
// [BulkDest.W]).
type BulkReader interface {
	ReadBulk(dst *Reply, sel BulkSelector) (delivered bool, err error)
}

// ReadBulk reads the next reply of p into *dst and, when it is a bulk
// string that sel selects a destination for, delivers its payload there:
// straight from the stream when p is a [BulkReader], by a copy of the reply
// otherwise. A reply of another kind is left in dst as ReadReply leaves it.
func ReadBulk(p Parser, dst *Reply, sel BulkSelector) error {
	if br, ok := p.(BulkReader); ok {
		delivered, err := br.ReadBulk(dst, sel)
		if err != nil || delivered {
			return err
		}
	} else if err := p.ReadReply(dst); err != nil {
		return err
	}
	if dst.Kind == KindBulkString {
		if d := sel.SelectBulk(int64(len(dst.Str))); d != nil {
			d.Begin(int64(len(dst.Str)))
			d.Put(dst.Str)
			d.Finish(dst)
		}
	}
	return nil
}

// Deliver puts the payload of r, a bulk string read without d (for
// example an element of a transaction's EXEC reply), into d, and points
// r.Str at d's slice. It does nothing when r is not a bulk string or d is
// done already.
func (d *BulkDest) Deliver(r *Reply) {
	if d.Done || r.Kind != KindBulkString {
		return
	}
	d.Begin(int64(len(r.Str)))
	d.Put(r.Str)
	d.Finish(r)
}

// The methods below are for Parser implementations: Begin, then Put (or
// Room and Advance, to read straight into Buf) until the payload is
// complete, then Finish.

// Begin starts the delivery of a payload of n bytes: it sizes Buf (unless
// a writer takes the payload) and clears the results.
func (d *BulkDest) Begin(n int64) {
	d.Done, d.N, d.Written, d.WErr, d.got = false, n, 0, nil, 0
	if d.W != nil {
		return
	}
	if int64(cap(d.Buf)) >= n {
		d.Buf = d.Buf[:n]
	} else {
		d.Buf = make([]byte, n)
	}
}

// Put delivers the next bytes of the payload.
func (d *BulkDest) Put(p []byte) {
	if d.W == nil {
		d.got += copy(d.Buf[d.got:], p)
		return
	}
	d.got += len(p)
	if d.WErr != nil || len(p) == 0 {
		return
	}
	n, err := d.W.Write(p)
	d.Written += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	d.WErr = err
}

// Room returns the part of Buf that the rest of the payload goes into, for
// a parser that reads it straight from the stream (then calls Advance), or
// nil when a writer takes the payload.
func (d *BulkDest) Room() []byte {
	if d.W != nil {
		return nil
	}
	return d.Buf[d.got:]
}

// Advance records that k more bytes were read into Room.
func (d *BulkDest) Advance(k int) { d.got += k }

// Missing returns how many bytes of the payload are still to come.
func (d *BulkDest) Missing() int { return int(d.N) - d.got }

// Finish ends the delivery: it marks d done and makes *dst the bulk string
// whose payload d holds (Str is Buf, or empty for a writer).
func (d *BulkDest) Finish(dst *Reply) {
	d.Done = true
	attrs := dst.Attrs
	dst.Kind = KindBulkString
	dst.Format = [3]byte{}
	dst.Owned = false
	dst.Int, dst.Float = 0, 0
	dst.Elems = dst.Elems[:0]
	dst.Attrs = attrs
	if d.W == nil {
		dst.Str = d.Buf
	} else {
		dst.Str = nil
	}
}
