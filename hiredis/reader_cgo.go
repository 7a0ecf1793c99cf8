//go:build hiredis && cgo

package hiredis

/*
#cgo pkg-config: hiredis
#include <stdlib.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#if !defined(HIREDIS_MAJOR) || HIREDIS_MAJOR < 1
#error "duoredis -tags hiredis needs hiredis >= 1.0 (RESP3), and pkg-config found an older one (Debian 12 ships 0.14). Get 1.x into a directory of your choice, system untouched, with: go run github.com/duoredis/redis/cmd/duoredis-hiredis@latest -prefix $HOME/.local/duoredis-hiredis ; then export the PKG_CONFIG_PATH line it prints and rebuild once with go build -a (see build_tags.md in github.com/duoredis/redis)"
#endif
#include "glue.h"
*/
import "C"

import (
	"runtime"
	"unsafe"

	"github.com/duoredis/redis"
)

// Entry must have the layout of C's duo_entry: these fail to compile if the
// size or a field offset differs.
var (
	_ [KindHeld - C.DUO_KIND_HELD]struct{}
	_ [C.DUO_KIND_HELD - KindHeld]struct{}
	_ [unsafe.Sizeof(Entry{}) - C.sizeof_duo_entry]struct{}
	_ [C.sizeof_duo_entry - unsafe.Sizeof(Entry{})]struct{}
	_ [unsafe.Offsetof(Entry{}.Kind) - unsafe.Offsetof(C.duo_entry{}.kind)]struct{}
	_ [unsafe.Offsetof(C.duo_entry{}.kind) - unsafe.Offsetof(Entry{}.Kind)]struct{}
	_ [unsafe.Offsetof(Entry{}.Fmt) - unsafe.Offsetof(C.duo_entry{}.fmt)]struct{}
	_ [unsafe.Offsetof(C.duo_entry{}.fmt) - unsafe.Offsetof(Entry{}.Fmt)]struct{}
	_ [unsafe.Offsetof(Entry{}.SLen) - unsafe.Offsetof(C.duo_entry{}.slen)]struct{}
	_ [unsafe.Offsetof(C.duo_entry{}.slen) - unsafe.Offsetof(Entry{}.SLen)]struct{}
	_ [unsafe.Offsetof(Entry{}.N) - unsafe.Offsetof(C.duo_entry{}.n)]struct{}
	_ [unsafe.Offsetof(C.duo_entry{}.n) - unsafe.Offsetof(Entry{}.N)]struct{}
)

// Reader is hiredis's reader (redisReader) with duoredis's glue: it parses
// RESP2 and RESP3 fed to it in pieces of any size, and reports the complete
// replies of each piece as a [Batch].
//
// Memory: a Reader owns C memory (the reader, the tape and the arena that
// batches point into). Free releases it and must be called when the Reader is
// no longer needed; a cleanup attached by NewReader frees a lost Reader, as a
// safety net only. A Reader is not safe for concurrent use.
type Reader struct {
	c       *C.duo_reader
	cleanup runtime.Cleanup
}

// MaxBulkLen is the largest MaxBulkLen a Reader enforces: a string's length
// must fit the 32 bits of [Entry.SLen]. A larger limit is lowered to it.
const MaxBulkLen = 1<<32 - 1

// NewReader returns a Reader enforcing the given limits. Zero fields of lim
// mean the defaults of [redis.ParserOptions]. It panics if C memory cannot
// be allocated.
func NewReader(lim redis.ParserOptions) *Reader {
	lim = lim.WithDefaults()
	if lim.MaxBulkLen > MaxBulkLen {
		lim.MaxBulkLen = MaxBulkLen
	}
	depth := lim.MaxDepth
	if depth > 1<<30 {
		depth = 1 << 30
	}
	c := C.duo_new(C.longlong(lim.MaxBulkLen), C.longlong(lim.MaxAggregateLen), C.int(depth))
	if c == nil {
		panic("hiredis: out of memory creating a reader")
	}
	r := &Reader{c: c}
	r.cleanup = runtime.AddCleanup(r, func(c *C.duo_reader) { C.duo_free(c) }, c)
	return r
}

// Feed parses p, one read of the stream, and returns the replies it
// completed. The Batch, and every view taken from it, is valid until the
// next Feed, Reset or Free. Feed is the only crossing into C per read.
func (r *Reader) Feed(p []byte) Batch {
	if len(p) == 0 {
		return Batch{}
	}
	// C reads p during the call only: it copies the bytes into hiredis's
	// buffer and keeps no pointer to p.
	res := C.duo_feed(r.c, (*C.char)(unsafe.Pointer(&p[0])), C.size_t(len(p)))
	runtime.KeepAlive(p)
	b := Batch{Fed: int64(res.fed)}
	if res.tape_len > 0 {
		b.Tape = unsafe.Slice((*Entry)(unsafe.Pointer(res.tape)), int(res.tape_len))
	}
	if res.arena_len > 0 {
		b.Arena = unsafe.Slice((*byte)(unsafe.Pointer(res.arena)), int(res.arena_len))
	}
	if res.nheld > 0 {
		// A view of C's array of C pointers: the GC does not scan it.
		b.held = unsafe.Slice((**byte)(unsafe.Pointer(res.held)), int(res.nheld))
	}
	if res.nreplies > 0 {
		b.Ends = unsafe.Slice((*int64)(unsafe.Pointer(res.ends)), int(res.nreplies))
	}
	if res.err != 0 {
		b.Err = &redis.ProtocolError{
			Offset: int64(res.err_offset),
			Msg:    C.GoString(&res.errmsg[0]),
		}
	}
	return b
}

// Reset makes r ready for a new stream, keeping its buffers. Batches taken
// before are no longer valid.
func (r *Reader) Reset() {
	if C.duo_reset(r.c) == 0 {
		panic("hiredis: out of memory resetting a reader")
	}
}

// Free releases the C memory of r. r must not be used afterwards, nor any
// Batch or view it returned. Free is idempotent.
func (r *Reader) Free() {
	if r.c == nil {
		return
	}
	r.cleanup.Stop()
	C.duo_free(r.c)
	r.c = nil
}
