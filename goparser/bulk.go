package goparser

import (
	"io"

	redis "github.com/duoredis/redis"
)

// directMin is the least part of a payload, not buffered yet, that ReadBulk
// reads straight from the stream into the caller's memory. A smaller rest
// is read through the buffer, where one read may also bring the replies
// that follow.
const directMin = 16 << 10

var _ redis.BulkReader = (*Parser)(nil)

// ReadBulk reads the next reply into *dst, and the payload of a top-level
// bulk string into the destination that sel selects for it; see
// [redis.BulkReader]. What the buffer holds of the payload is copied, the
// rest (when directMin bytes or more are missing) is read straight from the
// stream into the destination's memory, so a large value passes through no
// buffer of the parser's. A writer gets the payload in pieces of the
// buffer's size.
func (p *Parser) ReadBulk(dst *redis.Reply, sel redis.BulkSelector) (bool, error) {
	if p.err != nil {
		return false, p.err
	}
	if p.r == p.w {
		p.base += int64(p.r)
		p.r, p.w = 0, 0
		if len(p.buf) > maxRetainedBuf {
			p.buf = make([]byte, defaultBufSize)
			p.spare = nil
		}
	}
	p.spareUsed = false
	p.start = p.r
	delivered, err := p.readBulkTo(dst, sel)
	if err != nil {
		p.err = err
	}
	return delivered, err
}

func (p *Parser) readBulkTo(dst *redis.Reply, sel redis.BulkSelector) (bool, error) {
	for p.r >= p.w {
		if err := p.fill(1); err != nil {
			return false, err
		}
	}
	if p.buf[p.r] != '$' {
		return false, p.readValue(dst, 1)
	}
	n, hdr, err := p.readHeader()
	if err != nil {
		return false, err
	}
	var d *redis.BulkDest
	if n >= 0 && n <= p.opts.MaxBulkLen {
		d = sel.SelectBulk(n)
	}
	if d == nil {
		return false, p.readBulk(dst, '$')
	}
	p.r += hdr
	if err := p.payloadTo(d, int(n)); err != nil {
		return false, err
	}
	setLeaf(dst, redis.KindBulkString)
	d.Finish(dst)
	return true, nil
}

// payloadTo delivers the n bytes of payload at p.r, and the CRLF after
// them, to d.
func (p *Parser) payloadTo(d *redis.BulkDest, n int) error {
	d.Begin(int64(n))
	k := min(p.w-p.r, n)
	d.Put(p.buf[p.r : p.r+k])
	p.r += k
	for d.Missing() > 0 {
		// The buffer is empty, and no part of it is referenced: start
		// it over.
		p.base += int64(p.w)
		p.r, p.w, p.start = 0, 0, 0
		if room := d.Room(); len(room) >= directMin {
			if err := p.readDirect(d, room); err != nil {
				return err
			}
			continue
		}
		if err := p.fill(1); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		k := min(p.w-p.r, d.Missing())
		d.Put(p.buf[p.r : p.r+k])
		p.r += k
	}
	p.start = p.r // the payload is out: the buffer may be compacted
	for p.w-p.r < 2 {
		if err := p.fill(2); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	if p.buf[p.r] != '\r' || p.buf[p.r+1] != '\n' {
		return p.protoErr(p.r, "bulk payload not followed by CRLF")
	}
	p.r += 2
	return nil
}

// readDirect reads what the stream has of the payload's rest into room,
// the part of d's memory still to fill, bypassing the buffer (which is
// empty).
func (p *Parser) readDirect(d *redis.BulkDest, room []byte) error {
	for empty := 0; ; empty++ {
		m, err := p.rd.Read(room)
		d.Advance(m)
		p.base += int64(m)
		if m > 0 {
			if err != nil && d.Missing() > 0 {
				return unexpected(err)
			}
			return nil // an error with the payload complete comes again with the CRLF
		}
		if err != nil {
			return unexpected(err)
		}
		if empty == 100 {
			return io.ErrNoProgress
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
