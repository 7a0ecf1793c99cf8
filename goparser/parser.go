// Package goparser is the pure-Go RESP2/RESP3 parser of duoredis, and the
// default one: it builds with CGO_ENABLED=0. Package cparser, built with
// -tags hiredis, parses with hiredis's C reader instead and gives the same
// results; see build_tags.md.
//
// The parser reads from an io.Reader into a buffer it owns and hands out
// replies whose byte slices point into that buffer, so reading a reply
// allocates nothing in the steady state. Those slices stay valid until the
// next ReadReply or Reset.
package goparser

import (
	"encoding/binary"
	"io"
	"math/bits"

	redis "github.com/duoredis/redis"
)

const (
	// defaultBufSize is the size of the read buffer of a new Parser.
	defaultBufSize = 32 << 10
	// maxRetainedBuf is the largest buffer kept between replies; a larger
	// one, grown for a big reply, is dropped once that reply was consumed.
	maxRetainedBuf = 4 << 20
	// maxPrealloc caps the elements allocated ahead of an aggregate's data,
	// so that a hostile count in a header cannot allocate much before the
	// elements really arrive.
	maxPrealloc = 1 << 16
	// minRead is the least room worth a Read call when the buffer can be
	// compacted instead.
	minRead = 4096
	// bigBulk is the size from which a top-level bulk string not yet in the
	// buffer is read straight into memory of its own (Reply.Owned), with
	// ParserOptions.OwnLargeBulks, which saves the caller a copy.
	bigBulk = 256 << 10
	// maxAhead bounds the room made for data announced by a length header
	// but not received yet: a buffer (or an owned bulk) grows to at most
	// twice what arrived plus maxAhead, and further as the payload comes,
	// so a 13-byte header such as "$536870912\r\n" cannot make the parser
	// allocate much more than the peer really sent. It is large enough
	// that a 1 MiB bulk is still read into a buffer sized at once.
	maxAhead = 2 << 20
	// minLineLimit is the least bound on an incomplete line, so that a
	// length header (at most 20 bytes) is never cut short by a small
	// MaxBulkLen: headers are bounded by their grammar, not by the limit.
	minLineLimit = 32
)

// Parser is the pure-Go implementation of [redis.Parser]. It is not safe for
// concurrent use.
type Parser struct {
	rd   io.Reader
	buf  []byte
	r, w int   // buf[r:w] holds bytes read but not yet consumed
	base int64 // stream offset of buf[0]
	// start is the position in buf where the reply being read begins. Bytes
	// from start on may be referenced by the reply, so the buffer is never
	// compacted over them while that reply is being read.
	start int
	// spare is the previous buffer, reused by makeRoom unless the current
	// reply may still point into it (spareUsed).
	spare     []byte
	spareUsed bool
	opts      redis.ParserOptions
	err       error // sticky
}

var _ redis.Parser = (*Parser)(nil)

// New returns a Parser reading from r with the given limits (zero fields
// take their defaults).
func New(r io.Reader, opts redis.ParserOptions) *Parser {
	return &Parser{rd: r, buf: make([]byte, defaultBufSize), opts: opts.WithDefaults()}
}

// NewParser is New with the signature of [redis.NewParserFunc].
func NewParser(r io.Reader, opts redis.ParserOptions) redis.Parser { return New(r, opts) }

// Reset discards buffered data and any error, and reads a new stream from r.
func (p *Parser) Reset(r io.Reader) {
	p.rd = r
	p.r, p.w, p.start, p.base = 0, 0, 0, 0
	p.err = nil
	if len(p.buf) > maxRetainedBuf {
		p.buf = make([]byte, defaultBufSize)
		p.spare = nil
	}
}

// Buffered reports how many bytes were read from the stream and not yet
// returned as part of a reply.
func (p *Parser) Buffered() int { return p.w - p.r }

