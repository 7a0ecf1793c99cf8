package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/command"
)

// LockOptions configure a Lock. The zero value is a blocking lock without
// expiry that retries every 100 ms until the context ends.
type LockOptions struct {
	// Timeout is the lock's expiry: the key vanishes after it unless
	// extended, so a crashed owner cannot hold the lock forever. 0 means
	// no expiry.
	// default: 0
	Timeout time.Duration
	// Sleep is the pause between tries while blocking.
	// default: 100 ms
	Sleep time.Duration
	// NonBlocking makes Acquire try once and return a *redis.LockError at
	// once when the lock is taken.
	// default: false (blocking)
	NonBlocking bool
	// BlockingTimeout bounds how long Acquire keeps trying; 0 means until
	// the context ends.
	// default: 0
	BlockingTimeout time.Duration
	// Token identifies the owner. Locks of the same name and token are the
	// same owner (useful to release from another process).
	// default: 16 random bytes, hex-encoded, per Acquire
	Token string
}

// Lock is a distributed lock held in one Redis key: acquired with SET NX PX
// and a token of its owner; released, extended and reacquired by Lua
// scripts that check the token, so only the owner can. A Lock is one owner
// and is not safe for concurrent use: goroutines that must exclude each
// other use a Lock each (of the same name).
type Lock struct {
	rdb   Locker
	name  string
	opts  LockOptions
	token string // the owner's token while held, "" otherwise
}

// Locker is what a Lock runs on: anything with these commands of the
// command set and Do (for its scripts), such as a *Client or a cluster
// client (*cluster.Client, where the lock's key decides the node).
type Locker interface {
	Scripter
	SetNX(ctx context.Context, key string, value any, exp time.Duration) command.Result[bool]
	Exists(ctx context.Context, keys ...string) command.Result[int64]
	Get(ctx context.Context, key string) command.Result[string]
}

// Lock returns a lock on the key name with opts; nothing is sent until
// Acquire.
func (c *Client) Lock(name string, opts LockOptions) *Lock { return NewLock(c, name, opts) }

// NewLock returns a lock on the key name with opts that runs on rdb (a
// *Client, a *cluster.Client, ...); nothing is sent until Acquire.
func NewLock(rdb Locker, name string, opts LockOptions) *Lock {
	if opts.Sleep <= 0 {
		opts.Sleep = 100 * time.Millisecond
	}
	return &Lock{rdb: rdb, name: name, opts: opts}
}

var (
	lockRelease = NewScript(`
if redis.call('get', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('del', KEYS[1])
return 1`)
	// ARGV: token, milliseconds, "1" to replace the ttl or "0" to add to it.
	lockExtend = NewScript(`
if redis.call('get', KEYS[1]) ~= ARGV[1] then
  return 0
end
local ms = tonumber(ARGV[2])
if ARGV[3] == '0' then
  local left = redis.call('pttl', KEYS[1])
  if left < 0 then
    return -1
  end
  ms = ms + left
end
redis.call('pexpire', KEYS[1], ms)
return 1`)
	lockReacquire = NewScript(`
if redis.call('get', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('pexpire', KEYS[1], ARGV[2])
return 1`)
)

// Name returns the lock's key.
func (l *Lock) Name() string { return l.name }

// Token returns the owner's token while the lock is held by this Lock, ""
// otherwise.
func (l *Lock) Token() string { return l.token }

// Acquire takes the lock, trying every Sleep until it succeeds, the
// BlockingTimeout passes or ctx ends (or once, with NonBlocking). When the
// lock could not be taken it returns a *redis.LockError.
func (l *Lock) Acquire(ctx context.Context) error {
	token := l.opts.Token
	if token == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		token = hex.EncodeToString(b[:])
	}
	var deadline time.Time
	if l.opts.BlockingTimeout > 0 {
		deadline = time.Now().Add(l.opts.BlockingTimeout)
	}
	for {
		ok, err := l.tryAcquire(ctx, token)
		if err != nil {
			return err
		}
		if ok {
			l.token = token
			return nil
		}
		if l.opts.NonBlocking {
			return &redis.LockError{Name: l.name, Msg: "held by another owner"}
		}
		wait := l.opts.Sleep
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return &redis.LockError{Name: l.name, Msg: "not acquired within the blocking timeout"}
			}
			wait = min(wait, left)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &redis.LockError{Name: l.name, Msg: "not acquired: " + ctx.Err().Error()}
		case <-t.C:
		}
	}
}

