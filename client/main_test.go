package client_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { redistest.Main(m, redistest.URLEnv, redistest.TLSURLEnv) }

// protocols runs fn once per RESP version, with and without auto-pipelining,
// each with its own client on the package's shared server. Commands must give
// the same Go values in every variant.
func protocols(t *testing.T, fn func(t *testing.T, rdb *client.Client, k keyspace)) {
	protocolsWith(t, nil, fn)
}

// protocolsWith is protocols with mod applied to each client's options.
func protocolsWith(t *testing.T, mod func(*client.Options), fn func(t *testing.T, rdb *client.Client, k keyspace)) {
	srv := redistest.Shared(t)
	for _, proto := range []int{2, 3} {
		for _, auto := range []bool{false, true} {
			name := "resp" + strconv.Itoa(proto)
			if auto {
				name += "-autopipeline"
			}
			t.Run(name, func(t *testing.T) {
				o := client.Options{Addr: srv.Addr(), Protocol: proto, DisableAutoPipeline: !auto}
				if mod != nil {
					mod(&o)
				}
				rdb, err := client.New(o)
				require.NoError(t, err)
				if auto {
					// Test the shared path even for commands sent one at a time.
					rdb.Engine().Mux().ShareAlways(true)
				}
				t.Cleanup(func() { rdb.Close() })
				fn(t, rdb, keyspace(strings.ReplaceAll(t.Name(), "/", ":")+":"))
			})
		}
	}
}

// keyspace prefixes keys with the test's name, so tests sharing a server
// do not meet.
type keyspace string

func (k keyspace) Key(name string) string { return string(k) + name }

var ctx = context.Background()
