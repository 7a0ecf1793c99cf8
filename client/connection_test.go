package client_test

import (
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/duoredis/redis/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connSingle returns a client of the shared server whose pool holds one
// connection, so that per-connection state (names, tracking) stays put.
func connSingle(t *testing.T, rdb *client.Client, o client.Options) *client.Client {
	o.Protocol = rdb.Options().Protocol
	o.PoolSize = 1
	return serverNew(t, redistest.Shared(t), o)
}

func TestConnBasics(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		assert.Equal(t, "PONG", rdb.Ping(ctx).Val())
		assert.Equal(t, "hi there", rdb.PingMessage(ctx, "hi there").Val())
		assert.Equal(t, "7", rdb.PingMessage(ctx, 7).Val())
		assert.Equal(t, "echo", rdb.Echo(ctx, "echo").Val())
		assert.Equal(t, "\x00\r\n", rdb.Echo(ctx, []byte("\x00\r\n")).Val())
		assert.Equal(t, "2.5", rdb.Echo(ctx, 2.5).Val())
		assert.Equal(t, "OK", rdb.ClientReplyOn(ctx).Val())
		help, err := rdb.ClientHelp(ctx).Result()
		require.NoError(t, err)
		assert.Greater(t, len(help), 10)

		one := connSingle(t, rdb, client.Options{})
		id, err := one.ClientID(ctx).Result()
		require.NoError(t, err)
		assert.Greater(t, id, int64(0))
		info, err := one.ClientInfo(ctx).Result()
		require.NoError(t, err)
		assert.Equal(t, id, info.ID)
		assert.Equal(t, int64(rdb.Options().Protocol), info.Resp)
		assert.Equal(t, "client|info", info.LastCmd)
		assert.Equal(t, "default", info.User)
		assert.Equal(t, "N", info.Flags)
		assert.Equal(t, int64(-1), info.Multi)
		assert.Equal(t, int64(-1), info.Redirect)
		assert.Equal(t, int64(0), info.DB)
		assert.True(t, strings.HasPrefix(info.Addr, "127.0.0.1:"), info.Addr)
		assert.Equal(t, redistest.Shared(t).Addr(), info.LAddr)
		assert.Greater(t, info.FD, int64(0))
		assert.Greater(t, info.TotalMem, int64(0))
		assert.Equal(t, "r", info.Events)
		assert.Equal(t, "", info.Name)
		assert.Equal(t, info.Addr, info.Fields["addr"])
		assert.Contains(t, info.Fields, "qbuf")

		// A client of another database.
		db3 := serverNew(t, redistest.Shared(t), client.Options{Protocol: rdb.Options().Protocol, DB: 3})
		assert.Equal(t, int64(3), db3.ClientInfo(ctx).Val().DB)
	})
}

func TestConnClientName(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		one := connSingle(t, rdb, client.Options{})
		_, err := one.ClientGetName(ctx).Result()
		assert.Equal(t, redis.Nil, err, "no name yet")
		require.Equal(t, "OK", one.ClientSetName(ctx, "srv-conn").Val())
		assert.Equal(t, "srv-conn", one.ClientGetName(ctx).Val())
		assert.Equal(t, "srv-conn", one.ClientInfo(ctx).Val().Name)
		assert.Equal(t, "ERR", serverErrPrefix(t, one.ClientSetName(ctx, "has space").Err()))
		require.Equal(t, "OK", one.ClientSetName(ctx, "").Val())
		_, err = one.ClientGetName(ctx).Result()
		assert.Equal(t, redis.Nil, err)

		// Options.ClientName names every connection.
		named := connSingle(t, rdb, client.Options{ClientName: "srv-named"})
		assert.Equal(t, "srv-named", named.ClientGetName(ctx).Val())
	})
}

func TestConnClientList(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		one := connSingle(t, rdb, client.Options{ClientName: "srv-list"})
		id := one.ClientID(ctx).Val()
		sub := connRaw(t, srv.Addr())
		subID := connID(t, sub)
		connSend(t, sub, "SUBSCRIBE", k.Key("ch"))
		connRead(t, sub)

		all, err := rdb.ClientList(ctx, client.ClientListArgs{}).Result()
		require.NoError(t, err)
		byID := map[int64]client.ClientInfo{}
		for _, ci := range all {
			byID[ci.ID] = ci
		}
		require.Contains(t, byID, id)
		assert.Equal(t, "srv-list", byID[id].Name)
		require.Contains(t, byID, subID)
		assert.Equal(t, int64(1), byID[subID].Sub)
		assert.Equal(t, "P", byID[subID].Flags)

		// Filters: by ID, by type.
		some, err := rdb.ClientList(ctx, client.ClientListArgs{IDs: []int64{id, subID, 1 << 40}}).Result()
		require.NoError(t, err)
		require.Len(t, some, 2)
		assert.ElementsMatch(t, []int64{id, subID}, []int64{some[0].ID, some[1].ID})
		pubsub, err := rdb.ClientList(ctx, client.ClientListArgs{Type: "pubsub"}).Result()
		require.NoError(t, err)
		require.NotEmpty(t, pubsub)
		for _, ci := range pubsub {
			assert.Contains(t, ci.Flags, "P")
		}
		normal := rdb.ClientList(ctx, client.ClientListArgs{Type: "normal", IDs: []int64{subID}}).Val()
		assert.Empty(t, normal)
		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.ClientList(ctx, client.ClientListArgs{Type: "nosuchtype"}).Err()))
	})
}

