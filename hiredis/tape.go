//go:build hiredis && cgo

package hiredis

import (
	"unsafe"

	"github.com/duoredis/redis"
)

// Entry is one item of a [Batch]'s tape; it has the layout of the glue's C
// duo_entry. The tape is in preorder: an aggregate's entry is followed by the
// entries of its elements. An attribute's entry (Kind [redis.KindAttribute])
// and its elements precede the item it annotates and are not counted among
// the elements of that item's parent.
//
// Strings are in the Batch's Arena in tape order, one after the other, so an
// entry holds no offset: a walk of the tape keeps a cursor into the arena and
// advances it by SLen at every entry.
type Entry struct {
	// Kind is the RESP type; $-1 and *-1 have Kind [redis.KindNull].
	Kind redis.Kind
	// Fmt is the format of a verbatim string, such as "txt".
	Fmt [3]byte
	// SLen is the number of arena bytes of the entry: the length of a
	// string (simple string, error, bulk string, bulk error, verbatim text,
	// big number) or of a double's text; 0 for other kinds.
	SLen uint32
	// N is the value of an integer, 1 or 0 for a boolean, the element count
	// of an aggregate (keys and values for a map or attribute), or the bits
	// of a double's value; 0 for strings and null.
	N int64
}

// KindHeld is the Kind of an entry for a big top-level bulk string whose
// payload is not in the arena (the glue did not copy it): [Batch.Held]
// returns it. Such an entry takes no arena bytes.
const KindHeld redis.Kind = 'B'

// Batch is what [Reader.Feed] reports: the complete replies that one read
// finished, on a tape, in order. A reply starts with its attribute entries,
// if any, followed by its value. Tape, Arena and Ends point into C memory
// owned by the Reader and stay valid until its next Feed, Reset or Free.
type Batch struct {
	// Tape holds the complete replies, then the entries of a reply still in
	// progress (which the next Feed carries over).
	Tape []Entry
	// Arena holds the strings of the entries, in tape order.
	Arena []byte
	// Ends[i] is the stream offset (bytes from the start of the stream) just
	// after complete reply i; len(Ends) is the number of complete replies.
	Ends []int64
	// Fed is the number of bytes fed since the Reader was made or reset.
	Fed int64
	// held[i] is the payload of the KindHeld entry whose N is i.
	held []*byte
	// Err is set when the stream is malformed after the complete replies.
	// The Reader stays broken: every later Feed returns the same error.
	Err *redis.ProtocolError
}

// Held returns the payload of e, an entry of kind [KindHeld]: a view into C
// memory with the lifetime of the Batch.
func (b *Batch) Held(e *Entry) []byte {
	n := int(e.SLen)
	return unsafe.Slice(b.held[e.N], n)[:n:n]
}
