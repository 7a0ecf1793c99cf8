// Package resptest holds the one table of RESP cases that every Parser
// implementation must pass, and helpers to run it: each case is parsed whole,
// split in two at every byte boundary, and one byte per read.
package resptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"

	redis "github.com/duoredis/redis"
)

// ErrClass is the kind of error that ends a stream of replies.
type ErrClass int

// The error classes a parser may end with.
const (
	EOF           ErrClass = iota // clean end between replies
	UnexpectedEOF                 // the stream ended inside a reply
	Protocol                      // a *redis.ProtocolError
	Other                         // anything else
)

func (c ErrClass) String() string {
	return [...]string{"EOF", "UnexpectedEOF", "Protocol", "Other"}[c]
}

// Classify returns the class of err.
func Classify(err error) ErrClass {
	var pe *redis.ProtocolError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return UnexpectedEOF
	case err == io.EOF:
		return EOF
	case errors.As(err, &pe):
		return Protocol
	}
	return Other
}

// Collect reads replies until an error, cloning each reply.
func Collect(p redis.Parser) ([]redis.Reply, error) {
	var out []redis.Reply
	var r redis.Reply
	for i := 0; ; i++ {
		if err := p.ReadReply(&r); err != nil {
			return out, err
		}
		out = append(out, r.Clone())
		if i > 1<<20 {
			return out, errors.New("resptest: too many replies")
		}
	}
}

// Equal reports whether two replies are the same value: same kinds, same
// bytes (nil and empty alike), same numbers (NaN equals NaN), same elements
// and attributes.
func Equal(a, b *redis.Reply) bool {
	if a.Kind != b.Kind || a.Format != b.Format || a.Int != b.Int || !bytes.Equal(a.Str, b.Str) {
		return false
	}
	if math.Float64bits(a.Float) != math.Float64bits(b.Float) && !(math.IsNaN(a.Float) && math.IsNaN(b.Float)) {
		return false
	}
	if len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if !Equal(&a.Elems[i], &b.Elems[i]) {
			return false
		}
	}
	if (a.Attrs == nil) != (b.Attrs == nil) {
		return false
	}
	return a.Attrs == nil || Equal(a.Attrs, b.Attrs)
}

// EqualAll compares two lists of replies with Equal.
func EqualAll(a, b []redis.Reply) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(&a[i], &b[i]) {
			return false
		}
	}
	return true
}

// chunkReader returns its chunks one per Read.
type chunkReader struct{ chunks [][]byte }

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.chunks) > 0 && len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	return n, nil
}

// Chunks returns a reader that gives the chunks one Read at a time.
func Chunks(chunks ...[]byte) io.Reader {
	cp := make([][]byte, len(chunks))
	for i := range chunks {
		cp[i] = append([]byte(nil), chunks[i]...)
	}
	return &chunkReader{chunks: cp}
}

// edgeBytes returns a reader that gives the first and last k bytes of in one
// per Read, and the rest in reads of 1021 bytes: reading a long input one
// byte at a time costs much (under -race) and finds nothing more.
func edgeBytes(in []byte, k int) io.Reader {
	var chunks [][]byte
	for i := 0; i < len(in); {
		n := 1
		if i >= k && i < len(in)-k {
			n = min(1021, len(in)-k-i)
		}
		chunks = append(chunks, in[i:i+n])
		i += n
	}
	return Chunks(chunks...)
}

