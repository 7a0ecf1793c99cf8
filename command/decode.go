package command

import (
	"fmt"
	"math"
	"strconv"
	"unsafe"

	redis "github.com/duoredis/redis"
)

// The decoders below read the reply model. Each accepts the shapes that
// RESP2 and RESP3 use for the same result (a RESP3 map or a RESP2 flat
// array, a RESP3 double or a RESP2 bulk string, a RESP3 set or a RESP2
// array), so every command gives the same Go value under both protocols.

// UnexpectedReplyError reports a reply whose type the command's decoder did
// not expect. The connection stays usable.
type UnexpectedReplyError struct {
	Want string     // what the decoder expected, e.g. "integer"
	Got  redis.Kind // what came
}

// Error implements the error interface.
func (e *UnexpectedReplyError) Error() string {
	return "redis: unexpected reply: got " + e.Got.String() + ", want " + e.Want
}

// RedisError marks the type as an error of this module.
func (e *UnexpectedReplyError) RedisError() {}

// CallbackTypeError reports a response callback whose value does not fit the
// typed method that ran it; Do returns any callback's value as it is.
type CallbackTypeError struct {
	Command   string
	Got, Want any
}

// Error implements the error interface.
func (e *CallbackTypeError) Error() string {
	return fmt.Sprintf("redis: response callback of %s returned %T; this method returns %T (use Do for any type)", e.Command, e.Got, e.Want)
}

// RedisError marks the type as an error of this module.
func (e *CallbackTypeError) RedisError() {}

func unexpected(want string, r *redis.Reply) error {
	return &UnexpectedReplyError{Want: want, Got: r.Kind}
}

// isText reports whether r carries text: a simple, bulk or verbatim string.
func isText(r *redis.Reply) bool {
	return r.Kind == redis.KindBulkString || r.Kind == redis.KindSimpleString || r.Kind == redis.KindVerbatim
}

// decStatus reads a simple-string status such as "OK".
func decStatus(r *redis.Reply) (string, error) {
	if isText(r) {
		// The common statuses come without an allocation.
		switch string(r.Str) {
		case "OK":
			return "OK", nil
		case "QUEUED":
			return "QUEUED", nil
		case "PONG":
			return "PONG", nil
		}
		return string(r.Str), nil
	}
	if r.Kind == redis.KindNull {
		return "", redis.Nil
	}
	return "", unexpected("status", r)
}

// decOK reads a reply that is "OK" on success; nil is redis.Nil.
func decOK(r *redis.Reply) (bool, error) {
	switch {
	case r.Kind == redis.KindNull:
		return false, redis.Nil
	case isText(r):
		return true, nil
	}
	return false, unexpected("status", r)
}

// decString reads a string; nil is redis.Nil. Numbers are formatted.
func decString(r *redis.Reply) (string, error) {
	switch r.Kind {
	case redis.KindBulkString, redis.KindSimpleString, redis.KindVerbatim, redis.KindBigNumber, redis.KindDouble:
		if r.Owned && len(r.Str) > 0 {
			// Memory of this reply's own, never written again: no copy.
			return unsafe.String(unsafe.SliceData(r.Str), len(r.Str)), nil
		}
		return string(r.Str), nil
	case redis.KindInteger:
		return strconv.FormatInt(r.Int, 10), nil
	case redis.KindNull:
		return "", redis.Nil
	}
	return "", unexpected("string", r)
}

// decBytes reads a string as a fresh []byte; nil is redis.Nil.
func decBytes(r *redis.Reply) ([]byte, error) {
	switch r.Kind {
	case redis.KindBulkString, redis.KindSimpleString, redis.KindVerbatim, redis.KindBigNumber, redis.KindDouble:
		if r.Owned {
			return r.Str, nil // the reply's own memory: the caller may keep it
		}
		return append(make([]byte, 0, len(r.Str)), r.Str...), nil
	case redis.KindInteger:
		return strconv.AppendInt(nil, r.Int, 10), nil
	case redis.KindNull:
		return nil, redis.Nil
	}
	return nil, unexpected("string", r)
}

// decInt reads an integer (or a string holding one); nil is redis.Nil.
func decInt(r *redis.Reply) (int64, error) {
	switch r.Kind {
	case redis.KindInteger:
		return r.Int, nil
	case redis.KindBoolean:
		return r.Int, nil
	case redis.KindBulkString, redis.KindSimpleString:
		v, err := strconv.ParseInt(string(r.Str), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("redis: reply %q is not an integer", r.Str)
		}
		return v, nil
	case redis.KindNull:
		return 0, redis.Nil
	}
	return 0, unexpected("integer", r)
}

// decBool reads an integer 0/1 or a RESP3 boolean as a bool.
func decBool(r *redis.Reply) (bool, error) {
	switch r.Kind {
	case redis.KindInteger, redis.KindBoolean:
		return r.Int != 0, nil
	case redis.KindNull:
		return false, redis.Nil
	case redis.KindSimpleString:
		return string(r.Str) == "OK", nil
	}
	return false, unexpected("integer", r)
}

