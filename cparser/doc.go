//go:build hiredis && cgo

// Package cparser is the [redis.Parser] over hiredis's C reader, built with
// -tags hiredis (and cgo; hiredis >= 1.0 found by pkg-config).
//
// duoredis has two implementations of the parser: package goparser, pure Go,
// and this one. When a program is built with -tags hiredis, cparser is the
// default parser of new connections; otherwise goparser is, and this package
// is not built at all. Both give the same replies and errors for the same
// bytes (internal/RESP_RULES.md), so the choice is one of speed and taste.
// Where a [redis.NewParserFunc] is taken, either can be chosen at run time
// by passing goparser.NewParser or cparser.NewParser.
//
// A Parser crosses into C once per read from its io.Reader, not once per
// reply: package hiredis parses the whole read into a flat tape, which
// ReadReply then walks in Go. Byte slices of a reply point into C memory
// owned by the Parser; they stay valid until the next ReadReply or Reset,
// and Close releases that memory.
package cparser
