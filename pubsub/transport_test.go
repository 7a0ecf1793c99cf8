package pubsub_test

import (
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/duoredis/redis/pubsub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Pub/sub over TLS (certificates verified) and over a unix socket: the
// messages, and the re-subscription after the connection is killed.
func TestTransports(t *testing.T) {
	srv := redistest.Start(t, redistest.TLS("optional"), redistest.UnixSocket())
	for name, conn := range map[string]pool.Options{
		"tls":  {Addr: srv.TLSAddr(), TLSConfig: srv.TLSConfig()},
		"unix": {Network: "unix", Addr: srv.Socket()},
	} {
		t.Run(name, func(t *testing.T) {
			protocols(t, func(t *testing.T, proto int, k keyspace) {
				conn.Protocol = proto
				ps := pubsub.New(pubsub.Options{Conn: conn})
				defer func() { assert.NoError(t, ps.Close()) }()
				require.NoError(t, ps.Subscribe(ctx, k.Key("ch")))
				assert.Equal(t, "subscribe", receive(t, ps).Type)
				assert.Equal(t, 1, publish(t, srv, k.Key("ch"), "one"))
				assert.Equal(t, "one", receive(t, ps).Text())

				info := srv.Exec(t, "CLIENT", "LIST", "TYPE", "pubsub")
				if name == "unix" {
					assert.Contains(t, info, "laddr="+srv.Socket())
				}
				srv.Exec(t, "CLIENT", "KILL", "TYPE", "pubsub")
				_, err := ps.Receive(ctx)
				var ce *redis.ConnectionError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, "subscribe", receive(t, ps).Type, "subscribed again")
				assert.Equal(t, 1, publish(t, srv, k.Key("ch"), "two"))
				assert.Equal(t, "two", receive(t, ps).Text())
			})
		})
	}
}
