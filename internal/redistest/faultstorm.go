package redistest

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/duoredis/redis/internal/faultproxy"
)

// FaultStorm is the frame of a fault stress test: a fault proxy in front
// of a server, goroutines that run operations through it with random
// generators seeded from the proxy's seed, and the check that the client
// works again once the faults stop and leaves no goroutine behind.
//
//	storm := srv.FaultStorm(t, faultproxy.Faults{...})
//	rdb := ... // a client of storm.Proxy.Addr()
//	storm.Run(goroutines, func(g int, rng *rand.Rand) { ... })
//	storm.Calm(t, func() bool { ... }) // the client works again
//	rdb.Close()
//	storm.End(t)
type FaultStorm struct {
	Proxy *faultproxy.Proxy
	Seed  uint64 // the faults' seed (see Server.FaultProxy)
	base  int    // goroutines before the storm
}

// FaultStorm counts the goroutines, then starts a fault proxy in front of
// s with the faults f (see Server.FaultProxy).
func (s *Server) FaultStorm(t testing.TB, f faultproxy.Faults) *FaultStorm {
	t.Helper()
	base := runtime.NumGoroutine()
	px, seed := s.FaultProxy(t, f)
	return &FaultStorm{Proxy: px, Seed: seed, base: base}
}

// Run calls work from goroutines goroutines at once, each with its index g
// and a generator of its own seeded from the storm's seed and g, and waits
// for them all.
func (fs *FaultStorm) Run(goroutines int, work func(g int, rng *rand.Rand)) {
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() { work(g, rand.New(rand.NewPCG(fs.Seed, uint64(g)))) })
	}
	wg.Wait()
}

// Calm turns the faults off and fails t at once unless ok holds within
// 5 seconds: after the storm, the client works
// normally again.
func (fs *FaultStorm) Calm(t testing.TB, ok func() bool) {
	t.Helper()
	fs.Proxy.SetFaults(faultproxy.Faults{})
	if !WaitFor(5*time.Second, ok) {
		t.Fatal("redistest: the client does not work again after the faults stopped")
	}
}

// End closes the proxy (close the client first) and fails t unless, within
// 5 seconds, at most 2 goroutines more run than before the storm.
func (fs *FaultStorm) End(t testing.TB) {
	t.Helper()
	fs.Proxy.Close()
	if !WaitFor(5*time.Second, func() bool { return runtime.NumGoroutine() <= fs.base+2 }) {
		t.Errorf("goroutines left: %d, before: %d", runtime.NumGoroutine(), fs.base)
	}
}