// Run runs every case of Cases against parsers made by newParser.
func Run(t *testing.T, newParser redis.NewParserFunc) {
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			in := []byte(c.In)
			// The case's options, and the pool's (OwnLargeBulks): the
			// replies must not depend on them.
			for _, opts := range []redis.ParserOptions{c.Opts, PoolOptions(c.Opts)} {
				check := func(how string, r io.Reader) {
					t.Helper()
					p := newParser(r, opts)
					got, err := Collect(p)
					if cl, ok := p.(io.Closer); ok {
						cl.Close()
					}
					if !EqualAll(got, c.Want) || Classify(err) != c.Err {
						t.Fatalf("%s (OwnLargeBulks=%v): input %q\n got  %v then %v (%v)\n want %v then %v",
							how, opts.OwnLargeBulks, c.In, got, Classify(err), err, c.Want, c.Err)
					}
				}
				check("whole", bytes.NewReader(in))
				if len(in) <= 4096 {
					check("byte by byte", iotest.OneByteReader(bytes.NewReader(in)))
				} else {
					check("byte by byte at the ends", edgeBytes(in, 512))
				}
				for i := 1; i < len(in); i++ {
					// Long inputs: every boundary near the ends, a sample between.
					if len(in) > 4096 && i > 256 && i < len(in)-256 && i%991 != 0 {
						continue
					}
					check(fmt.Sprintf("split at %d", i), Chunks(in[:i], in[i:]))
				}
				if c.Opts.OwnLargeBulks {
					break // the case's options are the pool's already
				}
			}
		})
	}
}

// Case is one entry of the shared table: an input stream, the replies it
// gives in order, and the class of the error that ends it.
type Case struct {
	Name string
	In   string
	Opts redis.ParserOptions
	Want []redis.Reply
	Err  ErrClass
}

// Constructors for expected replies.

// Simple is a simple string.
func Simple(s string) redis.Reply { return redis.Reply{Kind: redis.KindSimpleString, Str: []byte(s)} }

// Bulk is a bulk string.
func Bulk(s string) redis.Reply { return redis.Reply{Kind: redis.KindBulkString, Str: []byte(s)} }

// Int is an integer.
func Int(v int64) redis.Reply { return redis.Reply{Kind: redis.KindInteger, Int: v} }

// Null is a null.
func Null() redis.Reply { return redis.Reply{Kind: redis.KindNull} }

// ErrReply is a simple error.
func ErrReply(s string) redis.Reply { return redis.Reply{Kind: redis.KindError, Str: []byte(s)} }

// BulkErr is a bulk error.
func BulkErr(s string) redis.Reply { return redis.Reply{Kind: redis.KindBulkError, Str: []byte(s)} }

// Double is a double with its text.
func Double(f float64, text string) redis.Reply {
	return redis.Reply{Kind: redis.KindDouble, Float: f, Str: []byte(text)}
}

// Bool is a boolean.
func Bool(b bool) redis.Reply {
	r := redis.Reply{Kind: redis.KindBoolean}
	if b {
		r.Int = 1
	}
	return r
}

// Big is a big number.
func Big(s string) redis.Reply { return redis.Reply{Kind: redis.KindBigNumber, Str: []byte(s)} }

// Verbatim is a verbatim string.
func Verbatim(format, s string) redis.Reply {
	r := redis.Reply{Kind: redis.KindVerbatim, Str: []byte(s)}
	copy(r.Format[:], format)
	return r
}

func agg(k redis.Kind, elems []redis.Reply) redis.Reply {
	if elems == nil {
		elems = []redis.Reply{}
	}
	return redis.Reply{Kind: k, Elems: elems}
}

// Array is an array.
func Array(e ...redis.Reply) redis.Reply { return agg(redis.KindArray, e) }

// Set is a set.
func Set(e ...redis.Reply) redis.Reply { return agg(redis.KindSet, e) }

// Push is a push.
func Push(e ...redis.Reply) redis.Reply { return agg(redis.KindPush, e) }

// Map is a map; kv alternates keys and values.
func Map(kv ...redis.Reply) redis.Reply { return agg(redis.KindMap, kv) }

// WithAttrs returns r annotated by an attribute with the pairs kv.
func WithAttrs(r redis.Reply, kv ...redis.Reply) redis.Reply {
	a := agg(redis.KindAttribute, kv)
	r.Attrs = &a
	return r
}

func list(r ...redis.Reply) []redis.Reply { return r }

func nested(depth int) (string, redis.Reply) {
	in := strings.Repeat("*1\r\n", depth) + ":1\r\n"
	want := Int(1)
	for i := 0; i < depth; i++ {
		want = Array(want)
	}
	return in, want
}

// Cases is the shared table.
var Cases = buildCases()

