package cluster_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/cluster"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/require"
)

// TestLocks: client.Lock on a cluster client, on keys of every master:
// acquire, exclusion, extend, release; Do under contention keeps a
// read-modify-write exclusive.
func TestLocks(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		tag := strconv.FormatInt(time.Now().UnixNano(), 36)
		for i, m := range c.Masters() {
			name := redistest.KeyInSlot(m.SlotList()[7], "lock"+tag+strconv.Itoa(i))
			l := rdb.Lock(name, client.LockOptions{Timeout: 5 * time.Second})
			require.NoError(t, l.Acquire(ctx))
			other := rdb.Lock(name, client.LockOptions{NonBlocking: true})
			var le *redis.LockError
			require.ErrorAs(t, other.Acquire(ctx), &le)
			owned, err := l.Owned(ctx)
			require.NoError(t, err)
			require.True(t, owned)
			require.NoError(t, l.Extend(ctx, time.Second, false))
			require.NoError(t, l.Reacquire(ctx))
			require.NoError(t, l.Release(ctx))
			locked, err := l.Locked(ctx)
			require.NoError(t, err)
			require.False(t, locked)
			require.NoError(t, other.Acquire(ctx))
			require.NoError(t, other.Release(ctx))
			var ne *redis.LockNotOwnedError
			require.True(t, errors.As(other.Release(ctx), &ne))
		}
		// Mutual exclusion across goroutines.
		name, counter := "lockdo"+tag, "{lockdo"+tag+"}n"
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					l := rdb.Lock(name, client.LockOptions{Timeout: 5 * time.Second, Sleep: 5 * time.Millisecond})
					require.NoError(t, l.Do(ctx, func(ctx context.Context) error {
						v, err := rdb.Get(ctx, counter).Result()
						if err != nil && !errors.Is(err, redis.Nil) {
							return err
						}
						n, _ := strconv.Atoi(v)
						return rdb.Set(ctx, counter, n+1, 0).Err()
					}))
				}
			}()
		}
		wg.Wait()
		v, err := rdb.Get(ctx, counter).Result()
		require.NoError(t, err)
		require.Equal(t, "40", v)
	})
}

// TestRegisterScript: a script bound to the cluster client runs on the
// master of its keys' slot, and loads itself on NOSCRIPT after SCRIPT
// FLUSH (every master).
func TestRegisterScript(t *testing.T) {
	c := redistest.SharedCluster(t)
	variants(t, c, func(t *testing.T, rdb *cluster.Client) {
		tag := strconv.FormatInt(time.Now().UnixNano(), 36)
		s := rdb.RegisterScript(`return redis.call('INCRBY', KEYS[1], ARGV[1]) + #KEYS + 0 * ` + strconv.Itoa(len(tag)))
		require.NoError(t, rdb.Do(ctx, "SCRIPT", "FLUSH").Err())
		for i, m := range c.Masters() {
			k := redistest.KeyInSlot(m.SlotList()[11], "rs"+tag+strconv.Itoa(i))
			v, err := s.Run(ctx, []string{k, k + "2"}, 5).Result()
			require.NoError(t, err)
			require.EqualValues(t, 7, v)
		}
		_, err := s.Run(ctx, []string{"a" + tag, "b" + tag}, 1).Result()
		var cs *redis.CrossSlotError
		if redistest.Slot("a"+tag) != redistest.Slot("b"+tag) {
			require.ErrorAs(t, err, &cs)
		}
	})
}
