//go:build hiredis && cgo

package hiredis

// CHeapBytes exports cHeapBytes to the tests.
var CHeapBytes = cHeapBytes
