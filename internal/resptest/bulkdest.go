package resptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"testing"

	redis "github.com/duoredis/redis"
)

// BulkDestSizes are the payload sizes at which the parsers' ReadBulk paths
// differ: empty, one byte, around the part read straight into the
// destination (16 KiB), goparser's buffer and hiredis's hand-over (32 KiB),
// cparser's read buffer (64 KiB), the owned-bulk size (BigBulk), and 1 MiB.
var BulkDestSizes = []int{0, 1, 16<<10 - 1, 16 << 10, 16<<10 + 1, 32<<10 - 1, 32 << 10, 32<<10 + 1,
	64<<10 - 1, 64 << 10, 64<<10 + 1, BigBulk - 1, BigBulk, BigBulk + 1, 1 << 20}

// Payload returns n bytes holding CRs, LFs and type bytes (see payload),
// for tests of large values.
func Payload(n int, seed byte) []byte { return []byte(payload(n, seed)) }

// failWriter takes limit bytes, then fails.
type failWriter struct {
	bytes.Buffer
	limit int
}

var errWriter = errors.New("writer failed")

func (w *failWriter) Write(p []byte) (int, error) {
	if room := w.limit - w.Len(); len(p) > room {
		w.Buffer.Write(p[:room])
		return room, errWriter
	}
	return w.Buffer.Write(p)
}

// declining selects no destination: ReadBulk must then read as ReadReply.
type declining struct{}

func (declining) SelectBulk(int64) *redis.BulkDest { return nil }

// RunBulkDestSplits reads, with redis.ReadBulk, a stream of two bulk
// strings of each size in BulkDestSizes (back to back, so the second starts
// in the read that ends the first), a null and an error, after nothing, a
// small reply or a 200000-byte bulk read with ReadReply, into a buffer big
// enough, one too small, a writer and a writer that fails halfway (the
// stream must stay in step: the next replies are right), and with a
// selector that declines; cut into reads at every boundary the parsers tell
// apart (in and after the header, in the payload, before and after its CR
// and LF, at each threshold of the part read straight from the stream).
func RunBulkDestSplits(t *testing.T, newParser redis.NewParserFunc) {
	big := payload(200000, 9)
	prefixes := []struct{ name, in string }{
		{"fresh", ""}, {"after +OK", "+OK\r\n"}, {"after 200000", "$200000\r\n" + big + "\r\n"},
	}
	for _, n := range BulkDestSizes {
		for _, pre := range prefixes {
			t.Run(fmt.Sprintf("%d/%s", n, pre.name), func(t *testing.T) {
				t.Parallel()
				runBulkDest(t, newParser, n, pre.in)
			})
		}
	}
}

func runBulkDest(t *testing.T, newParser redis.NewParserFunc, n int, pre string) {
	a, b := payload(n, 1), payload(n, 2)
	hdr := "$" + strconv.Itoa(n) + "\r\n"
	in := []byte(pre + hdr + a + "\r\n" + hdr + b + "\r\n" + "$-1\r\n-ERR x\r\n")
	cuts := map[int]bool{}
	for _, base := range []int{len(pre), len(pre) + len(hdr) + n + 2} {
		h := base + len(hdr)
		for _, m := range []int{base - 1, base, base + 1, h - 2, h - 1, h, h + 1, h + n/2,
			h + n - directMinT - 1, h + n - directMinT, h + n - directMinT + 1, h + n - 1, h + n, h + n + 1, h + n + 2} {
			if m > 0 && m < len(in) {
				cuts[m] = true
			}
		}
	}
	var at []int
	for c := range cuts {
		at = append(at, c)
	}
	sort.Ints(at)
	readers := []struct {
		name string
		r    func() io.Reader
	}{{"whole", func() io.Reader { return bytes.NewReader(in) }}}
	for _, c := range at {
		readers = append(readers, struct {
			name string
			r    func() io.Reader
		}{fmt.Sprintf("cut at %d", c), func() io.Reader { return Chunks(in[:c], in[c:]) }})
	}
	if n <= 64<<10+1 {
		readers = append(readers, struct {
			name string
			r    func() io.Reader
		}{"edge bytes", func() io.Reader { return edgeBytes(in, 40) }})
	}
	for _, opts := range []redis.ParserOptions{PoolOptions(redis.ParserOptions{}), {}} {
		for _, rd := range readers {
			for mode := 0; mode < 5; mode++ {
				where := fmt.Sprintf("OwnLargeBulks=%v, %s, mode %d", opts.OwnLargeBulks, rd.name, mode)
				checkBulkDest(t, where, newParser(rd.r(), opts), pre != "", mode, a, b)
			}
		}
	}
}

