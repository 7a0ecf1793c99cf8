package command

import (
	"context"
	"slices"
	"strconv"
	"time"

	redis "github.com/duoredis/redis"
)

// The stream commands (Redis 7.0). Entry IDs are strings ("1526919030474-55",
// "*", "$", ">", "-", "+"); results are typed as in stream_decode.go.

// XBlockForever, as the Block of XReadArgs or XReadGroupArgs, waits for
// entries without a time limit (BLOCK 0).
const XBlockForever time.Duration = -1

// XAddField is one field of an entry to add and its value: bytes, a string
// or a number.
type XAddField struct {
	Name  string
	Value any
}

// XAddArgs are the arguments of XADD.
type XAddArgs struct {
	Stream string
	// NoMkStream does not create a missing stream (NOMKSTREAM): XAdd then
	// returns redis.Nil.
	NoMkStream bool
	// MaxLen > 0 trims the stream to that many entries (MAXLEN); MinID !=
	// "" evicts entries with lower IDs (MINID). At most one of them.
	MaxLen int64
	MinID  string
	// Approx trims approximately ("~"), which is cheaper; otherwise the
	// trim is exact ("=").
	Approx bool
	// Limit > 0 caps the number of entries evicted by one approximate trim
	// (LIMIT).
	Limit int64
	// ID is the new entry's ID; "" or "*" lets the server make one.
	ID string
	// Fields are sent first, in their order, then Values sorted by name (a
	// map has no order, and an entry keeps the order of its fields). Use
	// Fields when the order matters or a name repeats.
	Fields []XAddField
	Values map[string]any
}

// XAdd appends an entry to a stream and returns its ID; redis.Nil when
// NoMkStream is set and the stream does not exist.
func (c Cmdable) XAdd(ctx context.Context, a XAddArgs) Result[string] {
	args := make([]any, 0, 10+2*len(a.Fields)+2*len(a.Values))
	args = append(args, "XADD", a.Stream)
	if a.NoMkStream {
		args = append(args, "NOMKSTREAM")
	}
	switch {
	case a.MaxLen > 0:
		args = streamTrimArgs(args, "MAXLEN", a.MaxLen, a.Approx, a.Limit)
	case a.MinID != "":
		args = streamTrimArgs(args, "MINID", a.MinID, a.Approx, a.Limit)
	}
	if a.ID == "" {
		args = append(args, "*")
	} else {
		args = append(args, a.ID)
	}
	for _, f := range a.Fields {
		args = append(args, f.Name, f.Value)
	}
	names := make([]string, 0, len(a.Values))
	for k := range a.Values {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		args = append(args, k, a.Values[k])
	}
	return run(c, ctx, decString, args...)
}

// streamTrimArgs appends MAXLEN or MINID with its operator and LIMIT.
func streamTrimArgs(args []any, strategy string, threshold any, approx bool, limit int64) []any {
	op := "="
	if approx {
		op = "~"
	}
	args = append(args, strategy, op, threshold)
	if limit > 0 {
		args = append(args, "LIMIT", limit)
	}
	return args
}

// XAck acknowledges entries of a consumer group and returns how many were
// pending.
func (c Cmdable) XAck(ctx context.Context, stream, group string, ids ...string) Result[int64] {
	args := make([]any, 0, 3+len(ids))
	args = append(args, "XACK", stream, group)
	for _, id := range ids {
		args = append(args, id)
	}
	return run(c, ctx, decInt, args...)
}

// XAutoClaimArgs are the arguments of XAUTOCLAIM.
type XAutoClaimArgs struct {
	Stream, Group, Consumer string
	// MinIdle is how long an entry must have been pending to be claimed.
	MinIdle time.Duration
	// Start is the ID to scan the pending entries from; "" is "0-0".
	Start string
	// Count > 0 caps the entries claimed (COUNT; the server's default is
	// 100).
	Count int64
}

func streamAutoClaimArgs(a XAutoClaimArgs, justID bool) []any {
	start := a.Start
	if start == "" {
		start = "0-0"
	}
	args := make([]any, 0, 9)
	args = append(args, "XAUTOCLAIM", a.Stream, a.Group, a.Consumer, streamMillis(a.MinIdle), start)
	if a.Count > 0 {
		args = append(args, "COUNT", a.Count)
	}
	if justID {
		args = append(args, "JUSTID")
	}
	return args
}

