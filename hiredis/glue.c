//go:build hiredis && cgo

// glue.c: see glue.h. The rules implemented here are those of
// internal/RESP_RULES.md; where hiredis 1.2 is looser or stricter than them,
// the glue corrects it (each place says why).

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <hiredis/read.h>
#include <hiredis/sds.h>

#include "glue.h"

// DUO_HOT marks the small helpers of the per-item path: gcc does not inline
// them into every callback on its own, and a call costs as much as they do.
#define DUO_HOT static inline __attribute__((always_inline))
#define duo_unlikely(x) __builtin_expect(!!(x), 0)

// A top-level bulk string of at least DUO_BIG bytes is handed over rather
// than copied (see duo_hand_over).
#define DUO_BIG (32 << 10)
// Buffers larger than DUO_KEEP, grown for a big reply, are freed once idle
// instead of kept for the next reply, as goparser does.
#define DUO_KEEP (4 << 20)
// How many idle hiredis buffers are kept for duo_hand_over.
#define DUO_SPARES 2
// Initial capacities of the arena (bytes) and the tape (entries).
#define DUO_ARENA0 4096
#define DUO_TAPE0 256

struct duo_reader {
	redisReader *r;
	redisReadTask *root;    // hiredis's task[0], made an endless array (see duo_setup_root)
	duo_result res;

	duo_entry *tape;
	size_t tape_len, tape_cap;
	char *arena;
	size_t arena_len, arena_cap;
	int64_t *ends;
	size_t nends, ends_cap;

	// Buffers handed over by hiredis (see duo_hand_over), kept until the next
	// duo_feed, and idle ones to give it in exchange.
	sds *held_buf;          // whole buffers, to free
	const char **held_ptr;  // payloads, for the Go side
	size_t nheld, held_buf_cap, held_ptr_cap;
	sds spare[DUO_SPARES];
	int nspare;

	long long max_bulk, max_aggregate;
	int max_depth;

	int64_t fed;            // bytes fed to hiredis since creation or reset
	int64_t base;           // stream offset of hiredis's buffer index 0 (see duo_rebase)
	size_t mark;            // buffer index where the last item ended: where hiredis's own errors are
	size_t reply_tape;      // tape index where the reply in progress starts

	int next_bulkerr;       // the next item was '!' (patched to '$')
	int next_attr;          // the next item was '|' (patched to '%')
	int top_attr;           // the top-level item in progress is an attribute

	// Arena offset where the reply in progress starts. Kept apart from
	// reply_tape: stored side by side, gcc fuses the two stores with 16-byte
	// loads of tape_len and arena_len that stall on the stores just made.
	size_t reply_arena;

	int err;                // a glue error is stored (it takes precedence over hiredis's)
	int64_t err_offset;
	char errmsg[160];
};

// duo_rebase recomputes base after hiredis's buffer changed: after a feed,
// and after GetReply (which may move the unread rest to the front). Within
// a GetReply the buffer does not move.
DUO_HOT void duo_rebase(duo_reader *d) {
	d->base = d->fed - (int64_t)d->r->len;
}

// duo_abs converts an index into hiredis's buffer into a stream offset.
DUO_HOT int64_t duo_abs(const duo_reader *d, size_t i) {
	return d->base + (int64_t)i;
}

