//go:build !race

package client_test

import (
	"fmt"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/internal/resptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGetIntoAllocs: GetInto with a buffer big enough allocates nothing, on
// a pooled connection and on the auto-pipelined one, whatever the size;
// in a pipeline it allocates what a GET of a small value does, not the
// value. SET of 1 MiB (a vectored write) allocates nothing either.
func TestGetIntoAllocs(t *testing.T) {
	srv := redistest.Shared(t)
	for _, proto := range []int{2, 3} {
		for _, auto := range []bool{false, true} {
			rdb, err := client.New(client.Options{Addr: srv.Addr(), Protocol: proto, DisableAutoPipeline: !auto})
			require.NoError(t, err)
			if auto {
				rdb.Engine().Mux().ShareAlways(true)
			}
			for _, n := range []int{1, 20000, 300000, 1 << 20, 8 << 20} {
				key := fmt.Sprintf("TestGetIntoAllocs:%d", n)
				val := resptest.Payload(n, 1)
				require.NoError(t, rdb.Set(ctx, key, val, 0).Err())
				buf := make([]byte, 0, n)
				allocs := testing.AllocsPerRun(20, func() {
					if err := rdb.GetInto(ctx, key, buf).Err(); err != nil {
						panic(err)
					}
				})
				assert.Zero(t, allocs, "RESP%d, auto-pipelined %v, %d bytes: GetInto", proto, auto, n)
				set := testing.AllocsPerRun(20, func() {
					if err := rdb.Set(ctx, key, val, 0).Err(); err != nil {
						panic(err)
					}
				})
				if !auto {
					assert.Zero(t, set, "RESP%d, %d bytes: SET", proto, n)
				}
			}
			key := "TestGetIntoAllocs:pipeline"
			require.NoError(t, rdb.Set(ctx, key, resptest.Payload(1<<20, 2), 0).Err())
			require.NoError(t, rdb.Set(ctx, key+":small", "x", 0).Err())
			buf := make([]byte, 0, 1<<20)
			p := rdb.PipelineNoTx()
			pipe := func(get func()) float64 {
				return testing.AllocsPerRun(20, func() {
					for i := 0; i < 10; i++ {
						get()
					}
					if _, err := p.Exec(ctx); err != nil {
						panic(err)
					}
				})
			}
			into := pipe(func() { p.GetInto(ctx, key, buf) })
			small := pipe(func() { p.GetBytes(ctx, key+":small") })
			assert.LessOrEqual(t, into, small+1, "RESP%d, auto %v: a pipeline of GetInto of 1 MiB, vs GET of 1 byte", proto, auto)
			t.Logf("RESP%d, auto %v: pipeline of 10: GetInto 1 MiB %.0f allocs, GetBytes of 1 byte %.0f", proto, auto, into, small)
			rdb.Close()
		}
	}
}
