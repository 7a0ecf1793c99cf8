package redis

import (
	"io"
	"strconv"
)

// Parser reads RESP2 and RESP3 replies from one stream. Two implementations
// exist: package goparser (pure Go, the default) and package cparser (cgo over
// hiredis's reader, built with -tags hiredis). Both give the same [Reply] for
// the same bytes, enforce the same [ParserOptions] limits and report malformed
// input as a [*ProtocolError].
//
// A Parser is not safe for concurrent use; it belongs to one connection.
type Parser interface {
	// ReadReply reads the next complete reply into *dst, reusing the storage
	// that dst already holds (its Elems slices and Attrs). It returns an error
	// only when no reply could be read: a *ProtocolError for malformed input
	// (the stream cannot be resynchronised), io.EOF when the stream ended
	// cleanly between replies, io.ErrUnexpectedEOF when it ended inside one,
	// or the error of the underlying reader. A server error reply is not a Go
	// error here: it arrives as a Reply of kind KindError or KindBulkError.
	//
	// Byte slices reachable from *dst may point into the parser's buffers:
	// they stay valid until the next call of ReadReply or Reset. Copy what
	// must live longer.
	//
	// After any error the owner must discard the connection; a Parser does not
	// resume after an error and returns the same error again.
	ReadReply(dst *Reply) error

	// Buffered reports how many bytes were read from the stream but not yet
	// returned as part of a reply. A positive count on an idle connection
	// means the peer sent something unasked (or a reply was left unread).
	Buffered() int

	// Reset discards all buffered state and starts reading a new stream from
	// r, keeping the allocated buffers.
	Reset(r io.Reader)
}

// NewParserFunc makes a Parser reading from r. goparser.New and (with -tags
// hiredis) cparser.New have this type, so either can be passed where one is
// expected.
type NewParserFunc func(r io.Reader, opts ParserOptions) Parser

// Default limits of [ParserOptions].
const (
	// DefaultMaxBulkLen is Redis's own proto-max-bulk-len: 512 MiB.
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxAggregateLen bounds the element count of one aggregate.
	DefaultMaxAggregateLen = 1<<31 - 1
	// DefaultMaxDepth bounds how deeply aggregates may nest.
	DefaultMaxDepth = 128
)

// ParserOptions sets the limits a Parser enforces. Each limit is checked as
// soon as the header that states a length has been read, so a hostile or
// corrupt stream is rejected before its payload is buffered. The zero value
// means the defaults.
type ParserOptions struct {
	// MaxBulkLen is the largest bulk string, verbatim string or bulk error
	// payload accepted, in bytes; it also bounds the length of a simple
	// string, error, integer, double or big number line.
	// default: DefaultMaxBulkLen (512 MiB)
	MaxBulkLen int64
	// MaxAggregateLen is the largest element count of an array, set or push,
	// and the largest pair count of a map or attribute.
	// default: DefaultMaxAggregateLen (2^31-1)
	MaxAggregateLen int64
	// MaxDepth is the deepest nesting of aggregates accepted: a top-level
	// array is at depth 1, an array inside it at depth 2.
	// default: DefaultMaxDepth (128)
	MaxDepth int
	// OwnLargeBulks lets a parser read a large top-level bulk string
	// (256 KiB or more) into memory of its own and mark the reply Owned, so
	// that the caller can keep the value without copying it. It costs an
	// allocation per such reply, which a caller that copies values anyway
	// (the client's commands) pays in any case. Both parsers honour
	// it.
	// default: false (the pool turns it on for its connections)
	OwnLargeBulks bool
}