// XAutoClaim transfers pending entries idle for at least MinIdle to
// Consumer, and returns them, the ID to continue from ("0-0" when done) and
// the IDs of pending entries that were deleted from the stream.
func (c Cmdable) XAutoClaim(ctx context.Context, a XAutoClaimArgs) Result[XAutoClaimResult] {
	return run(c, ctx, streamDecodeAutoClaim, streamAutoClaimArgs(a, false)...)
}

// XAutoClaimJustID is XAutoClaim returning only the IDs of the claimed
// entries (JUSTID), without increasing their delivery counts.
func (c Cmdable) XAutoClaimJustID(ctx context.Context, a XAutoClaimArgs) Result[XAutoClaimJustIDResult] {
	return run(c, ctx, streamDecodeAutoClaimJustID, streamAutoClaimArgs(a, true)...)
}

// XClaimArgs are the arguments of XCLAIM.
type XClaimArgs struct {
	Stream, Group, Consumer string
	// MinIdle is how long an entry must have been pending to be claimed.
	MinIdle time.Duration
	// IDs are the entries to claim.
	IDs []string
	// Idle > 0 sets the entries' idle time (IDLE); Time, when not zero,
	// sets their last delivery time instead (TIME).
	Idle time.Duration
	Time time.Time
	// RetryCount, when not nil, sets the delivery count (RETRYCOUNT):
	// RetryCount: new(int64(5)).
	RetryCount *int64
	// Force creates pending entries for IDs that are not pending yet
	// (FORCE), as long as they exist in the stream.
	Force bool
	// LastID, when set, updates the group's last delivered ID (LASTID;
	// meant for replication).
	LastID string
}

func streamClaimArgs(a XClaimArgs, justID bool) []any {
	args := make([]any, 0, 16+len(a.IDs))
	args = append(args, "XCLAIM", a.Stream, a.Group, a.Consumer, streamMillis(a.MinIdle))
	for _, id := range a.IDs {
		args = append(args, id)
	}
	if a.Idle > 0 {
		args = append(args, "IDLE", streamMillis(a.Idle))
	}
	if !a.Time.IsZero() {
		args = append(args, "TIME", a.Time.UnixMilli())
	}
	if a.RetryCount != nil {
		args = append(args, "RETRYCOUNT", *a.RetryCount)
	}
	if a.Force {
		args = append(args, "FORCE")
	}
	if justID {
		args = append(args, "JUSTID")
	}
	if a.LastID != "" {
		args = append(args, "LASTID", a.LastID)
	}
	return args
}

// XClaim transfers the pending entries IDs idle for at least MinIdle to
// Consumer and returns the entries it claimed. Entries deleted from the
// stream are dropped from the pending list and left out (Redis 7); older
// servers return them as Deleted messages.
func (c Cmdable) XClaim(ctx context.Context, a XClaimArgs) Result[[]XMessage] {
	return run(c, ctx, streamDecodeMessages, streamClaimArgs(a, false)...)
}

// XClaimJustID is XClaim returning only the IDs of the claimed entries
// (JUSTID), without increasing their delivery counts.
func (c Cmdable) XClaimJustID(ctx context.Context, a XClaimArgs) Result[[]string] {
	return run(c, ctx, decStrings, streamClaimArgs(a, true)...)
}

// XDel deletes entries from a stream and returns how many existed.
func (c Cmdable) XDel(ctx context.Context, stream string, ids ...string) Result[int64] {
	args := make([]any, 0, 2+len(ids))
	args = append(args, "XDEL", stream)
	for _, id := range ids {
		args = append(args, id)
	}
	return run(c, ctx, decInt, args...)
}

// XGroupCreateArgs are the options of XGROUP CREATE.
type XGroupCreateArgs struct {
	// MkStream creates the stream, empty, when it does not exist
	// (MKSTREAM).
	MkStream bool
	// EntriesRead, when not nil, is the number of entries the group has
	// read (ENTRIESREAD, Redis 7), from which the server computes its lag:
	// EntriesRead: new(int64(0)).
	EntriesRead *int64
}

// XGroupCreate creates a consumer group that delivers the entries after
// start ("$": only new entries; "0": all of them) and returns "OK".
func (c Cmdable) XGroupCreate(ctx context.Context, stream, group, start string) Result[string] {
	return run(c, ctx, decStatus, "XGROUP", "CREATE", stream, group, start)
}

// XGroupCreateMkStream is XGroupCreate that creates a missing stream
// (MKSTREAM).
func (c Cmdable) XGroupCreateMkStream(ctx context.Context, stream, group, start string) Result[string] {
	return run(c, ctx, decStatus, "XGROUP", "CREATE", stream, group, start, "MKSTREAM")
}