func TestConnClientKill(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		// dead reports whether the server closed a raw connection.
		dead := func(cn *pool.Conn) bool {
			var r redis.Reply
			return cn.ReadReply(ctx, &r) != nil
		}
		// info describes a raw connection.
		info := func(cn *pool.Conn) client.ClientInfo {
			l := rdb.ClientList(ctx, client.ClientListArgs{IDs: []int64{connID(t, cn)}}).Val()
			require.Len(t, l, 1)
			return l[0]
		}

		// The old form, by address.
		a := connRaw(t, srv.Addr())
		addr := info(a).Addr
		assert.Equal(t, "OK", rdb.ClientKill(ctx, addr).Val())
		assert.True(t, dead(a))
		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.ClientKill(ctx, addr).Err()))

		// The new form: each filter, and a count.
		b := connRaw(t, srv.Addr())
		n, err := rdb.ClientKillByFilter(ctx, client.ClientKillArgs{ID: connID(t, b)}).Result()
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		assert.True(t, dead(b))

		c := connRaw(t, srv.Addr())
		ci := info(c)
		assert.Equal(t, int64(0), rdb.ClientKillByFilter(ctx, client.ClientKillArgs{ID: ci.ID, Type: "pubsub"}).Val())
		assert.Equal(t, int64(1), rdb.ClientKillByFilter(ctx, client.ClientKillArgs{
			ID: ci.ID, Type: "normal", User: "default", Addr: ci.Addr, LAddr: ci.LAddr}).Val())
		assert.True(t, dead(c))

		d := connRaw(t, srv.Addr())
		dID := connID(t, d)
		connSend(t, d, "SUBSCRIBE", k.Key("ch"))
		connRead(t, d)
		assert.Equal(t, int64(1), rdb.ClientKillByFilter(ctx, client.ClientKillArgs{Type: "pubsub", ID: dID}).Val())
		assert.True(t, dead(d))

		// SKIPME: the calling connection is spared unless told otherwise.
		one := connSingle(t, rdb, client.Options{})
		own := one.ClientID(ctx).Val()
		assert.Equal(t, int64(0), one.ClientKillByFilter(ctx, client.ClientKillArgs{ID: own}).Val())
		assert.Equal(t, own, one.ClientID(ctx).Val())
		assert.Equal(t, int64(1), one.ClientKillByFilter(ctx, client.ClientKillArgs{ID: own, NoSkipMe: true}).Val())
		// The server closes the connection after the reply; the pool then
		// dials another (a command sent before the close arrived may see
		// it).
		assert.True(t, redistest.WaitFor(2*time.Second, func() bool {
			next, err := one.ClientID(ctx).Result()
			return err == nil && next != own
		}))

		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.ClientKillByFilter(ctx, client.ClientKillArgs{Type: "nosuchtype"}).Err()))
	})
}

func TestConnPause(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		t.Cleanup(func() { rdb.ClientUnpause(ctx) })
		rdb.Set(ctx, k.Key("a"), "1", 0)

		// WRITE: reads go on, writes wait for the pause to end.
		require.Equal(t, "OK", rdb.ClientPauseWrite(ctx, 5*time.Second).Val())
		assert.Equal(t, "1", rdb.Get(ctx, k.Key("a")).Val())
		done := make(chan time.Time, 1)
		go func() {
			rdb.Set(ctx, k.Key("a"), "2", 0)
			done <- time.Now()
		}()
		time.Sleep(50 * time.Millisecond)
		unpaused := time.Now()
		require.Equal(t, "OK", rdb.ClientUnpause(ctx).Val())
		select {
		case at := <-done:
			assert.True(t, at.After(unpaused), "the write waited for the pause to end")
		case <-time.After(3 * time.Second):
			t.Fatal("the write is still paused")
		}
		assert.Equal(t, "2", rdb.Get(ctx, k.Key("a")).Val())

		// ALL, ended by its timeout.
		start := time.Now()
		require.Equal(t, "OK", rdb.ClientPause(ctx, 50*time.Millisecond).Val())
		assert.Equal(t, "2", rdb.Get(ctx, k.Key("a")).Val())
		assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond, "reads wait too")
		assert.Equal(t, "OK", rdb.ClientUnpause(ctx).Val())

		// NO-EVICT is a flag of the connection.
		one := connSingle(t, rdb, client.Options{})
		require.Equal(t, "OK", one.ClientNoEvict(ctx, true).Val())
		assert.Contains(t, one.ClientInfo(ctx).Val().Flags, "e")
		require.Equal(t, "OK", one.ClientNoEvict(ctx, false).Val())
		assert.NotContains(t, one.ClientInfo(ctx).Val().Flags, "e")
	})
}

