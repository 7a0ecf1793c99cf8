package command

import (
	"fmt"
	"time"

	redis "github.com/duoredis/redis"
)

// This file holds the result types of the stream commands and their
// decoders. Every decoder accepts the RESP2 shape (flat arrays of
// alternating names and values) and the RESP3 one (maps), and reads the
// entries of a map by name, so that fields a newer server adds are skipped.

// XField is one field of a stream entry and its value.
type XField struct {
	Name  string
	Value string
}

// XMessage is one stream entry: its ID and its fields in the order they
// were added. A stream entry keeps its field order and may even repeat a
// field name, so the fields are a slice; Values and Value give map-like
// access.
//
// Deleted is set for an entry the server reports as deleted: XREADGROUP
// reading a consumer's history returns the ID of a pending entry that was
// deleted with no fields, and servers before Redis 7 return nil in place of
// a deleted entry in XCLAIM (ID is then "").
type XMessage struct {
	ID      string
	Fields  []XField
	Deleted bool
}

// Values returns the fields as a map; of repeated field names the last one
// wins.
func (m XMessage) Values() map[string]string {
	out := make(map[string]string, len(m.Fields))
	for _, f := range m.Fields {
		out[f.Name] = f.Value
	}
	return out
}

// Value returns the value of the field name (the last one if it repeats)
// and whether the entry has it.
func (m XMessage) Value(name string) (string, bool) {
	for i := len(m.Fields) - 1; i >= 0; i-- {
		if m.Fields[i].Name == name {
			return m.Fields[i].Value, true
		}
	}
	return "", false
}

// XStream is the entries that XREAD or XREADGROUP read from one stream.
type XStream struct {
	Stream   string
	Messages []XMessage
}

// XAutoClaimResult is the reply of XAUTOCLAIM: the ID to start the next
// call from ("0-0" when the scan is complete), the claimed entries, and the
// IDs of pending entries that no longer exist in the stream (the server
// removed them from the pending list; Redis 7).
type XAutoClaimResult struct {
	Next     string
	Messages []XMessage
	Deleted  []string
}

// XAutoClaimJustIDResult is the reply of XAUTOCLAIM ... JUSTID: as
// XAutoClaimResult with the IDs of the claimed entries only.
type XAutoClaimJustIDResult struct {
	Next    string
	IDs     []string
	Deleted []string
}

// XPending is the summary form of XPENDING: how many entries of the group
// are pending, the lowest and highest pending IDs ("" when none), and how
// many each consumer with pending entries holds.
type XPending struct {
	Count     int64
	Lower     string
	Higher    string
	Consumers map[string]int64
}

// XPendingExt is one pending entry in the extended form of XPENDING: its
// ID, the consumer that holds it, the time since it was last delivered, and
// how many times it was delivered.
type XPendingExt struct {
	ID         string
	Consumer   string
	Idle       time.Duration
	RetryCount int64
}

// XInfoStream is the reply of XINFO STREAM (Redis 7.0 fields).
// MaxDeletedEntryID, EntriesAdded and RecordedFirstEntryID are Redis 7.0
// additions. FirstEntry and LastEntry are zero when the stream is empty.
type XInfoStream struct {
	Length               int64
	RadixTreeKeys        int64
	RadixTreeNodes       int64
	LastGeneratedID      string
	MaxDeletedEntryID    string
	EntriesAdded         int64
	RecordedFirstEntryID string
	Groups               int64
	FirstEntry           XMessage
	LastEntry            XMessage
}

// XInfoGroup is one consumer group in the reply of XINFO GROUPS.
// EntriesRead and Lag are -1 when the server does not know them (it
// replies nil, for instance after XGROUP SETID to an arbitrary ID).
type XInfoGroup struct {
	Name            string
	Consumers       int64
	Pending         int64
	LastDeliveredID string
	EntriesRead     int64
	Lag             int64
}

