package redistest

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Cluster ports are claimed across processes too: `go test ./...` runs the
// test binaries of several packages at once, each with clusters of its
// own, and a node that a test kills frees its port while the test still
// counts on it (its replica keeps dialing it, the test restarts it there).
// Had another process started a node on that port meanwhile, the replica
// would sync from that stranger and drop its data. A claim is a file named
// after the port in a directory shared by every process of the user,
// created exclusively and holding the claimer's pid; a claim whose process
// is gone is stale and taken over. Claims are dropped with the port
// (releaseClusterPort) or, at worst, when the process ends.

// claimDir is where the claims are.
func claimDir() string {
	return filepath.Join(os.TempDir(), "duoredis-redistest-ports-"+strconv.Itoa(os.Getuid()))
}

// claimPort claims port p for this process and reports whether it did.
func claimPort(p int) bool {
	dir := claimDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return true // no shared directory: fall back to this process's own bookkeeping
	}
	path := filepath.Join(dir, strconv.Itoa(p))
	for try := 0; try < 2; try++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.WriteString(strconv.Itoa(os.Getpid()))
			if cerr := f.Close(); werr == nil && cerr == nil {
				return true
			}
			_ = os.Remove(path)
			return false
		}
		if !errors.Is(err, os.ErrExist) || !claimStale(path) {
			return false
		}
		_ = os.Remove(path) // its process is gone: take it over
	}
	return false
}

// claimStale reports whether the claim at path belongs to no live process.
func claimStale(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return true // a claim cut short by a crash
	}
	if pid == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// unclaimPort drops this process's claim on p.
func unclaimPort(p int) {
	path := filepath.Join(claimDir(), strconv.Itoa(p))
	if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
		_ = os.Remove(path)
	}
}