func (l *Lock) tryAcquire(ctx context.Context, token string) (bool, error) {
	return l.rdb.SetNX(ctx, l.name, token, l.opts.Timeout).Result()
}

// Release frees the lock. It returns a *redis.LockNotOwnedError when the lock
// expired or another owner holds it now.
func (l *Lock) Release(ctx context.Context) error {
	token := l.token
	if token == "" {
		return l.notOwned("cannot release a lock that is not held")
	}
	n, err := l.runInt(ctx, lockRelease, token)
	if err != nil {
		return err // still held, as far as we know: Release may be retried
	}
	l.token = ""
	if n != 1 {
		return l.notOwned("cannot release a lock that is no longer owned")
	}
	return nil
}

// Extend adds extra to the lock's remaining time to live, or with
// replaceTTL sets the time to live to extra. It returns a
// *redis.LockNotOwnedError when the lock is not held by this owner, and a
// *redis.LockError when the lock has no expiry to extend.
func (l *Lock) Extend(ctx context.Context, extra time.Duration, replaceTTL bool) error {
	if l.token == "" {
		return l.notOwned("cannot extend a lock that is not held")
	}
	replace := "0"
	if replaceTTL {
		replace = "1"
	}
	n, err := l.runInt(ctx, lockExtend, l.token, extra.Milliseconds(), replace)
	if err != nil {
		return err
	}
	switch n {
	case 1:
		return nil
	case -1:
		return &redis.LockError{Name: l.name, Msg: "cannot extend a lock with no expiry"}
	}
	return l.notOwned("cannot extend a lock that is no longer owned")
}

// Reacquire resets the lock's time to live to its Timeout. It returns a
// *redis.LockNotOwnedError when the lock is not held by this owner.
func (l *Lock) Reacquire(ctx context.Context) error {
	if l.token == "" {
		return l.notOwned("cannot reacquire a lock that is not held")
	}
	if l.opts.Timeout <= 0 {
		return &redis.LockError{Name: l.name, Msg: "cannot reacquire a lock with no timeout"}
	}
	n, err := l.runInt(ctx, lockReacquire, l.token, l.opts.Timeout.Milliseconds())
	if err != nil {
		return err
	}
	if n != 1 {
		return l.notOwned("cannot reacquire a lock that is no longer owned")
	}
	return nil
}

// Locked reports whether anyone holds the lock.
func (l *Lock) Locked(ctx context.Context) (bool, error) {
	n, err := l.rdb.Exists(ctx, l.name).Result()
	return n == 1, err
}

// Owned reports whether this Lock holds the lock.
func (l *Lock) Owned(ctx context.Context) (bool, error) {
	if l.token == "" {
		return false, nil
	}
	v, err := l.rdb.Get(ctx, l.name).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return v == l.token, err
}

// Do acquires the lock, runs fn, and always releases the lock, even when fn
// fails or panics. fn's error comes first; a failed release is reported
// when fn succeeded.
func (l *Lock) Do(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if err := l.Acquire(ctx); err != nil {
		return err
	}
	defer func() {
		// Release with a context of its own: ctx may have ended.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if rerr := l.Release(rctx); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return fn(ctx)
}

func (l *Lock) runInt(ctx context.Context, s *Script, args ...any) (int64, error) {
	v, err := s.RunOn(ctx, l.rdb, []string{l.name}, args...).Result()
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, &redis.LockError{Name: l.name, Msg: "unexpected script reply"}
	}
	return n, nil
}

func (l *Lock) notOwned(msg string) error {
	return &redis.LockNotOwnedError{LockError: redis.LockError{Name: l.name, Msg: msg}}
}