// XInfoConsumer is one consumer in the reply of XINFO CONSUMERS: its
// pending entries, the time since it last interacted with the server, and
// (Redis 7.2 and later; -1 on older servers) the time since its last
// successful read or claim.
type XInfoConsumer struct {
	Name     string
	Pending  int64
	Idle     time.Duration
	Inactive time.Duration
}

// XInfoStreamFull is the reply of XINFO STREAM ... FULL: the stream's
// entries (at most the COUNT asked for) and every group with its pending
// entries and consumers.
type XInfoStreamFull struct {
	Length               int64
	RadixTreeKeys        int64
	RadixTreeNodes       int64
	LastGeneratedID      string
	MaxDeletedEntryID    string
	EntriesAdded         int64
	RecordedFirstEntryID string
	Entries              []XMessage
	Groups               []XInfoStreamGroup
}

// XInfoStreamGroup is one group in XINFO STREAM ... FULL. EntriesRead and
// Lag are -1 when the server does not know them.
type XInfoStreamGroup struct {
	Name            string
	LastDeliveredID string
	EntriesRead     int64
	Lag             int64
	PelCount        int64
	Pending         []XInfoStreamGroupPending
	Consumers       []XInfoStreamConsumer
}

// XInfoStreamGroupPending is one pending entry of a group in XINFO STREAM
// ... FULL.
type XInfoStreamGroupPending struct {
	ID            string
	Consumer      string
	DeliveryTime  time.Time
	DeliveryCount int64
}

// XInfoStreamConsumer is one consumer of a group in XINFO STREAM ... FULL.
// ActiveTime is the time of its last successful read or claim (Redis 7.2
// and later; zero on older servers).
type XInfoStreamConsumer struct {
	Name       string
	SeenTime   time.Time
	ActiveTime time.Time
	PelCount   int64
	Pending    []XInfoStreamConsumerPending
}

// XInfoStreamConsumerPending is one pending entry of a consumer in XINFO
// STREAM ... FULL.
type XInfoStreamConsumerPending struct {
	ID            string
	DeliveryTime  time.Time
	DeliveryCount int64
}

func init() {
	defaultCallbacks["XRANGE"] = wrap(streamDecodeMessages)
	defaultCallbacks["XREVRANGE"] = wrap(streamDecodeMessages)
	defaultCallbacks["XREAD"] = wrap(streamDecodeStreams)
	defaultCallbacks["XREADGROUP"] = wrap(streamDecodeStreams)
	defaultCallbacks["XCLAIM"] = streamClaimCallback
	defaultCallbacks["XAUTOCLAIM"] = streamAutoClaimCallback
	defaultCallbacks["XPENDING"] = streamPendingCallback
	defaultCallbacks["XINFO STREAM"] = streamInfoStreamCallback
	defaultCallbacks["XINFO GROUPS"] = wrap(streamDecodeInfoGroups)
	defaultCallbacks["XINFO CONSUMERS"] = wrap(streamDecodeInfoConsumers)
}

// The callbacks of Do for commands whose reply shape depends on an option
// (JUSTID, FULL, the two forms of XPENDING) tell the forms apart by the
// reply itself.

func streamClaimCallback(r *redis.Reply, _ CallbackOptions) (any, error) {
	if len(r.Elems) > 0 && isText(&r.Elems[0]) {
		return decStrings(r)
	}
	return streamDecodeMessages(r)
}

func streamAutoClaimCallback(r *redis.Reply, _ CallbackOptions) (any, error) {
	if len(r.Elems) > 1 && len(r.Elems[1].Elems) > 0 && isText(&r.Elems[1].Elems[0]) {
		return streamDecodeAutoClaimJustID(r)
	}
	return streamDecodeAutoClaim(r)
}

func streamPendingCallback(r *redis.Reply, _ CallbackOptions) (any, error) {
	if len(r.Elems) > 0 && r.Elems[0].Kind == redis.KindInteger {
		return streamDecodePending(r)
	}
	return streamDecodePendingExt(r)
}

