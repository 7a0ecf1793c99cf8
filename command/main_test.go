package command_test

import (
	"testing"

	"github.com/duoredis/redis/internal/redistest"
)

// TestMain gives the examples a server (REDIS_URL) unless the user named
// one, and stops it when the tests end.
func TestMain(m *testing.M) { redistest.Main(m, redistest.URLEnv) }
