package command

import "context"

// ZScan returns one page of the sorted set at key from cursor, with members
// and scores (as the server formats them) alternating in Keys; see
// Client.ZScanIter for all of them, with the scores as numbers.
func (c Cmdable) ZScan(ctx context.Context, key string, cursor uint64, a ScanArgs) Result[ScanResult] {
	return run(c, ctx, decScan, scanArgs("ZSCAN", key, cursor, a)...)
}
