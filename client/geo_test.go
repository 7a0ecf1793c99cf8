package client_test

import (
	"errors"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	geoPalermo = client.GeoLocation{Name: "Palermo", Longitude: 13.361389, Latitude: 38.115556}
	geoCatania = client.GeoLocation{Name: "Catania", Longitude: 15.087269, Latitude: 37.502669}
	// The server stores positions as 52-bit geohashes, so they read back
	// a little off.
	geoDelta = 1e-5
)

func TestGeoAddPosDist(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		g := k.Key("g")
		assert.Equal(t, int64(2), rdb.GeoAdd(ctx, g, geoPalermo, geoCatania).Val())
		assert.Equal(t, int64(0), rdb.GeoAdd(ctx, g, geoPalermo).Val())

		pos, err := rdb.GeoPos(ctx, g, "Palermo", "nowhere", "Catania").Result()
		require.NoError(t, err)
		require.Len(t, pos, 3)
		require.NotNil(t, pos[0])
		assert.InDelta(t, geoPalermo.Longitude, pos[0].Longitude, geoDelta)
		assert.InDelta(t, geoPalermo.Latitude, pos[0].Latitude, geoDelta)
		assert.Nil(t, pos[1], "missing member")
		require.NotNil(t, pos[2])
		assert.InDelta(t, geoCatania.Latitude, pos[2].Latitude, geoDelta)
		assert.Equal(t, []*client.GeoPos{nil}, rdb.GeoPos(ctx, k.Key("none"), "x").Val())

		// Distances: meters by default.
		assert.InDelta(t, 166.2742, rdb.GeoDist(ctx, g, "Palermo", "Catania", "km").Val(), 1e-4)
		assert.InDelta(t, 166274.1516, rdb.GeoDist(ctx, g, "Palermo", "Catania", "").Val(), 1e-3)
		assert.InDelta(t, 103.3182, rdb.GeoDist(ctx, g, "Palermo", "Catania", "mi").Val(), 1e-4)
		_, err = rdb.GeoDist(ctx, g, "Palermo", "nowhere", "km").Result()
		assert.Equal(t, redis.Nil, err)

		assert.Equal(t, []string{"sqc8b49rny0", "", "sqdtr74hyu0"}, rdb.GeoHash(ctx, g, "Palermo", "nowhere", "Catania").Val())

		// NX, XX, CH.
		moved := client.GeoLocation{Name: "Palermo", Longitude: 13.5, Latitude: 38.2}
		extra := client.GeoLocation{Name: "Agrigento", Longitude: 13.583333, Latitude: 37.316667}
		assert.Equal(t, int64(1), rdb.GeoAddWithArgs(ctx, g, client.GeoAddArgs{NX: true}, moved, extra).Val())
		assert.InDelta(t, geoPalermo.Longitude, rdb.GeoPos(ctx, g, "Palermo").Val()[0].Longitude, geoDelta, "NX did not move")
		assert.Equal(t, int64(0), rdb.GeoAddWithArgs(ctx, g, client.GeoAddArgs{XX: true}, moved, client.GeoLocation{Name: "Enna", Longitude: 14.3, Latitude: 37.6}).Val())
		assert.InDelta(t, 13.5, rdb.GeoPos(ctx, g, "Palermo").Val()[0].Longitude, geoDelta, "XX moved")
		assert.Nil(t, rdb.GeoPos(ctx, g, "Enna").Val()[0], "XX added nothing")
		assert.Equal(t, int64(1), rdb.GeoAddWithArgs(ctx, g, client.GeoAddArgs{CH: true}, geoPalermo, extra).Val(), "CH counts the move")

		// Errors.
		err = rdb.GeoAdd(ctx, g, client.GeoLocation{Name: "bad", Longitude: 200, Latitude: 100}).Err()
		var re *redis.Error
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "ERR", re.Prefix())
		rdb.Set(ctx, k.Key("str"), "x", 0)
		err = rdb.GeoPos(ctx, k.Key("str"), "a").Err()
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "WRONGTYPE", re.Prefix())
	})
}