// XGroupCreateWithArgs is XGroupCreate with the options of a.
func (c Cmdable) XGroupCreateWithArgs(ctx context.Context, stream, group, start string, a XGroupCreateArgs) Result[string] {
	args := make([]any, 0, 8)
	args = append(args, "XGROUP", "CREATE", stream, group, start)
	if a.MkStream {
		args = append(args, "MKSTREAM")
	}
	if a.EntriesRead != nil {
		args = append(args, "ENTRIESREAD", *a.EntriesRead)
	}
	return run(c, ctx, decStatus, args...)
}

// XGroupCreateConsumer creates a consumer in a group and returns 1, or 0
// when it existed.
func (c Cmdable) XGroupCreateConsumer(ctx context.Context, stream, group, consumer string) Result[int64] {
	return run(c, ctx, decInt, "XGROUP", "CREATECONSUMER", stream, group, consumer)
}

// XGroupDelConsumer deletes a consumer from a group and returns how many
// pending entries it had (they are no longer pending).
func (c Cmdable) XGroupDelConsumer(ctx context.Context, stream, group, consumer string) Result[int64] {
	return run(c, ctx, decInt, "XGROUP", "DELCONSUMER", stream, group, consumer)
}

// XGroupDestroy deletes a consumer group and returns 1, or 0 when it did
// not exist.
func (c Cmdable) XGroupDestroy(ctx context.Context, stream, group string) Result[int64] {
	return run(c, ctx, decInt, "XGROUP", "DESTROY", stream, group)
}

// XGroupSetID sets the last delivered ID of a group ("$": the stream's last
// entry) and returns "OK".
func (c Cmdable) XGroupSetID(ctx context.Context, stream, group, start string) Result[string] {
	return run(c, ctx, decStatus, "XGROUP", "SETID", stream, group, start)
}

// XGroupSetIDEntriesRead is XGroupSetID that also sets the number of
// entries the group has read (ENTRIESREAD, Redis 7).
func (c Cmdable) XGroupSetIDEntriesRead(ctx context.Context, stream, group, start string, entriesRead int64) Result[string] {
	return run(c, ctx, decStatus, "XGROUP", "SETID", stream, group, start, "ENTRIESREAD", entriesRead)
}

// XInfoConsumers returns the consumers of a group.
func (c Cmdable) XInfoConsumers(ctx context.Context, stream, group string) Result[[]XInfoConsumer] {
	return run(c, ctx, streamDecodeInfoConsumers, "XINFO", "CONSUMERS", stream, group)
}

// XInfoGroups returns the consumer groups of a stream.
func (c Cmdable) XInfoGroups(ctx context.Context, stream string) Result[[]XInfoGroup] {
	return run(c, ctx, streamDecodeInfoGroups, "XINFO", "GROUPS", stream)
}

// XInfoStream returns information about a stream; a missing stream is a
// server error ("ERR no such key").
func (c Cmdable) XInfoStream(ctx context.Context, stream string) Result[XInfoStream] {
	return run(c, ctx, streamDecodeInfoStream, "XINFO", "STREAM", stream)
}

// XInfoStreamFull returns the full information about a stream (FULL): count
// > 0 caps the entries and the pending entries listed per group and
// consumer (COUNT), 0 leaves the server's default (10), and count < 0 lists
// them all (COUNT 0).
func (c Cmdable) XInfoStreamFull(ctx context.Context, stream string, count int64) Result[XInfoStreamFull] {
	switch {
	case count > 0:
		return run(c, ctx, streamDecodeInfoStreamFull, "XINFO", "STREAM", stream, "FULL", "COUNT", count)
	case count < 0:
		return run(c, ctx, streamDecodeInfoStreamFull, "XINFO", "STREAM", stream, "FULL", "COUNT", 0)
	}
	return run(c, ctx, streamDecodeInfoStreamFull, "XINFO", "STREAM", stream, "FULL")
}

// XLen returns the number of entries of a stream (0 if it does not exist).
func (c Cmdable) XLen(ctx context.Context, stream string) Result[int64] {
	return run(c, ctx, decInt, "XLEN", stream)
}

// XPending returns the summary of a group's pending entries.
func (c Cmdable) XPending(ctx context.Context, stream, group string) Result[XPending] {
	return run(c, ctx, streamDecodePending, "XPENDING", stream, group)
}

// XPendingExtArgs are the arguments of the extended form of XPENDING.
type XPendingExtArgs struct {
	Stream, Group string
	// Idle > 0 lists only entries idle for at least that long (IDLE).
	Idle time.Duration
	// Start and End bound the IDs; "" is "-" and "+".
	Start, End string
	// Count is the most entries to list.
	Count int64
	// Consumer, when set, lists only that consumer's entries.
	Consumer string
}

