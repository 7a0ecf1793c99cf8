//go:build hiredis && cgo

package cparser_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/cparser"
	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCorpus(t *testing.T) {
	resptest.Run(t, cparser.NewParser)
}

func TestLargeBulkSplits(t *testing.T) {
	resptest.RunLargeBulkSplits(t, cparser.NewParser)
}

// readAll parses in with reads of the given sizes (cycled; 0 means the rest).
func readAll(t *testing.T, in string, opts redis.ParserOptions, sizes ...int) ([]redis.Reply, error) {
	t.Helper()
	var chunks [][]byte
	for i, k := 0, 0; i < len(in); k++ {
		n := len(in) - i
		if len(sizes) > 0 && sizes[k%len(sizes)] > 0 && sizes[k%len(sizes)] < n {
			n = sizes[k%len(sizes)]
		}
		chunks = append(chunks, []byte(in[i:i+n]))
		i += n
	}
	p := cparser.New(resptest.Chunks(chunks...), opts)
	defer p.Close()
	return resptest.Collect(p)
}

// hiredis 1.2 rejects '!' and '|': the glue must still give the right value,
// whatever the read boundaries, at top level and nested.
func TestBulkErrorsAndAttributes(t *testing.T) {
	W, S, I, B := resptest.WithAttrs, resptest.Simple, resptest.Int, resptest.Bulk
	cases := []struct {
		name string
		in   string
		want []redis.Reply
	}{
		{"bulk errors at top level", "!3\r\nERR\r\n+OK\r\n!0\r\n\r\n",
			[]redis.Reply{resptest.BulkErr("ERR"), S("OK"), resptest.BulkErr("")}},
		{"bulk errors nested", "*3\r\n!1\r\na\r\n$1\r\nb\r\n!2\r\n!|\r\n",
			[]redis.Reply{resptest.Array(resptest.BulkErr("a"), B("b"), resptest.BulkErr("!|"))}},
		{"attribute before each of several replies", "|1\r\n+a\r\n:1\r\n+x\r\n+y\r\n|1\r\n+b\r\n:2\r\n$1\r\nz\r\n",
			[]redis.Reply{W(S("x"), S("a"), I(1)), S("y"), W(B("z"), S("b"), I(2))}},
		{"nested attribute first and last", "*3\r\n|1\r\n+a\r\n:1\r\n:10\r\n:20\r\n|0\r\n:30\r\n",
			[]redis.Reply{resptest.Array(W(I(10), S("a"), I(1)), I(20), W(I(30)))}},
		{"attribute inside an attribute", "|1\r\n+k\r\n|1\r\n+x\r\n+y\r\n+v\r\n+OK\r\n",
			[]redis.Reply{W(S("OK"), S("k"), W(S("v"), S("x"), S("y")))}},
		{"attribute annotating an aggregate in a push", ">2\r\n+m\r\n|1\r\n+a\r\n+b\r\n*1\r\n!1\r\ne\r\n",
			[]redis.Reply{resptest.Push(S("m"), W(resptest.Array(resptest.BulkErr("e")), S("a"), S("b")))}},
		{"consecutive nested attributes", "*1\r\n|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n:3\r\n",
			[]redis.Reply{resptest.Array(W(I(3), S("b"), I(2)))}},
		{"type bytes look alike in payloads", "$3\r\n|!+\r\n+!|\r\n-|\r\n",
			[]redis.Reply{B("|!+"), S("!|"), resptest.ErrReply("|")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, sizes := range [][]int{nil, {1}, {2}, {3, 1}, {7}, {1, 5, 2}} {
				got, err := readAll(t, c.in, redis.ParserOptions{}, sizes...)
				assert.Equal(t, io.EOF, err, "reads of %v", sizes)
				assert.True(t, resptest.EqualAll(c.want, got), "reads of %v:\n got  %v\n want %v", sizes, got, c.want)
			}
		})
	}
}

