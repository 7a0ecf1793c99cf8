//go:build !race

package client_test

import (
	"testing"

	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without a hook, a command costs what it did before hooks existed: SET
// allocates nothing, GET its string.
func TestNoHookAllocs(t *testing.T) {
	srv := redistest.Shared(t)
	rdb, err := client.New(client.Options{Addr: srv.Addr()})
	require.NoError(t, err)
	defer rdb.Close()
	key, val := "TestNoHookAllocs", []byte("0123456789abcdef")
	require.NoError(t, rdb.Set(ctx, key, val, 0).Err())
	set := testing.AllocsPerRun(200, func() {
		if err := rdb.Set(ctx, key, val, 0).Err(); err != nil {
			panic(err)
		}
	})
	get := testing.AllocsPerRun(200, func() {
		if err := rdb.Get(ctx, key).Err(); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, set, "SET")
	assert.Equal(t, 1.0, get, "GET")
}
