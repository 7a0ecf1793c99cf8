package client_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/command"
	"github.com/duoredis/redis/internal/faultproxy"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/internal/resptest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// largeSizes are the value sizes of the large-value tests: every threshold
// of the parsers' ReadBulk, that of vectored writes (pool.VecMin) ±1, and
// 64 MiB.
func largeSizes() []int {
	s := append([]int(nil), resptest.BulkDestSizes...)
	return append(s, pool.VecMin-1, pool.VecMin+1, 64<<20)
}

// TestGetIntoSetLarge sets values of every size (vectored writes above
// pool.VecMin) and reads them back with GetInto into a buffer big enough
// (which must be the memory returned), one too small, and with GetTo and
// Get; RESP2 and RESP3, auto-pipelined or not.
func TestGetIntoSetLarge(t *testing.T) {
	// ReadTimeout bounds a whole reply: a reply of 128 MiB, under -race on
	// a busy machine, takes more than the default 3 s.
	long := func(o *client.Options) { o.ReadTimeout = time.Minute }
	protocolsWith(t, long, func(t *testing.T, rdb *client.Client, k keyspace) {
		buf := make([]byte, 0, 64<<20+16)
		for _, n := range largeSizes() {
			key := k.Key(fmt.Sprint(n))
			val := resptest.Payload(n, byte(n))
			if n%2 == 0 {
				require.NoError(t, rdb.Set(ctx, key, val, 0).Err())
			} else {
				require.NoError(t, rdb.Set(ctx, key, string(val), time.Hour).Err())
			}
			got, err := rdb.GetInto(ctx, key, buf).Result()
			require.NoError(t, err, n)
			require.True(t, bytes.Equal(val, got), "size %d: GetInto got %d bytes", n, len(got))
			if n > 0 {
				assert.Same(t, &buf[:1][0], &got[0], "size %d: a buffer big enough is used", n)
			}
			small, err := rdb.GetInto(ctx, key, make([]byte, 0, max(n-1, 0))).Result()
			require.NoError(t, err)
			require.True(t, bytes.Equal(val, small), "size %d: GetInto, small buffer", n)
			var w bytes.Buffer
			cnt, err := rdb.GetTo(ctx, key, &w).Result()
			require.NoError(t, err)
			require.Equal(t, int64(n), cnt)
			require.True(t, bytes.Equal(val, w.Bytes()), "size %d: GetTo", n)
			if n <= 1<<20 {
				s, err := rdb.Get(ctx, key).Result()
				require.NoError(t, err)
				require.True(t, s == string(val), "size %d: Get", n)
			}
			require.NoError(t, rdb.Append(ctx, key, val).Err())
			got, err = rdb.GetInto(ctx, key, buf).Result()
			require.NoError(t, err)
			require.True(t, bytes.Equal(append(append([]byte(nil), val...), val...), got), "size %d: APPEND", n)
		}
		_, err := rdb.GetInto(ctx, k.Key("missing"), buf).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.GetTo(ctx, k.Key("missing"), io.Discard).Result()
		assert.Equal(t, redis.Nil, err)
		require.NoError(t, rdb.LPush(ctx, k.Key("list"), "x").Err())
		_, err = rdb.GetInto(ctx, k.Key("list"), buf).Result()
		var rerr *redis.Error
		require.ErrorAs(t, err, &rerr)
		assert.Equal(t, "WRONGTYPE", rerr.Prefix())
	})
}

