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

	fed     int64 // bytes read from rd (and fed to hiredis)
	lastEnd int64 // stream offset just after the last reply returned before this batch
	rerr    error // error of rd, returned once the buffered replies are out
	err     error // sticky error
	opts    redis.ParserOptions
}

var _ redis.Parser = (*Parser)(nil)

// New returns a Parser reading from r with the given limits (zero fields
// take their defaults). The caller should Close it when done.
func New(r io.Reader, opts redis.ParserOptions) *Parser {
	return &Parser{rd: r, hr: hiredis.NewReader(opts), buf: make([]byte, readBufSize), opts: opts}
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
	p.fed, p.lastEnd = 0, 0
	p.rerr, p.err = nil, nil
}

// Buffered reports how many bytes were read from the stream and not yet
// returned as part of a reply.
func (p *Parser) Buffered() int { return int(p.fed - p.returnedEnd()) }

// returnedEnd is the stream offset just after the last reply returned. It is
// computed here rather than kept up to date by ReadReply, which is hotter.
func (p *Parser) returnedEnd() int64 {
	if p.next > 0 {
		return p.batch.Ends[p.next-1]
	}
	return p.lastEnd
}

// ReadReply reads the next reply into *dst; see [redis.Parser.ReadReply].
func (p *Parser) ReadReply(dst *redis.Reply) error {
	for p.next >= len(p.batch.Ends) {
		if err := p.read(); err != nil {
			p.err = err
			return err
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
// once every reply before it was handed out.
func (p *Parser) read() error {
	if p.err != nil {
		return p.err
	}
	if p.batch.Err != nil {
		return p.batch.Err
	}
	if p.rerr != nil {
		if p.rerr == io.EOF && p.fed > p.returnedEnd() {
			return io.ErrUnexpectedEOF
		}
		return p.rerr
	}
	for empty := 0; ; empty++ {
		n, err := p.rd.Read(p.buf)
		if err != nil {
			p.rerr = err
		}
		if n > 0 {
			p.lastEnd = p.returnedEnd()
			p.batch = p.hr.Feed(p.buf[:n])
			p.next, p.cur = 0, cursor{batch: &p.batch, tape: p.batch.Tape, arena: p.batch.Arena}
			p.fed += int64(n)
			return nil
		}
		if err != nil {
			return p.read()
		}
		if empty == maxEmptyReads {
			return io.ErrNoProgress
		}
	}
}
