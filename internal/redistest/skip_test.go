package redistest_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
)

// recorder is a testing.TB whose Skip and Fatal only record the message.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Skip(args ...any)          { r.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatal(args ...any)         { r.failed = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatalf(f string, a ...any) { r.failed = fmt.Sprintf(f, a...); runtime.Goexit() }

func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); f(r) }()
	<-done
	return r
}

func TestMissingServerSkipsOrFailsInCI(t *testing.T) {
	t.Setenv("REDISTEST_SERVER", "no-such-redis-server")
	t.Setenv("CI", "")
	r := run(t, func(tb testing.TB) { redistest.Start(tb) })
	assert.Contains(t, r.skipped, "no-such-redis-server is not installed")
	assert.Empty(t, r.failed)

	t.Setenv("CI", "true")
	r = run(t, func(tb testing.TB) { redistest.Start(tb) })
	assert.Contains(t, r.failed, "no-such-redis-server is not installed")
	assert.Empty(t, r.skipped)
}
