package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"

	"github.com/duoredis/redis/command"
)

// ScoredMember is a member of a sorted set and its score, as ZScanIter
// yields it: the same type as Z.
type ScoredMember = command.Z

// errHLSScanStopped tells hlsScanLoop that the consumer broke out of its loop.
var errHLSScanStopped = errors.New("scan stopped by the consumer")

// hlsScanLoop fetches pages from cursor 0 until the server returns cursor 0,
// and hands each page's elements to emit. It returns the first error of a
// fetch or of emit (errHLSScanStopped when the consumer stopped).
func hlsScanLoop(ctx context.Context, fetch func(cursor uint64) command.Result[command.ScanResult], emit func(elems []string) error) error {
	var cursor uint64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := fetch(cursor).Result()
		if err != nil {
			return err
		}
		if err := emit(page.Keys); err != nil {
			return err
		}
		if page.Cursor == 0 {
			return nil
		}
		cursor = page.Cursor
	}
}

// ScanIter iterates over the keys of the client's database that match a
// (Match, Count, Type) with SCAN.
//
// The scan iterators (ScanIter, SScanIter, HScanIter, ZScanIter) walk a
// keyspace, a set, a hash or a sorted set with SCAN, SSCAN, HSCAN or ZSCAN:
// they follow the cursor from 0 until the server returns 0, one round trip
// per page, and yield the elements of each page as they come. Breaking out of the loop stops the scan at once; no
// further page is requested.
//
// Each iterator yields pairs whose second value is an error. It is nil for
// every element; when a page cannot be fetched (a connection error, a server
// error such as WRONGTYPE, a cancelled ctx) or read, the iterator yields the
// zero element with the error once, as its last pair, and stops:
//
//	for key, err := range rdb.ScanIter(ctx, client.ScanArgs{Match: "user:*"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(key)
//	}
//
// The guarantees are the server's (see the SCAN documentation): an element
// present during the whole scan is yielded at least once, but it may be
// yielded more than once (a rehash or a resize of the table between two
// pages makes the server send it again), and an element added or removed
// during the scan may or may not be yielded. The iterators pass on exactly
// what the server sent, without duplicates of their own and without
// removing the server's; collect into a map when each element must be seen
// once. Match and Count are passed to the server as they are (Count is a
// hint of the page size, not a limit); Type applies to ScanIter only.
//
// The iterators run commands on the client, one page at a time, and cannot
// be used in a pipeline. Each range over the returned sequence starts a new
// scan.
func (c *Client) ScanIter(ctx context.Context, a ScanArgs) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		err := hlsScanLoop(ctx, func(cur uint64) command.Result[command.ScanResult] {
			return c.Scan(ctx, cur, a)
		}, hlsEmitStrings(yield))
		if err != nil && err != errHLSScanStopped {
			yield("", err)
		}
	}
}

// SScanIter iterates over the members of the set at key with SSCAN (Match
// and Count of a apply). Nothing is yielded when the key does not exist.
// Errors and guarantees are those of ScanIter: a member may be yielded
// more than once.
func (c *Client) SScanIter(ctx context.Context, key string, a ScanArgs) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		err := hlsScanLoop(ctx, func(cur uint64) command.Result[command.ScanResult] {
			return c.SScan(ctx, key, cur, a)
		}, hlsEmitStrings(yield))
		if err != nil && err != errHLSScanStopped {
			yield("", err)
		}
	}
}

// HScanIter iterates over the fields of the hash at key, with their values,
// with HSCAN (Match, matched against field names, and Count of a apply).
// Nothing is yielded when the key does not exist. Errors and guarantees
// are those of ScanIter: a field may be yielded more than once.
func (c *Client) HScanIter(ctx context.Context, key string, a ScanArgs) iter.Seq2[HashField, error] {
	return func(yield func(HashField, error) bool) {
		err := hlsScanLoop(ctx, func(cur uint64) command.Result[command.ScanResult] {
			return c.HScan(ctx, key, cur, a)
		}, func(elems []string) error {
			if len(elems)%2 != 0 {
				return hlsOddPage("HSCAN", len(elems))
			}
			for i := 0; i < len(elems); i += 2 {
				if !yield(HashField{Field: elems[i], Value: elems[i+1]}, nil) {
					return errHLSScanStopped
				}
			}
			return nil
		})
		if err != nil && err != errHLSScanStopped {
			yield(HashField{}, err)
		}
	}
}

// ZScanIter iterates over the members of the sorted set at key, with their
// scores, with ZSCAN (Match, matched against members, and Count of a
// apply). Members come in the server's order, not by score. Nothing is
// yielded when the key does not exist. Errors and guarantees are those of
// ScanIter: a member may be yielded more than once.
func (c *Client) ZScanIter(ctx context.Context, key string, a ScanArgs) iter.Seq2[ScoredMember, error] {
	return func(yield func(ScoredMember, error) bool) {
		err := hlsScanLoop(ctx, func(cur uint64) command.Result[command.ScanResult] {
			return c.ZScan(ctx, key, cur, a)
		}, func(elems []string) error {
			if len(elems)%2 != 0 {
				return hlsOddPage("ZSCAN", len(elems))
			}
			for i := 0; i < len(elems); i += 2 {
				score, err := strconv.ParseFloat(elems[i+1], 64) // also "inf", "-inf"
				if err != nil {
					return fmt.Errorf("redis: ZSCAN score %q of member %q is not a float", elems[i+1], elems[i])
				}
				if !yield(ScoredMember{Member: elems[i], Score: score}, nil) {
					return errHLSScanStopped
				}
			}
			return nil
		})
		if err != nil && err != errHLSScanStopped {
			yield(ScoredMember{}, err)
		}
	}
}

// hlsEmitStrings yields each element of a page.
func hlsEmitStrings(yield func(string, error) bool) func([]string) error {
	return func(elems []string) error {
		for _, e := range elems {
			if !yield(e, nil) {
				return errHLSScanStopped
			}
		}
		return nil
	}
}

func hlsOddPage(name string, n int) error {
	return fmt.Errorf("redis: %s page with an odd number of elements (%d), not field/value pairs", name, n)
}