// duo_fail stores a glue error; the callback that calls it returns NULL so
// that hiredis stops (hiredis then reports "Out of memory", which the stored
// error overrides).
static void *duo_fail(duo_reader *d, int64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void *duo_fail(duo_reader *d, int64_t off, const char *fmt, ...) {
	if (!d->err) {
		va_list ap;
		va_start(ap, fmt);
		d->err = 1;
		d->err_offset = off;
		vsnprintf(d->errmsg, sizeof d->errmsg, fmt, ap);
		va_end(ap);
	}
	return NULL;
}

// duo_oom reports a failed allocation of the glue as a stream error, since
// the reader cannot continue.
static void *duo_oom(duo_reader *d) {
	return duo_fail(d, duo_abs(d, d->mark), "out of memory (%zu bytes on the tape)", d->arena_len);
}

// duo_grow makes room for need more elements of size sz in *p (capacity
// *cap, length len), doubling; it returns 0 on failure.
static int duo_grow(void **p, size_t *cap, size_t len, size_t need, size_t sz) {
	if (len + need <= *cap)
		return 1;
	size_t c = *cap ? *cap : 64;
	while (c < len + need)
		c *= 2;
	void *q = realloc(*p, c * sz);
	if (q == NULL)
		return 0;
	*p = q;
	*cap = c;
	return 1;
}

// duo_reserve is duo_push's slow path, out of line so that the fast path
// stays small.
static __attribute__((noinline)) int duo_reserve(duo_reader *d, size_t n) {
	return duo_grow((void **)&d->tape, &d->tape_cap, d->tape_len, 1, sizeof(duo_entry)) &&
	       duo_grow((void **)&d->arena, &d->arena_cap, d->arena_len, n, 1);
}

// duo_copy copies short strings inline (overlapping word moves) rather than
// calling memcpy, which costs more than the copy for "OK" or 16 bytes.
DUO_HOT void duo_copy(char *dst, const char *src, size_t n) {
	if (n > 16) {
		memcpy(dst, src, n);
	} else if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, src, 8);
		memcpy(&b, src + n - 8, 8);
		memcpy(dst, &a, 8);
		memcpy(dst + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, src, 4);
		memcpy(&b, src + n - 4, 4);
		memcpy(dst, &a, 4);
		memcpy(dst + n - 4, &b, 4);
	} else if (n > 0) {
		dst[0] = src[0];
		dst[n / 2] = src[n / 2];
		dst[n - 1] = src[n - 1];
	}
}

// duo_push appends an entry whose string (if any) is s[0:n] copied into the
// arena; it returns NULL when out of memory.
DUO_HOT duo_entry *duo_push(duo_reader *d, uint8_t kind, const char *s, size_t n) {
	if (duo_unlikely(d->tape_len == d->tape_cap || d->arena_cap - d->arena_len < n) &&
	    !duo_reserve(d, n))
		return NULL;
	duo_entry *e = &d->tape[d->tape_len++];
	e->kind = kind;
	e->fmt[0] = e->fmt[1] = e->fmt[2] = 0;
	e->slen = (uint32_t)n;
	e->n = 0;
	duo_copy(d->arena + d->arena_len, s, n);
	d->arena_len += n;
	return e;
}

// duo_scan_line looks at p[0:n], the part of a line (the content of a
// simple string, error, integer, double, boolean, big number or null, or a
// length or count header) that is buffered. RESP lines hold no CR or LF: the
// first CR or LF must start the line's "\r\n" (rule 2). It returns the
// index of that CRLF; -1 when there is none yet and the line is fine so far
// (a CR at the very end may yet be followed by LF); -2 when a CR is followed
// by another byte, or an LF comes without a CR.
static long long duo_scan_line(const char *p, size_t n) {
	const char *lf = memchr(p, '\n', n);
	size_t lim = lf != NULL ? (size_t)(lf - p) : n;
	const char *cr = memchr(p, '\r', lim);
	if (lf == NULL)
		return cr == NULL || cr == p + n - 1 ? -1 : -2;
	if (cr == NULL || cr != lf - 1)
		return -2;
	return (long long)(cr - p);
}

// duo_has_cr_lf reports whether s[0:n], a complete simple string or error,
// holds a CR or LF. hiredis 1.2 rejects those lines itself; older 1.x
// releases may not, so the glue checks too.
DUO_HOT int duo_has_cr_lf(const char *s, size_t n) {
	if (n <= 32) {
		for (size_t i = 0; i < n; i++) {
			if (duo_unlikely((unsigned char)s[i] <= '\r') && (s[i] == '\r' || s[i] == '\n'))
				return 1;
		}
		return 0;
	}
	return memchr(s, '\r', n) != NULL || memchr(s, '\n', n) != NULL;
}

// duo_prepare looks at the item whose type byte is at buffer index q before
// hiredis reads it: hiredis 1.2 rejects the bulk error '!' and attribute '|'
// types, so they are rewritten to '$' and '%' (which hiredis parses the same
// way) and the next created object takes the original type.
DUO_HOT void duo_prepare(duo_reader *d, size_t q) {
	redisReader *r = d->r;
	if (q >= r->len)
		return;  // duo_prepare_pending sees it before the next GetReply
	switch (r->buf[q]) {
	case '!':
		r->buf[q] = '$';
		d->next_bulkerr = 1;
		break;
	case '|':
		r->buf[q] = '%';
		d->next_attr = 1;
		break;
	}
}

// duo_prepare_pending prepares the item hiredis resumes with in its next
// GetReply, if it has not started it yet.
static void duo_prepare_pending(duo_reader *d) {
	redisReader *r = d->r;
	if (r->task[r->ridx]->type < 0)
		duo_prepare(d, r->pos);
}

