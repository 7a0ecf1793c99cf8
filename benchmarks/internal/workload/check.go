package workload

import "fmt"

// CheckLen checks a reply that should be Value (ValueLen bytes).
func CheckLen(v string, err error) error {
	if err != nil {
		return err
	}
	if len(v) != ValueLen {
		return fmt.Errorf("got a value of %d bytes, want %d", len(v), ValueLen)
	}
	return nil
}

// CheckCount checks a reply's count n (items, values or bytes) against
// want.
func CheckCount(n int, err error, want int) error {
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("got %d, want %d", n, want)
	}
	return nil
}

// CheckGets checks the values of a pipeline's n GETs.
func CheckGets(n int, get func(i int) (string, error)) error {
	for i := range n {
		if err := CheckLen(get(i)); err != nil {
			return err
		}
	}
	return nil
}
