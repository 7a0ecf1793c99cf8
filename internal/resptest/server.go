package resptest

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"strconv"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
)

// RunServerBigValuePipelines runs RunBigValuePipelines against a real
// redis-server over a pool connection that reads with newParser and the
// pool's options, once as the socket gives the bytes and once with reads cut
// just after a CR (SplitAtCR): no spurious ProtocolError on a healthy
// connection (issue 9, item 5).
func RunServerBigValuePipelines(t *testing.T, newParser redis.NewParserFunc) {
	srv := redistest.Start(t)
	for _, split := range []bool{false, true} {
		name := "socket reads"
		opts := &pool.Options{Addr: srv.Addr(), NewParser: newParser, ReadTimeout: 5 * time.Second}
		if split {
			name = "reads cut at CR"
			opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
				var d net.Dialer
				nc, err := d.DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return SplitAtCR(nc, 1), nil
			}
		}
		t.Run(name, func(t *testing.T) {
			c, err := pool.Dial(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			RunBigValuePipelines(t, c, 40)
		})
	}
}

// PipelineConn is what RunBigValuePipelines needs of a connection to a
// server; a *pool.Conn has it (and reads with the pool's parser options).
type PipelineConn interface {
	WriteArgs(args ...any) error
	Flush(ctx context.Context) error
	ReadReply(ctx context.Context, dst *redis.Reply) error
}

// splitConn ends reads of the connection under it early, at points a
// parser must handle and a socket gives only now and then: just after a CR
// (the CR of a bulk's CRLF buffered, its LF not), or after a random count of
// bytes.
type splitConn struct {
	net.Conn
	rng  *rand.Rand
	buf  []byte
	pend []byte
}

// SplitAtCR returns nc with reads that often end just after a CR, or after
// a random number of bytes, as TCP may cut a stream anywhere.
func SplitAtCR(nc net.Conn, seed uint64) net.Conn {
	return &splitConn{Conn: nc, rng: rand.New(rand.NewPCG(seed, 9)), buf: make([]byte, 1<<20)}
}

func (c *splitConn) Read(p []byte) (int, error) {
	if len(c.pend) == 0 {
		n, err := c.Conn.Read(c.buf)
		if n == 0 {
			return 0, err
		}
		c.pend = c.buf[:n]
	}
	n := min(len(p), len(c.pend))
	switch c.rng.IntN(4) {
	case 0, 1: // just after the first CR, or the last
		i := bytes.IndexByte(c.pend[:n], '\r')
		if c.rng.IntN(2) == 0 {
			i = bytes.LastIndexByte(c.pend[:n], '\r')
		}
		if i >= 0 {
			n = i + 1
		}
	case 2:
		n = 1 + c.rng.IntN(n)
	}
	copy(p, c.pend[:n])
	c.pend = c.pend[n:]
	return n, nil
}

// RunBigValuePipelines stores values of 200,000 bytes and of 256 KiB and
// more under keys of its own, then reads them back in pipelines of GETs in
// random order, rounds times, over c: every value must come back whole, and
// no ProtocolError may break the healthy connection. These sizes are where
// the parsers switch to reading a bulk into memory of its own (BigBulk).
func RunBigValuePipelines(t *testing.T, c PipelineConn, rounds int) {
	t.Helper()
	ctx := context.Background()
	sizes := []int{200000, BigBulk, BigBulk + 1, 200000, 300000, BigBulk - 1, 10}
	prefix := "resptest:big:" + strconv.FormatUint(rand.Uint64(), 36) + ":"
	values := make([][]byte, len(sizes))
	var r redis.Reply
	for i, n := range sizes {
		values[i] = []byte(payload(n, byte(i)))
		if err := c.WriteArgs("SET", prefix+strconv.Itoa(i), values[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for range sizes {
		if err := c.ReadReply(ctx, &r); err != nil || r.Kind != redis.KindSimpleString {
			t.Fatalf("SET: %v %v", r.Kind, err)
		}
	}
	defer func() {
		for i := range sizes {
			_ = c.WriteArgs("DEL", prefix+strconv.Itoa(i))
		}
		_ = c.Flush(ctx)
		for range sizes {
			_ = c.ReadReply(ctx, &r)
		}
	}()
	rng := rand.New(rand.NewPCG(uint64(rounds), 3))
	for round := 0; round < rounds; round++ {
		order := make([]int, 8+rng.IntN(24))
		for i := range order {
			order[i] = rng.IntN(len(sizes))
			if err := c.WriteArgs("GET", prefix+strconv.Itoa(order[i])); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for j, k := range order {
			if err := c.ReadReply(ctx, &r); err != nil {
				t.Fatalf("round %d, GET %d of %d (a value of %d bytes): %v", round, j, len(order), sizes[k], err)
			}
			if r.Kind != redis.KindBulkString || !bytes.Equal(r.Str, values[k]) {
				t.Fatalf("round %d, GET %d: got %v of %d bytes, want the value of %d bytes", round, j, r.Kind, len(r.Str), sizes[k])
			}
		}
	}
}