// duo_complete is called for an item that is complete as soon as it is
// created (a scalar, a null, an empty aggregate), at buffer index q after
// it. If it was the last element of its parent, the parent is complete too,
// and so on up: when a top-level reply completes, its end is recorded.
// It returns 0 when out of memory.
DUO_HOT int duo_complete(duo_reader *d, const redisReadTask *t, size_t q) {
	while (t->parent != d->root) {
		if (t->idx != t->parent->elements - 1)
			return 1;
		t = t->parent;
	}
	if (d->top_attr) {
		// A top-level attribute: it stays on the tape as the start of the
		// reply it annotates.
		d->top_attr = 0;
		return 1;
	}
	if (__builtin_expect(d->nends == d->ends_cap, 0) &&
	    !duo_grow((void **)&d->ends, &d->ends_cap, d->nends, 1, sizeof(int64_t)))
		return 0;
	d->ends[d->nends++] = duo_abs(d, q);
	d->reply_tape = d->tape_len;
	d->reply_arena = d->arena_len;
	return 1;
}

// duo_done ends every successful callback: it records where the item ended
// (for error offsets), completes it if it is complete, and prepares the next
// item, whose type byte is at buffer index q.
DUO_HOT void *duo_done(duo_reader *d, const redisReadTask *t, size_t q, int complete) {
	d->mark = q;
	if (complete && !duo_complete(d, t, q))
		return duo_oom(d);
	duo_prepare(d, q);
	return d;
}

// duo_line_len_ok applies MaxBulkLen to a complete line (rule 2).
static int duo_line_len_ok(duo_reader *d, size_t n) {
	if ((long long)n > d->max_bulk) {
		duo_fail(d, duo_abs(d, d->mark), "line of %lld bytes exceeds the limit of %lld bytes", (long long)n, d->max_bulk);
		return 0;
	}
	return 1;
}

// duo_create_string_slow copies a string item into the arena and checks
// what hiredis does not: the CRLF after a bulk payload, MaxBulkLen, no CR or
// LF in a simple string or error, and the big number grammar.
static __attribute__((noinline)) void *duo_create_string_slow(const redisReadTask *t, char *s, size_t n) {
	duo_reader *d = t->privdata;
	redisReader *r = d->r;
	duo_entry *e;
	switch (t->type) {
	case REDIS_REPLY_STATUS:
	case REDIS_REPLY_ERROR:
		if (!duo_line_len_ok(d, n))
			return NULL;
		if (duo_has_cr_lf(s, n))
			return duo_fail(d, duo_abs(d, d->mark), "CR or LF inside a line");
		e = duo_push(d, t->type == REDIS_REPLY_STATUS ? '+' : '-', s, n);
		if (e == NULL)
			return duo_oom(d);
		return duo_done(d, t, r->pos, 1);
	case REDIS_REPLY_BIGNUM:
		if (!duo_line_len_ok(d, n))
			return NULL;
		// hiredis accepts "" and "-"; RESP needs -?[0-9]+.
		if (n == 0 || (n == 1 && s[0] == '-'))
			return duo_fail(d, duo_abs(d, r->pos), "invalid big number (%lld bytes)", (long long)n);
		for (size_t i = s[0] == '-'; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return duo_fail(d, duo_abs(d, r->pos), "invalid big number (%lld bytes)", (long long)n);
		}
		if ((e = duo_push(d, '(', s, n)) == NULL)
			return duo_oom(d);
		return duo_done(d, t, r->pos, 1);
	case REDIS_REPLY_STRING:
	case REDIS_REPLY_VERB: {
		size_t q = (size_t)(s - r->buf) + n;  // the CRLF hiredis skips without looking
		int bulkerr = 0;
		if (__builtin_expect(d->next_bulkerr, 0))
			bulkerr = 1, d->next_bulkerr = 0;
		if ((long long)n > d->max_bulk)
			return duo_fail(d, duo_abs(d, q), "bulk length %lld exceeds the limit of %lld bytes", (long long)n, d->max_bulk);
		if (s[n] != '\r' || s[n + 1] != '\n')
			return duo_fail(d, duo_abs(d, q), "bulk payload of %lld bytes not followed by CRLF", (long long)n);
		if (t->type == REDIS_REPLY_VERB) {
			// hiredis checked n >= 4 and s[3] == ':'.
			if ((e = duo_push(d, '=', s + 4, n - 4)) == NULL)
				return duo_oom(d);
			memcpy(e->fmt, s, 3);
		} else if ((e = duo_push(d, bulkerr ? '!' : '$', s, n)) == NULL) {
			return duo_oom(d);
		}
		return duo_done(d, t, q + 2, 1);
	}
	}
	return duo_fail(d, duo_abs(d, d->mark), "unexpected string of hiredis type %d", t->type);
}