func TestGeoSearch(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		g := k.Key("g")
		rdb.GeoAdd(ctx, g, geoPalermo, geoCatania)

		around := client.GeoSearchQuery{Longitude: 15, Latitude: 37, Radius: 200, Unit: "km", Sort: "ASC"}
		assert.Equal(t, []string{"Catania", "Palermo"}, rdb.GeoSearch(ctx, g, around).Val())
		desc := around
		desc.Sort = "DESC"
		assert.Equal(t, []string{"Palermo", "Catania"}, rdb.GeoSearch(ctx, g, desc).Val())
		near := around
		near.Radius = 100
		assert.Equal(t, []string{"Catania"}, rdb.GeoSearch(ctx, g, near).Val())
		one := around
		one.Count = 1
		assert.Equal(t, []string{"Catania"}, rdb.GeoSearch(ctx, g, one).Val())
		one.Any = true
		assert.Len(t, rdb.GeoSearch(ctx, g, one).Val(), 1)
		assert.Equal(t, []string{"Palermo", "Catania"},
			rdb.GeoSearch(ctx, g, client.GeoSearchQuery{Member: "Palermo", Radius: 200000, Sort: "ASC"}).Val(), "FROMMEMBER, meters")
		assert.Equal(t, []string{"Catania", "Palermo"},
			rdb.GeoSearch(ctx, g, client.GeoSearchQuery{Longitude: 15, Latitude: 37, Width: 400, Height: 400, Unit: "km", Sort: "ASC"}).Val(), "BYBOX")
		assert.Equal(t, []string{"Catania"},
			rdb.GeoSearch(ctx, g, client.GeoSearchQuery{Longitude: 15, Latitude: 37, Width: 200, Height: 200, Unit: "km"}).Val())
		assert.Equal(t, []string{}, rdb.GeoSearch(ctx, k.Key("none"), around).Val())

		// With coordinates, distances and hashes, alone or together.
		locs, err := rdb.GeoSearchLocation(ctx, g, client.GeoSearchLocationQuery{GeoSearchQuery: around, WithCoord: true, WithDist: true, WithHash: true}).Result()
		require.NoError(t, err)
		require.Len(t, locs, 2)
		assert.Equal(t, "Catania", locs[0].Name)
		assert.InDelta(t, 56.4413, locs[0].Dist, 1e-4)
		assert.Equal(t, int64(3479447370796909), locs[0].GeoHash)
		assert.InDelta(t, geoCatania.Longitude, locs[0].Longitude, geoDelta)
		assert.InDelta(t, geoCatania.Latitude, locs[0].Latitude, geoDelta)
		assert.Equal(t, "Palermo", locs[1].Name)
		assert.InDelta(t, 190.4424, locs[1].Dist, 1e-4)
		assert.Equal(t, int64(3479099956230698), locs[1].GeoHash)
		assert.InDelta(t, geoPalermo.Longitude, locs[1].Longitude, geoDelta)

		locs = rdb.GeoSearchLocation(ctx, g, client.GeoSearchLocationQuery{GeoSearchQuery: around, WithDist: true}).Val()
		require.Len(t, locs, 2)
		assert.InDelta(t, 190.4424, locs[1].Dist, 1e-4)
		assert.Zero(t, locs[1].GeoHash)
		assert.Zero(t, locs[1].Longitude)
		locs = rdb.GeoSearchLocation(ctx, g, client.GeoSearchLocationQuery{GeoSearchQuery: around, WithHash: true}).Val()
		require.Len(t, locs, 2)
		assert.Equal(t, client.GeoLocation{Name: "Palermo", GeoHash: 3479099956230698}, locs[1])
		locs = rdb.GeoSearchLocation(ctx, g, client.GeoSearchLocationQuery{GeoSearchQuery: around, WithCoord: true}).Val()
		require.Len(t, locs, 2)
		assert.Zero(t, locs[0].Dist)
		assert.InDelta(t, geoCatania.Latitude, locs[0].Latitude, geoDelta)
		locs = rdb.GeoSearchLocation(ctx, g, client.GeoSearchLocationQuery{GeoSearchQuery: around}).Val()
		assert.Equal(t, []client.GeoLocation{{Name: "Catania"}, {Name: "Palermo"}}, locs)

		// GEOSEARCHSTORE: geohashes as scores, or distances with STOREDIST.
		dst := k.Key("dst")
		assert.Equal(t, int64(2), rdb.GeoSearchStore(ctx, g, dst, client.GeoSearchStoreQuery{GeoSearchQuery: around}).Val())
		assert.Equal(t, float64(3479447370796909), rdb.ZScore(ctx, dst, "Catania").Val())
		assert.Equal(t, int64(1), rdb.GeoSearchStore(ctx, g, dst, client.GeoSearchStoreQuery{GeoSearchQuery: near, StoreDist: true}).Val())
		assert.Equal(t, []string{"Catania"}, rdb.ZRange(ctx, dst, 0, -1).Val())
		assert.InDelta(t, 56.4413, rdb.ZScore(ctx, dst, "Catania").Val(), 1e-3)

		// Errors: a missing FROMMEMBER member.
		err = rdb.GeoSearch(ctx, g, client.GeoSearchQuery{Member: "nowhere", Radius: 1}).Err()
		var re *redis.Error
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "ERR", re.Prefix())
	})
}