// ReadReply reads the next reply into *dst; see [redis.Parser.ReadReply].
func (p *Parser) ReadReply(dst *redis.Reply) error {
	if p.err != nil {
		return p.err
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
	if err := p.readValue(dst, 1); err != nil {
		p.err = err
		return err
	}
	return nil
}

func (p *Parser) compact() {
	n := copy(p.buf, p.buf[p.r:p.w])
	p.base += int64(p.r)
	p.start -= p.r
	p.w = n
	p.r = 0
}

// fill reads more data. need is how many bytes from p.r the caller wants in
// the buffer (0 if unknown), so that a large bulk is read straight into a
// buffer of the right size.
func (p *Parser) fill(need int) error {
	if need < p.w-p.r+1 {
		need = p.w - p.r + 1
	}
	if p.r+need > len(p.buf) || (len(p.buf)-p.w < minRead && p.r == p.start && p.start > 0) {
		p.makeRoom(need)
	}
	for tries := 0; tries < 100; tries++ {
		n, err := p.rd.Read(p.buf[p.w:])
		p.w += n
		if n > 0 {
			return nil
		}
		if err != nil {
			if err == io.EOF && p.w > p.start {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return io.ErrNoProgress
}

// makeRoom makes room for need bytes from p.r. The bytes of the current
// reply (from p.start on) are kept. When none of them was handed out yet
// (p.r == p.start) they are moved to the front of the buffer; otherwise the
// reply's earlier parts may be referenced by the caller's Reply, so they are
// copied to another buffer and the old one is left untouched until the next
// ReadReply. Two buffers take turns, so steady traffic allocates nothing.
func (p *Parser) makeRoom(need int) {
	want := p.r - p.start + need
	if p.r == p.start && want <= len(p.buf) {
		p.compact()
		return
	}
	size := len(p.buf)
	if size < 2*want {
		size = 2 * want
	}
	if lim := 2*(p.w-p.start) + maxAhead; size > lim {
		// More was announced than arrived: grow as it comes, once the
		// buffer is full.
		if p.w < len(p.buf) {
			return
		}
		size = max(lim, len(p.buf))
		if size == len(p.buf) && p.r == p.start {
			p.compact() // frees p.start > 0 bytes, since lim <= p.w
			return
		}
	}
	var nb []byte
	if !p.spareUsed && len(p.spare) >= size {
		nb = p.spare
	} else {
		nb = make([]byte, size)
	}
	live := copy(nb, p.buf[p.start:p.w])
	p.spare, p.spareUsed = p.buf, true
	p.base += int64(p.start)
	p.r -= p.start
	p.w = live
	p.start = 0
	p.buf = nb
}

func (p *Parser) protoErr(pos int, msg string) error {
	return &redis.ProtocolError{Offset: p.base + int64(pos), Msg: msg}
}

// readValue reads one value at nesting depth depth (1 for a top-level reply)
// into dst.
func (p *Parser) readValue(dst *redis.Reply, depth int) error {
	for p.r >= p.w {
		if err := p.fill(1); err != nil {
			return err
		}
	}
	switch typ := p.buf[p.r]; typ {
	case '+', '-':
		line, err := p.readLine()
		if err != nil {
			return err
		}
		setLeaf(dst, redis.Kind(typ))
		dst.Str = line
		return nil
	case ':':
		return p.readInteger(dst)
	case '$', '=', '!':
		return p.readBulk(dst, typ)
	case '*', '~', '>', '%':
		return p.readAggregate(dst, typ, depth)
	case '|':
		return p.readAttribute(dst, depth)
	case '_':
		pos := p.r
		line, err := p.readLine()
		if err != nil {
			return err
		}
		if len(line) != 0 {
			return p.protoErr(pos+1, "null with content")
		}
		setLeaf(dst, redis.KindNull)
		return nil
	case ',':
		return p.readDouble(dst)
	case '#':
		pos := p.r
		line, err := p.readLine()
		if err != nil {
			return err
		}
		if len(line) != 1 {
			return p.protoErr(pos+1, "boolean must be t or f")
		}
		setLeaf(dst, redis.KindBoolean)
		switch line[0] {
		case 't', 'T':
			dst.Int = 1
		case 'f', 'F':
		default:
			return p.protoErr(pos+1, "boolean must be t or f")
		}
		return nil
	case '(':
		pos := p.r
		line, err := p.readLine()
		if err != nil {
			return err
		}
		if !validBigNumber(line) {
			return p.protoErr(pos+1, "invalid big number "+quote(line))
		}
		setLeaf(dst, redis.KindBigNumber)
		dst.Str = line
		return nil
	default:
		return p.protoErr(p.r, "invalid reply type byte "+quoteByte(typ))
	}
}

// setLeaf resets dst to a reply of kind k with no payload, keeping the
// capacity of its Elems for reuse.
func setLeaf(dst *redis.Reply, k redis.Kind) {
	dst.Kind = k
	dst.Format = [3]byte{}
	dst.Owned = false
	dst.Str = nil
	dst.Int = 0
	dst.Float = 0
	dst.Elems = dst.Elems[:0]
	dst.Attrs = nil
}

// readLine consumes the line item at p.r (type byte, content, CRLF) and
// returns its content, which ends at its first CR or LF: that must be a
// "\r\n" (see scanLine). Content longer than MaxBulkLen is a protocol error.
func (p *Parser) readLine() ([]byte, error) {
	line, err := p.scanLine()
	if err == nil && int64(len(line)) > p.opts.MaxBulkLen {
		return nil, p.protoErr(p.r-2, "line longer than the bulk limit")
	}
	return line, err
}

// scanLine is readLine without the check of the complete line's length
// (headers are checked by their own grammar). A line still incomplete
// after MaxBulkLen+1 bytes is an error either way, so memory stays bounded.
//
// RESP lines hold no CR or LF: a CR followed by anything but LF, or an LF
// not preceded by CR, is a protocol error as soon as it is read. Taking
// them as content would let "+OK\r*2\r\n..." swallow the next reply's
// header and desynchronise the stream.
func (p *Parser) scanLine() ([]byte, error) {
	// Short lines are the common case; a plain loop beats IndexByte there.
	buf := p.buf[:p.w]
	end := p.r + 34
	if end > len(buf) {
		end = len(buf)
	}
	for i := p.r + 1; i < end; i++ {
		if buf[i] <= '\r' {
			if buf[i] == '\r' && i+1 < len(buf) && buf[i+1] == '\n' {
				line := buf[p.r+1 : i]
				p.r = i + 2
				return line, nil
			}
			if buf[i] == '\r' || buf[i] == '\n' {
				break // a lone CR or LF, or a CR at the end of the data
			}
		}
	}
	return p.scanLineSlow()
}

func (p *Parser) scanLineSlow() ([]byte, error) {
	scan := 1 // offset from p.r where the search for CR and LF resumes
	for {
		seg := p.buf[p.r+scan : p.w]
		lf := indexByte(seg, '\n')
		lim := len(seg)
		if lf >= 0 {
			lim = lf
		}
		cr := indexByte(seg[:lim], '\r')
		switch {
		case lf >= 0 && cr == lf-1 && cr >= 0:
			line := p.buf[p.r+1 : p.r+scan+cr]
			p.r += scan + lf + 1
			return line, nil
		case cr >= 0 && cr < lim-1:
			return nil, p.protoErr(p.r+scan+cr, "CR inside a line")
		case lf >= 0 && cr < 0:
			return nil, p.protoErr(p.r+scan+lf, "LF without CR inside a line")
		}
		// No CR or LF yet, or a CR at the end of the data: the next byte
		// decides.
		if int64(p.w-p.r-1) > max(p.opts.MaxBulkLen, minLineLimit)+1 {
			return nil, p.protoErr(p.w, "line longer than the bulk limit")
		}
		scan = p.w - p.r
		if cr >= 0 {
			scan--
		}
		if err := p.fill(0); err != nil {
			return nil, err
		}
	}
}

// readInteger reads a ':' reply. The fast path parses the digits in place
// while looking for the CRLF; anything unusual takes the strict slow path.
func (p *Parser) readInteger(dst *redis.Reply) error {
	buf := p.buf[:p.w]
	i := p.r + 1
	neg := false
	if i < len(buf) && buf[i] == '-' {
		neg = true
		i++
	}
	first := i
	var v int64
	if i+8 <= len(buf) {
		// Up to 8 digits at once: most integers on the wire.
		var n int
		v, n = swarDigits(binary.LittleEndian.Uint64(buf[i:]))
		i += n
		if n == 8 {
			for lim := min(first+18, len(buf)); i < lim; i++ {
				c := buf[i] - '0'
				if c > 9 {
					break
				}
				v = v*10 + int64(c)
			}
		}
	} else {
		for lim := min(first+18, len(buf)); i < lim; i++ {
			c := buf[i] - '0'
			if c > 9 {
				break
			}
			v = v*10 + int64(c)
		}
	}
	if n := i - first; n > 0 && i+1 < len(buf) && buf[i] == '\r' && buf[i+1] == '\n' &&
		(buf[first] != '0' || (n == 1 && !neg)) && int64(i-p.r-1) <= p.opts.MaxBulkLen {
		if neg {
			v = -v
		}
		p.r = i + 2
		setLeaf(dst, redis.KindInteger)
		dst.Int = v
		return nil
	}
	pos := p.r
	line, err := p.readLine()
	if err != nil {
		return err
	}
	v, ok := parseInt(line)
	if !ok {
		return p.protoErr(pos+1, "invalid integer "+quote(line))
	}
	setLeaf(dst, redis.KindInteger)
	dst.Int = v
	return nil
}

func (p *Parser) readDouble(dst *redis.Reply) error {
	pos := p.r
	line, err := p.readLine()
	if err != nil {
		return err
	}
	f, ok := parseDouble(line)
	if !ok {
		return p.protoErr(pos+1, "invalid double "+quote(line))
	}
	setLeaf(dst, redis.KindDouble)
	dst.Float = f
	dst.Str = line
	return nil
}

// readHeader reads the length line of a bulk or aggregate at p.r without
// consuming it, returning the length and the offset from p.r of the first
// byte after the header's CRLF.
func (p *Parser) readHeader() (n int64, hdr int, err error) {
	// Fast path: a short all-digit length followed by CRLF.
	buf := p.buf[:p.w]
	i := p.r + 1
	first := i
	// Lengths are short: a plain loop is fastest here.
	for lim := min(first+18, len(buf)); i < lim; i++ {
		c := buf[i] - '0'
		if c > 9 {
			break
		}
		n = n*10 + int64(c)
	}
	if d := i - first; d > 0 && i+1 < len(buf) && buf[i] == '\r' && buf[i+1] == '\n' &&
		(buf[first] != '0' || d == 1) {
		return n, i + 2 - p.r, nil
	}
	// Slow path: find the line without consuming it, then parse strictly.
	save := p.r
	line, err := p.scanLine()
	if err != nil {
		return 0, 0, err
	}
	hdr = p.r - save
	p.r = save
	v, ok := parseInt(line)
	if !ok {
		return 0, 0, p.protoErr(save+1, "invalid length "+quote(line))
	}
	return v, hdr, nil
}

func (p *Parser) readBulk(dst *redis.Reply, typ byte) error {
	n, hdr, err := p.readHeader()
	if err != nil {
		return err
	}
	if n < 0 {
		if n == -1 && typ == '$' {
			p.r += hdr
			setLeaf(dst, redis.KindNull)
			return nil
		}
		return p.protoErr(p.r+1, "negative length for "+redis.Kind(typ).String())
	}
	if n > p.opts.MaxBulkLen {
		return p.protoErr(p.r+1, "bulk length exceeds the limit")
	}
	total := hdr + int(n) + 2
	if typ == '$' && n >= bigBulk && p.opts.OwnLargeBulks && p.r == p.start && p.w-p.r < total {
		return p.readBigBulk(dst, hdr, int(n))
	}
	for p.w-p.r < total {
		if err := p.fill(total); err != nil {
			return err
		}
	}
	payload := p.buf[p.r+hdr : p.r+hdr+int(n)]
	end := p.r + hdr + int(n)
	if p.buf[end] != '\r' || p.buf[end+1] != '\n' {
		return p.protoErr(end, "bulk payload not followed by CRLF")
	}
	switch typ {
	case '$':
		setLeaf(dst, redis.KindBulkString)
		dst.Str = payload
	case '!':
		setLeaf(dst, redis.KindBulkError)
		dst.Str = payload
	default: // '='
		if len(payload) < 4 || payload[3] != ':' {
			return p.protoErr(p.r+hdr, "verbatim string without a format prefix")
		}
		setLeaf(dst, redis.KindVerbatim)
		copy(dst.Format[:], payload[:3])
		dst.Str = payload[4:]
	}
	p.r = end + 2
	return nil
}

// readBigBulk reads a top-level bulk string of n bytes, whose header (hdr
// bytes at p.r) is buffered but whose payload is not all there yet, into
// memory of its own: what the buffer holds is copied, the rest is read
// straight from the stream.
func (p *Parser) readBigBulk(dst *redis.Reply, hdr, n int) error {
	have := min(p.w-p.r-hdr, n)
	// Memory for what arrived and maxAhead more, not for all that the
	// header announced: the rest grows as the payload comes.
	big := make([]byte, min(n, 2*have+maxAhead))
	got := copy(big, p.buf[p.r+hdr:p.r+hdr+have])
	// What the buffer holds after the payload (its CR at most, since the
	// whole bulk is not there) stays buffered, at the front.
	p.base += int64(p.r + hdr + got)
	p.w = copy(p.buf, p.buf[p.r+hdr+got:p.w])
	p.r, p.start = 0, 0
	for empty := 0; got < n; {
		if got == len(big) {
			nb := make([]byte, min(n, 2*got+maxAhead))
			copy(nb, big[:got])
			big = nb
		}
		m, err := p.rd.Read(big[got:])
		got += m
		p.base += int64(m)
		if got == n {
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
		} else if empty++; empty == 100 {
			return io.ErrNoProgress
		}
	}
	for p.w < 2 {
		if err := p.fill(2); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	if p.buf[0] != '\r' || p.buf[1] != '\n' {
		return p.protoErr(0, "bulk payload not followed by CRLF")
	}
	p.r = 2
	setLeaf(dst, redis.KindBulkString)
	dst.Str = big
	dst.Owned = true
	return nil
}

// aggregateHeader reads and checks the count of an aggregate at depth.
// It returns -1 for a null array (which it consumes).
func (p *Parser) aggregateHeader(typ byte, depth int) (int64, error) {
	pos := p.r
	n, hdr, err := p.readHeader()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		if n == -1 && typ == '*' {
			p.r += hdr
			return -1, nil
		}
		return 0, p.protoErr(pos+1, "negative count for "+redis.Kind(typ).String())
	}
	if n > p.opts.MaxAggregateLen {
		return 0, p.protoErr(pos+1, "aggregate length exceeds the limit")
	}
	if depth > p.opts.MaxDepth {
		return 0, p.protoErr(pos, "aggregates nested deeper than the limit")
	}
	p.r += hdr
	return n, nil
}

func (p *Parser) readAggregate(dst *redis.Reply, typ byte, depth int) error {
	n, err := p.aggregateHeader(typ, depth)
	if err != nil {
		return err
	}
	if n < 0 {
		setLeaf(dst, redis.KindNull)
		return nil
	}
	if typ == '%' {
		n *= 2
	}
	dst.Kind = redis.Kind(typ)
	dst.Format = [3]byte{}
	dst.Owned = false
	dst.Str = nil
	dst.Int = 0
	dst.Float = 0
	dst.Attrs = nil
	return p.readElems(dst, int(n), depth)
}

// readElems reads n elements into dst.Elems, reusing its storage (and the
// storage of the elements it held before).
func (p *Parser) readElems(dst *redis.Reply, n int, depth int) error {
	elems := dst.Elems[:0]
	for i := 0; i < n; i++ {
		if i == cap(elems) {
			elems = growElems(elems, n)
		}
		elems = elems[:i+1]
		if err := p.readValue(&elems[i], depth+1); err != nil {
			dst.Elems = elems[:0]
			return err
		}
	}
	dst.Elems = elems
	return nil
}

// growElems returns a slice with more capacity holding elems' old storage
// (up to its capacity, so nested slices are reused too).
func growElems(elems []redis.Reply, want int) []redis.Reply {
	c := 2 * cap(elems)
	if c < 8 {
		c = 8
	}
	if want <= maxPrealloc && c < want {
		c = want
	}
	if c > want {
		c = want
	}
	if c <= cap(elems) {
		c = cap(elems) + 1
	}
	nb := make([]redis.Reply, len(elems), c)
	copy(nb[:cap(elems)], elems[:cap(elems)])
	return nb
}

// readAttribute reads an attribute and then the reply it annotates, into
// dst. Of consecutive attributes the last one wins.
func (p *Parser) readAttribute(dst *redis.Reply, depth int) error {
	n, err := p.aggregateHeader('|', depth)
	if err != nil {
		return err
	}
	attr := &redis.Reply{Kind: redis.KindAttribute}
	if err := p.readElems(attr, int(2*n), depth); err != nil {
		return err
	}
	if err := p.readValue(dst, depth); err != nil {
		return err
	}
	if dst.Attrs == nil {
		dst.Attrs = attr
	}
	return nil
}

// swarDigits parses the run of decimal digits at the start of the 8 bytes in
// x (little-endian: the first byte is the lowest), all lanes at once. It
// returns the value and the number of digits (0 to 8).
func swarDigits(x uint64) (int64, int) {
	const hi = 0xF0F0F0F0F0F0F0F0
	const zeros = 0x3030303030303030
	// A lane is a digit when its high nibble is 3 and adding 6 keeps it 3.
	// Carries from lanes past the first non-digit do not matter.
	nonDigit := ((x & hi) ^ zeros) | (((x + 0x0606060606060606) & hi) ^ zeros)
	n := bits.TrailingZeros64(nonDigit) / 8
	if n == 0 {
		return 0, 0
	}
	// Keep the n digit lanes, moved to the top, as values 0-9.
	d := (x - zeros) << (64 - 8*uint(n))
	// Combine pairs, then quads, then the two halves (the first digit is the
	// lowest lane, the most significant one).
	d = (d*10 + d>>8) & 0x00FF00FF00FF00FF
	d = (d*100 + d>>16) & 0x0000FFFF0000FFFF
	d = (d*10000 + d>>32) & 0xFFFFFFFF
	return int64(d), n
}