func streamInfoStreamCallback(r *redis.Reply, _ CallbackOptions) (any, error) {
	for i := 0; i+1 < len(r.Elems); i += 2 {
		if string(r.Elems[i].Str) == "entries" {
			return streamDecodeInfoStreamFull(r)
		}
	}
	return streamDecodeInfoStream(r)
}

// streamDecodeMessage reads one entry: [id, [field, value, ...]]. A nil
// entry, or a nil field list, is a deleted entry.
func streamDecodeMessage(r *redis.Reply) (XMessage, error) {
	if r.Kind == redis.KindNull {
		return XMessage{Deleted: true}, nil
	}
	if r.Kind != redis.KindArray || len(r.Elems) != 2 {
		return XMessage{}, streamShapeError("stream entry [id, fields]", r)
	}
	id, err := decString(&r.Elems[0])
	if err != nil {
		return XMessage{}, err
	}
	f := &r.Elems[1]
	if f.Kind == redis.KindNull {
		return XMessage{ID: id, Deleted: true}, nil
	}
	m := XMessage{ID: id, Fields: make([]XField, 0, len(f.Elems)/2)}
	err = pairs(f, func(k, v *redis.Reply) error {
		name, err := decString(k)
		if err != nil {
			return err
		}
		val, err := decString(v)
		if err != nil && err != redis.Nil {
			return err
		}
		m.Fields = append(m.Fields, XField{Name: name, Value: val})
		return nil
	})
	return m, err
}

