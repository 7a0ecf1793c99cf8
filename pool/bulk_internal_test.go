package pool

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSplitHead: the first write of a large command holds exactly headLen
// bytes, wherever they end (inside the encoded command, inside a large
// value, at an element's end), and the elements keep their bytes in order.
func TestSplitHead(t *testing.T) {
	mk := func(n int, c byte) []byte { return bytes.Repeat([]byte{c}, n) }
	cases := []struct {
		name  string
		elems []int
	}{
		{"small total", []int{40, headLen}},
		{"just over 2*headLen", []int{40, 2*headLen - 39}},
		{"cut in the value", []int{40, 1 << 20, 2}},
		{"cut at an element's end", []int{headLen, 1 << 20, 2}},
		{"cut in the command before the value", []int{headLen + 100, 1 << 20, 2}},
		{"cut in the second element", []int{10, 20, 1 << 20, 2, 1 << 20, 2}},
		{"a value first", []int{1 << 20, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var in net.Buffers
			var want []byte
			total := 0
			for i, n := range tc.elems {
				e := mk(n, byte('a'+i))
				in = append(in, e)
				want = append(want, e...)
				total += n
			}
			out, head := splitHead(append(net.Buffers(nil), in...), total)
			var got []byte
			first := 0
			for i, e := range out {
				got = append(got, e...)
				if i < head {
					first += len(e)
				}
			}
			require.Equal(t, want, got, "bytes in order")
			if total <= 2*headLen {
				assert.Equal(t, len(out), head, "one write")
				return
			}
			assert.Equal(t, headLen, first, "the first write")
			assert.Less(t, head, len(out), "a second write")
		})
	}
}

// TestWriteVecOverTCP: writeVec's two writes deliver the command whole
// over a real socket, with large values before, across and after the
// first headLen bytes, and leave no reference to them in the scratch.
func TestWriteVecOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(c)
		c.Close()
		got <- b
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	var want []byte
	var vec net.Buffers
	for _, pre := range []int{0, 10, headLen - 1, headLen, headLen + 1, 3 * headLen} {
		for _, size := range []int{VecMin, 1 << 20, 3<<20 + 7} {
			v1 := bytes.Repeat([]byte{byte('A' + pre%26)}, size)
			v2 := bytes.Repeat([]byte{byte('a' + size%26)}, VecMin+pre)
			buf, segs, err := AppendCommandVec(bytes.Repeat([]byte{'-'}, pre), nil, "SET", "k", v1, "X", v2)
			require.NoError(t, err)
			require.NoError(t, writeVec(nc, buf, segs, &vec))
			for _, e := range vec[:cap(vec)] {
				require.Nil(t, e, "the scratch holds no caller memory")
			}
			at := 0
			for _, s := range segs {
				want = append(want, buf[at:s.At]...)
				want = append(want, s.B...)
				at = s.At
			}
			want = append(want, buf[at:]...)
		}
	}
	nc.Close()
	b := <-got
	require.Equal(t, len(want), len(b))
	require.True(t, bytes.Equal(want, b))
}
