package resptest

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"

	redis "github.com/duoredis/redis"
)

// BigBulk is the size from which both parsers, with OwnLargeBulks, read a
// top-level bulk string into memory of its own instead of their buffer
// (goparser's bigBulk, cparser's bigBulk).
const BigBulk = 256 << 10

// PoolOptions returns o as the pool's connections use it: pool/conn.go's
// parserOptions turns OwnLargeBulks on, so that is the path a parser takes
// in production, and the one every test must cover too.
func PoolOptions(o redis.ParserOptions) redis.ParserOptions {
	o.OwnLargeBulks = true
	return o
}

// largeTarget is a reply whose every boundary RunLargeBulkSplits cuts at.
type largeTarget struct {
	name string
	in   string
	want redis.Reply
	// marks are the offsets in in where the parser's paths differ: in the
	// header, just after it, in the payload, before and after its CR, its
	// LF.
	marks []int
}

// payload returns n bytes that hold CRs, LFs and type bytes, so that a
// parser that looks for a line in a payload goes wrong.
func payload(n int, seed byte) string {
	var b strings.Builder
	b.Grow(n)
	pat := "0123456789\r\n$*+" + string(rune('a'+seed%26))
	for b.Len() < n {
		b.WriteString(pat)
	}
	return b.String()[:n]
}

// bulkTarget is a bulk string of n bytes with its header, optionally inside
// an array of one (the nested path, never owned).
func bulkTarget(n int, nested bool) largeTarget {
	s := payload(n, byte(n))
	hdr := "$" + strconv.Itoa(n) + "\r\n"
	t := largeTarget{name: "bulk " + strconv.Itoa(n), in: hdr + s + "\r\n", want: Bulk(s)}
	off := 0
	t.marks = []int{0}
	if nested {
		t.name = "nested " + t.name
		t.in = "*1\r\n" + t.in
		t.want = Array(t.want)
		off = 4
		t.marks = append(t.marks, 1, 3, 4)
	}
	h, end := off+len(hdr), off+len(hdr)+n
	t.marks = append(t.marks, off+1, h-1, h, h+1, h+4096, end-1, end, end+1, end+2)
	return t
}

// RunLargeBulkSplits reads large bulk strings, top level and nested, at sizes
// around BigBulk, after replies that grew the parser's buffer (or none),
// with the options the pool uses and with the defaults, cut into reads at
// every boundary the parsers tell apart: in and after the header, in the
// payload, before and after its CR, after its LF, and at every pair of those
// (three reads). Whatever the cuts, the replies must be the same.
func RunLargeBulkSplits(t *testing.T, newParser redis.NewParserFunc) {
	sizes := []int{BigBulk - 1, BigBulk, BigBulk + 1, 300000}
	var targets []largeTarget
	for _, n := range sizes {
		targets = append(targets, bulkTarget(n, false))
	}
	targets = append(targets, bulkTarget(BigBulk, true))
	// What comes before: nothing (a fresh buffer), a 200,000-byte bulk (a
	// buffer grown to hold it, and more), and a small reply (a reply that
	// starts inside the buffer).
	first := payload(200000, 7)
	prefixes := []struct {
		name string
		in   string
		want []redis.Reply
	}{
		{"fresh", "", nil},
		{"after 200000", "$200000\r\n" + first + "\r\n", []redis.Reply{Bulk(first)}},
		{"after +OK", "+OK\r\n", []redis.Reply{Simple("OK")}},
	}
	const tail = ":7\r\n"
	for _, pre := range prefixes {
		for _, tg := range targets {
			in := []byte(pre.in + tg.in + tail)
			want := append(append(append([]redis.Reply(nil), pre.want...), tg.want), Int(7))
			cuts := map[int]bool{}
			if len(pre.in) > 0 {
				cuts[len(pre.in)-1] = true
				cuts[len(pre.in)-2] = true
			}
			for _, m := range tg.marks {
				cuts[len(pre.in)+m] = true
			}
			cuts[len(in)-1] = true
			var at []int
			for c := range cuts {
				if c > 0 && c < len(in) {
					at = append(at, c)
				}
			}
			sort.Ints(at)
			t.Run(pre.name+"/"+tg.name, func(t *testing.T) {
				t.Parallel()
				for _, opts := range []redis.ParserOptions{PoolOptions(redis.ParserOptions{}), {}} {
					check := func(how string, r io.Reader) {
						t.Helper()
						p := newParser(r, opts)
						got, err := Collect(p)
						if c, ok := p.(io.Closer); ok {
							c.Close()
						}
						if !EqualAll(got, want) || Classify(err) != EOF {
							t.Fatalf("OwnLargeBulks=%v, %s: got %d replies (%s) then %v (%v), want %d replies then EOF",
								opts.OwnLargeBulks, how, len(got), summary(got), Classify(err), err, len(want))
						}
					}
					check("whole", bytes.NewReader(in))
					for i, a := range at {
						check(fmt.Sprintf("cut at %d", a), Chunks(in[:a], in[a:]))
						if !opts.OwnLargeBulks {
							continue // pairs of cuts with the pool's options only
						}
						for _, b := range at[i+1:] {
							check(fmt.Sprintf("cuts at %d and %d", a, b), Chunks(in[:a], in[a:b], in[b:]))
						}
					}
				}
			})
		}
	}
}

// summary describes replies briefly: big payloads make %v useless.
func summary(rs []redis.Reply) string {
	var parts []string
	for _, r := range rs {
		s := r.Kind.String()
		if len(r.Str) > 0 {
			s += " of " + strconv.Itoa(len(r.Str)) + " bytes"
		}
		if len(r.Elems) > 0 {
			s += " of " + strconv.Itoa(len(r.Elems)) + " elements"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