// XPendingExt returns a group's pending entries between Start and End, at
// most Count of them.
func (c Cmdable) XPendingExt(ctx context.Context, a XPendingExtArgs) Result[[]XPendingExt] {
	start, end := a.Start, a.End
	if start == "" {
		start = "-"
	}
	if end == "" {
		end = "+"
	}
	args := make([]any, 0, 9)
	args = append(args, "XPENDING", a.Stream, a.Group)
	if a.Idle > 0 {
		args = append(args, "IDLE", streamMillis(a.Idle))
	}
	args = append(args, start, end, a.Count)
	if a.Consumer != "" {
		args = append(args, a.Consumer)
	}
	return run(c, ctx, streamDecodePendingExt, args...)
}

// XRange returns the entries with IDs between start and stop, inclusive
// ("-" and "+" are the ends; "(" before an ID excludes it).
func (c Cmdable) XRange(ctx context.Context, stream, start, stop string) Result[[]XMessage] {
	return run(c, ctx, streamDecodeMessages, "XRANGE", stream, start, stop)
}

// XRangeN is XRange returning at most count entries.
func (c Cmdable) XRangeN(ctx context.Context, stream, start, stop string, count int64) Result[[]XMessage] {
	return run(c, ctx, streamDecodeMessages, "XRANGE", stream, start, stop, "COUNT", count)
}

// XRevRange returns the entries with IDs between start and stop in reverse
// order: start is the higher ID ("+"), stop the lower one ("-").
func (c Cmdable) XRevRange(ctx context.Context, stream, start, stop string) Result[[]XMessage] {
	return run(c, ctx, streamDecodeMessages, "XREVRANGE", stream, start, stop)
}

// XRevRangeN is XRevRange returning at most count entries.
func (c Cmdable) XRevRangeN(ctx context.Context, stream, start, stop string, count int64) Result[[]XMessage] {
	return run(c, ctx, streamDecodeMessages, "XREVRANGE", stream, start, stop, "COUNT", count)
}

// XReadArgs are the arguments of XREAD.
type XReadArgs struct {
	// Streams are the streams to read and IDs the ID after which to read
	// each one, in the same order ("$": only entries added from now on,
	// which is meant for Block). nil IDs is "$" for every stream.
	Streams []string
	IDs     []string
	// Count > 0 caps the entries read per stream (COUNT).
	Count int64
	// Block > 0 waits up to that long (rounded up to milliseconds) for
	// entries when there are none; XBlockForever waits without limit; 0
	// does not wait.
	Block time.Duration
}

// XRead reads entries from one or more streams, returned in the order of
// Streams (streams with nothing new are left out); redis.Nil when there was
// nothing to read or Block timed out.
func (c Cmdable) XRead(ctx context.Context, a XReadArgs) Result[[]XStream] {
	args := make([]any, 0, 6+2*len(a.Streams))
	args = append(args, "XREAD")
	if a.Count > 0 {
		args = append(args, "COUNT", a.Count)
	}
	return streamRead(c, ctx, args, a.Streams, a.IDs, "$", a.Block)
}

// XReadGroupArgs are the arguments of XREADGROUP.
type XReadGroupArgs struct {
	Group, Consumer string
	// Streams are the streams to read and IDs the ID after which to read
	// each one, in the same order: ">" reads entries never delivered to the
	// group, any other ID reads the consumer's own pending entries (its
	// history) after it. nil IDs is ">" for every stream.
	Streams []string
	IDs     []string
	// Count > 0 caps the entries read per stream (COUNT).
	Count int64
	// Block > 0 waits up to that long (rounded up to milliseconds) for
	// entries when there are none; XBlockForever waits without limit; 0
	// does not wait.
	Block time.Duration
	// NoAck does not add the entries read to the pending list (NOACK).
	NoAck bool
}

// XReadGroup reads entries from one or more streams as Consumer of Group,
// returned in the order of Streams (streams with nothing to read are left
// out, except when reading history); redis.Nil when there was nothing to
// read or Block timed out. In a consumer's history, entries deleted from
// the stream since come with Deleted set.
func (c Cmdable) XReadGroup(ctx context.Context, a XReadGroupArgs) Result[[]XStream] {
	args := make([]any, 0, 9+2*len(a.Streams))
	args = append(args, "XREADGROUP", "GROUP", a.Group, a.Consumer)
	if a.Count > 0 {
		args = append(args, "COUNT", a.Count)
	}
	if a.NoAck {
		args = append(args, "NOACK")
	}
	return streamRead(c, ctx, args, a.Streams, a.IDs, ">", a.Block)
}

