//go:build hiredis && cgo

package cparser

import (
	"math"
	"unsafe"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/hiredis"
)

// cursor walks a batch: the tape in preorder, and the arena, whose strings
// come in tape order.
type cursor struct {
	batch *hiredis.Batch // for KindHeld entries
	tape  []hiredis.Entry
	arena []byte
	i     int // index of the next entry
	a     int // arena offset of the next entry's string
}

// slow marks the kinds that setScalar does not handle: aggregates and
// attributes, whose entry is followed by others, and the rarer doubles and
// verbatim strings, so that setScalar stays within the inlining budget. A
// table beats a switch on the per-element path.
var slow = [256]bool{
	redis.KindArray: true, redis.KindMap: true, redis.KindSet: true, redis.KindPush: true,
	redis.KindAttribute: true, redis.KindDouble: true, redis.KindVerbatim: true,
	hiredis.KindHeld: true,
}

// isInt and hasStr say where a scalar's value goes: N to Int, or arena
// bytes to Str.
var (
	isInt  = [256]int64{redis.KindInteger: -1, redis.KindBoolean: -1, redis.KindNull: -1}
	hasStr = [256]bool{
		redis.KindSimpleString: true, redis.KindError: true, redis.KindBulkString: true,
		redis.KindBulkError: true, redis.KindBigNumber: true,
	}
)

// setScalar sets *dst to e, the entry at c.i, which is not slow; the caller
// moves c.i on. It is inlined into the loops that call it, which matters at
// ~2 ns an element.
func setScalar(dst *redis.Reply, e *hiredis.Entry, c *cursor) {
	k := e.Kind
	var s []byte
	if hasStr[k] {
		n := int(e.SLen)
		s = c.arena[c.a : c.a+n : c.a+n] // empty but not nil for "" (RESP_RULES 14)
		c.a += n
	}
	// Field by field: assigning a Reply literal to *dst would go through
	// typedmemmove, several times slower. The pointer fields last and
	// together, so that they share one write-barrier check, and each
	// written once.
	dst.Kind = k
	dst.Format = [3]byte{}
	dst.Owned = false
	dst.Int = e.N & isInt[k]
	dst.Float = 0
	dst.Elems = dst.Elems[:0]
	dst.Attrs = nil
	dst.Str = s
}

// setSlowScalar sets *dst to a double, a verbatim string or a held bulk.
func setSlowScalar(dst *redis.Reply, e *hiredis.Entry, c *cursor) {
	dst.Kind = e.Kind
	dst.Format = e.Fmt // zero unless verbatim
	dst.Owned = false
	if e.Kind == hiredis.KindHeld {
		dst.Kind = redis.KindBulkString
		dst.Str = c.batch.Held(e)
	} else {
		n := int(e.SLen)
		dst.Str = c.arena[c.a : c.a+n : c.a+n]
		c.a += n
	}
	dst.Int = 0
	dst.Float = 0
	if e.Kind == redis.KindDouble {
		dst.Float = math.Float64frombits(uint64(e.N))
	}
	dst.Elems = dst.Elems[:0]
	dst.Attrs = nil
}

// fill sets *dst to the reply whose entries start at c.i, reusing dst's
// storage, and moves c past it. Strings are views into the arena. The glue
// has checked every entry, so fill cannot fail.
func fill(dst *redis.Reply, c *cursor) {
	e := &c.tape[c.i]
	switch e.Kind {
	case redis.KindArray, redis.KindMap, redis.KindSet, redis.KindPush:
	case redis.KindAttribute:
		fillAttributed(dst, c)
		return
	case redis.KindDouble, redis.KindVerbatim, hiredis.KindHeld:
		setSlowScalar(dst, e, c)
		c.i++
		return
	default:
		setScalar(dst, e, c)
		c.i++
		return
	}
	c.i++
	dst.Kind = e.Kind
	dst.Format = [3]byte{}
	dst.Owned = false
	dst.Str = nil
	dst.Int = 0
	dst.Float = 0
	dst.Attrs = nil
	fillElems(dst, c, int(e.N))
}

// fillAttributed fills a reply preceded by one or more attributes: of
// consecutive attributes the last one wins (RESP_RULES 11). Attributes are
// rare, so each gets a new Reply, as in goparser.
func fillAttributed(dst *redis.Reply, c *cursor) {
	var attrs *redis.Reply
	for e := &c.tape[c.i]; e.Kind == redis.KindAttribute; e = &c.tape[c.i] {
		attrs = &redis.Reply{Kind: redis.KindAttribute}
		c.i++
		fillElems(attrs, c, int(e.N))
	}
	fill(dst, c)
	dst.Attrs = attrs
}

// fillElems fills n elements of dst from c, reusing the storage of dst.Elems
// (and, through fill, of the elements it held before).
func fillElems(dst *redis.Reply, c *cursor, n int) {
	elems := dst.Elems
	if cap(elems) < n {
		// Keep the old elements: their own Elems are reused below.
		grown := make([]redis.Reply, n)
		copy(grown, elems[:cap(elems)])
		elems = grown
	}
	elems = elems[:n]
	for j := 0; j < n; {
		// Runs of scalars (most arrays are all scalars) in a loop of their
		// own, the rest here.
		if k := fillScalars(elems[j:], c); k > 0 {
			j += k
			continue
		}
		fill(&elems[j], c)
		j++
	}
	dst.Elems = elems
}

// fillScalars fills the elements of elems from c as long as the entries are
// not slow (as setScalar does), and returns how many it filled. It is the
// loop of long arrays, so it is written for the compiler: it calls nothing
// (with a call in the loop, fill for the rare nested reply, the compiler
// keeps the cursor in memory), the tape is indexed like elems (no bounds
// checks), and the arena is walked by a pointer: the glue checked that the
// strings of the tape's entries are in the arena, which the check after the
// loop confirms.
//
//go:noinline
func fillScalars(elems []redis.Reply, c *cursor) int {
	tape := c.tape[c.i:]
	if len(tape) < len(elems) {
		elems = elems[:len(tape)]
	}
	tape = tape[:len(elems)]
	base := unsafe.Pointer(unsafe.SliceData(c.arena))
	ap := unsafe.Add(base, c.a)
	j := 0
	for ; j < len(elems); j++ {
		e := &tape[j]
		k := e.Kind
		if slow[k] {
			break
		}
		var s []byte
		if hasStr[k] {
			n := int(e.SLen)
			s = unsafe.Slice((*byte)(ap), n) // empty but not nil for "" (RESP_RULES 14)
			ap = unsafe.Add(ap, n)
		}
		d := &elems[j]
		d.Kind = k
		d.Format = [3]byte{}
		d.Owned = false
		d.Int = e.N & isInt[k]
		d.Float = 0
		d.Elems = d.Elems[:0]
		d.Attrs = nil
		d.Str = s
	}
	c.i += j
	c.a = int(uintptr(ap) - uintptr(base))
	if c.a > len(c.arena) {
		panic("cparser: the tape's strings overrun the arena")
	}
	return j
}
