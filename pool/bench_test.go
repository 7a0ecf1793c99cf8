package pool_test

import (
	"context"
	"net"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
)

// benchValue is a 16-byte value.
const benchValue = "0123456789abcdef"

// BenchmarkConnDo runs SET and GET of 16-byte values on one connection to a
// local server: the cost of a round trip at the connection level, and the
// allocations of the client side (the target is none).
func BenchmarkConnDo(b *testing.B) {
	srv := redistest.Shared(b)
	for _, bc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		opts pool.Options
	}{
		{"Background", func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, pool.Options{}},
		{"NoTimeout", func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, pool.Options{ReadTimeout: -1}},
		{"Cancellable", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, pool.Options{}},
	} {
		bc.opts.Addr = srv.Addr()
		c, err := pool.Dial(context.Background(), &bc.opts)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := bc.ctx()
		var r redis.Reply
		key, val := "bench:conn:key", benchValue
		b.Run("SET/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Do(ctx, &r, "SET", key, val); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("GET/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Do(ctx, &r, "GET", key); err != nil {
					b.Fatal(err)
				}
				if len(r.Str) != len(val) {
					b.Fatalf("GET: %s", r.String())
				}
			}
		})
		cancel()
		c.Close()
	}
}

// BenchmarkPoolGetPut is the pool's own overhead: a checkout (with its
// liveness check) and a return, no command.
func BenchmarkPoolGetPut(b *testing.B) {
	srv := redistest.Shared(b)
	p := pool.New(pool.Options{Addr: srv.Addr()})
	defer p.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c, err := p.Get(ctx)
			if err != nil {
				b.Error(err)
				return
			}
			p.Put(c)
		}
	})
}

// BenchmarkPoolDo is Get, GET of a 16-byte value, Put, from parallel
// goroutines.
func BenchmarkPoolDo(b *testing.B) {
	srv := redistest.Shared(b)
	srv.Exec(b, "SET", "bench:pool:key", benchValue)
	p := pool.New(pool.Options{Addr: srv.Addr()})
	defer p.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var r redis.Reply
		for pb.Next() {
			c, err := p.Get(ctx)
			if err != nil {
				b.Error(err)
				return
			}
			if err := c.Do(ctx, &r, "GET", "bench:pool:key"); err != nil {
				b.Error(err)
			}
			p.Put(c)
		}
	})
}

// memConn is a net.Conn whose traffic stays in memory: each write of a
// command is answered with one canned reply. Its deadlines are those of a
// real TCP socket, so that setting them costs what it costs in use.
type memConn struct {
	*net.TCPConn // for the deadlines only
	reply        []byte
	unread       int // replies owed
	off          int // position in the current reply
}

func (m *memConn) Write(b []byte) (int, error) { m.unread++; return len(b), nil }

func (m *memConn) Read(b []byte) (int, error) {
	n := 0
	for m.unread > 0 && n < len(b) {
		k := copy(b[n:], m.reply[m.off:])
		n += k
		m.off += k
		if m.off == len(m.reply) {
			m.off = 0
			m.unread--
		}
	}
	return n, nil
}

// BenchmarkConnDoClientSide is BenchmarkConnDo without the server and the
// network: what the client spends per command, deadlines included.
func BenchmarkConnDoClientSide(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			defer c.Close()
			_, _ = c.Read(make([]byte, 1))
		}
	}()
	for _, bc := range []struct {
		name    string
		reply   string
		args    []any
		timeout time.Duration
	}{
		{"SET", "+OK\r\n", []any{"SET", "bench:key", benchValue}, 0},
		{"GET", "$16\r\n" + benchValue + "\r\n", []any{"GET", "bench:key"}, 0},
		{"GET/NoTimeout", "$16\r\n" + benchValue + "\r\n", []any{"GET", "bench:key"}, -1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tc, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer tc.Close()
			mc := &memConn{TCPConn: tc.(*net.TCPConn), reply: []byte(bc.reply)}
			c, err := pool.Open(context.Background(), mc, &pool.Options{ReadTimeout: bc.timeout})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var r redis.Reply
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Do(ctx, &r, bc.args...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
