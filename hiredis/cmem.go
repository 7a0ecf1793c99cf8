//go:build hiredis && cgo

package hiredis

/*
#include <stdlib.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
static long long duo_heap_bytes(void) {
	struct mallinfo2 mi = mallinfo2();
	return (long long)(mi.uordblks + mi.hblkhd);
}
#else
static long long duo_heap_bytes(void) { return -1; }
#endif
*/
import "C"

// cHeapBytes returns the bytes that C's malloc has handed out and not taken
// back (glibc's mallinfo2), or -1 where that is not known. Tests use it to
// see what hiredis and the glue allocate.
func cHeapBytes() int64 { return int64(C.duo_heap_bytes()) }
