//go:build hiredis && cgo

package cparser

import (
	"io"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/hiredis"
)

// readBufSize is the size of a Parser's read buffer: each Read into it is
// parsed by one call into C.
const readBufSize = 64 << 10

// maxEmptyReads is how many Reads in a row may return nothing before
// ReadReply gives up with io.ErrNoProgress, as bufio does.
const maxEmptyReads = 100

// Parser is the [redis.Parser] over hiredis. It is not safe for concurrent
// use.
//
// Memory: a Parser owns a hiredis.Reader, that is C memory, which the byte
// slices of its replies point into. Close releases it; a Parser dropped
// without Close is freed by a cleanup eventually, as a safety net only. So a
// reply's bytes stay valid until the next ReadReply or Reset, as for every
// Parser, and never beyond Close or the Parser's own life: copy what must
// outlive it ([redis.Reply.Clone]).
type Parser struct {
	rd  io.Reader
	hr  *hiredis.Reader
	buf []byte // read buffer; hiredis copies what it keeps

	batch hiredis.Batch // replies of the last read
	next  int           // index in batch.Ends of the next reply to return
	cur   cursor        // where that reply starts in the batch

	fed     int64               // bytes read from rd
	lastEnd int64               // stream offset just after the last reply returned before this batch
	base    int64               // stream offset of hiredis's offset 0 (moved by readBigBulk)
	rerr    error               // error of rd, returned once the buffered replies are out
	npend   int                 // p.buf[:npend]: bytes read but not fed yet (left by ReadBulk)
	err     error               // sticky error
	opts    redis.ParserOptions // with defaults
	maxBulk int64               // MaxBulkLen as hiredis applies it
}

var _ redis.Parser = (*Parser)(nil)

// New returns a Parser reading from r with the given limits (zero fields
// take their defaults). The caller should Close it when done.
func New(r io.Reader, opts redis.ParserOptions) *Parser {
	opts = opts.WithDefaults()
	return &Parser{rd: r, hr: hiredis.NewReader(opts), buf: make([]byte, readBufSize), opts: opts,
		maxBulk: min(opts.MaxBulkLen, hiredis.MaxBulkLen)}
}

// NewParser is New with the signature of [redis.NewParserFunc].
func NewParser(r io.Reader, opts redis.ParserOptions) redis.Parser { return New(r, opts) }

// Close releases the C memory of p. Replies read before must not be used
// afterwards; later calls of ReadReply fail, until Reset gives p a new
// stream. Close is idempotent and always returns nil.
func (p *Parser) Close() error {
	p.hr.Free()
	p.batch = hiredis.Batch{}
	p.next, p.cur = 0, cursor{}
	p.err = errClosed
	return nil
}

var errClosed = &redis.ConnectionError{Op: "read", Err: io.ErrClosedPipe}

// Reset discards buffered data and any error, and reads a new stream from r,
// keeping the buffers.
func (p *Parser) Reset(r io.Reader) {
	if p.err == errClosed {
		p.hr = hiredis.NewReader(p.opts)
	} else {
		p.hr.Reset()
	}
	p.rd = r
	p.batch = hiredis.Batch{}
	p.next, p.cur = 0, cursor{}
	p.fed, p.lastEnd, p.base = 0, 0, 0
	p.rerr, p.err = nil, nil
	p.npend = 0
}

// Buffered reports how many bytes were read from the stream and not yet
// returned as part of a reply.
func (p *Parser) Buffered() int { return int(p.fed-p.returnedEnd()) + p.npend }

// returnedEnd is the stream offset just after the last reply returned. It is
// computed here rather than kept up to date by ReadReply, which is hotter.
func (p *Parser) returnedEnd() int64 {
	if p.next > 0 {
		return p.base + p.batch.Ends[p.next-1]
	}
	return p.lastEnd
}

// ReadReply reads the next reply into *dst; see [redis.Parser.ReadReply].
func (p *Parser) ReadReply(dst *redis.Reply) error {
	for p.next >= len(p.batch.Ends) {
		big, err := p.read(dst)
		if err != nil {
			p.err = err
			return err
		}
		if big {
			return nil
		}
	}
	if e := &p.cur.tape[p.cur.i]; !slow[e.Kind] {
		setScalar(dst, e, &p.cur)
		p.cur.i++
	} else {
		fill(dst, &p.cur)
	}
	p.next++
	return nil
}

// read feeds the next read of the stream to hiredis. It returns an error
// once every reply before it was handed out. With OwnLargeBulks, a read
// that starts a large bulk string may be taken by readBigBulk instead: then
// big is true and the string is in *dst.
func (p *Parser) read(dst *redis.Reply) (big bool, err error) {
	if p.err != nil {
		return false, p.err
	}
	if p.batch.Err != nil {
		return false, p.batch.Err
	}
	if p.npend > 0 {
		// Read before, by ReadBulk, and not fed yet: the next bytes of
		// the stream, at the front of p.buf.
		n := p.npend
		p.npend = 0
		return p.use(dst, n)
	}
	if p.rerr != nil {
		if p.rerr == io.EOF && p.fed > p.returnedEnd() {
			return false, io.ErrUnexpectedEOF
		}
		return false, p.rerr
	}
	for empty := 0; ; empty++ {
		n, err := p.rd.Read(p.buf)
		if err != nil {
			p.rerr = err
		}
		if n > 0 {
			return p.use(dst, n)
		}
		if err != nil {
			return p.read(dst)
		}
		if empty == maxEmptyReads {
			return false, io.ErrNoProgress
		}
	}
}

