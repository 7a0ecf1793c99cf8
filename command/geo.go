package command

import (
	"context"

	redis "github.com/duoredis/redis"
)

func init() {
	defaultCallbacks["GEODIST"] = wrap(decFloat)
	defaultCallbacks["GEOPOS"] = wrap(geoDecodePos)
	for _, name := range []string{"GEOSEARCH", "GEORADIUS", "GEORADIUS_RO", "GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"} {
		defaultCallbacks[name] = geoPlainCallback
	}
}

// GeoLocation is a member of a geospatial index: what GeoAdd adds (Name,
// Longitude, Latitude), and what the searches return (Name, and the
// coordinates, distance and geohash when asked for with WithCoord,
// WithDist and WithHash; zero otherwise).
type GeoLocation struct {
	Name                string
	Longitude, Latitude float64
	Dist                float64 // in the query's unit
	GeoHash             int64   // the 52-bit integer geohash
}

// GeoPos is the position of a member.
type GeoPos struct {
	Longitude, Latitude float64
}

// GeoAddArgs are the flags of GEOADD (Redis 6.2).
type GeoAddArgs struct {
	NX bool // only add new members, never update
	XX bool // only update existing members, never add
	CH bool // count changed members (added or moved), not only added ones
}

// GeoSearchQuery is the center, the shape and the options of GEOSEARCH
// and GEOSEARCHSTORE (Redis 6.2).
type GeoSearchQuery struct {
	// Member is the center (FROMMEMBER) when not ""; otherwise Longitude
	// and Latitude are (FROMLONLAT).
	Member              string
	Longitude, Latitude float64
	// The shape: a Width by Height box (BYBOX) when either is non-zero,
	// otherwise a circle of Radius (BYRADIUS).
	Radius        float64
	Width, Height float64
	// Unit of Radius, Width, Height and of the distances returned: "m"
	// (the default when ""), "km", "mi" or "ft".
	Unit string
	// Sort is "ASC" (nearest first), "DESC" or "" (unsorted).
	Sort string
	// Count returns at most Count members (0: all); with Any, the first
	// Count found rather than the nearest.
	Count int64
	Any   bool
}

// GeoSearchLocationQuery is a GeoSearchQuery that asks for coordinates
// (WITHCOORD), distances (WITHDIST) and geohashes (WITHHASH).
type GeoSearchLocationQuery struct {
	GeoSearchQuery
	WithCoord, WithDist, WithHash bool
}

// GeoSearchStoreQuery is a GeoSearchQuery for GEOSEARCHSTORE: StoreDist
// stores the distances as scores instead of the geohashes.
type GeoSearchStoreQuery struct {
	GeoSearchQuery
	StoreDist bool
}

// GeoRadiusQuery are the options of GEORADIUS and GEORADIUSBYMEMBER
// (deprecated in Redis 6.2 for GEOSEARCH). Radius is in Unit ("m" when
// ""); Sort, Count and Any are as in GeoSearchQuery.
type GeoRadiusQuery struct {
	Radius                        float64
	Unit                          string
	WithCoord, WithDist, WithHash bool
	Count                         int64
	Any                           bool
	Sort                          string
}

// GeoAdd adds (or moves) members to the geospatial index at key and returns
// how many were added.
func (c Cmdable) GeoAdd(ctx context.Context, key string, locs ...GeoLocation) Result[int64] {
	return run(c, ctx, decInt, geoAddArgs(key, GeoAddArgs{}, locs)...)
}

// GeoAddWithArgs is GeoAdd with the flags NX, XX and CH; it returns how
// many were added (with CH: added or moved).
func (c Cmdable) GeoAddWithArgs(ctx context.Context, key string, a GeoAddArgs, locs ...GeoLocation) Result[int64] {
	return run(c, ctx, decInt, geoAddArgs(key, a, locs)...)
}

// GeoDist returns the distance between two members in unit ("m" when "",
// "km", "mi", "ft"); redis.Nil when either is missing.
func (c Cmdable) GeoDist(ctx context.Context, key string, member1, member2 any, unit string) Result[float64] {
	if unit == "" {
		return run(c, ctx, decFloat, "GEODIST", key, member1, member2)
	}
	return run(c, ctx, decFloat, "GEODIST", key, member1, member2, unit)
}

// GeoHash returns the 11-character geohash strings of members, "" for a
// member that is missing.
func (c Cmdable) GeoHash(ctx context.Context, key string, members ...any) Result[[]string] {
	return run(c, ctx, decStrings, zsetMembersArgs("GEOHASH", key, members)...)
}

// GeoPos returns the positions of members, nil for a member that is
// missing.
func (c Cmdable) GeoPos(ctx context.Context, key string, members ...any) Result[[]*GeoPos] {
	return run(c, ctx, geoDecodePos, zsetMembersArgs("GEOPOS", key, members)...)
}

