package sentinel_test

import (
	"testing"

	"github.com/duoredis/redis/internal/redistest"
)

// TestMain starts the examples' sentinels (REDIS_SENTINEL_ADDRS,
// REDIS_SENTINEL_MASTER) unless the user named some, and stops them when the
// tests end.
func TestMain(m *testing.M) { redistest.Main(m, redistest.SentinelEnv) }