// WithDefaults returns o with every zero field replaced by its default.
func (o ParserOptions) WithDefaults() ParserOptions {
	if o.MaxBulkLen <= 0 {
		o.MaxBulkLen = DefaultMaxBulkLen
	}
	if o.MaxAggregateLen <= 0 {
		o.MaxAggregateLen = DefaultMaxAggregateLen
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	return o
}

// Kind is the RESP type of a [Reply]. Its value is the type byte of the wire
// format, so Kind('+') is KindSimpleString.
type Kind uint8

// The RESP2 and RESP3 reply types.
const (
	KindInvalid      Kind = 0
	KindSimpleString Kind = '+'
	KindError        Kind = '-'
	KindInteger      Kind = ':'
	KindBulkString   Kind = '$'
	KindArray        Kind = '*'
	KindNull         Kind = '_' // RESP3 null, and RESP2's $-1 and *-1
	KindDouble       Kind = ','
	KindBoolean      Kind = '#'
	KindBigNumber    Kind = '('
	KindBulkError    Kind = '!'
	KindVerbatim     Kind = '='
	KindMap          Kind = '%'
	KindSet          Kind = '~'
	KindAttribute    Kind = '|'
	KindPush         Kind = '>'
)

var kindNames = [256]string{
	KindSimpleString: "simple string",
	KindError:        "error",
	KindInteger:      "integer",
	KindBulkString:   "bulk string",
	KindArray:        "array",
	KindNull:         "null",
	KindDouble:       "double",
	KindBoolean:      "boolean",
	KindBigNumber:    "big number",
	KindBulkError:    "bulk error",
	KindVerbatim:     "verbatim string",
	KindMap:          "map",
	KindSet:          "set",
	KindAttribute:    "attribute",
	KindPush:         "push",
}

// String returns the name of the kind, such as "bulk string".
func (k Kind) String() string {
	if n := kindNames[k]; n != "" {
		return n
	}
	return "invalid kind " + strconv.Itoa(int(k))
}

// IsAggregate reports whether replies of kind k hold elements in Elems.
func (k Kind) IsAggregate() bool {
	switch k {
	case KindArray, KindMap, KindSet, KindAttribute, KindPush:
		return true
	}
	return false
}

// Reply is one RESP value. Which fields are set depends on Kind:
//
//	KindSimpleString, KindBulkString     Str
//	KindError, KindBulkError             Str (the message, e.g. "WRONGTYPE Operation ...")
//	KindInteger                          Int
//	KindNull                             nothing
//	KindDouble                           Float, and Str (the text as sent, e.g. "3.14", "inf")
//	KindBoolean                          Int (1 for true, 0 for false)
//	KindBigNumber                        Str (the decimal digits, with a leading "-" if negative)
//	KindVerbatim                         Str (the text) and Format (e.g. "txt", "mkd")
//	KindArray, KindSet, KindPush         Elems
//	KindMap, KindAttribute               Elems: keys and values alternate, k0, v0, k1, v1, ...
//
// Attrs holds the RESP3 attribute that preceded the reply, if any; its Elems
// alternate keys and values like a map's.
//
// A Reply filled by a [Parser] may point into the parser's buffers: see
// [Parser.ReadReply] for how long it stays valid, and [Reply.Clone] for a
// copy that owns its memory. Owned marks the exception: a large bulk string
// read into memory of its own, which the parser never reuses, so the caller
// may keep Str without copying it.
type Reply struct {
	Kind   Kind
	Format [3]byte
	Owned  bool
	Str    []byte
	Int    int64
	Float  float64
	Elems  []Reply
	Attrs  *Reply
}

// Bool reports the value of a RESP3 boolean.
func (r *Reply) Bool() bool { return r.Int != 0 }

// IsError reports whether r is a server error (simple or bulk).
func (r *Reply) IsError() bool { return r.Kind == KindError || r.Kind == KindBulkError }

// Err returns the server error that r carries as a typed error (an [*Error],
// or a more specific type such as [*NoScriptError] that wraps one), or nil
// when r is not an error reply.
func (r *Reply) Err() error {
	if !r.IsError() {
		return nil
	}
	return ParseServerError(string(r.Str))
}

// Len returns the number of elements of an array, set or push, the number
// of pairs of a map or attribute, and 0 otherwise.
func (r *Reply) Len() int {
	if r.Kind == KindMap || r.Kind == KindAttribute {
		return len(r.Elems) / 2
	}
	return len(r.Elems)
}

// Clone returns a deep copy of r that shares no memory with a parser.
func (r *Reply) Clone() Reply {
	c := *r
	if r.Str != nil {
		c.Str = append(make([]byte, 0, len(r.Str)), r.Str...)
	}
	if r.Elems != nil {
		c.Elems = make([]Reply, len(r.Elems))
		for i := range r.Elems {
			c.Elems[i] = r.Elems[i].Clone()
		}
	}
	if r.Attrs != nil {
		a := r.Attrs.Clone()
		c.Attrs = &a
	}
	return c
}

// String renders r in a compact, readable form for logs and test failures,
// for example `["a" 1 nil]` or `{"k": 3.5}`.
func (r Reply) String() string {
	return string(r.appendText(nil))
}

func (r *Reply) appendText(b []byte) []byte {
	if r.Attrs != nil {
		b = append(b, "|attrs"...)
		b = r.Attrs.appendText(b)
		b = append(b, ' ')
	}
	switch r.Kind {
	case KindSimpleString:
		b = append(b, '+')
		b = strconv.AppendQuote(b, string(r.Str))
	case KindBulkString:
		b = strconv.AppendQuote(b, string(r.Str))
	case KindVerbatim:
		b = append(b, r.Format[:]...)
		b = append(b, ':')
		b = strconv.AppendQuote(b, string(r.Str))
	case KindError, KindBulkError:
		b = append(b, "(error "...)
		b = strconv.AppendQuote(b, string(r.Str))
		b = append(b, ')')
	case KindInteger:
		b = strconv.AppendInt(b, r.Int, 10)
	case KindNull:
		b = append(b, "nil"...)
	case KindDouble:
		b = append(b, "(double "...)
		b = append(b, r.Str...)
		b = append(b, ')')
	case KindBoolean:
		b = strconv.AppendBool(b, r.Int != 0)
	case KindBigNumber:
		b = append(b, "(bignum "...)
		b = append(b, r.Str...)
		b = append(b, ')')
	case KindArray, KindSet, KindPush:
		open, close := byte('['), byte(']')
		if r.Kind == KindSet {
			b = append(b, "set"...)
		} else if r.Kind == KindPush {
			b = append(b, "push"...)
		}
		b = append(b, open)
		for i := range r.Elems {
			if i > 0 {
				b = append(b, ' ')
			}
			b = r.Elems[i].appendText(b)
		}
		b = append(b, close)
	case KindMap, KindAttribute:
		b = append(b, '{')
		for i := 0; i+1 < len(r.Elems); i += 2 {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = r.Elems[i].appendText(b)
			b = append(b, ": "...)
			b = r.Elems[i+1].appendText(b)
		}
		b = append(b, '}')
	default:
		b = append(b, "(invalid)"...)
	}
	return b
}