// A top-level attribute whose reply comes many reads later is kept, and
// counts as buffered until then.
func TestTopLevelAttributeAcrossReads(t *testing.T) {
	r, w := io.Pipe()
	p := cparser.New(r, redis.ParserOptions{})
	defer p.Close()
	var got redis.Reply
	done := make(chan error)
	go func() { done <- p.ReadReply(&got) }()
	for _, s := range []string{"|1\r\n+a\r\n", ":1\r\n", "*2\r\n:1\r\n", "$3\r\nabc", "\r\n"} {
		_, err := w.Write([]byte(s))
		require.NoError(t, err)
	}
	require.NoError(t, <-done)
	want := resptest.WithAttrs(resptest.Array(resptest.Int(1), resptest.Bulk("abc")), resptest.Simple("a"), resptest.Int(1))
	assert.True(t, resptest.Equal(&want, &got), "got %v", got)
	assert.Zero(t, p.Buffered())
}

func TestLimits(t *testing.T) {
	small := redis.ParserOptions{MaxBulkLen: 10, MaxAggregateLen: 3, MaxDepth: 2}
	cases := []struct {
		name, in string
		offset   int64 // where the error is reported, give or take a few bytes
	}{
		{"bulk header alone", "+OK\r\n$11\r\n", 5},
		{"bulk error header alone", "+OK\r\n!11\r\n", 5},
		{"verbatim header alone", "+OK\r\n=11\r\n", 5},
		{"nested bulk header", "*1\r\n$100000\r\nxx", 4},
		{"line without end", "+OK\r\n+" + strings.Repeat("x", 40), 5},
		{"long line", "-" + strings.Repeat("x", 11) + "\r\n", 0},
		{"long double", ",1.000000000\r\n", 0},
		{"long integer", ":12345678901\r\n", 0},
		{"long big number", "(12345678901\r\n", 0},
		{"array count", "*4\r\n", 0},
		{"map count", "%1\r\n+a\r\n%4\r\n", 8},
		{"depth", "*1\r\n*1\r\n*1\r\n", 8},
		{"depth through attribute", "*1\r\n|1\r\n*0\r\n*0\r\n*1\r\n*0\r\n", 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, sizes := range [][]int{nil, {1}, {4}} {
				_, err := readAll(t, c.in, small, sizes...)
				var pe *redis.ProtocolError
				require.ErrorAs(t, err, &pe, "reads of %v", sizes)
				assert.InDelta(t, c.offset, pe.Offset, 6, "offset of %v (reads of %v)", err, sizes)
			}
		})
	}
	// At the limits, all is well.
	got, err := readAll(t, "$10\r\n0123456789\r\n*3\r\n*1\r\n:1\r\n:2\r\n:3\r\n+0123456789\r\n", small)
	assert.Equal(t, io.EOF, err)
	assert.Len(t, got, 3)
}

// The limit on a bulk applies as soon as its header is read: the payload is
// never waited for.
func TestBulkLimitBeforePayload(t *testing.T) {
	r, w := io.Pipe()
	p := cparser.New(r, redis.ParserOptions{MaxBulkLen: 1 << 20})
	defer p.Close()
	go w.Write([]byte("$2000000\r\nabc")) // and nothing more
	var got redis.Reply
	var pe *redis.ProtocolError
	require.ErrorAs(t, p.ReadReply(&got), &pe)
	assert.Contains(t, pe.Msg, "limit")
}

