package pool

import (
	"context"
	"net"
	"sync"
)

// DialFunc opens a network connection to addr: the type of Options.Dialer,
// and what a dial hook wraps.
type DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// dialHooks are the dial hooks of a pool. Every copy of the pool's Options
// points at the same set, so connections that the pool's users make through
// those copies (auto-pipelining, a sentinel's factory) pass through them too.
type dialHooks struct {
	mu    sync.Mutex
	hooks []func(next DialFunc) DialFunc
}

// AddDialHook wraps the dialer of every connection the pool opens from now
// on: hook receives the next dialer (Options.Dialer, or the next hook's)
// and returns the one to use. Hooks added first run first.
func (p *Pool) AddDialHook(hook func(next DialFunc) DialFunc) {
	h := p.opts.dialHooks
	h.mu.Lock()
	h.hooks = append(h.hooks, hook)
	h.mu.Unlock()
}

// dialer returns dial wrapped in the hooks.
func (h *dialHooks) dialer(dial DialFunc) DialFunc {
	if h == nil {
		return dial
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.hooks) - 1; i >= 0; i-- {
		dial = h.hooks[i](dial)
	}
	return dial
}