// TestSetFrom streams values from a reader, with and without expiry, and
// checks that a reader failing halfway closes the connection, leaves the
// key as it was, and that the next command is answered rightly.
func TestSetFrom(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		// Sizes around the end of the first write (the command's header
		// and up to 4 KiB of the value) and of the 1 MiB chunks; readers
		// that return all they are asked for, and half of it.
		for i, n := range []int{0, 1, 4000, 4096, 5000, 100000, 1 << 20, 1<<20 + 5000, 3 << 20} {
			key := k.Key(fmt.Sprint(n))
			val := resptest.Payload(n, 3)
			var r io.Reader = bytes.NewReader(val)
			if i%2 == 1 {
				r = iotest.HalfReader(r)
			}
			require.NoError(t, rdb.SetFrom(ctx, key, r, int64(n), time.Hour).Err())
			got, err := rdb.GetBytes(ctx, key).Result()
			require.NoError(t, err)
			require.True(t, bytes.Equal(val, got))
			ttl, err := rdb.TTL(ctx, key).Result()
			require.NoError(t, err)
			assert.Greater(t, ttl, time.Duration(0))
		}
		key := k.Key("failing")
		require.NoError(t, rdb.Set(ctx, key, "before", 0).Err())
		errRead := errors.New("read failed")
		r := io.MultiReader(bytes.NewReader(resptest.Payload(200000, 4)), &failReader{errRead})
		err := rdb.SetFrom(ctx, key, r, 1<<20, 0).Err()
		assert.ErrorIs(t, err, errRead)
		err = rdb.SetFrom(ctx, key, strings.NewReader("short"), 10, 0).Err()
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		got, err := rdb.Get(ctx, key).Result()
		require.NoError(t, err)
		assert.Equal(t, "before", got)
		p := rdb.Pipeline()
		assert.ErrorIs(t, p.SetFrom(ctx, key, strings.NewReader("x"), 1, 0).Err(), command.ErrStreamInPipeline)
	})
}

// TestSetFromReaderFailsEarly: a reader that fails or ends within the
// value's first bytes, which go out with the command's header, fails
// SetFrom before anything of the command is written, so the connection
// stays in the pool; one that fails later closes the connection. Either
// way the key is left as it was and the next commands get their own
// replies.
func TestSetFromReaderFailsEarly(t *testing.T) {
	srv := redistest.Shared(t)
	for _, proto := range []int{2, 3} {
		rdb, err := client.New(client.Options{Addr: srv.Addr(), Protocol: proto, PoolSize: 1, DisableAutoPipeline: true})
		require.NoError(t, err)
		key := fmt.Sprintf("TestSetFromReaderFailsEarly:%d", proto)
		require.NoError(t, rdb.Set(ctx, key, "before", 0).Err())
		errRead := errors.New("read failed")
		early := []io.Reader{
			&failReader{errRead},
			io.MultiReader(strings.NewReader("abc"), &failReader{errRead}),
			io.MultiReader(bytes.NewReader(resptest.Payload(3000, 1)), &failReader{errRead}),
			strings.NewReader("short"),
		}
		for _, r := range early {
			err := rdb.SetFrom(ctx, key, r, 1<<20, 0).Err()
			require.Error(t, err)
			if _, short := r.(*strings.Reader); short {
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			} else {
				assert.ErrorIs(t, err, errRead)
			}
			got, err := rdb.Get(ctx, key).Result()
			require.NoError(t, err)
			assert.Equal(t, "before", got)
		}
		st := rdb.PoolStats()
		assert.Equal(t, 1, int(st.TotalConns), "the connection was kept: %+v", st)
		assert.Zero(t, st.Closed.Error, "no connection was closed: %+v", st)
		// Past the first write: the connection is closed and replaced.
		r := io.MultiReader(bytes.NewReader(resptest.Payload(200000, 2)), &failReader{errRead})
		require.ErrorIs(t, rdb.SetFrom(ctx, key, r, 1<<20, 0).Err(), errRead)
		got, err := rdb.Get(ctx, key).Result()
		require.NoError(t, err)
		assert.Equal(t, "before", got)
		assert.NotZero(t, rdb.PoolStats().Closed.Error, "the half-written connection was closed")
		rdb.Close()
	}
}

type failReader struct{ err error }

func (r *failReader) Read([]byte) (int, error) { return 0, r.err }

// failWriter takes limit bytes, then fails.
type failWriter struct {
	n, limit int
}

