package workload

// Client-side caching workloads (issue 12): duoredis's Cached reads
// against rueidis's DoCache and DoMultiCache; the other clients have no
// client-side cache and skip them. The values are those of the MGET
// workload (100 keys of 16 bytes).
const (
	CacheGet  = "cacheget"      // serial cached GET, always a hit after the warm-up
	CacheMGet = "cachemget100"  // serial cached MGET of 100 keys (rueidis: DoMultiCache of 100 GETs), hits
	CacheMix  = "cachemix90-10" // 64 goroutines, 90% cached GET, 10% SET of the same 100 keys
)

func init() {
	Register(Spec{Name: CacheGet, Title: "cached GET (hit)", Load: loadSmall})
	Register(Spec{Name: CacheMGet, Title: "cached MGET 100 (hit)", Load: loadSmall})
	Register(Spec{Name: CacheMix, Title: "cached 90/10 GET/SET, 64 goroutines", Load: loadSmall})
}