// duo_hand_over takes a big top-level bulk string without copying it: the
// glue keeps hiredis's whole buffer, which holds the payload, until the next
// duo_feed (the Go side reads the payload there), and hiredis goes on with a
// spare buffer that holds only the bytes after the bulk. Copying 1 MiB into
// the arena costs more than the rest of its parsing.
static __attribute__((noinline)) void *duo_hand_over(duo_reader *d, const redisReadTask *t, char *s, size_t n) {
	redisReader *r = d->r;
	size_t end = (size_t)(s - r->buf) + n + 2;  // index after the bulk's CRLF
	size_t bytelen = end - r->pos;              // hiredis adds it to pos after this call
	if (!duo_grow((void **)&d->held_buf, &d->held_buf_cap, d->nheld, 1, sizeof(sds)) ||
	    !duo_grow((void **)&d->held_ptr, &d->held_ptr_cap, d->nheld, 1, sizeof(char *)))
		return duo_oom(d);
	duo_entry *e = duo_push(d, DUO_KIND_HELD, NULL, 0);
	if (e == NULL)
		return duo_oom(d);
	sds nb = d->nspare > 0 ? d->spare[--d->nspare] : sdsempty();
	if (nb != NULL) {
		sdsclear(nb);
		nb = sdscatlen(nb, r->buf + end, r->len - end);
	}
	if (nb == NULL) {
		d->tape_len--;
		return duo_oom(d);
	}
	e->slen = (uint32_t)n;
	e->n = (int64_t)d->nheld;
	d->held_buf[d->nheld] = r->buf;
	d->held_ptr[d->nheld] = s;
	d->nheld++;
	d->base += (int64_t)end;  // the new buffer starts where the bulk ended
	r->buf = nb;
	r->len = sdslen(nb);
	r->pos = (size_t)0 - bytelen;  // unsigned wrap: 0 once hiredis adds bytelen
	return duo_done(d, t, 0, 1);
}

// duo_release gives back the buffers handed over during the previous batch:
// the Go side is done with them. A few are kept for duo_hand_over.
static void duo_release(duo_reader *d) {
	for (size_t i = 0; i < d->nheld; i++) {
		if (d->nspare < DUO_SPARES && sdsalloc(d->held_buf[i]) <= DUO_KEEP)
			d->spare[d->nspare++] = d->held_buf[i];
		else
			sdsfree(d->held_buf[i]);
	}
	d->nheld = 0;
}

// duo_create_bulk takes a plain bulk string ('$') the general way: the
// checks, a big top-level payload handed over, the tape grown, the end of a
// top-level reply recorded.
static __attribute__((noinline)) void *duo_create_bulk(const redisReadTask *t, char *s, size_t n) {
	duo_reader *d = t->privdata;
	redisReader *r = d->r;
	size_t q = (size_t)(s - r->buf) + n;
	if ((long long)n > d->max_bulk || s[n] != '\r' || s[n + 1] != '\n')
		return duo_create_string_slow(t, s, n);
	if (n >= DUO_BIG && t->parent == d->root)
		return duo_hand_over(d, t, s, n);
	if (duo_push(d, '$', s, n) == NULL)
		return duo_oom(d);
	return duo_done(d, t, q + 2, 1);
}

// duo_create_line takes a simple string ('+'), or hands anything else to
// duo_create_string_slow.
static __attribute__((noinline)) void *duo_create_line(const redisReadTask *t, char *s, size_t n) {
	duo_reader *d = t->privdata;
	duo_entry *e;
	if (t->type == REDIS_REPLY_STATUS && (long long)n <= d->max_bulk && !duo_has_cr_lf(s, n)) {
		if (duo_unlikely((e = duo_push(d, '+', s, n)) == NULL))
			return duo_oom(d);
		return duo_done(d, t, d->r->pos, 1);
	}
	return duo_create_string_slow(t, s, n);
}