var errWrite = errors.New("write failed")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		k := w.limit - w.n
		w.n = w.limit
		return k, errWrite
	}
	w.n += len(p)
	return len(p), nil
}

// TestGetToWriterFails: a writer that fails halfway through a large value
// gets GetTo's error; the rest of the value is dropped and the connection
// goes back to the pool in step: the next commands (on the same pooled
// connection, since the pool has one) get their own replies.
func TestGetToWriterFails(t *testing.T) {
	srv := redistest.Shared(t)
	for _, proto := range []int{2, 3} {
		rdb, err := client.New(client.Options{Addr: srv.Addr(), Protocol: proto, PoolSize: 1})
		require.NoError(t, err)
		key := fmt.Sprintf("TestGetToWriterFails:%d", proto)
		val := resptest.Payload(5<<20, 5)
		require.NoError(t, rdb.Set(ctx, key, val, 0).Err())
		require.NoError(t, rdb.Set(ctx, key+":small", "small", 0).Err())
		for _, limit := range []int{0, 1, 16 << 10, 1 << 20, 5<<20 - 1} {
			w := &failWriter{limit: limit}
			n, err := rdb.GetTo(ctx, key, w).Result()
			require.ErrorIs(t, err, errWrite)
			assert.Equal(t, int64(limit), n)
			got, err := rdb.Get(ctx, key+":small").Result()
			require.NoError(t, err)
			assert.Equal(t, "small", got)
			buf, err := rdb.GetInto(ctx, key, nil).Result()
			require.NoError(t, err)
			require.True(t, bytes.Equal(val, buf))
		}
		st := rdb.PoolStats()
		assert.Equal(t, 1, int(st.TotalConns), "the connection was reused, not replaced: %+v", st)
		rdb.Close()
	}
}

// TestGetIntoPipeline: GetInto and GetTo in pipelines and transactions,
// between other commands, fill the caller's buffers at Exec.
func TestGetIntoPipeline(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		sizes := []int{0, 1, 20000, 300000, 1 << 20}
		vals := make([][]byte, len(sizes))
		for i, n := range sizes {
			vals[i] = resptest.Payload(n, byte(i))
			require.NoError(t, rdb.Set(ctx, k.Key(fmt.Sprint(i)), vals[i], 0).Err())
		}
		for _, tx := range []bool{false, true} {
			p := rdb.Pipeline()
			if !tx {
				p = rdb.PipelineNoTx()
			}
			bufs := make([][]byte, len(sizes))
			type res struct {
				into  interface{ Result() ([]byte, error) }
				to    interface{ Result() (int64, error) }
				w     *bytes.Buffer
				small interface{ Result() (string, error) }
			}
			var rs []res
			for i := range sizes {
				bufs[i] = make([]byte, 0, sizes[i])
				w := &bytes.Buffer{}
				set := p.Set(ctx, k.Key("big"+fmt.Sprint(i)), vals[i], 0) // vectored above VecMin
				_ = set
				rs = append(rs, res{
					into:  p.GetInto(ctx, k.Key(fmt.Sprint(i)), bufs[i]),
					small: p.Get(ctx, k.Key("0")),
					to:    p.GetTo(ctx, k.Key("big"+fmt.Sprint(i)), w),
					w:     w,
				})
			}
			missing := p.GetInto(ctx, k.Key("missing"), nil)
			_, err := p.Exec(ctx)
			require.NoError(t, err)
			for i, r := range rs {
				got, err := r.into.Result()
				require.NoError(t, err)
				require.True(t, bytes.Equal(vals[i], got), "tx %v, size %d", tx, sizes[i])
				if !tx && sizes[i] > 0 {
					assert.Same(t, &bufs[i][:1][0], &got[0])
				}
				n, err := r.to.Result()
				require.NoError(t, err)
				assert.Equal(t, int64(sizes[i]), n)
				require.True(t, bytes.Equal(vals[i], r.w.Bytes()))
				s, err := r.small.Result()
				require.NoError(t, err)
				assert.Equal(t, "", s)
			}
			assert.Equal(t, redis.Nil, missing.Err())
		}
	})
}

