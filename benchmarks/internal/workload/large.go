package workload

// Large-value workloads (issue 13): the 1 MiB value read into a buffer
// the caller reuses and streamed to an io.Writer, and written plainly and
// streamed from an io.Reader. Reading into a reused buffer and streaming
// are duoredis APIs that the other Go clients do not have; they skip
// those workloads. SET 1 MiB runs every client.
const (
	GetInto1M = "getinto1m"   // serial GET of the 1 MiB value into a reused buffer
	GetTo1M   = "getto1m"     // serial GET of the 1 MiB value streamed to an io.Writer
	Set1M     = "set1m"       // serial SET of a 1 MiB value
	SetFrom1M = "setfrom1m"   // serial SET of a 1 MiB value streamed from an io.Reader
	KeySet1M  = "bench:set1m" // the key the SET workloads write
)

func init() {
	get := func() []RBPart { return []RBPart{{1, 1, []string{"GET", Key1M}, nil, 300}} }
	// redis-benchmark takes a value of -d bytes only with -t (a command
	// line argument cannot hold 1 MiB); its key is key:__rand_int__.
	set := func() []RBPart {
		return []RBPart{{1, 1, nil, []string{"-t", "set", "-d", "1048576"}, 300}}
	}
	Register(Spec{Name: GetInto1M, Title: "GET 1 MiB into a reused buffer", Load: load1M, RedisBenchmark: get})
	Register(Spec{Name: GetTo1M, Title: "GET 1 MiB streamed to an io.Writer", Load: load1M, RedisBenchmark: get})
	Register(Spec{Name: Set1M, Title: "SET 1 MiB", RedisBenchmark: set})
	Register(Spec{Name: SetFrom1M, Title: "SET 1 MiB streamed from an io.Reader", RedisBenchmark: set})
}
