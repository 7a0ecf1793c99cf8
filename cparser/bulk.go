//go:build hiredis && cgo

package cparser

import (
	"io"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/hiredis"
)

// directMin is the least part of a payload, not received yet, that
// ReadBulk reads straight from the stream into the caller's memory; a
// smaller rest is read through the read buffer.
const directMin = 16 << 10

// maxBulkHeader is the longest plain bulk header ReadBulk looks for:
// "$" and 19 digits, then CRLF.
const maxBulkHeader = 22

var _ redis.BulkReader = (*Parser)(nil)

// ReadBulk reads the next reply into *dst, and the payload of a top-level
// bulk string into the destination that sel selects for it; see
// [redis.BulkReader].
//
// hiredis owns the buffer it parses from, so a payload can skip it only
// when hiredis holds nothing, that is when the next read starts a reply:
// then a bulk string is read in Go, its payload copied from the read
// buffer and the rest (when directMin bytes or more are missing) read
// straight from the stream into the destination, and whatever follows it
// is kept for the next read rather than fed to hiredis, so that a series of
// such replies (a pipeline) all take this path. When hiredis holds part of
// the reply already, the reply is read by hiredis, which hands a payload of
// 32 KiB or more over without copying it (duo_hand_over), and the caller
// ([redis.ReadBulk]) copies it once into the destination.
func (p *Parser) ReadBulk(dst *redis.Reply, sel redis.BulkSelector) (bool, error) {
	if p.next < len(p.batch.Ends) || p.err != nil || p.batch.Err != nil || p.rerr != nil ||
		p.returnedEnd() != p.fed {
		return false, p.ReadReply(dst)
	}
	// hiredis holds nothing: read (or take) the start of the next reply,
	// enough of it for a bulk header.
	n := p.npend
	p.npend = 0
	for empty := 0; n < maxBulkHeader && headerOpen(p.buf[:n]); {
		m, err := p.rd.Read(p.buf[n:])
		n += m
		if err != nil {
			p.rerr = err
			break
		}
		if m > 0 {
			empty = 0
		} else if empty++; empty == maxEmptyReads {
			p.rerr = io.ErrNoProgress
			break
		}
	}
	hdr, size, ok := plainBulkHeader(p.buf[:n], p.maxBulk)
	var d *redis.BulkDest
	if ok && p.rerr == nil {
		d = sel.SelectBulk(size)
	}
	if d == nil {
		// Anything else is hiredis's to read, by the usual path.
		p.npend = n
		return false, p.ReadReply(dst)
	}
	if err := p.bulkTo(d, n, hdr, size); err != nil {
		p.err = err
		return false, err
	}
	d.Finish(dst)
	dst.Attrs = nil
	return true, nil
}

// headerOpen reports whether b could be the start of a plain bulk header
// that is not complete yet.
func headerOpen(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	if b[0] != '$' {
		return false
	}
	for i := 1; i < len(b); i++ {
		c := b[i]
		if c == '\r' {
			return i+1 == len(b)
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// plainBulkHeader parses the header of a bulk string at the start of b in
// its plain form ($, then "0" or digits without a leading zero, then CRLF)
// with a length of at most limit. Anything else (null, errors included) is
// left to hiredis.
func plainBulkHeader(b []byte, limit int64) (hdr int, size int64, ok bool) {
	if len(b) < 4 || b[0] != '$' || b[1] < '0' || b[1] > '9' {
		return 0, 0, false
	}
	i := 1
	for ; i < len(b) && i <= 19; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		size = size*10 + int64(c-'0')
	}
	if i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n' || i > 19 || (b[1] == '0' && i > 2) {
		return 0, 0, false
	}
	if size > limit {
		return 0, 0, false
	}
	return i + 2, size, true
}

// bulkTo delivers the bulk string whose header (hdr bytes) starts
// p.buf[:n] to d, reading the rest of it from the stream, and keeps what
// followed it at the front of p.buf (p.npend) for the next read. hiredis,
// which held nothing, is reset to start after it.
func (p *Parser) bulkTo(d *redis.BulkDest, n, hdr int, size int64) error {
	start := p.fed // stream offset of the header
	d.Begin(size)
	k := min(n-hdr, int(size))
	d.Put(p.buf[hdr : hdr+k])
	avail := copy(p.buf, p.buf[hdr+k:n]) // what follows the payload's part, at the front
	for empty := 0; d.Missing() > 0; {
		var m int
		var err error
		if room := d.Room(); len(room) >= directMin {
			m, err = p.rd.Read(room)
			d.Advance(m)
		} else {
			m, err = p.rd.Read(p.buf)
			k := min(m, d.Missing())
			d.Put(p.buf[:k])
			avail = copy(p.buf, p.buf[k:m])
		}
		if err != nil {
			if d.Missing() > 0 || avail < 2 {
				return unexpected(err)
			}
			p.rerr = err
		}
		if m > 0 {
			empty = 0
		} else if empty++; empty == maxEmptyReads {
			return io.ErrNoProgress
		}
	}
	for empty := 0; avail < 2; {
		m, err := p.rd.Read(p.buf[avail:])
		avail += m
		if err != nil {
			if avail < 2 {
				return unexpected(err)
			}
			p.rerr = err
		}
		if m > 0 {
			empty = 0
		} else if empty++; empty == maxEmptyReads {
			return io.ErrNoProgress
		}
	}
	end := start + int64(hdr) + size // stream offset of the CRLF
	if p.buf[0] != '\r' || p.buf[1] != '\n' {
		return &redis.ProtocolError{Offset: end, Msg: "bulk payload not followed by CRLF"}
	}
	p.hr.Reset()
	p.fed = end + 2
	p.base, p.lastEnd = p.fed, p.fed
	p.batch = hiredis.Batch{}
	p.next, p.cur = 0, cursor{}
	p.npend = copy(p.buf, p.buf[2:avail])
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