// directMinT is the parsers' directMin (16 KiB in both).
const directMinT = 16 << 10

func checkBulkDest(t *testing.T, where string, p redis.Parser, pre bool, mode int, a, b string) {
	t.Helper()
	defer func() {
		if c, ok := p.(io.Closer); ok {
			c.Close()
		}
	}()
	var r redis.Reply
	if pre {
		if err := p.ReadReply(&r); err != nil {
			t.Fatalf("%s: prefix: %v", where, err)
		}
	}
	for i, want := range []string{a, b} {
		var d redis.BulkDest
		var sel redis.BulkSelector = &d
		var w *failWriter
		switch mode {
		case 0: // big enough, with room to spare
			d.Buf = make([]byte, 3, len(want)+7)
		case 1: // too small
			if len(want) > 0 {
				d.Buf = make([]byte, 0, len(want)-1)
			}
		case 2:
			w = &failWriter{limit: 1 << 30}
			d.W = w
		case 3: // fails halfway
			w = &failWriter{limit: len(want) / 2}
			d.W = w
		case 4:
			sel = declining{}
		}
		buf := d.Buf
		if err := redis.ReadBulk(p, &r, sel); err != nil {
			t.Fatalf("%s: bulk %d: %v", where, i, err)
		}
		if r.Kind != redis.KindBulkString {
			t.Fatalf("%s: bulk %d: got %v", where, i, r.Kind)
		}
		switch mode {
		case 0, 1:
			if !d.Done || d.N != int64(len(want)) || string(d.Buf) != want || string(r.Str) != want {
				t.Fatalf("%s: bulk %d: done %v, N %d, %d bytes, want %d", where, i, d.Done, d.N, len(d.Buf), len(want))
			}
			if mode == 0 && len(want) > 0 && &d.Buf[0] != &buf[:1][0] {
				t.Fatalf("%s: bulk %d: a buffer big enough was not used", where, i)
			}
		case 2, 3:
			if !d.Done || w.String() != want[:min(len(want), w.limit)] || d.Written != int64(w.Len()) || len(r.Str) != 0 {
				t.Fatalf("%s: bulk %d: writer got %d bytes (Written %d), want %d", where, i, w.Len(), d.Written, len(want))
			}
			if (mode == 3 && len(want) > 0) != (d.WErr != nil) {
				t.Fatalf("%s: bulk %d: WErr %v", where, i, d.WErr)
			}
		case 4:
			if string(r.Str) != want {
				t.Fatalf("%s: bulk %d: declined, got %d bytes, want %d", where, i, len(r.Str), len(want))
			}
		}
	}
	var d redis.BulkDest
	if err := redis.ReadBulk(p, &r, &d); err != nil || r.Kind != redis.KindNull || d.Done {
		t.Fatalf("%s: null: %v %v", where, r.Kind, err)
	}
	if err := redis.ReadBulk(p, &r, &d); err != nil || r.Kind != redis.KindError || string(r.Str) != "ERR x" || d.Done {
		t.Fatalf("%s: error: %v %v", where, r, err)
	}
	if err := redis.ReadBulk(p, &r, &d); err != io.EOF {
		t.Fatalf("%s: at the end: %v, want EOF", where, err)
	}
}
