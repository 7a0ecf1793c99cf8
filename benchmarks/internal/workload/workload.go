// Package workload names the benchmark workloads and the keys and values they
// use, so that the driver (which loads the data and runs redis-benchmark) and
// the worker (which runs the Go clients) agree on them.
package workload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/duoredis/redis/client"
)

// Workload names, in the order the tables and the chart show them.
const (
	Get      = "get"        // serial GET of a 16-byte value, one goroutine
	Set      = "set"        // serial SET of a 16-byte value, one goroutine
	Par64    = "par64"      // 64 goroutines on one client, GET/SET 50/50
	Pipe100  = "pipe100"    // explicit non-transactional pipelines of 100 (50 SET + 50 GET)
	LRange   = "lrange1000" // LRANGE 0 -1 of a list of 1000 16-byte items
	MGet     = "mget100"    // MGET of 100 keys of 16-byte values
	Get1M    = "get1m"      // serial GET of a 1 MiB value
	Workers  = 64           // goroutines of Par64
	PipeLen  = 100          // commands per pipeline of Pipe100
	ListLen  = 1000         // items of the LRANGE list
	MGetKeys = 100          // keys of MGET
)

// Spec describes a workload to the driver (cmd/bench): its label, the
// data it needs on the server and the redis-benchmark runs that are its
// ceiling. The worker (cmd/worker) registers the loop of each Go client
// separately, in its own table (loops), by the same name.
//
// A new workload is a new file: in internal/workload, a func init() that
// calls Register; in cmd/worker, a func init() that adds its loop to
// loops. Nothing else needs to change: the driver, the tables, the chart
// and the JSON take every registered workload, in registration order.
type Spec struct {
	Name  string // as BENCH_WORKLOADS names it
	Title string // label in the tables and the chart
	// Load writes the keys the workload reads (nil: it needs none). It
	// runs once per server, before the rounds.
	Load func(ctx context.Context, rdb *client.Client) error
	// RedisBenchmark returns the redis-benchmark runs of the ceiling (nil:
	// the workload has none, and its × redis-benchmark column is empty).
	RedisBenchmark func() []RBPart
}

// RBPart is one redis-benchmark run; a workload that mixes commands (GET
// and SET) runs one part per command, and their times add up.
type RBPart struct {
	Clients  int      // -c
	Pipeline int      // -P
	Args     []string // the command and its arguments (after the options)
	Flags    []string // more options, such as -d or -t (with no Args)
	CalN     int      // requests of the calibration run
}

var specs = map[string]Spec{}

// Register adds a workload; it panics on a name registered twice.
func Register(s Spec) {
	if _, dup := specs[s.Name]; dup || s.Name == "" {
		panic("workload: bad or duplicate name " + strconv.Quote(s.Name))
	}
	specs[s.Name] = s
	All = append(All, s.Name)
	Titles[s.Name] = s.Title
}

// Lookup returns the workload named name.
func Lookup(name string) (Spec, bool) {
	s, ok := specs[name]
	return s, ok
}

// All lists the workloads in display order: registration order.
var All []string

// Titles are the workloads' labels in the table and the chart.
var Titles = map[string]string{}

// The built-in workloads are registered by a variable's initialisation,
// which runs before any file's init: they come first, in this order.
var _ = func() int {
	val := string(Value)
	get := []string{"GET", KeyGet}
	set := []string{"SET", KeySet, val}
	one := func(p ...RBPart) func() []RBPart { return func() []RBPart { return p } }
	Register(Spec{Name: Get, Title: "GET serial", Load: loadSmall, RedisBenchmark: one(RBPart{1, 1, get, nil, 20000})})
	Register(Spec{Name: Set, Title: "SET serial", Load: loadSmall, RedisBenchmark: one(RBPart{1, 1, set, nil, 20000})})
	Register(Spec{Name: Par64, Title: "64 goroutines GET/SET", Load: loadSmall,
		RedisBenchmark: one(RBPart{Workers, 1, get, nil, 50000}, RBPart{Workers, 1, set, nil, 50000})})
	k := PipeKeys()[0]
	Register(Spec{Name: Pipe100, Title: "pipeline 100", Load: loadSmall, RedisBenchmark: one(
		RBPart{1, PipeLen, []string{"SET", k, val}, nil, 300000},
		RBPart{1, PipeLen, []string{"GET", k}, nil, 300000})})
	Register(Spec{Name: LRange, Title: "LRANGE 1000", Load: loadList,
		RedisBenchmark: one(RBPart{1, 1, []string{"LRANGE", KeyList, "0", "-1"}, nil, 2000})})
	Register(Spec{Name: MGet, Title: "MGET 100", Load: loadSmall,
		RedisBenchmark: one(RBPart{1, 1, append([]string{"MGET"}, MGetKeyList()...), nil, 5000})})
	Register(Spec{Name: Get1M, Title: "GET 1 MiB", Load: load1M,
		RedisBenchmark: one(RBPart{1, 1, []string{"GET", Key1M}, nil, 300})})
	return 0
}()