// use parses p.buf[:n], the next bytes of the stream.
func (p *Parser) use(dst *redis.Reply, n int) (big bool, err error) {
	p.lastEnd = p.returnedEnd()
	if p.opts.OwnLargeBulks && p.lastEnd == p.fed {
		// hiredis holds nothing: the read starts a reply.
		if hdr, size, ok := bigBulkHeader(p.buf[:n], p.maxBulk); ok {
			return true, p.readBigBulk(dst, n, hdr, size)
		}
	}
	p.feed(p.buf[:n])
	return false, nil
}

// feed gives b, the next bytes of the stream, to hiredis.
func (p *Parser) feed(b []byte) {
	p.batch = p.hr.Feed(b)
	if p.batch.Err != nil && p.base != 0 {
		p.batch.Err.Offset += p.base
	}
	p.next, p.cur = 0, cursor{batch: &p.batch, tape: p.batch.Tape, arena: p.batch.Arena}
	p.fed += int64(len(b))
}

// bigBulk is the size from which a top-level bulk string that a read
// starts, and does not hold whole, is read by readBigBulk (as goparser
// does).
const bigBulk = 256 << 10

// maxAhead bounds the memory readBigBulk allocates for bytes announced by
// the header but not received yet: at most twice what arrived plus
// maxAhead, growing as the payload comes, so that a 13-byte header cannot
// make the parser allocate 512 MiB (goparser does the same).
const maxAhead = 2 << 20

// bigBulkHeader reports whether b starts with the header of a bulk string
// of bigBulk bytes or more (and at most limit), in its plain form ($, then
// digits without a leading zero, then CRLF), that b does not hold whole. It
// returns the header's length and the string's. Anything else is left to
// hiredis, errors included.
func bigBulkHeader(b []byte, limit int64) (hdr int, size int64, ok bool) {
	if len(b) < 4 || b[0] != '$' || b[1] < '1' || b[1] > '9' {
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
	if i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n' || i > 18 {
		return 0, 0, false
	}
	hdr = i + 2
	if size < bigBulk || size > limit || int64(len(b)) >= int64(hdr)+size+2 {
		return 0, 0, false
	}
	return hdr, size, true
}

// readBigBulk reads a large bulk string whose header starts p.buf[:n] into
// memory of its own (Reply.Owned): what the read holds is copied, the rest
// is read straight from the stream, bypassing hiredis, which held nothing.
// hiredis is then reset, and whatever followed the string is fed to it.
func (p *Parser) readBigBulk(dst *redis.Reply, n, hdr int, size int64) error {
	start := p.fed // stream offset of the header
	// Memory for what arrived and maxAhead more, not for all that the
	// header announced: the rest grows as the payload comes.
	got := int64(min(n-hdr, int(size)))
	big := make([]byte, min(size, 2*got+maxAhead))
	copy(big, p.buf[hdr:int64(hdr)+got])
	var crlf [2]byte
	have := copy(crlf[:], p.buf[int64(hdr)+got:n]) // at most the CR: b does not hold the whole string
	for empty := 0; got < size; {
		if got == int64(len(big)) {
			nb := make([]byte, min(size, 2*got+maxAhead))
			copy(nb, big[:got])
			big = nb
		}
		m, err := p.rd.Read(big[got:])
		got += int64(m)
		if got == size {
			break
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if m > 0 {
			empty = 0
		} else if empty++; empty == maxEmptyReads {
			return io.ErrNoProgress
		}
	}
	end := start + int64(hdr) + size // stream offset of the CRLF
	// The CRLF, and what follows it in the same read.
	var rest []byte
	for empty := 0; have < 2; empty++ {
		if empty == maxEmptyReads {
			return io.ErrNoProgress
		}
		m, err := p.rd.Read(p.buf)
		if m > 0 {
			k := copy(crlf[have:], p.buf[:m])
			have += k
			rest = p.buf[k:m]
		}
		if err != nil {
			if have < 2 {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return err
			}
			p.rerr = err
		}
	}
	if crlf != [2]byte{'\r', '\n'} {
		return &redis.ProtocolError{Offset: end, Msg: "bulk payload not followed by CRLF"}
	}
	p.hr.Reset()
	p.fed = end + 2
	p.base, p.lastEnd = p.fed, p.fed
	p.batch = hiredis.Batch{}
	p.next, p.cur = 0, cursor{}
	if len(rest) > 0 {
		p.feed(rest)
	}
	dst.Kind = redis.KindBulkString
	dst.Format = [3]byte{}
	dst.Owned = true
	dst.Int, dst.Float = 0, 0
	dst.Elems = dst.Elems[:0] // kept for reuse
	dst.Attrs = nil
	dst.Str = big
	return nil
}
