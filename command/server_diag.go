package command

import (
	"context"
	"strings"
	"time"

	redis "github.com/duoredis/redis"
)

// Server diagnostics: SLOWLOG, MEMORY, LATENCY and MODULE.

// SlowLogEntry is one entry of the slow log.
type SlowLogEntry struct {
	ID         int64         // unique, increasing
	Time       time.Time     // when the command ran (to the second)
	Duration   time.Duration // how long it ran (to the microsecond)
	Args       []string      // the command and its arguments, as the server shortened them
	ClientAddr string        // the client's address, ip:port
	ClientName string        // the client's name, "" if none
}

func serverDecSlowLog(r *redis.Reply) ([]SlowLogEntry, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]SlowLogEntry, len(es))
	for i := range es {
		f, err := elems(&es[i])
		if err != nil {
			return nil, err
		}
		if len(f) < 4 {
			return nil, unexpected("slow log entry", &es[i])
		}
		e := &out[i]
		var at, usec int64
		if e.ID, err = decInt(&f[0]); err != nil {
			return nil, err
		}
		if at, err = decInt(&f[1]); err != nil {
			return nil, err
		}
		if usec, err = decInt(&f[2]); err != nil {
			return nil, err
		}
		e.Time = time.Unix(at, 0)
		e.Duration = time.Duration(usec) * time.Microsecond
		if e.Args, err = decStrings(&f[3]); err != nil {
			return nil, err
		}
		if len(f) >= 6 {
			if e.ClientAddr, err = decString(&f[4]); err != nil {
				return nil, err
			}
			if e.ClientName, err = decString(&f[5]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// SlowLogGet returns the latest entries of the slow log, newest first: up
// to count of them, all of them when count is negative, and the server's
// default (10) when count is 0.
func (c Cmdable) SlowLogGet(ctx context.Context, count int64) Result[[]SlowLogEntry] {
	switch {
	case count < 0:
		return run(c, ctx, serverDecSlowLog, "SLOWLOG", "GET", -1)
	case count > 0:
		return run(c, ctx, serverDecSlowLog, "SLOWLOG", "GET", count)
	}
	return run(c, ctx, serverDecSlowLog, "SLOWLOG", "GET")
}

// SlowLogLen returns the number of entries in the slow log.
func (c Cmdable) SlowLogLen(ctx context.Context) Result[int64] {
	return run(c, ctx, decInt, "SLOWLOG", "LEN")
}

// SlowLogReset empties the slow log and returns "OK".
func (c Cmdable) SlowLogReset(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "SLOWLOG", "RESET")
}

// SlowLogHelp returns SLOWLOG's help text.
func (c Cmdable) SlowLogHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "SLOWLOG", "HELP")
}

// MemoryUsage returns the bytes that key and its value take in memory;
// redis.Nil when the key does not exist. For a collection, samples > 0
// says how many of its elements are sampled (SAMPLES n), 0 leaves the
// server's default (5), and a negative samples sends SAMPLES 0, which
// measures every element.
func (c Cmdable) MemoryUsage(ctx context.Context, key string, samples int) Result[int64] {
	switch {
	case samples > 0:
		return run(c, ctx, decInt, "MEMORY", "USAGE", key, "SAMPLES", samples)
	case samples < 0:
		return run(c, ctx, decInt, "MEMORY", "USAGE", key, "SAMPLES", 0)
	}
	return run(c, ctx, decInt, "MEMORY", "USAGE", key)
}

// MemoryStats is the reply of MEMORY STATS. The server's field names are
// kept: byte counts and counts in Ints ("peak.allocated",
// "total.allocated", "dataset.bytes", "keys.count", ..., and per database
// "db.0.overhead.hashtable.main"), ratios and percentages in Floats
// ("fragmentation", "dataset.percentage", "allocator-rss.ratio", ...). The
// fields most read are also typed.
type MemoryStats struct {
	PeakAllocated    int64   // peak.allocated: the peak of memory allocated, in bytes
	TotalAllocated   int64   // total.allocated: memory allocated now
	StartupAllocated int64   // startup.allocated: memory allocated at startup
	OverheadTotal    int64   // overhead.total: memory not holding the dataset
	DatasetBytes     int64   // dataset.bytes: memory holding the dataset
	KeysCount        int64   // keys.count: keys in all databases
	Fragmentation    float64 // fragmentation: resident memory / allocated memory
	Ints             map[string]int64
	Floats           map[string]float64
}

// serverFloatStat reports whether a MEMORY STATS field is a ratio or a
// percentage, which RESP2 sends as a string and RESP3 as a double.
func serverFloatStat(name string) bool {
	return name == "fragmentation" || strings.HasSuffix(name, ".ratio") || strings.HasSuffix(name, ".percentage")
}

