package client_test

import (
	"errors"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestACLCommands(t *testing.T) {
	srv := redistest.Start(t) // ACL changes stay off the shared server
	for _, proto := range []int{2, 3} {
		rdb, err := client.New(client.Options{Addr: srv.Addr(), Protocol: proto})
		require.NoError(t, err)
		defer rdb.Close()

		assert.Contains(t, rdb.ACLCat(ctx, "").Val(), "string")
		assert.Contains(t, rdb.ACLCat(ctx, "string").Val(), "get")
		assert.Equal(t, "default", rdb.ACLWhoAmI(ctx).Val())
		require.Equal(t, "OK", rdb.ACLSetUser(ctx, "app", "on", ">s3cret", "~app:*", "+get", "+set").Val())
		assert.ElementsMatch(t, []string{"app", "default"}, rdb.ACLUsers(ctx).Val())
		assert.Len(t, rdb.ACLList(ctx).Val(), 2)

		u, err := rdb.ACLGetUser(ctx, "app").Result()
		require.NoError(t, err)
		assert.Contains(t, u.Flags, "on")
		assert.Len(t, u.Passwords, 1)
		assert.Equal(t, "~app:*", u.Keys)
		assert.Contains(t, u.Commands, "+get")
		_, err = rdb.ACLGetUser(ctx, "nobody").Result()
		assert.True(t, errors.Is(err, redis.Nil))

		assert.Equal(t, "OK", rdb.ACLDryRun(ctx, "app", "GET", "app:1").Val())
		assert.Contains(t, rdb.ACLDryRun(ctx, "app", "GET", "other").Val(), "no permissions")
		assert.Len(t, rdb.ACLGenPass(ctx, 0).Val(), 64)
		assert.Len(t, rdb.ACLGenPass(ctx, 32).Val(), 8)

		// A denied command shows in the log.
		app, err := client.New(client.Options{Addr: srv.Addr(), Protocol: proto, Username: "app", Password: "s3cret"})
		require.NoError(t, err)
		assert.Error(t, app.Get(ctx, "other").Err())
		app.Close()
		log, err := rdb.ACLLog(ctx, 1).Result()
		require.NoError(t, err)
		require.Len(t, log, 1)
		assert.Equal(t, "app", log[0]["username"])
		assert.Equal(t, "key", log[0]["reason"])
		require.Equal(t, "OK", rdb.ACLLogReset(ctx).Val())
		assert.Empty(t, rdb.ACLLog(ctx, 0).Val())

		assert.Equal(t, int64(1), rdb.ACLDelUser(ctx, "app", "nobody").Val())
		// No ACL file on a test server: LOAD and SAVE are server errors.
		var re *redis.Error
		assert.ErrorAs(t, rdb.ACLLoad(ctx).Err(), &re)
		assert.ErrorAs(t, rdb.ACLSave(ctx).Err(), &re)
	}
}
