package command

// Pipelines and the client-side cache.
//
// Writes: a pipeline's (or a transaction's) commands that are not known to
// be read-only drop this client's entries of their keys (and doom their
// flights) once the batch's replies have come, whatever they were, as an
// immediate write does when its reply has come: a read that follows Exec
// never sees a value from before the batch's writes. FLUSHALL, FLUSHDB and
// SWAPDB in a batch drop everything.
//
// Reads: a Cached read queued in a pipeline runs as an ordinary read, in
// its place in the batch; it is neither served from the cache nor cached.
// Why not:
//   - A pipeline's replies are matched to its commands by order on one
//     connection, and its reads must see its own earlier writes (SET k;
//     GET k). A read served from memory would have to be taken out of the
//     batch and answered at Exec, not when queued (a value as of queueing
//     may be older than a write acknowledged before Exec began), and only
//     when no earlier command of the batch may write its key; in a
//     transaction every command must run between MULTI and EXEC anyway.
//   - A miss could not be cached: a value is cached only when read on a
//     tracked connection right after CLIENT CACHING YES, with its PTTL,
//     and confirmed there (see the design in cache.go); a pipeline runs on
//     a pooled, untracked connection.
//   - What a hit saves is the round trip, which the batch pays once for its
//     other commands. Reads that should come from the cache are best made
//     as Cached calls (concurrent ones are auto-pipelined on the tracked
//     connections) or one Cached MGET, which fetches only its misses.

import "strings"

// cacheWrites is what a pipeline's queued commands will write.
type cacheWrites struct {
	all  bool     // FLUSHALL, FLUSHDB, SWAPDB
	keys []string // copies
}

// noteQueued records what the command args, queued in q, may write.
func noteQueued(q *Queue, args []any) {
	if len(args) < 1 {
		return
	}
	name := CommandName(args)
	if readOnlyCommand(name) {
		return
	}
	switch name {
	case "FLUSHALL", "FLUSHDB", "SWAPDB":
		q.cw.all = true
		return
	}
	var buf [8]int
	for _, i := range KeyPositions(buf[:0], args) {
		if i < len(args) {
			if k, ok := argText(args[i]); ok {
				q.cw.keys = append(q.cw.keys, strings.Clone(k))
			}
		}
	}
}

// wroteQueued drops, from the engine's cache or its nodes' caches, what
// q's commands (just run) may have changed.
func (e *Engine) wroteQueued(q *Queue) {
	cw := &q.cw
	if !cw.all && len(cw.keys) == 0 {
		return
	}
	if e.cache != nil {
		e.cache.dropQueued(cw)
	} else if e.caches != nil {
		if cs := e.caches.Load(); cs != nil {
			for _, c := range *cs {
				c.dropQueued(cw)
			}
		}
	}
	cw.all = false
	clear(cw.keys)
	cw.keys = cw.keys[:0]
}

// dropQueued drops what a batch's commands may have changed.
func (c *Cache) dropQueued(cw *cacheWrites) {
	c.mu.Lock()
	if cw.all {
		c.flushLocked(evOwnWrite)
	} else {
		for _, k := range cw.keys {
			c.dropKeyLocked(k, evOwnWrite)
		}
	}
	c.mu.Unlock()
}
