package redis

import (
	"math"
	"reflect"
	"strconv"
	"time"
)

// Commands go to the server as RESP arrays of bulk strings. The Append
// functions below write them into a caller-owned buffer and allocate nothing
// when the buffer has room:
//
//	buf = redis.AppendArrayHeader(buf[:0], 3)
//	buf = redis.AppendBulkString(buf, "SET")
//	buf = redis.AppendBulkString(buf, key)
//	buf = redis.AppendBulk(buf, value)
//
// or, for arguments of mixed types, AppendCommand(buf, "SET", key, 42).
//
// Argument types map to the wire as follows:
//
//	[]byte, string             the bytes as they are
//	int, int8 ... int64        decimal, e.g. "-42"
//	uint, uint8 ... uint64     decimal
//	float32, float64           the shortest decimal that reads back as the same
//	                           value ("0.1", "1e+300"), "inf" and "-inf"; NaN is
//	                           refused, since no command accepts it
//	named types of those kinds the same, through reflection
//	time.Duration              a *DataError: as an integer it would be sent
//	                           as nanoseconds, never what was meant; commands
//	                           whose parameter is a duration (expirations,
//	                           timeouts) convert it to the unit they send
//	anything else              a *DataError: bool, nil, structs, maps, slices
//	                           of other types, pointers

// appendHeader appends a type byte, the length n and CRLF. Most lengths
// in commands have one or two digits: those skip strconv.
func appendHeader(buf []byte, typ byte, n int) []byte {
	switch {
	case n >= 0 && n < 10:
		return append(buf, typ, byte('0'+n), '\r', '\n')
	case n >= 10 && n < 100:
		return append(buf, typ, byte('0'+n/10), byte('0'+n%10), '\r', '\n')
	}
	buf = append(buf, typ)
	buf = strconv.AppendInt(buf, int64(n), 10)
	return append(buf, '\r', '\n')
}

// AppendArrayHeader appends the header of an array of n elements, "*n\r\n".
func AppendArrayHeader(buf []byte, n int) []byte {
	return appendHeader(buf, '*', n)
}

// AppendBulk appends b as a bulk string.
func AppendBulk(buf []byte, b []byte) []byte {
	buf = appendHeader(buf, '$', len(b))
	buf = append(buf, b...)
	return append(buf, '\r', '\n')
}

// AppendBulkString appends s as a bulk string.
func AppendBulkString(buf []byte, s string) []byte {
	buf = appendHeader(buf, '$', len(s))
	buf = append(buf, s...)
	return append(buf, '\r', '\n')
}

// AppendBulkInt appends the decimal form of v as a bulk string.
func AppendBulkInt(buf []byte, v int64) []byte {
	var tmp [20]byte
	return AppendBulk(buf, strconv.AppendInt(tmp[:0], v, 10))
}

// AppendBulkUint appends the decimal form of v as a bulk string.
func AppendBulkUint(buf []byte, v uint64) []byte {
	var tmp [20]byte
	return AppendBulk(buf, strconv.AppendUint(tmp[:0], v, 10))
}

// AppendBulkFloat appends v as a bulk string in the shortest form that Redis
// reads back as the same float64: "1.5", "1e+300", "inf", "-inf". A NaN is
// written as "nan"; use [AppendArg] to have it refused instead.
func AppendBulkFloat(buf []byte, v float64) []byte {
	return appendFloat(buf, v, 64)
}

func appendFloat(buf []byte, v float64, bits int) []byte {
	switch {
	case math.IsInf(v, 1):
		return AppendBulkString(buf, "inf")
	case math.IsInf(v, -1):
		return AppendBulkString(buf, "-inf")
	}
	var tmp [32]byte
	return AppendBulk(buf, strconv.AppendFloat(tmp[:0], v, 'g', -1, bits))
}

// AppendArg appends one command argument as a bulk string. pos is the
// argument's position in the command (0 for the command name), used only in
// the *DataError returned for an argument of an unsupported type; buf is then
// returned unchanged.
func AppendArg(buf []byte, pos int, arg any) ([]byte, error) {
	switch v := arg.(type) {
	case string:
		return AppendBulkString(buf, v), nil
	case []byte:
		return AppendBulk(buf, v), nil
	case int:
		return AppendBulkInt(buf, int64(v)), nil
	case int64:
		return AppendBulkInt(buf, v), nil
	case int32:
		return AppendBulkInt(buf, int64(v)), nil
	case int16:
		return AppendBulkInt(buf, int64(v)), nil
	case int8:
		return AppendBulkInt(buf, int64(v)), nil
	case uint:
		return AppendBulkUint(buf, uint64(v)), nil
	case uint64:
		return AppendBulkUint(buf, v), nil
	case uint32:
		return AppendBulkUint(buf, uint64(v)), nil
	case uint16:
		return AppendBulkUint(buf, uint64(v)), nil
	case uint8:
		return AppendBulkUint(buf, uint64(v)), nil
	case float64:
		if math.IsNaN(v) {
			return buf, &DataError{Pos: pos, Type: "float64", Msg: "NaN is not a value Redis accepts"}
		}
		return appendFloat(buf, v, 64), nil
	case float32:
		if math.IsNaN(float64(v)) {
			return buf, &DataError{Pos: pos, Type: "float32", Msg: "NaN is not a value Redis accepts"}
		}
		return appendFloat(buf, float64(v), 32), nil
	case nil:
		return buf, &DataError{Pos: pos, Type: "nil"}
	case bool:
		return buf, &DataError{Pos: pos, Type: "bool", Msg: "convert it to a string or an integer first"}
	case time.Duration:
		return buf, &DataError{Pos: pos, Type: "time.Duration",
			Msg: "a duration is not a value (it would be sent as nanoseconds); convert it to the unit meant, e.g. int64(d / time.Second)"}
	}
	return appendReflect(buf, pos, arg)
}

// appendReflect handles named types whose underlying kind is supported, such
// as `type UserID int64`. It is off the hot path.
func appendReflect(buf []byte, pos int, arg any) ([]byte, error) {
	v := reflect.ValueOf(arg)
	switch v.Kind() {
	case reflect.String:
		return AppendBulkString(buf, v.String()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return AppendBulkInt(buf, v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return AppendBulkUint(buf, v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		bits := 64
		if v.Kind() == reflect.Float32 {
			bits = 32
		}
		f := v.Float()
		if math.IsNaN(f) {
			return buf, &DataError{Pos: pos, Type: v.Type().String(), Msg: "NaN is not a value Redis accepts"}
		}
		return appendFloat(buf, f, bits), nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return AppendBulk(buf, v.Bytes()), nil
		}
	}
	return buf, &DataError{Pos: pos, Type: v.Type().String()}
}

// AppendCommand appends a whole command, the array of its arguments, to buf.
// On a *DataError nothing is appended: buf is returned as it was.
func AppendCommand(buf []byte, args ...any) ([]byte, error) {
	start := len(buf)
	buf = AppendArrayHeader(buf, len(args))
	for i, a := range args {
		var err error
		if buf, err = AppendArg(buf, i, a); err != nil {
			return buf[:start], err
		}
	}
	return buf, nil
}
