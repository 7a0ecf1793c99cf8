package sentinel_test

import (
	"testing"

	"github.com/duoredis/redis/internal/redistest"
)

// TestMain stops the topology of the examples when the tests end.
func TestMain(m *testing.M) { redistest.Main(m) }