// GeoRadius returns the members within q.Radius of a point (GEORADIUS,
// deprecated: prefer GeoSearchLocation).
func (c Cmdable) GeoRadius(ctx context.Context, key string, longitude, latitude float64, q GeoRadiusQuery) Result[[]GeoLocation] {
	args := geoRadiusArgs([]any{"GEORADIUS", key, longitude, latitude}, q, "", false)
	return run(c, ctx, geoDecodeLocations, args...)
}

// GeoRadiusRO is GeoRadius as the read-only GEORADIUS_RO, which replicas
// accept.
func (c Cmdable) GeoRadiusRO(ctx context.Context, key string, longitude, latitude float64, q GeoRadiusQuery) Result[[]GeoLocation] {
	args := geoRadiusArgs([]any{"GEORADIUS_RO", key, longitude, latitude}, q, "", false)
	return run(c, ctx, geoDecodeLocations, args...)
}

// GeoRadiusStore stores the members GeoRadius finds in the sorted set at
// destination (scored by geohash, or by distance with storeDist) and
// returns how many (GEORADIUS ... STORE/STOREDIST). The With options do not
// apply.
func (c Cmdable) GeoRadiusStore(ctx context.Context, key string, longitude, latitude float64, q GeoRadiusQuery, destination string, storeDist bool) Result[int64] {
	args := geoRadiusArgs([]any{"GEORADIUS", key, longitude, latitude}, q, destination, storeDist)
	return run(c, ctx, decInt, args...)
}

// GeoRadiusByMember is GeoRadius around a member (GEORADIUSBYMEMBER,
// deprecated: prefer GeoSearchLocation).
func (c Cmdable) GeoRadiusByMember(ctx context.Context, key string, member any, q GeoRadiusQuery) Result[[]GeoLocation] {
	args := geoRadiusArgs([]any{"GEORADIUSBYMEMBER", key, member}, q, "", false)
	return run(c, ctx, geoDecodeLocations, args...)
}

// GeoRadiusByMemberRO is GeoRadiusByMember as the read-only
// GEORADIUSBYMEMBER_RO.
func (c Cmdable) GeoRadiusByMemberRO(ctx context.Context, key string, member any, q GeoRadiusQuery) Result[[]GeoLocation] {
	args := geoRadiusArgs([]any{"GEORADIUSBYMEMBER_RO", key, member}, q, "", false)
	return run(c, ctx, geoDecodeLocations, args...)
}

// GeoRadiusByMemberStore is GeoRadiusStore around a member.
func (c Cmdable) GeoRadiusByMemberStore(ctx context.Context, key string, member any, q GeoRadiusQuery, destination string, storeDist bool) Result[int64] {
	args := geoRadiusArgs([]any{"GEORADIUSBYMEMBER", key, member}, q, destination, storeDist)
	return run(c, ctx, decInt, args...)
}

// GeoSearch returns the names of the members within the shape of q.
func (c Cmdable) GeoSearch(ctx context.Context, key string, q GeoSearchQuery) Result[[]string] {
	return run(c, ctx, decStrings, geoSearchArgs("GEOSEARCH", "", key, q, 0)...)
}

// GeoSearchLocation is GeoSearch returning locations, with the coordinates,
// distances and geohashes that q asks for.
func (c Cmdable) GeoSearchLocation(ctx context.Context, key string, q GeoSearchLocationQuery) Result[[]GeoLocation] {
	args := geoSearchArgs("GEOSEARCH", "", key, q.GeoSearchQuery, 3)
	if q.WithCoord {
		args = append(args, "WITHCOORD")
	}
	if q.WithDist {
		args = append(args, "WITHDIST")
	}
	if q.WithHash {
		args = append(args, "WITHHASH")
	}
	return run(c, ctx, geoDecodeLocations, args...)
}

// GeoSearchStore stores the members GeoSearch(source, q) finds in the sorted
// set at destination and returns how many.
func (c Cmdable) GeoSearchStore(ctx context.Context, source, destination string, q GeoSearchStoreQuery) Result[int64] {
	args := geoSearchArgs("GEOSEARCHSTORE", destination, source, q.GeoSearchQuery, 1)
	if q.StoreDist {
		args = append(args, "STOREDIST")
	}
	return run(c, ctx, decInt, args...)
}

// geoAddArgs returns the arguments of GEOADD.
func geoAddArgs(key string, a GeoAddArgs, locs []GeoLocation) []any {
	args := make([]any, 0, 5+3*len(locs))
	args = append(args, "GEOADD", key)
	if a.NX {
		args = append(args, "NX")
	}
	if a.XX {
		args = append(args, "XX")
	}
	if a.CH {
		args = append(args, "CH")
	}
	for _, l := range locs {
		args = append(args, l.Longitude, l.Latitude, l.Name)
	}
	return args
}

// geoUnit returns unit, or "m" for "".
func geoUnit(unit string) string {
	if unit == "" {
		return "m"
	}
	return unit
}