// streamRead finishes XREAD or XREADGROUP: BLOCK, STREAMS, the keys and
// their IDs (def for each when ids is nil), and runs it, blocking when asked.
func streamRead(c Cmdable, ctx context.Context, args []any, streams, ids []string, def string, block time.Duration) Result[[]XStream] {
	if ids != nil && len(ids) != len(streams) {
		return Result[[]XStream]{err: &redis.DataError{Pos: len(args), Type: "[]string",
			Msg: strconv.Itoa(len(streams)) + " streams but " + strconv.Itoa(len(ids)) + " IDs"}}
	}
	if block != 0 {
		ms := int64(0) // XBlockForever and other negatives: BLOCK 0
		if block > 0 {
			ms = streamMillis(block)
		}
		args = append(args, "BLOCK", ms)
	}
	args = append(args, "STREAMS")
	for _, s := range streams {
		args = append(args, s)
	}
	for i := range streams {
		if ids == nil {
			args = append(args, def)
		} else {
			args = append(args, ids[i])
		}
	}
	if block == 0 {
		return run(c, ctx, streamDecodeStreams, args...)
	}
	if block < 0 {
		block = 0
	}
	return runBlocking(c, ctx, block, streamDecodeStreams, args...)
}

// XSetIDArgs are the options of XSETID (Redis 7).
type XSetIDArgs struct {
	// EntriesAdded, when not nil, sets the number of entries ever added to
	// the stream (ENTRIESADDED): EntriesAdded: new(int64(10)).
	EntriesAdded *int64
	// MaxDeletedID, when set, sets the highest ID deleted from the stream
	// (MAXDELETEDID).
	MaxDeletedID string
}

// XSetID sets the last ID of a stream (meant for replication) and returns
// "OK".
func (c Cmdable) XSetID(ctx context.Context, stream, lastID string) Result[string] {
	return run(c, ctx, decStatus, "XSETID", stream, lastID)
}

// XSetIDWithArgs is XSetID with the options of a.
func (c Cmdable) XSetIDWithArgs(ctx context.Context, stream, lastID string, a XSetIDArgs) Result[string] {
	args := make([]any, 0, 7)
	args = append(args, "XSETID", stream, lastID)
	if a.EntriesAdded != nil {
		args = append(args, "ENTRIESADDED", *a.EntriesAdded)
	}
	if a.MaxDeletedID != "" {
		args = append(args, "MAXDELETEDID", a.MaxDeletedID)
	}
	return run(c, ctx, decStatus, args...)
}

// XTrimMaxLen trims a stream to its maxLen newest entries, exactly
// (MAXLEN =), and returns how many it evicted.
func (c Cmdable) XTrimMaxLen(ctx context.Context, stream string, maxLen int64) Result[int64] {
	return run(c, ctx, decInt, streamTrimArgs([]any{"XTRIM", stream}, "MAXLEN", maxLen, false, 0)...)
}

// XTrimMaxLenApprox trims a stream to about maxLen entries (MAXLEN ~),
// evicting at most limit entries when limit > 0 (LIMIT), and returns how
// many it evicted.
func (c Cmdable) XTrimMaxLenApprox(ctx context.Context, stream string, maxLen, limit int64) Result[int64] {
	return run(c, ctx, decInt, streamTrimArgs([]any{"XTRIM", stream}, "MAXLEN", maxLen, true, limit)...)
}

// XTrimMinID evicts the entries with IDs lower than minID, exactly (MINID
// =), and returns how many it evicted.
func (c Cmdable) XTrimMinID(ctx context.Context, stream, minID string) Result[int64] {
	return run(c, ctx, decInt, streamTrimArgs([]any{"XTRIM", stream}, "MINID", minID, false, 0)...)
}

// XTrimMinIDApprox is XTrimMinID trimming approximately (MINID ~), evicting
// at most limit entries when limit > 0 (LIMIT).
func (c Cmdable) XTrimMinIDApprox(ctx context.Context, stream, minID string, limit int64) Result[int64] {
	return run(c, ctx, decInt, streamTrimArgs([]any{"XTRIM", stream}, "MINID", minID, true, limit)...)
}

// streamMillis converts d to whole milliseconds, rounding a positive
// fraction up so that a short wait is never sent as 0.
func streamMillis(d time.Duration) int64 {
	ms := int64(d / time.Millisecond)
	if d > 0 && d%time.Millisecond != 0 {
		ms++
	}
	return ms
}