func TestGeoRadius(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		g, dst := k.Key("g"), k.Key("dst")
		rdb.GeoAdd(ctx, g, geoPalermo, geoCatania)
		q := client.GeoRadiusQuery{Radius: 200, Unit: "km", Sort: "ASC", WithDist: true}
		want := []client.GeoLocation{{Name: "Catania", Dist: 56.4413}, {Name: "Palermo", Dist: 190.4424}}
		assert.Equal(t, want, rdb.GeoRadius(ctx, g, 15, 37, q).Val())
		assert.Equal(t, want, rdb.GeoRadiusRO(ctx, g, 15, 37, q).Val())

		q = client.GeoRadiusQuery{Radius: 100, Unit: "km", WithCoord: true, WithHash: true, Count: 5, Sort: "DESC"}
		locs := rdb.GeoRadiusByMember(ctx, g, "Palermo", q).Val()
		require.Len(t, locs, 1)
		assert.Equal(t, "Palermo", locs[0].Name)
		assert.Equal(t, int64(3479099956230698), locs[0].GeoHash)
		assert.InDelta(t, geoPalermo.Latitude, locs[0].Latitude, geoDelta)
		assert.Equal(t, locs, rdb.GeoRadiusByMemberRO(ctx, g, "Palermo", q).Val())
		assert.Equal(t, []client.GeoLocation{{Name: "Palermo"}, {Name: "Catania"}},
			rdb.GeoRadiusByMember(ctx, g, "Palermo", client.GeoRadiusQuery{Radius: 200000, Sort: "ASC"}).Val())

		// STORE and STOREDIST (the With options are left out).
		q = client.GeoRadiusQuery{Radius: 200, Unit: "km", WithDist: true}
		assert.Equal(t, int64(2), rdb.GeoRadiusStore(ctx, g, 15, 37, q, dst, false).Val())
		assert.Equal(t, float64(3479099956230698), rdb.ZScore(ctx, dst, "Palermo").Val())
		assert.Equal(t, int64(2), rdb.GeoRadiusStore(ctx, g, 15, 37, q, dst, true).Val())
		assert.InDelta(t, 190.4424, rdb.ZScore(ctx, dst, "Palermo").Val(), 1e-3)
		assert.Equal(t, int64(1), rdb.GeoRadiusByMemberStore(ctx, g, "Catania", client.GeoRadiusQuery{Radius: 10, Unit: "km"}, dst, true).Val())
		assert.Equal(t, []client.Z{{Member: "Catania", Score: 0}}, rdb.ZRangeWithScores(ctx, dst, 0, -1).Val())

		// The read-only forms refuse STORE; missing member errors.
		var re *redis.Error
		err := rdb.GeoRadiusByMember(ctx, g, "nowhere", q).Err()
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, "ERR", re.Prefix())
	})
}

func TestGeoDo(t *testing.T) {
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		g := k.Key("g")
		rdb.GeoAdd(ctx, g, geoPalermo, geoCatania)
		pos := rdb.Do(ctx, "GEOPOS", g, "Catania", "nowhere").Val().([]*client.GeoPos)
		require.Len(t, pos, 2)
		assert.InDelta(t, geoCatania.Longitude, pos[0].Longitude, geoDelta)
		assert.Nil(t, pos[1])
		assert.InDelta(t, 166.2742, rdb.Do(ctx, "GEODIST", g, "Palermo", "Catania", "km").Val(), 1e-4)

		// The search shapes follow the options; the coordinates come as
		// RESP2 sends them under both protocols.
		got := rdb.Do(ctx, "GEOSEARCH", g, "FROMMEMBER", "Catania", "BYRADIUS", 1, "km", "WITHCOORD", "WITHHASH").Val()
		assert.Equal(t, []any{[]any{[]byte("Catania"), int64(3479447370796909),
			[]any{[]byte("15.08726745843887329"), []byte("37.50266842333162032")}}}, got)
	})
}
