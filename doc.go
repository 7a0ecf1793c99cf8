// Package redis is the root of duoredis, a Go client for Redis 7 and Valkey 8
// with the feature set of redis-py 3.5. This package holds what every other
// part stands on: the [Parser] interface, the [Reply] model, the typed errors
// and the command encoder. It imports no parser; the parsers import it.
//
// # Parsers and build tags
//
// Two packages implement [Parser] and give the same result for every input:
//
//	goparser   pure Go, the default; builds with CGO_ENABLED=0
//	cparser    cgo over hiredis's C reader; built with -tags hiredis, and then the default
//
// Package pool picks the default by build tag and offers both by name at run
// time where both are built in. build_tags.md in the repository lists every
// tag. Both parsers enforce the limits of [ParserOptions] as soon as a header
// is read, and report malformed input as a [*ProtocolError].
//
// # Replies
//
// RESP types map to [Reply] fields as follows:
//
//	RESP type              Kind               field
//	+simple string         KindSimpleString   Str
//	-error                 KindError          Str (also Reply.Err)
//	:integer               KindInteger        Int
//	$bulk string           KindBulkString     Str ($-1: KindNull)
//	*array                 KindArray          Elems (*-1: KindNull)
//	_null                  KindNull           -
//	,double                KindDouble         Float, Str (text as sent)
//	#boolean               KindBoolean        Int (1 or 0), Reply.Bool
//	(big number            KindBigNumber      Str (decimal digits)
//	!bulk error            KindBulkError      Str (also Reply.Err)
//	=verbatim string       KindVerbatim       Str, Format ("txt", "mkd")
//	%map                   KindMap            Elems: k0, v0, k1, v1, ...
//	~set                   KindSet            Elems
//	|attribute             KindAttribute      Attrs of the reply it annotates
//	>push                  KindPush           Elems
//
// # Arguments
//
// Commands are arrays of bulk strings. [AppendCommand] and [AppendArg] take
// []byte, string, signed and unsigned integers and floats (and named types of
// those kinds); any other type (bool, nil, a struct, a map) is a
// [*DataError], as in redis-py 3. Floats are written in the shortest form
// that reads back as the same value, with "inf" and "-inf" for infinities.
//
// # Errors
//
// [Nil] is a nil reply. A server error reply becomes an [*Error] (with
// [Error.Prefix] such as "WRONGTYPE"), or a type that wraps one
// ([*NoScriptError], [*ReadOnlyError], ...), so errors.As with *Error matches
// every server error. [*ProtocolError], [*ConnectionError] and
// [*TimeoutError] mean the connection was closed and never reused. Every
// error of this package implements [RedisError].
package redis
