package goparser

import (
	"bytes"
	"math"
	"strconv"
)

func indexByte(b []byte, c byte) int { return bytes.IndexByte(b, c) }

// parseInt parses the strict RESP integer grammar: "0" or -?[1-9][0-9]*,
// within int64 (no '+', no leading zeros, no "-0").
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := b[0] == '-'
	d := b
	if neg {
		d = b[1:]
	}
	if len(d) == 0 || d[0] < '0' || d[0] > '9' || (d[0] == '0' && (len(d) > 1 || neg)) {
		return 0, false
	}
	var v uint64
	for _, c := range d {
		c -= '0'
		if c > 9 {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c)
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// maxDoubleLen is the longest double line accepted (the same bound as
// hiredis's reader, so both parsers agree).
const maxDoubleLen = 325

// parseDouble parses a RESP3 double: [+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?
// or, case-insensitively, inf, -inf, nan, -nan. A finite-looking value that
// overflows is refused.
func parseDouble(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > maxDoubleLen {
		return 0, false
	}
	switch {
	case len(b) == 3 && equalFold(b, "inf"):
		return math.Inf(1), true
	case len(b) == 4 && equalFold(b, "-inf"):
		return math.Inf(-1), true
	case len(b) == 3 && equalFold(b, "nan"), len(b) == 4 && equalFold(b, "-nan"):
		return math.NaN(), true
	}
	if !validDecimal(b) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		// Underflow gives 0 or a denormal without error; overflow is ErrRange.
		return 0, false
	}
	if math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func validDecimal(b []byte) bool {
	i := 0
	if b[0] == '+' || b[0] == '-' {
		i++
	}
	digits := func() bool {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > s
	}
	if !digits() {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(b)
}

func equalFold(b []byte, s string) bool {
	for i := 0; i < len(s); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// validBigNumber checks -?[0-9]+.
func validBigNumber(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// quote renders untrusted bytes for an error message, cut short.
func quote(b []byte) string {
	if len(b) > 32 {
		return strconv.Quote(string(b[:32])) + "..."
	}
	return strconv.Quote(string(b))
}

func quoteByte(c byte) string { return strconv.QuoteRune(rune(c)) }
