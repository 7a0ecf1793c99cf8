//go:build hiredis && cgo

// Package hiredis binds hiredis's RESP reader (redisReader, hiredis >= 1.0)
// for package cparser. It is built only with -tags hiredis and cgo; hiredis is
// found with pkg-config and linked as a library, and the project's own C glue
// is glue.c.
//
// The binding crosses into C once per socket read, never per reply:
// [Reader.Feed] hands one read to duo_feed, which feeds it to hiredis and
// parses every reply it completes in a single redisReaderGetReply call (the
// glue makes hiredis's root task an endless array, so that hiredis does not
// return after each reply). The glue's reply-object functions append every
// item to a flat tape, in preorder, plus a byte arena for the strings. Go
// then walks the tape ([Batch]) with no further cgo calls, taking string
// views into the arena. A big top-level bulk string is not copied at all:
// hiredis's buffer that holds it is handed over to the batch.
//
// The glue also makes hiredis follow internal/RESP_RULES.md where hiredis 1.2
// differs: it accepts bulk errors ('!') and attributes ('|'), which hiredis
// rejects, by rewriting their type byte before hiredis reads it; refuses a
// lone CR or LF in any line as soon as it is buffered (hiredis would wait
// for a CRLF, and hiredis before 1.2 takes them as content of a simple
// string, which desynchronises the stream); checks the CRLF after a bulk
// payload, -1 lengths and the double, boolean and big number grammars; and
// enforces the limits of [redis.ParserOptions] as soon as a header is read.
package hiredis