// duo_create_string: hiredis calls it for '+', '-', '(' lines and for '$'
// and '=' bulks (s points into hiredis's buffer). A bulk string that is an
// element of an array, but not its last, takes the first path: it is the
// one of long arrays (LRANGE, MGET, HGETALL), so it is kept free of calls,
// and gcc then saves no register for it. Anything unusual on it (room to
// grow, a big payload, a missing CRLF, a limit) goes to duo_create_bulk, by
// a tail call, as do other plain bulk strings. Simple strings take a lean
// path too (duo_create_line); the rest, duo_create_string_slow.
static void *duo_create_string(const redisReadTask *t, char *s, size_t n) {
	duo_reader *d = t->privdata;
	if (t->type == REDIS_REPLY_STRING && !d->next_bulkerr) {
		const redisReadTask *p = t->parent;
		if (__builtin_expect(p != d->root && t->idx != p->elements - 1, 1) &&
		    __builtin_expect(n < DUO_BIG && (long long)n <= d->max_bulk, 1) &&
		    __builtin_expect(d->tape_len < d->tape_cap && d->arena_cap - d->arena_len >= n, 1) &&
		    __builtin_expect(s[n] == '\r' && s[n + 1] == '\n', 1)) {
			redisReader *r = d->r;
			duo_entry *e = &d->tape[d->tape_len++];
			e->kind = '$';
			e->fmt[0] = e->fmt[1] = e->fmt[2] = 0;
			e->slen = (uint32_t)n;
			e->n = 0;
			duo_copy(d->arena + d->arena_len, s, n);
			d->arena_len += n;
			// As duo_done, for an item that completes no parent.
			size_t q = (size_t)(s - r->buf) + n + 2;
			d->mark = q;
			duo_prepare(d, q);
			return d;
		}
		return duo_create_bulk(t, s, n);
	}
	return duo_create_line(t, s, n);
}

// duo_create_array: hiredis calls it when an aggregate header is read, so the
// limits on count and depth apply before any element is buffered. n counts
// keys and values for a map.
static void *duo_create_array(const redisReadTask *t, size_t n) {
	duo_reader *d = t->privdata;
	redisReader *r = d->r;
	uint8_t kind;
	long long count = (long long)n;
	switch (t->type) {
	case REDIS_REPLY_ARRAY: kind = '*'; break;
	case REDIS_REPLY_SET: kind = '~'; break;
	case REDIS_REPLY_PUSH: kind = '>'; break;
	case REDIS_REPLY_MAP:
		kind = d->next_attr ? '|' : '%';
		count = (long long)(n / 2);
		break;
	default:
		return duo_fail(d, duo_abs(d, d->mark), "unexpected aggregate of hiredis type %d", t->type);
	}
	if (__builtin_expect(d->next_attr, 0))
		d->next_attr = 0;
	int64_t at = duo_abs(d, d->mark);  // the header's start, or near
	if (count > d->max_aggregate)
		return duo_fail(d, at, "aggregate of %lld elements exceeds the limit of %lld", count, d->max_aggregate);
	// The fake root is task 0, so a top-level aggregate's task is task 1.
	if (r->ridx > d->max_depth)
		return duo_fail(d, at, "nesting depth %d exceeds the limit of %d", r->ridx, d->max_depth);
	duo_entry *e = duo_push(d, kind, NULL, 0);
	if (e == NULL)
		return duo_oom(d);
	e->n = (int64_t)n;
	if (kind == '|') {
		// An attribute is not an element of its parent (rule 11): let hiredis
		// read one more element, the one annotated. The tape keeps the
		// parent's count as sent. At top level, duo_complete joins the
		// attribute to the next reply.
		if (t->parent != d->root)
			((redisReadTask *)t->parent)->elements++;
		else
			d->top_attr = 1;
	}
	return duo_done(d, t, r->pos, n == 0);
}

// duo_int_len is the length of the canonical text of v, for MaxBulkLen.
static size_t duo_int_len(long long v) {
	size_t k = v < 0 ? 2 : 1;
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
	while (u >= 10) {
		u /= 10;
		k++;
	}
	return k;
}

// duo_create_integer: hiredis's integer grammar is RESP's (string2ll).
static void *duo_create_integer(const redisReadTask *t, long long v) {
	duo_reader *d = t->privdata;
	if (d->max_bulk < 20 && !duo_line_len_ok(d, duo_int_len(v)))
		return NULL;
	duo_entry *e = duo_push(d, ':', NULL, 0);
	if (e == NULL)
		return duo_oom(d);
	e->n = v;
	return duo_done(d, t, d->r->pos, 1);
}