func serverDecMemoryStats(r *redis.Reply) (MemoryStats, error) {
	st := MemoryStats{Ints: map[string]int64{}, Floats: map[string]float64{}}
	var walk func(prefix string, r *redis.Reply) error
	walk = func(prefix string, r *redis.Reply) error {
		return pairs(r, func(k, v *redis.Reply) error {
			name := prefix + string(k.Str)
			switch {
			case v.Kind == redis.KindMap || v.Kind == redis.KindArray:
				return walk(name+".", v)
			case v.Kind == redis.KindDouble || serverFloatStat(name):
				f, err := decFloat(v)
				if err != nil {
					return err
				}
				st.Floats[name] = f
			case v.Kind == redis.KindNull:
			default:
				n, err := decInt(v)
				if err != nil {
					return err
				}
				st.Ints[name] = n
			}
			return nil
		})
	}
	if err := walk("", r); err != nil {
		return MemoryStats{}, err
	}
	st.PeakAllocated = st.Ints["peak.allocated"]
	st.TotalAllocated = st.Ints["total.allocated"]
	st.StartupAllocated = st.Ints["startup.allocated"]
	st.OverheadTotal = st.Ints["overhead.total"]
	st.DatasetBytes = st.Ints["dataset.bytes"]
	st.KeysCount = st.Ints["keys.count"]
	st.Fragmentation = st.Floats["fragmentation"]
	return st, nil
}

// MemoryStats returns the server's memory use in detail.
func (c Cmdable) MemoryStats(ctx context.Context) Result[MemoryStats] {
	return run(c, ctx, serverDecMemoryStats, "MEMORY", "STATS")
}

// MemoryDoctor returns the server's advice on its memory use, as text.
func (c Cmdable) MemoryDoctor(ctx context.Context) Result[string] {
	return run(c, ctx, decString, "MEMORY", "DOCTOR")
}

// MemoryMallocStats returns the memory allocator's statistics, as text.
func (c Cmdable) MemoryMallocStats(ctx context.Context) Result[string] {
	return run(c, ctx, decString, "MEMORY", "MALLOC-STATS")
}

// MemoryPurge asks the allocator to return unused memory to the system
// and returns "OK".
func (c Cmdable) MemoryPurge(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "MEMORY", "PURGE")
}

// MemoryHelp returns MEMORY's help text.
func (c Cmdable) MemoryHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "MEMORY", "HELP")
}

// LatencyEvent is one event of LATENCY LATEST.
type LatencyEvent struct {
	Name   string        // the event, e.g. "command", "fast-command", "expire-cycle"
	Time   time.Time     // when it last went over the threshold
	Latest time.Duration // its latest latency (to the millisecond)
	Max    time.Duration // its greatest latency
}

func serverDecLatencyLatest(r *redis.Reply) ([]LatencyEvent, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]LatencyEvent, len(es))
	for i := range es {
		f, err := elems(&es[i])
		if err != nil {
			return nil, err
		}
		if len(f) < 4 {
			return nil, unexpected("[event, time, latest, max]", &es[i])
		}
		var n [3]int64
		for j := range n {
			if n[j], err = decInt(&f[j+1]); err != nil {
				return nil, err
			}
		}
		name, err := decString(&f[0])
		if err != nil {
			return nil, err
		}
		out[i] = LatencyEvent{Name: name, Time: time.Unix(n[0], 0),
			Latest: time.Duration(n[1]) * time.Millisecond, Max: time.Duration(n[2]) * time.Millisecond}
	}
	return out, nil
}

// LatencyLatest returns the latest latency spike of each event.
func (c Cmdable) LatencyLatest(ctx context.Context) Result[[]LatencyEvent] {
	return run(c, ctx, serverDecLatencyLatest, "LATENCY", "LATEST")
}

// LatencySample is one point of LATENCY HISTORY.
type LatencySample struct {
	Time    time.Time
	Latency time.Duration // to the millisecond
}

func serverDecLatencyHistory(r *redis.Reply) ([]LatencySample, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]LatencySample, len(es))
	for i := range es {
		f, err := decInts(&es[i])
		if err != nil {
			return nil, err
		}
		if len(f) < 2 {
			return nil, unexpected("[time, latency]", &es[i])
		}
		out[i] = LatencySample{Time: time.Unix(f[0], 0), Latency: time.Duration(f[1]) * time.Millisecond}
	}
	return out, nil
}

// LatencyHistory returns the latency spikes of event, oldest first.
func (c Cmdable) LatencyHistory(ctx context.Context, event string) Result[[]LatencySample] {
	return run(c, ctx, serverDecLatencyHistory, "LATENCY", "HISTORY", event)
}