// Keys and values. Every value is 16 bytes except Key1M's.
const (
	KeyGet   = "bench:k16"
	KeySet   = "bench:set"
	KeyList  = "bench:list"
	Key1M    = "bench:k1m"
	ValueLen = 16
	Size1M   = 1 << 20
)

// Value is the 16-byte value every workload writes and reads.
var Value = []byte("0123456789abcdef")

// Value1M returns the 1 MiB value of Key1M.
func Value1M() []byte { return bytes.Repeat([]byte("0123456789abcdef"), Size1M/16) }

// ParKeys returns the key each goroutine of Par64 SETs.
func ParKeys() []string { return keys("bench:par:", Workers) }

// PipeKeys returns the keys of a pipeline: command 2j SETs key j, command
// 2j+1 GETs it.
func PipeKeys() []string { return keys("bench:pipe:", PipeLen/2) }

// MGetKeyList returns the MGET keys.
func MGetKeyList() []string { return keys("bench:mget:", MGetKeys) }

// ListItem returns the i-th item of the LRANGE list (16 bytes).
func ListItem(i int) string { return fmt.Sprintf("item-%011d", i) }

func keys(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

// Result is what one worker run reports, as JSON on its standard output.
type Result struct {
	Client   string  `json:"client"`
	Workload string  `json:"workload"`
	Ops      int64   `json:"ops"`       // commands (replies), not batches
	Seconds  float64 `json:"seconds"`   // measured wall time
	Mallocs  uint64  `json:"mallocs"`   // runtime.MemStats.Mallocs delta
	Bytes    uint64  `json:"bytes"`     // runtime.MemStats.TotalAlloc delta
	CPU      float64 `json:"cpu"`       // user+system seconds (getrusage RUSAGE_SELF delta)
	GC       uint32  `json:"gc"`        // GC cycles during the run
	Parser   string  `json:"parser"`    // duoredis only: the parser in use
	Go       string  `json:"goversion"` // runtime.Version()
	// Skipped: the client has no way to run this workload (its loop
	// returned ErrSkip); the row is left out of the tables.
	Skipped bool `json:"skipped,omitempty"`
}

// ErrSkip is what a worker's loop returns for a client that cannot run the
// workload (such as a duoredis-only API): the worker then reports a
// Skipped result, and the driver leaves the client out of that workload.
var ErrSkip = errors.New("workload: not supported by this client")

// loadSmall writes the 16-byte keys of the GET, SET, 64-goroutine,
// pipeline and MGET workloads.
func loadSmall(ctx context.Context, rdb *client.Client) error {
	keys := append([]string{KeyGet, KeySet}, ParKeys()...)
	keys = append(keys, PipeKeys()...)
	for _, k := range append(keys, MGetKeyList()...) {
		if err := rdb.Set(ctx, k, Value, 0).Err(); err != nil {
			return err
		}
	}
	return nil
}

// loadList writes the LRANGE list.
func loadList(ctx context.Context, rdb *client.Client) error {
	if err := rdb.Del(ctx, KeyList).Err(); err != nil {
		return err
	}
	items := make([]any, ListLen)
	for i := range items {
		items[i] = ListItem(i)
	}
	if err := rdb.RPush(ctx, KeyList, items...).Err(); err != nil {
		return err
	}
	n, err := rdb.LLen(ctx, KeyList).Result()
	if err != nil {
		return err
	}
	if n != ListLen {
		return fmt.Errorf("list has %d items, want %d", n, ListLen)
	}
	return nil
}

// load1M writes the 1 MiB value.
func load1M(ctx context.Context, rdb *client.Client) error {
	return rdb.Set(ctx, Key1M, Value1M(), 0).Err()
}
