// Package redact formats the types that hold a password: they implement
// fmt.Formatter with Format, which prints a description without secrets
// for every verb, so that fmt never prints their fields by reflection.
package redact

import (
	"fmt"
	"io"
)

// Format writes desc, a description without secrets, for verb: %s, %q,
// %x and %X format desc as a string (with the flags, width and precision
// given), every other verb (%v, %+v, %#v, %d, ...) writes it as it is.
func Format(f fmt.State, verb rune, desc string) {
	switch verb {
	case 's', 'q', 'x', 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), desc)
	default:
		io.WriteString(f, desc)
	}
}