func TestBuffered(t *testing.T) {
	in := "+OK\r\n:1\r\n$3\r\nabc\r\n*2\r\n:1\r\n"
	p := cparser.New(iotest.HalfReader(strings.NewReader(in)), redis.ParserOptions{})
	defer p.Close()
	var r redis.Reply
	assert.Zero(t, p.Buffered())
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, "OK", string(r.Str))
	fed := int(p.Buffered()) + 5 // what was read so far
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, fed-5-4, p.Buffered())
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, "abc", string(r.Str))
	assert.Equal(t, fed-5-4-9, p.Buffered())
	assert.ErrorIs(t, p.ReadReply(&r), io.ErrUnexpectedEOF)
	assert.Equal(t, 8, p.Buffered(), "the incomplete array stays buffered")

	p = cparser.New(strings.NewReader("+a\r\n+b\r\n+c\r\n"), redis.ParserOptions{})
	defer p.Close()
	for want := 8; want >= 0; want -= 4 {
		require.NoError(t, p.ReadReply(&r))
		assert.Equal(t, want, p.Buffered())
	}
	assert.Equal(t, io.EOF, p.ReadReply(&r))
}

func TestStickyErrors(t *testing.T) {
	p := cparser.New(strings.NewReader("+OK\r\n:1\r\n?bad\r\n+later\r\n"), redis.ParserOptions{})
	defer p.Close()
	var r redis.Reply
	require.NoError(t, p.ReadReply(&r))
	require.NoError(t, p.ReadReply(&r), "a complete reply comes before the error after it")
	err := p.ReadReply(&r)
	var pe *redis.ProtocolError
	require.ErrorAs(t, err, &pe)
	assert.InDelta(t, 9, pe.Offset, 1)
	assert.Contains(t, err.Error(), `"?"`)
	assert.Equal(t, err, p.ReadReply(&r), "errors are sticky")
	assert.Equal(t, err, p.ReadReply(&r), "errors are sticky")

	p.Reset(strings.NewReader(":7\r\n"))
	assert.Zero(t, p.Buffered())
	require.NoError(t, p.ReadReply(&r), "Reset clears the error")
	assert.Equal(t, int64(7), r.Int)
	assert.Equal(t, io.EOF, p.ReadReply(&r))
	assert.Equal(t, io.EOF, p.ReadReply(&r))
}

func TestReaderErrors(t *testing.T) {
	boom := errors.New("boom")
	p := cparser.New(iotest.DataErrReader(strings.NewReader("+OK\r\n$10\r\nabc")), redis.ParserOptions{})
	defer p.Close()
	var r redis.Reply
	require.NoError(t, p.ReadReply(&r), "data that came with an error is parsed first")
	assert.ErrorIs(t, p.ReadReply(&r), io.ErrUnexpectedEOF)

	p.Reset(io.MultiReader(strings.NewReader("+OK\r\n"), iotest.ErrReader(boom)))
	require.NoError(t, p.ReadReply(&r))
	assert.ErrorIs(t, p.ReadReply(&r), boom)
	assert.ErrorIs(t, p.ReadReply(&r), boom)

	p.Reset(emptyReader{})
	assert.ErrorIs(t, p.ReadReply(&r), io.ErrNoProgress)
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestReset(t *testing.T) {
	p := cparser.New(strings.NewReader("*2\r\n$3\r\nabc"), redis.ParserOptions{})
	defer p.Close()
	var r redis.Reply
	assert.ErrorIs(t, p.ReadReply(&r), io.ErrUnexpectedEOF)
	// The half-read reply of the old stream is gone.
	p.Reset(strings.NewReader("+OK\r\n"))
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, "OK", string(r.Str))
	assert.Equal(t, io.EOF, p.ReadReply(&r))
	// Reset in the middle of a read-ahead batch drops the rest of it.
	p.Reset(strings.NewReader("+a\r\n+b\r\n"))
	require.NoError(t, p.ReadReply(&r))
	p.Reset(strings.NewReader("+c\r\n"))
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, "c", string(r.Str))
	// A closed Parser comes back to life with Reset.
	require.NoError(t, p.Close())
	require.NoError(t, p.Close(), "Close is idempotent")
	assert.Error(t, p.ReadReply(&r))
	p.Reset(strings.NewReader(":1\r\n"))
	require.NoError(t, p.ReadReply(&r))
	assert.Equal(t, int64(1), r.Int)
}

