package redistest

import (
	"testing"
	"time"

	"github.com/duoredis/redis/internal/faultproxy"
)

// FaultProxy starts a fault proxy in front of s with the faults f and
// closes it when the test ends (closing it earlier is fine). Unless f.Seed
// is set, the faults are seeded from the clock; the seed is logged and
// returned, so that a failing run can be replayed with it.
func (s *Server) FaultProxy(t testing.TB, f faultproxy.Faults) (*faultproxy.Proxy, uint64) {
	t.Helper()
	if f.Seed == 0 {
		f.Seed = uint64(time.Now().UnixNano())
	}
	t.Logf("fault proxy seed %d", f.Seed)
	px, err := faultproxy.New(s.Addr())
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(func() { px.Close() })
	px.SetFaults(f)
	return px, f.Seed
}