// duo_digits skips ASCII digits from s[i] and returns the new index.
static size_t duo_digits(const char *s, size_t i, size_t n) {
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

// duo_valid_double checks RESP's double grammar; hiredis accepts all that
// strtod does (hex, ".5", "5.", leading spaces).
static int duo_valid_double(const char *s, size_t n) {
	if ((n == 3 && (strncasecmp(s, "inf", 3) == 0 || strncasecmp(s, "nan", 3) == 0)) ||
	    (n == 4 && (strncasecmp(s, "-inf", 4) == 0 || strncasecmp(s, "-nan", 4) == 0)))
		return 1;
	size_t i = 0, j;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if ((j = duo_digits(s, i, n)) == i)
		return 0;
	i = j;
	if (i < n && s[i] == '.') {
		if ((j = duo_digits(s, i + 1, n)) == i + 1)
			return 0;
		i = j;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if ((j = duo_digits(s, i, n)) == i)
			return 0;
		i = j;
	}
	return i == n;
}

// duo_create_double: s is hiredis's NUL-terminated copy of the line (at most
// 325 bytes, hiredis's own limit and RESP's).
static void *duo_create_double(const redisReadTask *t, double v, char *s, size_t n) {
	duo_reader *d = t->privdata;
	if (!duo_line_len_ok(d, n))
		return NULL;
	if (!duo_valid_double(s, n))
		return duo_fail(d, duo_abs(d, d->r->pos), "invalid double (%lld bytes)", (long long)n);
	duo_entry *e = duo_push(d, ',', s, n);
	if (e == NULL)
		return duo_oom(d);
	memcpy(&e->n, &v, sizeof v);
	return duo_done(d, t, d->r->pos, 1);
}

// duo_type_name names a hiredis type in error messages.
static const char *duo_type_name(int t) {
	switch (t) {
	case REDIS_REPLY_VERB: return "verbatim string";
	case REDIS_REPLY_MAP: return "map or attribute";
	case REDIS_REPLY_SET: return "set";
	case REDIS_REPLY_PUSH: return "push";
	}
	return "reply";
}

// duo_create_nil: hiredis calls it for '_' and for a -1 length of any bulk or
// aggregate type; RESP allows -1 only for '$' and '*'.
static void *duo_create_nil(const redisReadTask *t) {
	duo_reader *d = t->privdata;
	redisReader *r = d->r;
	size_t q = r->pos;
	switch (t->type) {
	case REDIS_REPLY_NIL:
	case REDIS_REPLY_ARRAY:
		break;
	case REDIS_REPLY_STRING:
		if (d->next_bulkerr) {
			d->next_bulkerr = 0;
			return duo_fail(d, duo_abs(d, q), "negative length for a bulk error");
		}
		q += 4;  // hiredis has not skipped "-1\r\n" yet
		break;
	default:
		d->next_attr = 0;
		return duo_fail(d, duo_abs(d, q), "negative length for a %s", duo_type_name(t->type));
	}
	if (duo_push(d, '_', NULL, 0) == NULL)
		return duo_oom(d);
	return duo_done(d, t, q, 1);
}

// duo_create_bool: hiredis accepts "\0" as false (strchr finds the NUL), so
// the glue looks at the byte itself, 3 bytes before hiredis's cursor.
static void *duo_create_bool(const redisReadTask *t, int v) {
	duo_reader *d = t->privdata;
	redisReader *r = d->r;
	char c = r->buf[r->pos - 3];
	if (c != 't' && c != 'T' && c != 'f' && c != 'F')
		return duo_fail(d, duo_abs(d, r->pos - 3), "invalid boolean byte 0x%02x", (unsigned char)c);
	duo_entry *e = duo_push(d, '#', NULL, 0);
	if (e == NULL)
		return duo_oom(d);
	e->n = v != 0;
	return duo_done(d, t, r->pos, 1);
}

// duo_free_object: the objects live on the tape, which duo_feed resets.
static void duo_free_object(void *obj) {
	(void)obj;
}

static redisReplyObjectFunctions duo_functions = {
	duo_create_string,
	duo_create_array,
	duo_create_integer,
	duo_create_double,
	duo_create_nil,
	duo_create_bool,
	duo_free_object,
};

// duo_setup_root makes hiredis parse a whole read in one GetReply call: its
// root task becomes an array that never ends, so every top-level reply is
// one of its elements and GetReply returns only when the data runs out.
// (Called per reply, GetReply costs more than the parsing of a small reply,
// and it memmoves the rest of its buffer after every reply once 1 KiB of it
// was consumed.) duo_complete finds where each reply ends.
static void duo_setup_root(duo_reader *d) {
	redisReader *r = d->r;
	redisReadTask *root = r->task[0], *top = r->task[1];
	root->type = REDIS_REPLY_ARRAY;
	root->elements = LLONG_MAX;
	root->idx = -1;
	root->obj = NULL;
	root->parent = NULL;
	root->privdata = d;
	top->type = -1;
	top->elements = -1;
	top->idx = 0;
	top->obj = NULL;
	top->parent = root;
	top->privdata = d;
	r->ridx = 1;
	d->root = root;
}

// duo_new_hiredis makes hiredis's reader with the glue's callbacks, no
// element limit of its own (the glue enforces ours), and a buffer it keeps
// unless it grew beyond DUO_KEEP (hiredis's default, 16 KiB, would have it
// free and reallocate its buffer after most 64 KiB reads).
static redisReader *duo_new_hiredis(duo_reader *d) {
	redisReader *r = redisReaderCreateWithFunctions(&duo_functions);
	if (r == NULL)
		return NULL;
	r->maxbuf = DUO_KEEP;
	r->maxelements = 0;
	r->privdata = d;
	return r;
}

// duo_new allocates a reader with the given limits; duo_free releases it.
duo_reader *duo_new(long long max_bulk, long long max_aggregate, int max_depth) {
	duo_reader *d = calloc(1, sizeof *d);
	if (d == NULL)
		return NULL;
	d->max_bulk = max_bulk;
	d->max_aggregate = max_aggregate;
	d->max_depth = max_depth;
	d->arena = malloc(DUO_ARENA0);
	d->tape = malloc(DUO_TAPE0 * sizeof(duo_entry));
	if (d->arena == NULL || d->tape == NULL || (d->r = duo_new_hiredis(d)) == NULL) {
		free(d->arena);
		free(d->tape);
		free(d);
		return NULL;
	}
	d->arena_cap = DUO_ARENA0;
	d->tape_cap = DUO_TAPE0;
	duo_setup_root(d);
	return d;
}

// duo_free releases the reader and everything it owns.
void duo_free(duo_reader *d) {
	if (d == NULL)
		return;
	redisReaderFree(d->r);
	free(d->tape);
	free(d->arena);
	free(d->ends);
	duo_release(d);
	for (int i = 0; i < d->nspare; i++)
		sdsfree(d->spare[i]);
	free(d->held_buf);
	free(d->held_ptr);
	free(d);
}

// duo_reset starts a new stream, keeping the glue's buffers (and hiredis's,
// unless an error made hiredis free it). It returns 0 when out of memory.
int duo_reset(duo_reader *d) {
	redisReader *r = d->r;
	if (r->err) {
		redisReaderFree(r);
		if ((d->r = duo_new_hiredis(d)) == NULL)
			return 0;
	} else {
		sdsclear(r->buf);
		r->pos = r->len = 0;
		r->reply = NULL;
	}
	duo_setup_root(d);
	duo_release(d);
	d->tape_len = d->arena_len = d->nends = 0;
	d->fed = d->base = 0;
	d->mark = 0;
	d->reply_tape = d->reply_arena = 0;
	d->next_bulkerr = d->next_attr = d->top_attr = 0;
	d->err = 0;
	d->err_offset = 0;
	d->errmsg[0] = 0;
	memset(&d->res, 0, sizeof d->res);
	return 1;
}

// duo_begin_batch drops the replies of the previous batch (the Go side no
// longer references them) and moves the reply in progress, if any, to the
// start of the tape and arena. A reply is moved at most once: afterwards it
// starts at 0.
static void duo_begin_batch(duo_reader *d) {
	size_t ts = d->reply_tape, as = d->reply_arena;
	if (ts > 0) {
		memmove(d->tape, d->tape + ts, (d->tape_len - ts) * sizeof(duo_entry));
		d->tape_len -= ts;
		d->reply_tape = 0;
	}
	if (as > 0) {
		memmove(d->arena, d->arena + as, d->arena_len - as);
		d->arena_len -= as;
		d->reply_arena = 0;
	}
	d->nends = 0;
	duo_release(d);
	// Shrink a tape or arena grown for a big reply, once it is done.
	// (Shrinking realloc does not fail in practice; if it did, the old
	// block would just stay.)
	if (d->tape_len == 0 && d->tape_cap * sizeof(duo_entry) > DUO_KEEP) {
		duo_entry *t = realloc(d->tape, DUO_TAPE0 * sizeof(duo_entry));
		if (t != NULL) {
			d->tape = t;
			d->tape_cap = DUO_TAPE0;
		}
	}
	if (d->arena_len == 0 && d->arena_cap > DUO_KEEP) {
		char *a = realloc(d->arena, DUO_ARENA0);
		if (a != NULL) {
			d->arena = a;
			d->arena_cap = DUO_ARENA0;
		}
	}
}

// duo_check_pending applies the limits to the item hiredis is waiting on:
// a bulk whose header is read but whose payload is not complete yet, or a
// line not complete yet (rules 2 and 9), and refuses a lone CR or LF in
// such a line at once, as goparser does. It returns 0 on error.
static int duo_check_pending(duo_reader *d) {
	redisReader *r = d->r;
	int t = r->task[r->ridx]->type;
	if (t < 0)
		return 1;
	const char *p = r->buf + r->pos;
	size_t n = r->len - r->pos;
	int64_t at = duo_abs(d, r->pos);
	long long e = duo_scan_line(p, n);
	if (e == -2) {
		// hiredis would wait for a CRLF and take what comes before it.
		duo_fail(d, at, "CR or LF inside a line");
		return 0;
	}
	if (e >= 0 && (t == REDIS_REPLY_STRING || t == REDIS_REPLY_VERB)) {
		// hiredis parsed this header already (string2ll), so it is valid.
		long long v = 0;
		int neg = e > 0 && p[0] == '-';
		for (long long i = neg; i < e; i++)
			v = v * 10 + (p[i] - '0');
		if (!neg && v > d->max_bulk) {
			duo_fail(d, at, "bulk length %lld exceeds the limit of %lld bytes", v, d->max_bulk);
			return 0;
		}
		return 1;
	}
	// At least 32 bytes, so that a length header (at most 20 bytes, bounded
	// by its grammar, not by the limit) is never refused half-read (rule 2).
	long long lim = d->max_bulk < 32 ? 32 : d->max_bulk;
	if (e < 0 && (long long)n > lim + 1) {
		duo_fail(d, at, "line of more than %lld bytes exceeds the limit of %lld bytes", (long long)n - 1, d->max_bulk);
		return 0;
	}
	return 1;
}

// duo_take_error moves the glue's error, or else hiredis's, into the result.
static void duo_take_error(duo_reader *d) {
	duo_result *res = &d->res;
	res->err = 1;
	if (!d->err) {
		d->err = 1;
		d->err_offset = duo_abs(d, d->mark);
		snprintf(d->errmsg, sizeof d->errmsg, "hiredis: %s", d->r->errstr);
	}
	res->err_offset = d->err_offset;
	memcpy(res->errmsg, d->errmsg, sizeof res->errmsg);
}

// duo_feed feeds one socket read to hiredis and parses every reply it
// completes, in one GetReply call (see duo_setup_root): the one crossing
// from Go per read. data is not kept past the call.
duo_result *duo_feed(duo_reader *d, const char *data, size_t len) {
	duo_result *res = &d->res;
	redisReader *r = d->r;
	void *reply;
	duo_begin_batch(d);
	res->err = 0;
	if (d->err) {
		duo_take_error(d);
	} else if (redisReaderFeed(r, data, len) != REDIS_OK) {
		duo_oom(d);
		duo_take_error(d);
	} else {
		d->fed += (int64_t)len;
		// The top-level task's index in the endless root only grows; keep it
		// from overflowing (nothing reads it).
		r->task[1]->idx = 0;
		duo_rebase(d);
		duo_prepare_pending(d);
		d->mark = r->pos;
		if (redisReaderGetReply(r, &reply) != REDIS_OK || d->err)
			duo_take_error(d);
		else if (duo_rebase(d), !duo_check_pending(d))
			duo_take_error(d);
	}
	res->tape = d->tape;
	res->tape_len = d->tape_len;
	res->arena = d->arena;
	res->arena_len = d->arena_len;
	res->held = d->held_ptr;
	res->nheld = d->nheld;
	res->ends = d->ends;
	res->nreplies = d->nends;
	res->fed = d->fed;
	return res;
}
