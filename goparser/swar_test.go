package goparser

import (
	"encoding/binary"
	"strconv"
	"testing"
)

func TestSwarDigits(t *testing.T) {
	for _, s := range []string{"0\r\n", "7\r\nxxxx", "12\r\n", "1234567\r", "12345678", "99999999", "00000001",
		"1a", "a1", "\r\n", "9/", "9:", "123/456", "1234\xff\xff\xff\xff", "5\xfa\xfa\xfa\xfa\xfa\xfa\xfa"} {
		b := []byte((s + "xxxxxxxx")[:8])
		v, n := swarDigits(binary.LittleEndian.Uint64(b))
		wantN := 0
		for wantN < 8 && b[wantN] >= '0' && b[wantN] <= '9' {
			wantN++
		}
		var want int64
		if wantN > 0 {
			want, _ = strconv.ParseInt(string(b[:wantN]), 10, 64)
		}
		if v != want || n != wantN {
			t.Errorf("%q: got %d,%d want %d,%d", s, v, n, want, wantN)
		}
	}
}
