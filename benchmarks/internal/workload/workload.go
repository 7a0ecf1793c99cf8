// Package workload names the benchmark workloads and the keys and values they
// use, so that the driver (which loads the data and runs redis-benchmark) and
// the worker (which runs the Go clients) agree on them.
package workload

import (
	"bytes"
	"fmt"
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

// All lists the workloads in display order.
var All = []string{Get, Set, Par64, Pipe100, LRange, MGet, Get1M}

// Titles are the workloads' labels in the table and the chart.
var Titles = map[string]string{
	Get:     "GET serial",
	Set:     "SET serial",
	Par64:   "64 goroutines GET/SET",
	Pipe100: "pipeline 100",
	LRange:  "LRANGE 1000",
	MGet:    "MGET 100",
	Get1M:   "GET 1 MiB",
}

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
}
