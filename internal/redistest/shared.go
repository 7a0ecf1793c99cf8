package redistest

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// shared is the package-wide server of Shared.
var shared struct {
	mu      sync.Mutex
	main    bool // Main is running the tests
	servers map[string]*Server
	dirs    []string
}

// Main runs the tests of a package and then stops the servers that Shared
// started. Call it from TestMain:
//
//	func TestMain(m *testing.M) { redistest.Main(m) }
//
// A package whose Examples connect to servers names what they need
// ([URLEnv], [TLSURLEnv], [SentinelEnv]): Main starts it before the tests
// when the run includes an example, and sets the environment variables the
// examples read.
//
//	func TestMain(m *testing.M) { redistest.Main(m, redistest.URLEnv) }
func Main(m *testing.M, envs ...Env) {
	shared.mu.Lock()
	shared.main = true
	shared.mu.Unlock()
	if len(envs) > 0 && examplesWillRun() {
		for _, env := range envs {
			if err := env(); err != nil {
				// The examples will fail to connect; say why.
				fmt.Fprintln(os.Stderr, "redistest: starting the examples' servers:", err)
			}
		}
	}
	code := m.Run()
	shared.mu.Lock()
	for _, s := range shared.servers {
		if err := s.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	for _, d := range shared.dirs {
		_ = os.RemoveAll(d)
	}
	shared.servers = nil
	shared.mu.Unlock()
	os.Exit(code)
}

// Shared returns the package's shared server, starting it on first use.
// Tests that share it must not depend on its dataset being empty (use keys
// of their own) nor change its configuration; a test that needs a password,
// a renamed command or a restart starts its own server with Start. Each
// distinct set of options gets its own shared server, keyed by name.
//
// The package's TestMain must call [Main]; without it Shared fails the test.
func Shared(t testing.TB, opts ...Option) *Server {
	return SharedNamed(t, "", opts...)
}

// SharedNamed is Shared for a second (third, ...) shared server with other
// options, told apart by name.
func SharedNamed(t testing.TB, name string, opts ...Option) *Server {
	t.Helper()
	bin := binary(t)
	shared.mu.Lock()
	main := shared.main
	shared.mu.Unlock()
	if !main {
		t.Fatal(errNoMain)
	}
	s, err := sharedServer(bin, name, opts)
	if err != nil {
		t.Fatalf("redistest: shared server: %v", err)
	}
	return s
}

func sharedServer(bin, name string, opts []Option) (*Server, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if s := shared.servers[name]; s != nil {
		return s, nil
	}
	dir, err := os.MkdirTemp("", "redistest")
	if err != nil {
		return nil, err
	}
	shared.dirs = append(shared.dirs, dir)
	s := newServer(bin, dir, opts)
	if s.sockDir != "" {
		shared.dirs = append(shared.dirs, s.sockDir)
	}
	if err := s.startFree(); err != nil {
		return nil, err
	}
	if shared.servers == nil {
		shared.servers = make(map[string]*Server)
	}
	shared.servers[name] = s
	return s, nil
}
