package pubsub

import (
	"errors"
	"strconv"

	redis "github.com/duoredis/redis"
)

// Message is one message received on a subscribed connection: a published
// message, a confirmation of SUBSCRIBE and friends, or the answer to a PING.
//
//	Type                       Channel                Pattern   Data        Count
//	"message", "smessage"      the channel            ""        payload     0
//	"pmessage"                 the channel            matched   payload     0
//	"subscribe", "psubscribe", the channel or pattern ""        nil         subscriptions left
//	"ssubscribe" and the three                                              on the connection
//	"unsubscribe" forms
//	"pong"                     ""                     ""        PING's text 0
//
// Data holds the payload as []byte, or as a string when
// Options.DecodeResponses is set; Bytes and Text give either form. A
// Message owns its memory: it stays valid after the next read.
type Message struct {
	// Type is the kind of message, as the server names it: "message",
	// "pmessage", "smessage", "subscribe", "unsubscribe", "psubscribe",
	// "punsubscribe", "ssubscribe", "sunsubscribe" or "pong".
	Type string
	// Channel is the channel (or shard channel) of a message, or the
	// channel or pattern that a confirmation is about ("" when an
	// unsubscribe found nothing to unsubscribe from).
	Channel string
	// Pattern is the pattern that a "pmessage" matched.
	Pattern string
	// Data is the payload of a message or pong: []byte, or string with
	// DecodeResponses. It is nil for confirmations.
	Data any
	// Count is, for confirmations, how many subscriptions of that family
	// (channels and patterns together; shard channels apart) the
	// connection has after it, as the server reports it.
	Count int64
}

// Handler handles the messages of a channel, pattern or shard channel. It
// runs in the goroutine that reads messages (GetMessage, Receive, Listen,
// Channel's goroutine or Run), one message at a time.
type Handler func(*Message)

// Bytes returns Data as bytes (nil for confirmations). With
// DecodeResponses it converts, and so copies, the string.
func (m *Message) Bytes() []byte {
	switch d := m.Data.(type) {
	case []byte:
		return d
	case string:
		return []byte(d)
	}
	return nil
}

// Text returns Data as a string ("" for confirmations).
func (m *Message) Text() string {
	switch d := m.Data.(type) {
	case []byte:
		return string(d)
	case string:
		return d
	}
	return ""
}

// String describes the message for logs, e.g. `message "news": "hello"`
// or `subscribe "news" 1`.
func (m *Message) String() string {
	s := m.Type
	if m.Pattern != "" {
		s += " " + strconv.Quote(m.Pattern)
	}
	if m.Channel != "" {
		s += " " + strconv.Quote(m.Channel)
	}
	if m.Data != nil {
		s += ": " + strconv.Quote(m.Text())
	} else if isConfirmation(m.Type) {
		s += " " + strconv.FormatInt(m.Count, 10)
	}
	return s
}

// family is one of the three kinds of subscription.
type family int

const (
	famChannel family = iota
	famPattern
	famShard
	nFamilies
)

var (
	subscribeCmd   = [nFamilies]string{"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"}
	unsubscribeCmd = [nFamilies]string{"UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"}
	familyName     = [nFamilies]string{"channel", "pattern", "shard channel"}
)

// isConfirmation reports whether typ is the type of a (un)subscribe
// confirmation.
func isConfirmation(typ string) bool {
	_, _, ok := confirmation(typ)
	return ok
}

// confirmation tells the family of a confirmation type and whether it
// confirms a subscription (rather than an unsubscription).
func confirmation(typ string) (f family, sub bool, ok bool) {
	switch typ {
	case "subscribe":
		return famChannel, true, true
	case "psubscribe":
		return famPattern, true, true
	case "ssubscribe":
		return famShard, true, true
	case "unsubscribe":
		return famChannel, false, true
	case "punsubscribe":
		return famPattern, false, true
	case "sunsubscribe":
		return famShard, false, true
	}
	return 0, false, false
}

// decode turns a reply read on the subscribed connection into a message,
// or the error it carries. It copies what it keeps: r is reused by the
// next read.
func (p *PubSub) decode(r *redis.Reply) (*Message, error) {
	switch r.Kind {
	case redis.KindError, redis.KindBulkError:
		return nil, r.Err()
	case redis.KindSimpleString, redis.KindBulkString, redis.KindVerbatim:
		// A PING answered outside the push protocol: always in RESP3, and
		// in RESP2 when nothing is subscribed. "+PONG" carries no text.
		m := &Message{Type: "pong"}
		if r.Kind == redis.KindSimpleString && string(r.Str) == "PONG" {
			m.Data = p.data(nil)
		} else {
			m.Data = p.data(r)
		}
		return m, nil
	case redis.KindArray, redis.KindPush:
	default:
		return nil, unexpected(r)
	}
	e := r.Elems
	if len(e) == 0 || !isText(&e[0]) {
		return nil, unexpected(r)
	}
	m := &Message{}
	switch string(e[0].Str) {
	case "message":
		m.Type = "message"
	case "smessage":
		m.Type = "smessage"
	case "pmessage":
		if len(e) != 4 {
			return nil, unexpected(r)
		}
		return &Message{Type: "pmessage", Pattern: string(e[1].Str), Channel: string(e[2].Str), Data: p.data(&e[3])}, nil
	case "pong":
		if len(e) != 2 {
			return nil, unexpected(r)
		}
		return &Message{Type: "pong", Data: p.data(&e[1])}, nil
	default:
		typ := string(e[0].Str)
		if !isConfirmation(typ) {
			// Another push (say, a RESP3 "invalidate" of client-side
			// caching turned on by a custom NewConn): pass its type on.
			m := &Message{Type: typ}
			if len(e) > 1 && isText(&e[1]) {
				m.Channel = string(e[1].Str)
			}
			return m, nil
		}
		if len(e) != 3 {
			return nil, unexpected(r)
		}
		return &Message{Type: typ, Channel: string(e[1].Str), Count: e[2].Int}, nil
	}
	if len(e) != 3 {
		return nil, unexpected(r)
	}
	m.Channel = string(e[1].Str)
	m.Data = p.data(&e[2])
	return m, nil
}

// data copies a payload into a value of its own: a string with
// DecodeResponses, []byte otherwise (never nil, so that Data tells a
// payload from a confirmation). A nil r is the empty payload.
func (p *PubSub) data(r *redis.Reply) any {
	var b []byte
	owned := false
	if r != nil {
		b, owned = r.Str, r.Owned
	}
	if p.opts.DecodeResponses {
		return string(b)
	}
	if owned {
		return b
	}
	return append(make([]byte, 0, len(b)), b...)
}

func isText(r *redis.Reply) bool {
	return r.Kind == redis.KindBulkString || r.Kind == redis.KindSimpleString
}

// unexpected is the error of a reply that has no place on a subscribed
// connection: the connection is out of step, so it is closed (and the
// next read reconnects).
func unexpected(r *redis.Reply) error {
	return &redis.ConnectionError{Op: "read", Err: errors.New("unexpected reply on a subscribed connection: " + r.String())}
}