// geoSearchArgs returns the arguments of GEOSEARCH (destination "") or
// GEOSEARCHSTORE, with room for extra more.
func geoSearchArgs(name, destination, key string, q GeoSearchQuery, extra int) []any {
	args := make([]any, 0, 14+extra)
	args = append(args, name)
	if destination != "" {
		args = append(args, destination)
	}
	args = append(args, key)
	if q.Member != "" {
		args = append(args, "FROMMEMBER", q.Member)
	} else {
		args = append(args, "FROMLONLAT", q.Longitude, q.Latitude)
	}
	if q.Width != 0 || q.Height != 0 {
		args = append(args, "BYBOX", q.Width, q.Height, geoUnit(q.Unit))
	} else {
		args = append(args, "BYRADIUS", q.Radius, geoUnit(q.Unit))
	}
	if q.Sort != "" {
		args = append(args, q.Sort)
	}
	if q.Count > 0 {
		args = append(args, "COUNT", q.Count)
		if q.Any {
			args = append(args, "ANY")
		}
	}
	return args
}

// geoRadiusArgs appends the radius and options of GEORADIUS and
// GEORADIUSBYMEMBER to args, and STORE or STOREDIST when destination is
// not "" (the With options are then left out: the server refuses them).
func geoRadiusArgs(args []any, q GeoRadiusQuery, destination string, storeDist bool) []any {
	args = append(args, q.Radius, geoUnit(q.Unit))
	if destination == "" {
		if q.WithCoord {
			args = append(args, "WITHCOORD")
		}
		if q.WithDist {
			args = append(args, "WITHDIST")
		}
		if q.WithHash {
			args = append(args, "WITHHASH")
		}
	}
	if q.Count > 0 {
		args = append(args, "COUNT", q.Count)
		if q.Any {
			args = append(args, "ANY")
		}
	}
	if q.Sort != "" {
		args = append(args, q.Sort)
	}
	switch {
	case destination != "" && storeDist:
		args = append(args, "STOREDIST", destination)
	case destination != "":
		args = append(args, "STORE", destination)
	}
	return args
}

// geoDecodeCoord reads a [longitude, latitude] pair (RESP3 doubles or
// RESP2 bulk strings).
func geoDecodeCoord(r *redis.Reply) (GeoPos, error) {
	if r.Kind != redis.KindArray || len(r.Elems) != 2 {
		return GeoPos{}, unexpected("[longitude, latitude]", r)
	}
	var p GeoPos
	var err error
	if p.Longitude, err = decFloat(&r.Elems[0]); err != nil {
		return GeoPos{}, err
	}
	if p.Latitude, err = decFloat(&r.Elems[1]); err != nil {
		return GeoPos{}, err
	}
	return p, nil
}

// geoDecodePos reads GEOPOS: a position or nil per member.
func geoDecodePos(r *redis.Reply) ([]*GeoPos, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]*GeoPos, len(es))
	for i := range es {
		if es[i].Kind == redis.KindNull {
			continue
		}
		p, err := geoDecodeCoord(&es[i])
		if err != nil {
			return nil, err
		}
		out[i] = &p
	}
	return out, nil
}

// geoDecodeLocations reads the result of GEOSEARCH and GEORADIUS: names
// alone, or [name, dist?, hash?, [lon, lat]?] arrays holding what the WITH
// options asked for, always in that order. What each item is shows in its
// type (the distance is text, the hash an integer, the position an array),
// so the decoder needs no options.
func geoDecodeLocations(r *redis.Reply) ([]GeoLocation, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]GeoLocation, len(es))
	for i := range es {
		e := &es[i]
		if e.Kind != redis.KindArray {
			if out[i].Name, err = decString(e); err != nil {
				return nil, err
			}
			continue
		}
		if len(e.Elems) == 0 {
			return nil, unexpected("[name, ...]", e)
		}
		if out[i].Name, err = decString(&e.Elems[0]); err != nil {
			return nil, err
		}
		for j := 1; j < len(e.Elems); j++ {
			f := &e.Elems[j]
			switch f.Kind {
			case redis.KindInteger:
				out[i].GeoHash = f.Int
			case redis.KindArray:
				p, err := geoDecodeCoord(f)
				if err != nil {
					return nil, err
				}
				out[i].Longitude, out[i].Latitude = p.Longitude, p.Latitude
			default:
				if out[i].Dist, err = decFloat(f); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// geoPlainCallback is Do's callback for the geo searches, whose shape
// depends on their WITH options: the reply as plain values, with RESP3's
// doubles (the coordinates) as the text the server sent, which is what
// RESP2 sends, so both protocols give the same value.
func geoPlainCallback(r *redis.Reply, o CallbackOptions) (any, error) {
	return geoPlain(r, o.Decode), nil
}

func geoPlain(r *redis.Reply, decode bool) any {
	switch r.Kind {
	case redis.KindDouble:
		return zsetText(r, decode)
	case redis.KindArray:
		out := make([]any, len(r.Elems))
		for i := range r.Elems {
			out[i] = geoPlain(&r.Elems[i], decode)
		}
		return out
	}
	return ToAny(r, decode)
}
