package command

import (
	"sync"
	"time"
	"unsafe"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/pool"
)

// filler receives the outcome of one queued command.
type filler interface {
	Cmder
	fill(e *Engine, r *redis.Reply, name string)
	fail(err error)
	setName(name string)
	reset()
}

func (p *pending[T]) fill(e *Engine, r *redis.Reply, name string) {
	p.val, p.err = decode(e, r, call[T]{dec: p.dec, opts: p.opts}, nil, name)
	p.done = true
}

func (p *pending[T]) setName(name string) { p.name = name }

// reset makes the handle pending again, for a batch that is sent once more.
func (p *pending[T]) reset() {
	var zero T
	p.val, p.err, p.done = zero, nil, false
}

func (p *pending[T]) fail(err error) {
	p.err = err
	p.done = true
}

// Queue collects the commands of a pipeline: their encoded bytes, ready to
// be written in one go, and where each one's result goes. It is not safe for
// concurrent use.
type Queue struct {
	buf   []byte
	segs  []pool.Seg // large arguments left out of buf (see pool.VecMin)
	tos   int        // commands with a destination for their payload
	cmds  []queued
	block time.Duration // the longest blocking timeout among the queued commands
	cw    cacheWrites   // what the commands write, for the client-side cache

	// Handles of the commonest result types come from chunks, one
	// allocation per slabSize commands instead of one each. A slot is never
	// used twice: its handle may outlive the Exec that filled it.
	strSlab []pending[string]
	intSlab []pending[int64]
	anySlab []pending[any]

	// routed is set for the queue of a cluster client's pipeline: add then
	// records each command's slot and bytes.
	routed bool
}

const slabSize = 64

// newPending returns a fresh handle for a queued command of result type T.
func newPending[T any](q *Queue) *pending[T] {
	switch any((*T)(nil)).(type) {
	case *string:
		return (*pending[T])(unsafe.Pointer(slot(&q.strSlab)))
	case *int64:
		return (*pending[T])(unsafe.Pointer(slot(&q.intSlab)))
	case *any:
		return (*pending[T])(unsafe.Pointer(slot(&q.anySlab)))
	}
	return new(pending[T])
}

// slot takes the next unused element of the chunk *slab, starting a new
// chunk when it is full.
func slot[P any](slab *[]P) *P {
	if len(*slab) == cap(*slab) {
		*slab = make([]P, 0, slabSize)
	}
	*slab = (*slab)[:len(*slab)+1]
	return &(*slab)[len(*slab)-1]
}

type queued struct {
	f    filler
	name string // for callbacks and error messages
	// For a routed engine's queue only: the hash slot of the command's keys
	// (-1: keyless) and where its bytes are in buf.
	slot, start, end int32
	// to, when not nil, is where the payload of its bulk reply goes.
	to *redis.BulkDest
}

// queueStorage is the memory of a released Queue, kept for the next one.
type queueStorage struct {
	buf  []byte
	cmds []queued
}

var storagePool = sync.Pool{New: func() any { return new(queueStorage) }}

// maxPooledBuf bounds the command buffer a released Queue gives back.
const maxPooledBuf = 1 << 20

// Release gives the queue's buffers back for other queues to reuse (a
// closed pipeline's); the queue stays usable and starts from empty ones.
func (q *Queue) Release() {
	q.Reset()
	if cap(q.buf) == 0 || cap(q.buf) > maxPooledBuf {
		q.buf, q.cmds = nil, nil
		return
	}
	st := storagePool.Get().(*queueStorage)
	st.buf, st.cmds = q.buf[:0], q.cmds[:0]
	storagePool.Put(st)
	q.buf, q.cmds = nil, nil
}

// grab gives an empty queue the buffers of a released one, if any.
func (q *Queue) grab() {
	if q.buf == nil {
		st := storagePool.Get().(*queueStorage)
		q.buf, q.cmds = st.buf, st.cmds
		st.buf, st.cmds = nil, nil
		storagePool.Put(st)
	}
}

// add encodes args onto the queue. A *redis.DataError leaves the queue as it
// was.
func (q *Queue) add(args []any, f filler, block time.Duration) error {
	q.grab()
	var err error
	start := len(q.buf)
	if q.routed {
		if q.buf, err = redis.AppendCommand(q.buf, args...); err != nil {
			return err
		}
	} else {
		var large bool
		if q.buf, large, err = pool.AppendCommandSmall(q.buf, args); large {
			q.buf, q.segs, err = pool.AppendCommandVec(q.buf, q.segs, args...)
		}
		if err != nil {
			return err
		}
	}
	name := CommandName(args)
	qc := queued{f: f, name: name}
	if q.routed {
		slot, err := commandSlot(args, name)
		if err != nil {
			q.buf = q.buf[:start]
			return err
		}
		qc.slot, qc.start, qc.end = int32(slot), int32(start), int32(len(q.buf))
	}
	f.setName(name)
	q.cmds = append(q.cmds, qc)
	if block < 0 || (q.block >= 0 && block > q.block) {
		q.block = block
	}
	return nil
}

// Len returns the number of queued commands.
func (q *Queue) Len() int { return len(q.cmds) }

// Reset empties the queue, keeping its buffers.
func (q *Queue) Reset() {
	clear(q.segs)
	q.segs = q.segs[:0]
	q.tos = 0
	q.buf = q.buf[:0]
	clear(q.cmds)
	q.cmds = q.cmds[:0]
	q.block = 0
	q.cw.all, q.cw.keys = false, q.cw.keys[:0]
}

// Names returns the callback-table names of the queued commands, in order
// (for example "SET", "CLIENT LIST").
func (q *Queue) Names() []string {
	out := make([]string, len(q.cmds))
	for i, c := range q.cmds {
		out[i] = c.name
	}
	return out
}

// commandSlot returns the hash slot of a command's keys, -1 for a keyless
// one, and a *redis.CrossSlotError when they are in several slots (in a
// cluster pipeline even MGET and friends must stay in one slot).
func commandSlot(args []any, name string) (int, error) {
	var buf [8]int
	pos := KeyPositions(buf[:0], args)
	if len(pos) == 0 {
		return -1, nil
	}
	slot := argSlot(args[pos[0]])
	for _, p := range pos[1:] {
		if argSlot(args[p]) != slot {
			return -1, crossSlot(name, args, pos)
		}
	}
	return slot, nil
}
