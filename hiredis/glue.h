//go:build hiredis && cgo

// glue.h: duoredis's C glue over hiredis's reader (redisReader). The glue
// installs its own reply-object functions that append every parsed item to a
// flat tape plus a byte arena, so that Go crosses into C once per socket read
// (duo_feed) and walks the tape without further cgo calls.
//
// Memory: a duo_reader, its tape, arena and result are malloc'd and owned by
// the glue; duo_free releases all of them and the redisReader. The Go side
// (hiredis.Reader) owns exactly one duo_reader and frees it in Free.

#ifndef DUO_GLUE_H
#define DUO_GLUE_H

#include <stddef.h>
#include <stdint.h>
#include <hiredis/read.h>

// DUO_KIND_HELD is the kind of a tape entry for a big top-level bulk string
// whose payload stayed in hiredis's buffer (see duo_hand_over): its n is an
// index into duo_result.held, and slen its length.
#define DUO_KIND_HELD 'B'

// duo_entry is one item on the tape, in preorder: an aggregate entry (with its
// element count) is followed by its elements. Attributes precede the item they
// annotate and are not counted in the parent's count. Strings are in the
// arena in tape order, so an entry needs no offset: a reader walking the tape
// keeps a cursor into the arena. Its layout is mirrored by hiredis.Entry in Go.
typedef struct duo_entry {
	uint8_t kind;   // RESP type byte: '+', '-', ':', '$', '*', '_', ',', '#', '(', '!', '=', '%', '~', '|', '>'
	char fmt[3];    // format of a verbatim string, e.g. "txt"
	uint32_t slen;  // arena bytes of the entry: the length of a string or of a
	                // double's text, else 0 (MaxBulkLen is clamped below 4 GiB)
	int64_t n;      // integer value; boolean (0/1); element count (2n for maps
	                // and attributes); for a double, its value's bits; else 0
} duo_entry;

// duo_result is what one duo_feed reports; it lives in the duo_reader and is
// reused by every call. Its pointers stay valid until the next duo_feed,
// duo_reset or duo_free.
typedef struct duo_result {
	duo_entry *tape;     // tape[0:tape_len]: the complete replies of this batch, then any reply still in progress
	size_t tape_len;
	char *arena;         // the strings of the tape's entries, in tape order
	size_t arena_len;
	const char **held;   // held[i]: the payload of the DUO_KIND_HELD entry with n == i
	size_t nheld;
	int64_t *ends;       // ends[i]: stream offset just past complete reply i
	size_t nreplies;     // number of complete top-level replies on the tape
	int64_t fed;         // bytes fed since the reader was created or reset
	int err;             // 0, or 1 when the stream is broken (after the nreplies replies)
	int64_t err_offset;  // stream offset at or near the problem
	char errmsg[160];
} duo_result;

typedef struct duo_reader duo_reader;

duo_reader *duo_new(long long max_bulk, long long max_aggregate, int max_depth);
void duo_free(duo_reader *d);
int duo_reset(duo_reader *d);
duo_result *duo_feed(duo_reader *d, const char *data, size_t len);

#endif