// decOKOrNilBool reads "OK" as true and nil as false (SET NX and friends).
func decOKOrNilBool(r *redis.Reply) (bool, error) {
	if r.Kind == redis.KindNull {
		return false, nil
	}
	return decOK(r)
}

// decFloat reads a RESP3 double or a string holding a float; nil is
// redis.Nil.
func decFloat(r *redis.Reply) (float64, error) {
	switch r.Kind {
	case redis.KindDouble:
		return r.Float, nil
	case redis.KindInteger:
		return float64(r.Int), nil
	case redis.KindBulkString, redis.KindSimpleString:
		return parseFloat(r.Str)
	case redis.KindNull:
		return 0, redis.Nil
	}
	return 0, unexpected("double", r)
}

func parseFloat(b []byte) (float64, error) {
	switch string(b) {
	case "inf", "+inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, fmt.Errorf("redis: reply %q is not a float", b)
	}
	return v, nil
}

// elems returns the elements of an array, set or push; nil for a null.
func elems(r *redis.Reply) ([]redis.Reply, error) {
	switch r.Kind {
	case redis.KindArray, redis.KindSet, redis.KindPush:
		return r.Elems, nil
	case redis.KindNull:
		return nil, nil
	}
	return nil, unexpected("array", r)
}

// decStrings reads an array (or set) of strings; nil elements become "".
func decStrings(r *redis.Reply) ([]string, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(es))
	if err := stringsInto(out, es); err != nil {
		return nil, err
	}
	return out, nil
}

// stringsInto decodes the text elements of es into out (nil elements stay
// ""). The texts share one allocation: substrings of one string holding
// them all, so a 1000-element reply costs two allocations, not a thousand.
// A caller that keeps one element keeps that backing string alive.
func stringsInto(out []string, es []redis.Reply) error {
	total := 0
	for i := range es {
		switch es[i].Kind {
		case redis.KindBulkString, redis.KindSimpleString, redis.KindVerbatim, redis.KindBigNumber, redis.KindDouble:
			total += len(es[i].Str)
		}
	}
	var backing string
	if total > 0 {
		buf := make([]byte, 0, total)
		for i := range es {
			switch es[i].Kind {
			case redis.KindBulkString, redis.KindSimpleString, redis.KindVerbatim, redis.KindBigNumber, redis.KindDouble:
				buf = append(buf, es[i].Str...)
			}
		}
		// buf is never written again: the string may share its memory.
		backing = unsafe.String(unsafe.SliceData(buf), len(buf))
	}
	off := 0
	for i := range es {
		switch es[i].Kind {
		case redis.KindBulkString, redis.KindSimpleString, redis.KindVerbatim, redis.KindBigNumber, redis.KindDouble:
			n := len(es[i].Str)
			out[i] = backing[off : off+n]
			off += n
		case redis.KindNull:
		default:
			s, err := decString(&es[i])
			if err != nil {
				return err
			}
			out[i] = s
		}
	}
	return nil
}

// stringType is the type word of an interface holding a string.
var stringType = func() unsafe.Pointer {
	var s any = ""
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&s))[0]
}()

// decNullableStrings reads an array whose elements may be nil (MGET,
// HMGET): each element is a string or nil. Boxing each string in an
// interface would allocate per element; instead the interfaces point at
// string headers that are never written again, as a conversion would point
// at a fresh copy. Headers and texts share one allocation (see
// textsWithHeaders): two allocations per reply in all.
func decNullableStrings(r *redis.Reply) ([]any, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(es))
	hdrs, ok := textsWithHeaders(es)
	if !ok {
		// An element that is neither text nor nil (a number, say): the
		// general way, with a []string of its own.
		strs := make([]string, len(es))
		if err := stringsInto(strs, es); err != nil {
			return nil, err
		}
		hdrs = unsafe.Pointer(unsafe.SliceData(strs))
	}
	for i := range es {
		if es[i].Kind == redis.KindNull {
			continue
		}
		e := (*[2]unsafe.Pointer)(unsafe.Pointer(&out[i]))
		e[0], e[1] = stringType, unsafe.Add(hdrs, uintptr(i)*unsafe.Sizeof(""))
	}
	return out, nil
}

// textsWithHeaders copies the texts of es, whose elements must all be text
// or nil (else it reports false), into one new block of memory that starts
// with a string header per element (nil elements get ""), followed by the
// texts the headers point at, and returns the block.
//
// The block is a []byte, which the garbage collector does not scan: that is
// safe because every pointer the headers hold points into the block itself,
// and the block is not freed while anything points into it (an interface
// at a header, or a string taken from one, at its text). Go's collector
// does not move memory. So the headers cost no allocation of their own,
// and nothing to scan.
func textsWithHeaders(es []redis.Reply) (unsafe.Pointer, bool) {
	const hs = unsafe.Sizeof("")
	total := 0
	for i := range es {
		switch es[i].Kind {
		case redis.KindBulkString, redis.KindSimpleString, redis.KindVerbatim, redis.KindBigNumber, redis.KindDouble:
			total += len(es[i].Str)
		case redis.KindNull:
		default:
			return nil, false
		}
	}
	hdr := len(es) * int(hs)
	// A block of 8 bytes or more is 8-aligned, as the headers need.
	block := make([]byte, hdr+total)
	base := unsafe.Pointer(unsafe.SliceData(block))
	off := hdr
	for i := range es {
		if es[i].Kind == redis.KindNull {
			continue
		}
		n := copy(block[off:], es[i].Str)
		if n > 0 {
			*(*string)(unsafe.Add(base, uintptr(i)*hs)) = unsafe.String(&block[off], n)
		}
		off += n
	}
	return base, true
}