func buildCases() []Case {
	deep64In, deep64 := nested(64)
	deep128In, deep128 := nested(128)
	deep129In, _ := nested(129)
	big := strings.Repeat("x", 70000)
	huge := strings.Repeat("0123456789abcdef", 300<<10/16) // past goparser's bigBulk
	cs := []Case{
		// Simple strings and errors.
		{Name: "ok", In: "+OK\r\n", Want: list(Simple("OK"))},
		{Name: "empty simple", In: "+\r\n", Want: list(Simple(""))},
		{Name: "simple with other control bytes", In: "+a\tb\x00c\x0b\x0c\r\n", Want: list(Simple("a\tb\x00c\x0b\x0c"))},
		// RESP lines hold no CR or LF: a lone one is a ProtocolError as soon
		// as it is read (else "+OK\r*2" swallows the next reply's header).
		{Name: "simple with lone CR and LF", In: "+a\rb\nc\r\n", Err: Protocol},
		{Name: "simple bare CR desync", In: "+OK\r*2\r\n$1\r\na\r\n$1\r\nb\r\n", Err: Protocol},
		{Name: "simple bare LF", In: "+OK\n+PONG\r\n", Err: Protocol},
		{Name: "simple bare LF first", In: "+\n\r\n", Err: Protocol},
		{Name: "simple CR CR LF", In: "+OK\r\r\n", Err: Protocol},
		{Name: "simple LF CR LF", In: "+OK\n\r\n", Err: Protocol},
		{Name: "simple bare CR unterminated", In: "+OK\rX", Err: Protocol},
		{Name: "simple bare LF unterminated", In: "+OK\nX", Err: Protocol},
		{Name: "simple long bare CR", In: "+" + strings.Repeat("y", 100) + "\r" + strings.Repeat("z", 100) + "\r\n", Err: Protocol},
		{Name: "reply then bare CR", In: "+OK\r\n+a\rb\r\n", Want: list(Simple("OK")), Err: Protocol},
		{Name: "bare CR nested", In: "*2\r\n+a\rb\r\n:1\r\n", Err: Protocol},
		{Name: "error bare CR", In: "-ERR x\ry\r\n", Err: Protocol},
		{Name: "error bare LF", In: "-ERR\n\r\n", Err: Protocol},
		{Name: "error bare CR desync", In: "-ERR\r:1\r\n+OK\r\n", Err: Protocol},
		{Name: "int bare CR", In: ":1\r2\r\n", Err: Protocol},
		{Name: "int bare CR unterminated", In: ":12\r3", Err: Protocol},
		{Name: "int bare LF unterminated", In: ":12\n3", Err: Protocol},
		{Name: "double bare CR", In: ",1.5\r\r\n", Err: Protocol},
		{Name: "double bare LF unterminated", In: ",1.5\n", Err: Protocol},
		{Name: "bool bare CR", In: "#t\rX\r\n", Err: Protocol},
		{Name: "bool bare LF", In: "#\n\r\n", Err: Protocol},
		{Name: "big number bare LF", In: "(12\n\r\n", Err: Protocol},
		{Name: "big number bare CR unterminated", In: "(12\r3", Err: Protocol},
		{Name: "null bare CR", In: "_\r_\r\n", Err: Protocol},
		{Name: "null bare LF", In: "_\n", Err: Protocol},
		{Name: "bulk header bare CR", In: "$3\rabc\r\n", Err: Protocol},
		{Name: "bulk header bare LF", In: "$3\nabc\r\n", Err: Protocol},
		{Name: "bulk header bare CR unterminated", In: "$3\ra", Err: Protocol},
		{Name: "array header bare LF", In: "*1\n:1\r\n", Err: Protocol},
		{Name: "map header bare CR", In: "%1\r+a\r\n+b\r\n", Err: Protocol},
		{Name: "attribute header bare CR unterminated", In: "|1\rx", Err: Protocol},
		{Name: "verbatim header bare LF", In: "=8\ntxt:abcd\r\n", Err: Protocol},
		{Name: "bulk error header bare CR", In: "!1\rx\r\n", Err: Protocol},
		{Name: "two simple", In: "+OK\r\n+PONG\r\n", Want: list(Simple("OK"), Simple("PONG"))},
		{Name: "long simple", In: "+" + big + "\r\n", Want: list(Simple(big))},
		{Name: "error", In: "-ERR unknown command\r\n", Want: list(ErrReply("ERR unknown command"))},
		{Name: "wrongtype", In: "-WRONGTYPE Operation against a key\r\n", Want: list(ErrReply("WRONGTYPE Operation against a key"))},
		// Integers.
		{Name: "int zero", In: ":0\r\n", Want: list(Int(0))},
		{Name: "int", In: ":1234\r\n", Want: list(Int(1234))},
		{Name: "int neg", In: ":-42\r\n", Want: list(Int(-42))},
		{Name: "int max", In: ":9223372036854775807\r\n", Want: list(Int(math.MaxInt64))},
		{Name: "int min", In: ":-9223372036854775808\r\n", Want: list(Int(math.MinInt64))},
		{Name: "int overflow", In: ":9223372036854775808\r\n", Err: Protocol},
		{Name: "int underflow", In: ":-9223372036854775809\r\n", Err: Protocol},
		{Name: "int plus", In: ":+1\r\n", Err: Protocol},
		{Name: "int leading zero", In: ":01\r\n", Err: Protocol},
		{Name: "int minus zero", In: ":-0\r\n", Err: Protocol},
		{Name: "int empty", In: ":\r\n", Err: Protocol},
		{Name: "int letters", In: ":12a\r\n", Err: Protocol},
		{Name: "int space", In: ": 1\r\n", Err: Protocol},
		{Name: "int bare LF", In: ":1\n:2\r\n", Err: Protocol},
		// Bulk strings.
		{Name: "bulk", In: "$5\r\nhello\r\n", Want: list(Bulk("hello"))},
		{Name: "bulk empty", In: "$0\r\n\r\n", Want: list(Bulk(""))},
		{Name: "bulk binary", In: "$4\r\n\r\n\x00\xff\r\n", Want: list(Bulk("\r\n\x00\xff"))},
		{Name: "bulk null", In: "$-1\r\n", Want: list(Null())},
		{Name: "bulk big", In: "$70000\r\n" + big + "\r\n", Want: list(Bulk(big))},
		{Name: "bulk huge", In: "$307200\r\n" + huge + "\r\n+OK\r\n", Want: list(Bulk(huge), Simple("OK"))},
		{Name: "bulk huge owned", In: "$307200\r\n" + huge + "\r\n+OK\r\n", Opts: redis.ParserOptions{OwnLargeBulks: true}, Want: list(Bulk(huge), Simple("OK"))},
		{Name: "bulk huge owned truncated", In: "$307200\r\n" + huge[:1000], Opts: redis.ParserOptions{OwnLargeBulks: true}, Err: UnexpectedEOF},
		{Name: "bulk huge owned no CRLF", In: "$307200\r\n" + huge + "X\n", Opts: redis.ParserOptions{OwnLargeBulks: true}, Err: Protocol},
		{Name: "bulk huge owned CR at end", In: "$307200\r\n" + huge + "\r", Opts: redis.ParserOptions{OwnLargeBulks: true}, Err: UnexpectedEOF},
		{Name: "bulk huge owned twice", In: "$307200\r\n" + huge + "\r\n$307200\r\n" + huge + "\r\n:7\r\n", Opts: redis.ParserOptions{OwnLargeBulks: true}, Want: list(Bulk(huge), Bulk(huge), Int(7))},
		{Name: "bulk huge owned then bad", In: "$307200\r\n" + huge + "\r\n+OK\r\n:x\r\n", Opts: redis.ParserOptions{OwnLargeBulks: true}, Want: list(Bulk(huge), Simple("OK")), Err: Protocol},
		{Name: "bulk huge owned over limit", In: "$307200\r\n" + huge + "\r\n", Opts: redis.ParserOptions{OwnLargeBulks: true, MaxBulkLen: 300000}, Err: Protocol},
		{Name: "bulk huge owned leading zero", In: "$0307200\r\n" + huge + "\r\n", Opts: redis.ParserOptions{OwnLargeBulks: true}, Err: Protocol},
		{Name: "bulk huge truncated", In: "$307200\r\n" + huge[:1000], Err: UnexpectedEOF},
		{Name: "bulk huge no CRLF", In: "$307200\r\n" + huge + "XY+OK\r\n", Err: Protocol},
		{Name: "bulk huge CR missing at end", In: "$307200\r\n" + huge + "\r", Err: UnexpectedEOF},
		{Name: "bulk neg", In: "$-2\r\n", Err: Protocol},
		{Name: "bulk bad len", In: "$x\r\n", Err: Protocol},
		{Name: "bulk leading zero", In: "$05\r\nhello\r\n", Err: Protocol},
		{Name: "bulk no CRLF after payload", In: "$3\r\nabcde\r\n", Err: Protocol},
		{Name: "bulk CR only after payload", In: "$3\r\nabc\rX", Err: Protocol},
		{Name: "bulk truncated", In: "$5\r\nhel", Err: UnexpectedEOF},
		{Name: "bulk truncated before CRLF", In: "$5\r\nhello", Err: UnexpectedEOF},
		{Name: "bulk over limit", In: "$11\r\nhello", Opts: redis.ParserOptions{MaxBulkLen: 10}, Err: Protocol},
		{Name: "bulk at limit", In: "$10\r\n0123456789\r\n", Opts: redis.ParserOptions{MaxBulkLen: 10}, Want: list(Bulk("0123456789"))},
		{Name: "bulk default limit", In: "$536870913\r\n", Err: Protocol},
		{Name: "line over limit", In: "+0123456789a\r\n", Opts: redis.ParserOptions{MaxBulkLen: 10}, Err: Protocol},
		{Name: "integer over line limit", In: ":12345678901\r\n", Opts: redis.ParserOptions{MaxBulkLen: 10}, Err: Protocol},
		{Name: "header exempt from line limit", In: "*-1\r\n*10\r\n" + strings.Repeat(":1\r\n", 10), Opts: redis.ParserOptions{MaxBulkLen: 1},
			Want: list(Null(), Array(Int(1), Int(1), Int(1), Int(1), Int(1), Int(1), Int(1), Int(1), Int(1), Int(1)))},
		{Name: "line over limit unterminated", In: "+0123456789abcdef0123456789abcdef0123456789", Opts: redis.ParserOptions{MaxBulkLen: 10}, Err: Protocol},
		// Arrays.
		{Name: "array", In: "*2\r\n$3\r\nfoo\r\n:7\r\n", Want: list(Array(Bulk("foo"), Int(7)))},
		{Name: "array empty", In: "*0\r\n", Want: list(Array())},
		{Name: "array null", In: "*-1\r\n", Want: list(Null())},
		{Name: "array neg", In: "*-2\r\n", Err: Protocol},
		{Name: "array nested", In: "*2\r\n*1\r\n+a\r\n*0\r\n", Want: list(Array(Array(Simple("a")), Array()))},
		{Name: "array with null", In: "*3\r\n$-1\r\n*-1\r\n_\r\n", Want: list(Array(Null(), Null(), Null()))},
		{Name: "array with error", In: "*2\r\n-ERR x\r\n+OK\r\n", Want: list(Array(ErrReply("ERR x"), Simple("OK")))},
		{Name: "array truncated", In: "*3\r\n:1\r\n:2\r\n", Err: UnexpectedEOF},
		{Name: "array over limit", In: "*4\r\n", Opts: redis.ParserOptions{MaxAggregateLen: 3}, Err: Protocol},
		{Name: "array huge count no data", In: "*2147483647\r\n:1\r\n", Err: UnexpectedEOF},
		{Name: "array count over default", In: "*2147483648\r\n", Err: Protocol},
		{Name: "depth 64", In: deep64In, Want: list(deep64)},
		{Name: "depth 128", In: deep128In, Want: list(deep128)},
		{Name: "depth 129", In: deep129In, Err: Protocol},
		{Name: "depth limit 2", In: "*1\r\n*1\r\n*1\r\n:1\r\n", Opts: redis.ParserOptions{MaxDepth: 2}, Err: Protocol},
		{Name: "depth limit 2 ok", In: "*1\r\n*1\r\n:1\r\n", Opts: redis.ParserOptions{MaxDepth: 2}, Want: list(Array(Array(Int(1))))},
		{Name: "reply then garbage", In: "+OK\r\n?x\r\n", Want: list(Simple("OK")), Err: Protocol},
		{Name: "bad type byte", In: "x\r\n", Err: Protocol},
		{Name: "bad type byte nested", In: "*1\r\n@\r\n", Err: Protocol},
		{Name: "empty input", In: "", Err: EOF},
		{Name: "truncated type only", In: "+", Err: UnexpectedEOF},
		{Name: "truncated CR", In: "+OK\r", Err: UnexpectedEOF},
		// RESP3.
		{Name: "null", In: "_\r\n", Want: list(Null())},
		{Name: "null with content", In: "_x\r\n", Err: Protocol},
		{Name: "bool true", In: "#t\r\n", Want: list(Bool(true))},
		{Name: "bool false", In: "#f\r\n", Want: list(Bool(false))},
		{Name: "bool upper", In: "#T\r\n#F\r\n", Want: list(Bool(true), Bool(false))},
		{Name: "bool bad", In: "#x\r\n", Err: Protocol},
		{Name: "bool long", In: "#tt\r\n", Err: Protocol},
		{Name: "bool empty", In: "#\r\n", Err: Protocol},
		{Name: "double", In: ",3.14\r\n", Want: list(Double(3.14, "3.14"))},
		{Name: "double int", In: ",10\r\n", Want: list(Double(10, "10"))},
		{Name: "double exp", In: ",1.5e-3\r\n,-2E10\r\n,+1e+2\r\n", Want: list(Double(1.5e-3, "1.5e-3"), Double(-2e10, "-2E10"), Double(100, "+1e+2"))},
		{Name: "double inf", In: ",inf\r\n,-inf\r\n,INF\r\n", Want: list(Double(math.Inf(1), "inf"), Double(math.Inf(-1), "-inf"), Double(math.Inf(1), "INF"))},
		{Name: "double nan", In: ",nan\r\n,-nan\r\n", Want: list(Double(math.NaN(), "nan"), Double(math.NaN(), "-nan"))},
		{Name: "double underflow", In: ",1e-400\r\n", Want: list(Double(0, "1e-400"))},
		{Name: "double overflow", In: ",1e400\r\n", Err: Protocol},
		{Name: "double plus inf", In: ",+inf\r\n", Err: Protocol},
		{Name: "double hex", In: ",0x10\r\n", Err: Protocol},
		{Name: "double dot only", In: ",1.\r\n", Err: Protocol},
		{Name: "double leading dot", In: ",.5\r\n", Err: Protocol},
		{Name: "double empty", In: ",\r\n", Err: Protocol},
		{Name: "double space", In: ", 1\r\n", Err: Protocol},
		{Name: "double infinity word", In: ",infinity\r\n", Err: Protocol},
		{Name: "double too long", In: "," + strings.Repeat("1", 326) + "\r\n", Err: Protocol},
		{Name: "big number", In: "(3492890328409238509324850943850943825024385\r\n", Want: list(Big("3492890328409238509324850943850943825024385"))},
		{Name: "big number neg", In: "(-12\r\n", Want: list(Big("-12"))},
		{Name: "big number empty", In: "(\r\n", Err: Protocol},
		{Name: "big number minus only", In: "(-\r\n", Err: Protocol},
		{Name: "big number bad", In: "(12a\r\n", Err: Protocol},
		{Name: "verbatim", In: "=15\r\ntxt:Some string\r\n", Want: list(Verbatim("txt", "Some string"))},
		{Name: "verbatim empty text", In: "=4\r\nmkd:\r\n", Want: list(Verbatim("mkd", ""))},
		{Name: "verbatim short", In: "=3\r\ntxt\r\n", Err: Protocol},
		{Name: "verbatim no colon", In: "=5\r\ntxtab\r\n", Err: Protocol},
		{Name: "verbatim null", In: "=-1\r\n", Err: Protocol},
		{Name: "bulk error", In: "!21\r\nSYNTAX invalid syntax\r\n", Want: list(BulkErr("SYNTAX invalid syntax"))},
		{Name: "bulk error with CRLF", In: "!4\r\na\r\nb\r\n", Want: list(BulkErr("a\r\nb"))},
		{Name: "bulk error null", In: "!-1\r\n", Err: Protocol},
		{Name: "bulk error no CRLF", In: "!1\r\nab\r\n", Err: Protocol},
		{Name: "map", In: "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", Want: list(Map(Simple("first"), Int(1), Simple("second"), Int(2)))},
		{Name: "map empty", In: "%0\r\n", Want: list(Map())},
		{Name: "map null", In: "%-1\r\n", Err: Protocol},
		{Name: "map over limit", In: "%3\r\n", Opts: redis.ParserOptions{MaxAggregateLen: 2}, Err: Protocol},
		{Name: "map nested", In: "%1\r\n$1\r\nk\r\n%1\r\n:1\r\n~1\r\n#t\r\n", Want: list(Map(Bulk("k"), Map(Int(1), Set(Bool(true)))))},
		{Name: "map truncated", In: "%1\r\n+k\r\n", Err: UnexpectedEOF},
		{Name: "set", In: "~3\r\n+a\r\n:1\r\n,2.5\r\n", Want: list(Set(Simple("a"), Int(1), Double(2.5, "2.5")))},
		{Name: "set null", In: "~-1\r\n", Err: Protocol},
		{Name: "push", In: ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", Want: list(Push(Bulk("message"), Bulk("ch"), Bulk("hi")))},
		{Name: "push null", In: ">-1\r\n", Err: Protocol},
		{Name: "push then reply", In: ">2\r\n+invalidate\r\n*0\r\n:5\r\n", Want: list(Push(Simple("invalidate"), Array()), Int(5))},
		// Attributes.
		{Name: "attribute top", In: "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2\r\n:9\r\n",
			Want: list(WithAttrs(Array(Int(2), Int(9)), Simple("key-popularity"), Map(Bulk("a"), Double(0.19, "0.19"))))},
		{Name: "attribute nested", In: "*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n",
			Want: list(Array(WithAttrs(Int(1), Simple("ttl"), Int(3600)), Int(2)))},
		{Name: "attribute nested last", In: "*2\r\n:1\r\n|1\r\n+a\r\n+b\r\n$1\r\nx\r\n:3\r\n",
			Want: list(Array(Int(1), WithAttrs(Bulk("x"), Simple("a"), Simple("b"))), Int(3))},
		{Name: "attribute in map", In: "%1\r\n|1\r\n+a\r\n+b\r\n+k\r\n+v\r\n",
			Want: list(Map(WithAttrs(Simple("k"), Simple("a"), Simple("b")), Simple("v")))},
		{Name: "attribute empty", In: "|0\r\n+OK\r\n", Want: list(WithAttrs(Simple("OK")))},
		{Name: "attribute twice last wins", In: "|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n+OK\r\n", Want: list(WithAttrs(Simple("OK"), Simple("b"), Int(2)))},
		{Name: "attribute then EOF", In: "|1\r\n+a\r\n:1\r\n", Err: UnexpectedEOF},
		{Name: "attribute null", In: "|-1\r\n+OK\r\n", Err: Protocol},
		{Name: "attribute over limit", In: "|3\r\n", Opts: redis.ParserOptions{MaxAggregateLen: 2}, Err: Protocol},
		{Name: "attribute depth", In: "*1\r\n|1\r\n+a\r\n+b\r\n:1\r\n", Opts: redis.ParserOptions{MaxDepth: 1}, Err: Protocol},
		{Name: "attribute depth ok", In: "|1\r\n+a\r\n+b\r\n*1\r\n:1\r\n", Opts: redis.ParserOptions{MaxDepth: 1}, Want: list(WithAttrs(Array(Int(1)), Simple("a"), Simple("b")))},
		{Name: "error after attribute", In: "|1\r\n+a\r\n+b\r\n?\r\n", Err: Protocol},
		{Name: "mixed stream", In: "+OK\r\n:1\r\n$1\r\nx\r\n*1\r\n_\r\n%0\r\n#f\r\n", Want: list(Simple("OK"), Int(1), Bulk("x"), Array(Null()), Map(), Bool(false))},
	}
	return cs
}
