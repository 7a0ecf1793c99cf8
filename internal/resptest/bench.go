package resptest

import (
	"io"
	"strconv"
	"strings"
	"testing"

	redis "github.com/duoredis/redis"
)

// Workload is a parser benchmark: a stream of Replies replies, parsed over
// and over.
type Workload struct {
	Name    string
	Stream  []byte
	Replies int // replies in Stream
	Elems   int // elements per reply, for aggregates (0 for scalars)
}

// Workloads are the parser benchmarks of both parsers.
var Workloads = func() []Workload {
	repeat := func(s string, n int) []byte { return []byte(strings.Repeat(s, n)) }
	bulk16 := "$16\r\n0123456789abcdef\r\n"
	arr := "*1000\r\n" + strings.Repeat(bulk16, 1000)
	var m strings.Builder
	m.WriteString("%100\r\n")
	for i := 0; i < 100; i++ {
		k := "field:" + strconv.Itoa(i)
		m.WriteString("$" + strconv.Itoa(len(k)) + "\r\n" + k + "\r\n")
		m.WriteString(":" + strconv.Itoa(i*1000) + "\r\n")
	}
	mb := strings.Repeat("x", 1<<20)
	return []Workload{
		{Name: "ok", Stream: repeat("+OK\r\n", 10000), Replies: 10000},
		{Name: "int", Stream: repeat(":1234567\r\n", 10000), Replies: 10000},
		{Name: "bulk16", Stream: repeat(bulk16, 10000), Replies: 10000},
		{Name: "array1000", Stream: []byte(arr), Replies: 1, Elems: 1000},
		{Name: "bulk1MiB", Stream: []byte("$1048576\r\n" + mb + "\r\n"), Replies: 1},
		{Name: "map100", Stream: []byte(m.String()), Replies: 1, Elems: 200},
	}
}()

// loopReader returns its data over and over, at most chunk bytes a Read,
// as a socket would.
type loopReader struct {
	data  []byte
	pos   int
	chunk int
}

func (l *loopReader) Read(p []byte) (int, error) {
	if len(p) > l.chunk {
		p = p[:l.chunk]
	}
	n := copy(p, l.data[l.pos:])
	l.pos += n
	if l.pos == len(l.data) {
		l.pos = 0
	}
	return n, nil
}

// Loop returns a reader that repeats data forever, at most chunk bytes per
// Read.
func Loop(data []byte, chunk int) io.Reader { return &loopReader{data: data, chunk: chunk} }

// Bench parses w with a parser made by newParser, one reply per op. It
// reports MB/s and, for aggregates, ns per element.
func Bench(b *testing.B, w Workload, newParser redis.NewParserFunc) {
	p := newParser(Loop(w.Stream, 64<<10), redis.ParserOptions{})
	var r redis.Reply
	b.SetBytes(int64(len(w.Stream) / w.Replies))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.ReadReply(&r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if w.Elems > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(w.Elems), "ns/elem")
	}
	if c, ok := p.(io.Closer); ok {
		c.Close()
	}
}