// TestLargeValueFaults cuts, truncates and stalls (past ReadTimeout) the
// reply of a large GetInto, GetTo and Get mid-value, and a large SET
// mid-write, through the fault proxy: the command fails, and the next
// command on the client gets its own reply.
func TestLargeValueFaults(t *testing.T) {
	srv := redistest.Shared(t)
	for _, proto := range []int{2, 3} {
		for _, auto := range []bool{false, true} {
			t.Run(fmt.Sprintf("resp%d-auto=%v", proto, auto), func(t *testing.T) {
				px, _ := srv.FaultProxy(t, faultproxy.Faults{})
				rdb, err := client.New(client.Options{Addr: px.Addr(), Protocol: proto, DisableAutoPipeline: !auto,
					ReadTimeout: 500 * time.Millisecond})
				require.NoError(t, err)
				defer rdb.Close()
				if auto {
					rdb.Engine().Mux().ShareAlways(true)
				}
				key := strings.ReplaceAll(t.Name(), "/", ":")
				val := resptest.Payload(4<<20, 6)
				require.NoError(t, rdb.Set(ctx, key, val, 0).Err())
				require.NoError(t, rdb.Set(ctx, key+":small", "small", 0).Err())
				buf := make([]byte, 0, len(val))
				cmds := map[string]func() error{
					"GetInto": func() error { return rdb.GetInto(ctx, key, buf).Err() },
					"GetTo":   func() error { return rdb.GetTo(ctx, key, io.Discard).Err() },
					"Get":     func() error { return rdb.Get(ctx, key).Err() },
				}
				none := func() {}
				faults := map[string]func() (wait func()){
					"truncate": func() func() { px.TruncateNext(); return none },
					"stall":    func() func() { px.DelayNext(0); px.DelayNext(1500 * time.Millisecond); return none },
					"cut": func() func() {
						// 16 KiB chunks 1ms apart, cut halfway.
						px.SetDelay(time.Millisecond)
						base := px.Stats().BytesDown
						done := make(chan struct{})
						go func() {
							defer close(done)
							for px.Stats().BytesDown < base+int64(len(val))/2 {
								time.Sleep(time.Millisecond)
							}
							px.Cut()
							px.SetDelay(0)
						}()
						return func() { <-done }
					},
				}
				for cname, cmd := range cmds {
					for fname, fault := range faults {
						wait := fault()
						err := cmd()
						wait()
						require.Error(t, err, "%s, %s", cname, fname)
						// A cut closes every link, the idle shared one's too:
						// give its reader the moment it takes to see that.
						time.Sleep(50 * time.Millisecond)
						got, err := rdb.Get(ctx, key+":small").Result()
						require.NoError(t, err, "%s, %s: the next command", cname, fname)
						assert.Equal(t, "small", got)
						out, err := rdb.GetInto(ctx, key, buf).Result()
						require.NoError(t, err)
						require.True(t, bytes.Equal(val, out))
						time.Sleep(50 * time.Millisecond) // the proxy's delays run out
					}
				}
				// A SET cut mid-value.
				done := make(chan struct{})
				px.SetDelay(time.Millisecond)
				base := px.Stats().BytesUp
				go func() {
					defer close(done)
					for px.Stats().BytesUp < base+int64(len(val))/2 {
						time.Sleep(time.Millisecond)
					}
					px.Cut()
					px.SetDelay(0)
				}()
				err = rdb.Set(ctx, key, resptest.Payload(len(val), 7), 0).Err()
				<-done
				time.Sleep(50 * time.Millisecond)
				if err == nil {
					t.Log("the SET was written before the cut")
				}
				got, err := rdb.Get(ctx, key+":small").Result()
				require.NoError(t, err)
				assert.Equal(t, "small", got)
			})
		}
	}
}
