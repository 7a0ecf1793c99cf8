package pubsub

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// Run reads messages and hands each to its handler until ctx ends or the
// PubSub is closed, then returns nil. Every subscription must have a
// handler: while one has none, Run returns an error wrapping
// ErrHandlerRequired at once, and while Run runs, subscribing without a
// handler is refused. Confirmations and pongs are dropped. A lost
// connection is reconnected (see Listen) and errors go to
// Options.ErrorHandler. Only one Run (or RunInBackground) may be active
// at a time.
func (p *PubSub) Run(ctx context.Context) error {
	if err := p.startRun(); err != nil {
		return err
	}
	p.run(ctx)
	return nil
}

// Runner is a Run in a goroutine of its own, started by RunInBackground
// (redis-py's run_in_thread).
type Runner struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// RunInBackground starts Run in a new goroutine, after the same checks
// (an error wrapping ErrHandlerRequired while a subscription has no
// handler). The runner ends when ctx ends, when the PubSub is closed, or
// on Stop.
func (p *PubSub) RunInBackground(ctx context.Context) (*Runner, error) {
	if err := p.startRun(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Runner{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		p.run(ctx)
	}()
	return r, nil
}

// Stop stops the runner and waits until its goroutine has exited (a
// handler running at the time finishes first). The PubSub stays open and
// subscribed; Close it when done. Stop may be called more than once, but
// not from a handler, which runs in the runner's goroutine.
func (r *Runner) Stop() {
	r.cancel()
	<-r.done
}

// Done returns a channel that is closed when the runner's goroutine has
// exited.
func (r *Runner) Done() <-chan struct{} { return r.done }

func (p *PubSub) startRun() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if p.running {
		return errors.New("redis: pubsub: Run is already active")
	}
	for f := range p.subs {
		var missing []string
		for n, h := range p.subs[f].active {
			if h == nil {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return fmt.Errorf("%w: %s %q has none; subscribe with a handler to use Run", ErrHandlerRequired, familyName[f], missing[0])
		}
	}
	p.running = true
	return nil
}

func (p *PubSub) run(ctx context.Context) {
	defer func() {
		p.mu.Lock()
		p.running = false
		p.mu.Unlock()
	}()
	for _, err := range p.Listen(ctx) {
		if err != nil {
			p.report(err)
		}
		// A message returned rather than handled is a confirmation or a
		// pong: nothing to do.
	}
}
