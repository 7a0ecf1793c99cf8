package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseMyself(t *testing.T) {
	text := "aaa 127.0.0.1:7000@17000 myself,master - 0 0 7 connected 0-5 8 [3->-bbb] [9-<-ccc]\n" +
		"bbb 127.0.0.1:7001@17001 master - 0 1 3 connected 6-7\n"
	me, err := parseMyself(text)
	require.NoError(t, err)
	require.Equal(t, "aaa", me.id)
	require.True(t, me.master)
	require.EqualValues(t, 7, me.epoch)
	var got []int
	for i := 0; i < NumSlots; i++ {
		if me.stable.has(i) {
			got = append(got, i)
		}
	}
	require.Equal(t, []int{0, 1, 2, 4, 5, 8}, got, "a migrating slot is not stable; an importing one is not served")

	me, err = parseMyself("ccc 127.0.0.1:7002@17002 myself,slave aaa 0 0 7 connected\n")
	require.NoError(t, err)
	require.False(t, me.master)
	require.Zero(t, me.stable.len())

	_, err = parseMyself("bbb 127.0.0.1:7001@17001 master - 0 1 3 connected 6-7\n")
	require.Error(t, err)
	_, err = parseMyself("aaa 127.0.0.1:7000@17000 myself,master - 0 0 7 connected 9-2\n")
	require.Error(t, err)
}