// ReadReply reuses the storage dst holds, recursively.
func TestReplyReuse(t *testing.T) {
	in := strings.Repeat("*2\r\n*2\r\n:1\r\n:2\r\n$1\r\nx\r\n", 3)
	p := cparser.New(strings.NewReader(in), redis.ParserOptions{})
	defer p.Close()
	var r redis.Reply
	require.NoError(t, p.ReadReply(&r))
	outer, inner := &r.Elems[0], &r.Elems[0].Elems[0]
	require.NoError(t, p.ReadReply(&r))
	assert.Same(t, outer, &r.Elems[0])
	assert.Same(t, inner, &r.Elems[0].Elems[0])
	want := resptest.Array(resptest.Array(resptest.Int(1), resptest.Int(2)), resptest.Bulk("x"))
	assert.True(t, resptest.Equal(&want, &r))
}

// gen writes a random RESP3 value to b and returns what it should parse to.
func gen(rng *rand.Rand, b *bytes.Buffer, depth int) redis.Reply {
	str := func() string {
		n := rng.IntN(20)
		if rng.IntN(50) == 0 {
			n = 70000 + rng.IntN(70000) // spans reads
		}
		s := make([]byte, n)
		for i := range s {
			s[i] = "ab\r\n!|+$*\x00"[rng.IntN(10)]
		}
		return string(s)
	}
	line := func() string { // a simple string: no CR or LF
		return strings.NewReplacer("\r", "_", "\n", "_").Replace(str())
	}
	var sub bytes.Buffer
	var r redis.Reply
	kind := rng.IntN(14)
	if depth > 4 && kind >= 10 {
		kind = rng.IntN(10)
	}
	switch kind {
	case 0:
		s := line()
		sub.WriteString("+" + s + "\r\n")
		r = resptest.Simple(s)
	case 1:
		s := line()
		sub.WriteString("-" + s + "\r\n")
		r = resptest.ErrReply(s)
	case 2:
		v := rng.Int64() >> rng.IntN(64)
		if rng.IntN(2) == 0 {
			v = -v
		}
		sub.WriteString(":" + strconv.FormatInt(v, 10) + "\r\n")
		r = resptest.Int(v)
	case 3, 4:
		s := str()
		sub.WriteString("$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n")
		r = resptest.Bulk(s)
	case 5:
		s := str()
		sub.WriteString("!" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n")
		r = resptest.BulkErr(s)
	case 6:
		s := str()
		sub.WriteString("=" + strconv.Itoa(len(s)+4) + "\r\ntxt:" + s + "\r\n")
		r = resptest.Verbatim("txt", s)
	case 7:
		f := rng.NormFloat64() * 1e6
		s := strconv.FormatFloat(f, 'g', -1, 64)
		sub.WriteString("," + s + "\r\n")
		r = resptest.Double(f, s)
	case 8:
		sub.WriteString([]string{"_\r\n", "$-1\r\n", "*-1\r\n"}[rng.IntN(3)])
		r = resptest.Null()
	case 9:
		v := rng.IntN(2) == 0
		sub.WriteString(map[bool]string{true: "#t\r\n", false: "#f\r\n"}[v])
		r = resptest.Bool(v)
	default:
		n := rng.IntN(6)
		typ := "*~>%"[kind-10]
		count := n
		if typ == '%' {
			n *= 2
		}
		sub.WriteString(string(typ) + strconv.Itoa(count) + "\r\n")
		var elems []redis.Reply
		for i := 0; i < n; i++ {
			elems = append(elems, gen(rng, &sub, depth+1))
		}
		r = map[byte]func(...redis.Reply) redis.Reply{
			'*': resptest.Array, '~': resptest.Set, '>': resptest.Push, '%': resptest.Map,
		}[typ](elems...)
	}
	b.Write(sub.Bytes())
	// Sometimes an attribute precedes the value just written.
	if rng.IntN(8) == 0 {
		var a bytes.Buffer
		n := rng.IntN(3)
		a.WriteString("|" + strconv.Itoa(n) + "\r\n")
		var kv []redis.Reply
		for i := 0; i < 2*n; i++ {
			kv = append(kv, gen(rng, &a, depth+1))
		}
		whole := b.Bytes()
		head := append([]byte(nil), whole[:len(whole)-sub.Len()]...)
		b.Reset()
		b.Write(head)
		b.Write(a.Bytes())
		b.Write(sub.Bytes())
		r = resptest.WithAttrs(r, kv...)
	}
	return r
}

// randomReader returns its data in reads of random sizes.
type randomReader struct {
	data []byte
	rng  *rand.Rand
}

func (r *randomReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := 1 + r.rng.IntN(1+min(len(p), 3*len(r.data)/2))
	n = min(n, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// Random streams of every type, big and small, read in random pieces: the
// tape carried from read to read must give exactly what was sent, and what
// goparser gives.
func TestRandomStreams(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		rng := rand.New(rand.NewPCG(seed, 42))
		var in bytes.Buffer
		var want []redis.Reply
		for i := 0; i < 300; i++ {
			want = append(want, gen(rng, &in, 1))
		}
		p := cparser.New(&randomReader{data: in.Bytes(), rng: rng}, redis.ParserOptions{})
		got, err := resptest.Collect(p)
		p.Close()
		require.Equal(t, io.EOF, err, "seed %d", seed)
		require.Equal(t, len(want), len(got), "seed %d", seed)
		for i := range want {
			require.True(t, resptest.Equal(&want[i], &got[i]), "seed %d reply %d:\n got  %v\n want %v", seed, i, got[i], want[i])
		}
		gp := goparser.New(bytes.NewReader(in.Bytes()), redis.ParserOptions{})
		fromGo, err := resptest.Collect(gp)
		require.Equal(t, io.EOF, err)
		require.True(t, resptest.EqualAll(fromGo, got), "seed %d: goparser disagrees", seed)
	}
}

// Big top-level bulks are not copied by the glue (their buffer is handed
// over): several in one read, between other replies, after an attribute, and
// big bulks that must still be copied (nested, bulk errors) all come out
// right, and each stays valid until the next ReadReply.
func TestBigBulks(t *testing.T) {
	big := func(c byte, n int) string { return strings.Repeat(string(c), n) }
	a, b, c, e := big('a', 40<<10), big('b', 100<<10), big('c', 1<<20), big('e', 50<<10)
	bulk := func(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
	in := bulk(a) + bulk(a) + "+OK\r\n" + bulk(b) + "|1\r\n+k\r\n:1\r\n" + bulk(c) +
		"*2\r\n" + bulk(b) + bulk(a) + "!" + strconv.Itoa(len(e)) + "\r\n" + e + "\r\n" + bulk(c) + ":7\r\n"
	want := []redis.Reply{
		resptest.Bulk(a), resptest.Bulk(a), resptest.Simple("OK"), resptest.Bulk(b),
		resptest.WithAttrs(resptest.Bulk(c), resptest.Simple("k"), resptest.Int(1)),
		resptest.Array(resptest.Bulk(b), resptest.Bulk(a)), resptest.BulkErr(e), resptest.Bulk(c), resptest.Int(7),
	}
	for _, sizes := range [][]int{nil, {64 << 10}, {1000, 70000}, {7}} {
		got, err := readAll(t, in, redis.ParserOptions{}, sizes...)
		require.Equal(t, io.EOF, err, "reads of %v", sizes)
		require.True(t, resptest.EqualAll(want, got), "reads of %v", sizes)
	}
	// Views stay intact until the next ReadReply, whatever comes after.
	p := cparser.New(strings.NewReader(in), redis.ParserOptions{})
	defer p.Close()
	var r redis.Reply
	for i := range want {
		require.NoError(t, p.ReadReply(&r))
		require.True(t, resptest.Equal(&want[i], &r), "reply %d", i)
	}
}