// decInts reads an array of integers.
func decInts(r *redis.Reply) ([]int64, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(es))
	for i := range es {
		if es[i].Kind == redis.KindNull {
			continue
		}
		if out[i], err = decInt(&es[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decBools reads an array of 0/1 integers or booleans.
func decBools(r *redis.Reply) ([]bool, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(es))
	for i := range es {
		if out[i], err = decBool(&es[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decFloats reads an array of floats; nil elements become NaN.
func decFloats(r *redis.Reply) ([]float64, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(es))
	for i := range es {
		if es[i].Kind == redis.KindNull {
			out[i] = math.NaN()
			continue
		}
		if out[i], err = decFloat(&es[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pairs calls fn for each key/value pair of a RESP3 map or a RESP2 flat
// array of alternating keys and values.
func pairs(r *redis.Reply, fn func(k, v *redis.Reply) error) error {
	switch r.Kind {
	case redis.KindMap, redis.KindArray, redis.KindAttribute:
	case redis.KindNull:
		return nil
	default:
		return unexpected("map", r)
	}
	if len(r.Elems)%2 != 0 {
		return fmt.Errorf("redis: expected key/value pairs, got %d elements", len(r.Elems))
	}
	for i := 0; i < len(r.Elems); i += 2 {
		if err := fn(&r.Elems[i], &r.Elems[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// decStringMap reads a map (or flat pair array) of strings; the keys and
// values share one backing allocation (see stringsInto).
func decStringMap(r *redis.Reply) (map[string]string, error) {
	switch r.Kind {
	case redis.KindMap, redis.KindArray, redis.KindAttribute:
	case redis.KindNull:
		return map[string]string{}, nil
	default:
		return nil, unexpected("map", r)
	}
	if len(r.Elems)%2 != 0 {
		return nil, fmt.Errorf("redis: expected key/value pairs, got %d elements", len(r.Elems))
	}
	strs := make([]string, len(r.Elems))
	if err := stringsInto(strs, r.Elems); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(strs)/2)
	for i := 0; i < len(strs); i += 2 {
		out[strs[i]] = strs[i+1]
	}
	return out, nil
}

// decStringIntMap reads a map (or flat pair array) of string to integer.
func decStringIntMap(r *redis.Reply) (map[string]int64, error) {
	out := make(map[string]int64, len(r.Elems)/2)
	err := pairs(r, func(k, v *redis.Reply) error {
		ks, err := decString(k)
		if err != nil {
			return err
		}
		n, err := decInt(v)
		if err != nil {
			return err
		}
		out[ks] = n
		return nil
	})
	return out, err
}

// ToAny converts a reply to plain Go values: strings (or []byte when decode
// is false) for text, int64, float64, bool, nil, []any for arrays, sets and
// pushes, map[string]any for maps whose keys are text (map[any]any
// otherwise), *redis.Error values for nested error replies, and big
// numbers as their decimal string.
func ToAny(r *redis.Reply, decode bool) any {
	switch r.Kind {
	case redis.KindSimpleString, redis.KindBulkString, redis.KindVerbatim:
		if decode {
			return string(r.Str)
		}
		return append([]byte(nil), r.Str...)
	case redis.KindBigNumber:
		return string(r.Str)
	case redis.KindInteger:
		return r.Int
	case redis.KindDouble:
		return r.Float
	case redis.KindBoolean:
		return r.Int != 0
	case redis.KindNull:
		return nil
	case redis.KindError, redis.KindBulkError:
		return r.Err()
	case redis.KindArray, redis.KindSet, redis.KindPush:
		out := make([]any, len(r.Elems))
		for i := range r.Elems {
			out[i] = ToAny(&r.Elems[i], decode)
		}
		return out
	case redis.KindMap, redis.KindAttribute:
		textKeys := true
		for i := 0; i < len(r.Elems); i += 2 {
			if !isText(&r.Elems[i]) {
				textKeys = false
				break
			}
		}
		if textKeys {
			m := make(map[string]any, len(r.Elems)/2)
			for i := 0; i+1 < len(r.Elems); i += 2 {
				m[string(r.Elems[i].Str)] = ToAny(&r.Elems[i+1], decode)
			}
			return m
		}
		m := make(map[any]any, len(r.Elems)/2)
		for i := 0; i+1 < len(r.Elems); i += 2 {
			var k any
			if r.Elems[i].Kind.IsAggregate() {
				k = r.Elems[i].String() // slices and maps cannot be map keys
			} else {
				k = ToAny(&r.Elems[i], true)
			}
			m[k] = ToAny(&r.Elems[i+1], decode)
		}
		return m
	}
	return nil
}