func TestConnTracking(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		// Invalidations go to a connection of the test's own, subscribed to
		// __redis__:invalidate; the tracking client has one connection.
		inv := connRaw(t, srv.Addr())
		invID := connID(t, inv)
		connSend(t, inv, "SUBSCRIBE", "__redis__:invalidate")
		connRead(t, inv)
		one := connSingle(t, rdb, client.Options{})

		ti, err := one.ClientTrackingInfo(ctx).Result()
		require.NoError(t, err)
		assert.Equal(t, client.TrackingInfo{Flags: []string{"off"}, Redirect: -1, Prefixes: []string{}}, ti)
		assert.Equal(t, int64(-1), one.ClientGetRedir(ctx).Val())
		err = one.ClientCaching(ctx, true).Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err), "CACHING needs OPTIN or OPTOUT tracking")

		// Broadcasting mode, with a prefix.
		prefix := k.Key("")
		require.Equal(t, "OK", one.ClientTracking(ctx, true, client.ClientTrackingArgs{
			Redirect: invID, BCast: true, Prefixes: []string{prefix}, NoLoop: true}).Val())
		ti = one.ClientTrackingInfo(ctx).Val()
		assert.Subset(t, ti.Flags, []string{"on", "bcast", "noloop"})
		assert.Equal(t, invID, ti.Redirect)
		assert.Equal(t, []string{prefix}, ti.Prefixes)
		assert.Equal(t, invID, one.ClientGetRedir(ctx).Val())
		assert.Equal(t, invID, one.ClientInfo(ctx).Val().Redirect)

		rdb.Set(ctx, k.Key("a"), 1, 0)
		msg := connRead(t, inv)
		require.Equal(t, redis.KindArray, msg.Kind, msg.String())
		require.Len(t, msg.Elems, 3)
		assert.Equal(t, "message", string(msg.Elems[0].Str))
		assert.Equal(t, "__redis__:invalidate", string(msg.Elems[1].Str))
		assert.Equal(t, []string{k.Key("a")}, pubsubStrings(t, msg.Elems[2]))
		require.Equal(t, "OK", one.ClientTracking(ctx, false, client.ClientTrackingArgs{}).Val())
		assert.Equal(t, []string{"off"}, one.ClientTrackingInfo(ctx).Val().Flags)

		// OPTIN, where CLIENT CACHING yes applies to the next command.
		require.Equal(t, "OK", one.ClientTracking(ctx, true, client.ClientTrackingArgs{Redirect: invID, OptIn: true}).Val())
		assert.Contains(t, one.ClientTrackingInfo(ctx).Val().Flags, "optin")
		require.Equal(t, "OK", one.ClientCaching(ctx, true).Val())
		assert.Contains(t, one.ClientTrackingInfo(ctx).Val().Flags, "caching-yes")
		assert.Equal(t, "ERR", serverErrPrefix(t, one.ClientCaching(ctx, false).Err()), "CACHING no needs OPTOUT")
		require.Equal(t, "OK", one.ClientTracking(ctx, false, client.ClientTrackingArgs{}).Val())
		require.Equal(t, "OK", one.ClientTracking(ctx, true, client.ClientTrackingArgs{Redirect: invID, OptOut: true}).Val())
		require.Equal(t, "OK", one.ClientCaching(ctx, false).Val())
		require.Equal(t, "OK", one.ClientTracking(ctx, false, client.ClientTrackingArgs{}).Val())
		assert.Equal(t, "ERR", serverErrPrefix(t, one.ClientTracking(ctx, true, client.ClientTrackingArgs{Redirect: 1 << 40}).Err()))
	})
}

func TestConnUnblock(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		cn := connRaw(t, srv.Addr())
		id := connID(t, cn)
		assert.False(t, rdb.ClientUnblock(ctx, id).Val(), "not blocked")

		blocked := func() bool {
			l := rdb.ClientList(ctx, client.ClientListArgs{IDs: []int64{id}}).Val()
			return len(l) == 1 && strings.Contains(l[0].Flags, "b")
		}
		// As if the timeout expired: BLPOP returns nil.
		connSend(t, cn, "BLPOP", k.Key("list"), 10)
		require.True(t, redistest.WaitFor(2*time.Second, blocked))
		assert.True(t, rdb.ClientUnblock(ctx, id).Val())
		assert.Equal(t, redis.KindNull, connRead(t, cn).Kind)

		// With an error.
		connSend(t, cn, "BLPOP", k.Key("list"), 10)
		require.True(t, redistest.WaitFor(2*time.Second, blocked))
		assert.True(t, rdb.ClientUnblockWithError(ctx, id).Val())
		r := connRead(t, cn)
		assert.Equal(t, "UNBLOCKED", serverErrPrefix(t, r.Err()))
		assert.False(t, rdb.ClientUnblockWithError(ctx, id).Val())
	})
}
