package goparser_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/internal/resptest"
	"github.com/duoredis/redis/pool"
)

// Pipelines of values of 200 KB and 256 KiB from a real redis-server, read
// by goparser with the pool's options, as the socket gives them and with reads
// cut just after a CR: no spurious ProtocolError on a healthy connection
// (issue 9, item 5).
func TestServerPipelinesOfBigValues(t *testing.T) {
	srv := redistest.Start(t)
	for _, split := range []bool{false, true} {
		name := "socket reads"
		opts := &pool.Options{Addr: srv.Addr(), NewParser: goparser.NewParser, ReadTimeout: 5 * time.Second}
		if split {
			name = "reads cut at CR"
			opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
				var d net.Dialer
				nc, err := d.DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return resptest.SplitAtCR(nc, 1), nil
			}
		}
		t.Run(name, func(t *testing.T) {
			c, err := pool.Dial(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			resptest.RunBigValuePipelines(t, c, 40)
		})
	}
}