// streamDecodeMessages reads an array of entries (XRANGE, XCLAIM, ...).
func streamDecodeMessages(r *redis.Reply) ([]XMessage, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]XMessage, len(es))
	for i := range es {
		if out[i], err = streamDecodeMessage(&es[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// streamDecodeStreams reads the reply of XREAD and XREADGROUP: a RESP3 map
// {stream: entries} or a RESP2 array [[stream, entries], ...], in the order
// the server sent them (the order the streams were asked for). A nil reply
// (nothing read, or a BLOCK that timed out) is redis.Nil.
func streamDecodeStreams(r *redis.Reply) ([]XStream, error) {
	switch r.Kind {
	case redis.KindNull:
		return nil, redis.Nil
	case redis.KindMap:
		out := make([]XStream, 0, len(r.Elems)/2)
		err := pairs(r, func(k, v *redis.Reply) error {
			s, err := streamDecodeXStream(k, v)
			out = append(out, s)
			return err
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	case redis.KindArray:
		out := make([]XStream, len(r.Elems))
		for i := range r.Elems {
			e := &r.Elems[i]
			if e.Kind != redis.KindArray || len(e.Elems) != 2 {
				return nil, streamShapeError("[stream, entries]", e)
			}
			var err error
			if out[i], err = streamDecodeXStream(&e.Elems[0], &e.Elems[1]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, unexpected("map or array", r)
}

func streamDecodeXStream(k, v *redis.Reply) (XStream, error) {
	name, err := decString(k)
	if err != nil {
		return XStream{}, err
	}
	msgs, err := streamDecodeMessages(v)
	return XStream{Stream: name, Messages: msgs}, err
}

// streamAutoClaimParts checks the shape of XAUTOCLAIM's reply and returns
// the next ID and the deleted IDs (a third element since Redis 7).
func streamAutoClaimParts(r *redis.Reply) (next string, deleted []string, err error) {
	if r.Kind != redis.KindArray || len(r.Elems) < 2 {
		return "", nil, streamShapeError("[next, entries, deleted]", r)
	}
	if next, err = decString(&r.Elems[0]); err != nil {
		return "", nil, err
	}
	if len(r.Elems) > 2 {
		if deleted, err = decStrings(&r.Elems[2]); err != nil {
			return "", nil, err
		}
	}
	return next, deleted, nil
}

func streamDecodeAutoClaim(r *redis.Reply) (XAutoClaimResult, error) {
	next, deleted, err := streamAutoClaimParts(r)
	if err != nil {
		return XAutoClaimResult{}, err
	}
	msgs, err := streamDecodeMessages(&r.Elems[1])
	if err != nil {
		return XAutoClaimResult{}, err
	}
	return XAutoClaimResult{Next: next, Messages: msgs, Deleted: deleted}, nil
}

func streamDecodeAutoClaimJustID(r *redis.Reply) (XAutoClaimJustIDResult, error) {
	next, deleted, err := streamAutoClaimParts(r)
	if err != nil {
		return XAutoClaimJustIDResult{}, err
	}
	ids, err := decStrings(&r.Elems[1])
	if err != nil {
		return XAutoClaimJustIDResult{}, err
	}
	return XAutoClaimJustIDResult{Next: next, IDs: ids, Deleted: deleted}, nil
}

// streamDecodePending reads XPENDING's summary: [count, lower, higher,
// [[consumer, count], ...]], with nils when nothing is pending.
func streamDecodePending(r *redis.Reply) (XPending, error) {
	if r.Kind != redis.KindArray || len(r.Elems) != 4 {
		return XPending{}, streamShapeError("[count, lower, higher, consumers]", r)
	}
	var p XPending
	var err error
	if p.Count, err = decInt(&r.Elems[0]); err != nil {
		return XPending{}, err
	}
	if p.Lower, err = streamNullableString(&r.Elems[1]); err != nil {
		return XPending{}, err
	}
	if p.Higher, err = streamNullableString(&r.Elems[2]); err != nil {
		return XPending{}, err
	}
	cs, err := elems(&r.Elems[3])
	if err != nil {
		return XPending{}, err
	}
	p.Consumers = make(map[string]int64, len(cs))
	for i := range cs {
		c := &cs[i]
		if c.Kind != redis.KindArray || len(c.Elems) != 2 {
			return XPending{}, streamShapeError("[consumer, count]", c)
		}
		name, err := decString(&c.Elems[0])
		if err != nil {
			return XPending{}, err
		}
		if p.Consumers[name], err = decInt(&c.Elems[1]); err != nil {
			return XPending{}, err
		}
	}
	return p, nil
}

// streamDecodePendingExt reads XPENDING's extended form: [[id, consumer,
// idle ms, deliveries], ...].
func streamDecodePendingExt(r *redis.Reply) ([]XPendingExt, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]XPendingExt, len(es))
	for i := range es {
		e := &es[i]
		if e.Kind != redis.KindArray || len(e.Elems) != 4 {
			return nil, streamShapeError("[id, consumer, idle, deliveries]", e)
		}
		p := &out[i]
		if p.ID, err = decString(&e.Elems[0]); err != nil {
			return nil, err
		}
		if p.Consumer, err = decString(&e.Elems[1]); err != nil {
			return nil, err
		}
		idle, err := decInt(&e.Elems[2])
		if err != nil {
			return nil, err
		}
		p.Idle = time.Duration(idle) * time.Millisecond
		if p.RetryCount, err = decInt(&e.Elems[3]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// streamFields calls fn with the name and value of each entry of a map
// (RESP3) or flat name/value array (RESP2); a nil reply has no entries.
func streamFields(r *redis.Reply, fn func(name string, v *redis.Reply) error) error {
	return pairs(r, func(k, v *redis.Reply) error {
		if !isText(k) {
			return unexpected("field name", k)
		}
		return fn(string(k.Str), v)
	})
}

// streamInfoCommon reads the fields XINFO STREAM and its FULL form share;
// it reports whether name was one of them.
func streamInfoCommon(name string, v *redis.Reply, length, keys, nodes, added *int64, last, maxDel, first *string) (bool, error) {
	var err error
	switch name {
	case "length":
		*length, err = decInt(v)
	case "radix-tree-keys":
		*keys, err = decInt(v)
	case "radix-tree-nodes":
		*nodes, err = decInt(v)
	case "entries-added":
		*added, err = decInt(v)
	case "last-generated-id":
		*last, err = decString(v)
	case "max-deleted-entry-id":
		*maxDel, err = decString(v)
	case "recorded-first-entry-id":
		*first, err = decString(v)
	default:
		return false, nil
	}
	return true, err
}

func streamDecodeInfoStream(r *redis.Reply) (XInfoStream, error) {
	var s XInfoStream
	err := streamFields(r, func(name string, v *redis.Reply) error {
		ok, err := streamInfoCommon(name, v, &s.Length, &s.RadixTreeKeys, &s.RadixTreeNodes, &s.EntriesAdded,
			&s.LastGeneratedID, &s.MaxDeletedEntryID, &s.RecordedFirstEntryID)
		if ok || err != nil {
			return err
		}
		switch name {
		case "groups":
			s.Groups, err = decInt(v)
		case "first-entry":
			s.FirstEntry, err = streamDecodeInfoEntry(v)
		case "last-entry":
			s.LastEntry, err = streamDecodeInfoEntry(v)
		}
		return err
	})
	return s, err
}

// streamDecodeInfoEntry reads first-entry or last-entry: nil for an empty
// stream gives a zero XMessage.
func streamDecodeInfoEntry(v *redis.Reply) (XMessage, error) {
	if v.Kind == redis.KindNull {
		return XMessage{}, nil
	}
	return streamDecodeMessage(v)
}

func streamDecodeInfoStreamFull(r *redis.Reply) (XInfoStreamFull, error) {
	var s XInfoStreamFull
	err := streamFields(r, func(name string, v *redis.Reply) error {
		ok, err := streamInfoCommon(name, v, &s.Length, &s.RadixTreeKeys, &s.RadixTreeNodes, &s.EntriesAdded,
			&s.LastGeneratedID, &s.MaxDeletedEntryID, &s.RecordedFirstEntryID)
		if ok || err != nil {
			return err
		}
		switch name {
		case "entries":
			s.Entries, err = streamDecodeMessages(v)
		case "groups":
			s.Groups, err = streamList(v, streamDecodeFullGroup)
		}
		return err
	})
	return s, err
}

func streamDecodeFullGroup(r *redis.Reply) (XInfoStreamGroup, error) {
	g := XInfoStreamGroup{EntriesRead: -1, Lag: -1}
	err := streamFields(r, func(name string, v *redis.Reply) error {
		var err error
		switch name {
		case "name":
			g.Name, err = decString(v)
		case "last-delivered-id":
			g.LastDeliveredID, err = decString(v)
		case "entries-read":
			g.EntriesRead, err = streamNullableInt(v)
		case "lag":
			g.Lag, err = streamNullableInt(v)
		case "pel-count":
			g.PelCount, err = decInt(v)
		case "pending":
			g.Pending, err = streamList(v, streamDecodeGroupPending)
		case "consumers":
			g.Consumers, err = streamList(v, streamDecodeFullConsumer)
		}
		return err
	})
	return g, err
}

// streamDecodeGroupPending reads [id, consumer, delivery time, deliveries].
func streamDecodeGroupPending(r *redis.Reply) (XInfoStreamGroupPending, error) {
	if r.Kind != redis.KindArray || len(r.Elems) != 4 {
		return XInfoStreamGroupPending{}, streamShapeError("[id, consumer, delivery time, deliveries]", r)
	}
	var p XInfoStreamGroupPending
	var err error
	if p.ID, err = decString(&r.Elems[0]); err != nil {
		return p, err
	}
	if p.Consumer, err = decString(&r.Elems[1]); err != nil {
		return p, err
	}
	if p.DeliveryTime, err = streamTime(&r.Elems[2]); err != nil {
		return p, err
	}
	p.DeliveryCount, err = decInt(&r.Elems[3])
	return p, err
}

func streamDecodeFullConsumer(r *redis.Reply) (XInfoStreamConsumer, error) {
	var c XInfoStreamConsumer
	err := streamFields(r, func(name string, v *redis.Reply) error {
		var err error
		switch name {
		case "name":
			c.Name, err = decString(v)
		case "seen-time":
			c.SeenTime, err = streamTime(v)
		case "active-time":
			c.ActiveTime, err = streamTime(v)
		case "pel-count":
			c.PelCount, err = decInt(v)
		case "pending":
			c.Pending, err = streamList(v, streamDecodeConsumerPending)
		}
		return err
	})
	return c, err
}

// streamDecodeConsumerPending reads [id, delivery time, deliveries].
func streamDecodeConsumerPending(r *redis.Reply) (XInfoStreamConsumerPending, error) {
	if r.Kind != redis.KindArray || len(r.Elems) != 3 {
		return XInfoStreamConsumerPending{}, streamShapeError("[id, delivery time, deliveries]", r)
	}
	var p XInfoStreamConsumerPending
	var err error
	if p.ID, err = decString(&r.Elems[0]); err != nil {
		return p, err
	}
	if p.DeliveryTime, err = streamTime(&r.Elems[1]); err != nil {
		return p, err
	}
	p.DeliveryCount, err = decInt(&r.Elems[2])
	return p, err
}

func streamDecodeInfoGroups(r *redis.Reply) ([]XInfoGroup, error) {
	return streamList(r, func(r *redis.Reply) (XInfoGroup, error) {
		g := XInfoGroup{EntriesRead: -1, Lag: -1}
		err := streamFields(r, func(name string, v *redis.Reply) error {
			var err error
			switch name {
			case "name":
				g.Name, err = decString(v)
			case "consumers":
				g.Consumers, err = decInt(v)
			case "pending":
				g.Pending, err = decInt(v)
			case "last-delivered-id":
				g.LastDeliveredID, err = decString(v)
			case "entries-read":
				g.EntriesRead, err = streamNullableInt(v)
			case "lag":
				g.Lag, err = streamNullableInt(v)
			}
			return err
		})
		return g, err
	})
}

func streamDecodeInfoConsumers(r *redis.Reply) ([]XInfoConsumer, error) {
	return streamList(r, func(r *redis.Reply) (XInfoConsumer, error) {
		c := XInfoConsumer{Inactive: -1}
		err := streamFields(r, func(name string, v *redis.Reply) error {
			var err error
			var n int64
			switch name {
			case "name":
				c.Name, err = decString(v)
			case "pending":
				c.Pending, err = decInt(v)
			case "idle":
				n, err = decInt(v)
				c.Idle = time.Duration(n) * time.Millisecond
			case "inactive":
				if n, err = decInt(v); n >= 0 {
					c.Inactive = time.Duration(n) * time.Millisecond
				}
			}
			return err
		})
		return c, err
	})
}

// streamList decodes each element of an array with dec.
func streamList[T any](r *redis.Reply, dec func(*redis.Reply) (T, error)) ([]T, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(es))
	for i := range es {
		if out[i], err = dec(&es[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// streamNullableString reads a string that may be nil ("").
func streamNullableString(r *redis.Reply) (string, error) {
	if r.Kind == redis.KindNull {
		return "", nil
	}
	return decString(r)
}

// streamNullableInt reads an integer that may be nil (-1).
func streamNullableInt(r *redis.Reply) (int64, error) {
	if r.Kind == redis.KindNull {
		return -1, nil
	}
	return decInt(r)
}

// streamTime reads a Unix time in milliseconds.
func streamTime(r *redis.Reply) (time.Time, error) {
	ms, err := decInt(r)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(ms), nil
}

// streamShapeError reports a reply of the wrong type or length as an
// *UnexpectedReplyError.
func streamShapeError(want string, r *redis.Reply) error {
	if r.Kind == redis.KindArray {
		want += fmt.Sprintf(" (got %d elements)", len(r.Elems))
	}
	return unexpected(want, r)
}