// LatencyReset clears the latency history of events (all events when none
// is named) and returns how many it cleared.
func (c Cmdable) LatencyReset(ctx context.Context, events ...string) Result[int64] {
	return run(c, ctx, decInt, serverSubArgs("LATENCY", "RESET", events)...)
}

// LatencyDoctor returns the server's analysis of its latency events, as
// text.
func (c Cmdable) LatencyDoctor(ctx context.Context) Result[string] {
	return run(c, ctx, decString, "LATENCY", "DOCTOR")
}

// LatencyGraph returns an ASCII-art graph of the latency history of event.
func (c Cmdable) LatencyGraph(ctx context.Context, event string) Result[string] {
	return run(c, ctx, decString, "LATENCY", "GRAPH", event)
}

// LatencyHistogram is the latency distribution of one command.
type LatencyHistogram struct {
	Calls int64 // calls
	// Buckets maps each bucket's upper bound in microseconds (powers of 2)
	// to the number of calls that took at most that long (cumulative, as
	// the server reports it; histogram_usec).
	Buckets map[int64]int64
}

func serverDecLatencyHistogram(r *redis.Reply) (map[string]LatencyHistogram, error) {
	out := map[string]LatencyHistogram{}
	err := pairs(r, func(name, v *redis.Reply) error {
		h := LatencyHistogram{Buckets: map[int64]int64{}}
		err := pairs(v, func(k, v *redis.Reply) error {
			var err error
			switch string(k.Str) {
			case "calls":
				h.Calls, err = decInt(v)
			case "histogram_usec":
				err = pairs(v, func(b, n *redis.Reply) error {
					bound, err := decInt(b)
					if err != nil {
						return err
					}
					h.Buckets[bound], err = decInt(n)
					return err
				})
			}
			return err
		})
		out[string(name.Str)] = h
		return err
	})
	return out, err
}

// LatencyHistogram returns the latency distribution of the commands named
// (of every command that ran, when none is named), by command name in
// lower case ("set", "client|id").
func (c Cmdable) LatencyHistogram(ctx context.Context, commands ...string) Result[map[string]LatencyHistogram] {
	return run(c, ctx, serverDecLatencyHistogram, serverSubArgs("LATENCY", "HISTOGRAM", commands)...)
}

// LatencyHelp returns LATENCY's help text.
func (c Cmdable) LatencyHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "LATENCY", "HELP")
}

// ModuleInfo is one module of MODULE LIST.
type ModuleInfo struct {
	Name    string   // name
	Version int64    // ver
	Path    string   // path of the module's file
	Args    []string // the arguments it was loaded with
}

func serverDecModules(r *redis.Reply) ([]ModuleInfo, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]ModuleInfo, len(es))
	for i := range es {
		m := &out[i]
		err := pairs(&es[i], func(k, v *redis.Reply) error {
			var err error
			switch string(k.Str) {
			case "name":
				m.Name, err = decString(v)
			case "ver":
				m.Version, err = decInt(v)
			case "path":
				m.Path, err = decString(v)
			case "args":
				m.Args, err = decStrings(v)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ModuleList returns the loaded modules.
func (c Cmdable) ModuleList(ctx context.Context) Result[[]ModuleInfo] {
	return run(c, ctx, serverDecModules, "MODULE", "LIST")
}

// ModuleLoad loads the module at path (a shared library on the server's
// machine) with args and returns "OK". The server refuses MODULE LOAD,
// LOADEX and UNLOAD unless its enable-module-command setting allows them.
func (c Cmdable) ModuleLoad(ctx context.Context, path string, args ...any) Result[string] {
	return run(c, ctx, decStatus, append([]any{"MODULE", "LOAD", path}, args...)...)
}

// ModuleLoadExArgs holds the options of MODULE LOADEX.
type ModuleLoadExArgs struct {
	Config map[string]any // CONFIG name value, for the module's parameters
	Args   []any          // ARGS
}

// ModuleLoadEx loads the module at path with configuration parameters and
// arguments, and returns "OK".
func (c Cmdable) ModuleLoadEx(ctx context.Context, path string, a ModuleLoadExArgs) Result[string] {
	args := []any{"MODULE", "LOADEX", path}
	for k, v := range a.Config {
		args = append(args, "CONFIG", k, v)
	}
	if len(a.Args) > 0 {
		args = append(args, "ARGS")
		args = append(args, a.Args...)
	}
	return run(c, ctx, decStatus, args...)
}

// ModuleUnload unloads the module named name and returns "OK".
func (c Cmdable) ModuleUnload(ctx context.Context, name string) Result[string] {
	return run(c, ctx, decStatus, "MODULE", "UNLOAD", name)
}

// ModuleHelp returns MODULE's help text.
func (c Cmdable) ModuleHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "MODULE", "HELP")
}
