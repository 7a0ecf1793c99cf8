package command

import (
	"context"
	"time"

	redis "github.com/duoredis/redis"
)

// Copy copies the value at source to destination and reports whether it
// did. db >= 0 copies into another database (DB); replace overwrites an
// existing destination (REPLACE).
func (c Cmdable) Copy(ctx context.Context, source, destination string, db int, replace bool) Result[bool] {
	args := make([]any, 0, 6)
	args = append(args, "COPY", source, destination)
	if db >= 0 {
		args = append(args, "DB", db)
	}
	if replace {
		args = append(args, "REPLACE")
	}
	return run(c, ctx, decBool, args...)
}

// Del deletes keys and returns how many existed.
func (c Cmdable) Del(ctx context.Context, keys ...string) Result[int64] {
	return run(c, ctx, decInt, keysArgs("DEL", keys)...)
}

// Dump returns the serialized value at key (redis.Nil if none).
func (c Cmdable) Dump(ctx context.Context, key string) Result[[]byte] {
	return run(c, ctx, decBytes, "DUMP", key)
}

// Exists returns how many of keys exist.
func (c Cmdable) Exists(ctx context.Context, keys ...string) Result[int64] {
	return run(c, ctx, decInt, keysArgs("EXISTS", keys)...)
}

// ExpireCondition qualifies EXPIRE and friends (Redis 7): "NX" sets only if
// the key has no expiry, "XX" only if it has one, "GT"/"LT" only if the new
// expiry is greater/less than the current one; "" always.
type ExpireCondition string

// Expire conditions.
const (
	ExpireAlways ExpireCondition = ""
	ExpireNX     ExpireCondition = "NX"
	ExpireXX     ExpireCondition = "XX"
	ExpireGT     ExpireCondition = "GT"
	ExpireLT     ExpireCondition = "LT"
)

func expireArgs(name, key string, n int64, cond ExpireCondition) []any {
	if cond == "" {
		return []any{name, key, n}
	}
	return []any{name, key, n, string(cond)}
}

// Expire sets a time to live in seconds and reports whether it was set.
func (c Cmdable) Expire(ctx context.Context, key string, ttl time.Duration, cond ExpireCondition) Result[bool] {
	return run(c, ctx, decBool, expireArgs("EXPIRE", key, int64(ttl/time.Second), cond)...)
}

// ExpireAt sets an absolute expiry (whole seconds).
func (c Cmdable) ExpireAt(ctx context.Context, key string, at time.Time, cond ExpireCondition) Result[bool] {
	return run(c, ctx, decBool, expireArgs("EXPIREAT", key, at.Unix(), cond)...)
}

// ExpireTime returns the absolute expiry as a Unix time in seconds, -1 if
// the key has none and -2 if it does not exist.
func (c Cmdable) ExpireTime(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "EXPIRETIME", key)
}

// Keys returns the keys matching pattern. Prefer ScanIter on large
// databases.
func (c Cmdable) Keys(ctx context.Context, pattern string) Result[[]string] {
	return run(c, ctx, decStrings, "KEYS", pattern)
}

// MigrateArgs holds the options of MIGRATE.
type MigrateArgs struct {
	Host    string
	Port    int
	Keys    []string
	DB      int
	Timeout time.Duration
	Copy    bool
	Replace bool
	// Username and Password authenticate on the target (AUTH2 / AUTH).
	Username, Password string
}

// Migrate moves keys to another Redis server. It returns "OK", or "NOKEY"
// when none of the keys exists.
func (c Cmdable) Migrate(ctx context.Context, a MigrateArgs) Result[string] {
	args := []any{"MIGRATE", a.Host, a.Port, "", a.DB, int64(a.Timeout / time.Millisecond)}
	if a.Copy {
		args = append(args, "COPY")
	}
	if a.Replace {
		args = append(args, "REPLACE")
	}
	switch {
	case a.Username != "":
		args = append(args, "AUTH2", a.Username, a.Password)
	case a.Password != "":
		args = append(args, "AUTH", a.Password)
	}
	args = append(args, "KEYS")
	for _, k := range a.Keys {
		args = append(args, k)
	}
	return run(c, ctx, decStatus, args...)
}

// Move moves key to database db and reports whether it did.
func (c Cmdable) Move(ctx context.Context, key string, db int) Result[bool] {
	return run(c, ctx, decBool, "MOVE", key, db)
}

// ObjectEncoding returns the internal encoding of the value at key.
func (c Cmdable) ObjectEncoding(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decString, "OBJECT", "ENCODING", key)
}

// ObjectFreq returns the LFU access frequency of key (LFU policies only).
func (c Cmdable) ObjectFreq(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "OBJECT", "FREQ", key)
}

// ObjectIdleTime returns how long key has been idle.
func (c Cmdable) ObjectIdleTime(ctx context.Context, key string) Result[time.Duration] {
	return run(c, ctx, decSeconds, "OBJECT", "IDLETIME", key)
}

// ObjectRefCount returns the reference count of the value at key.
func (c Cmdable) ObjectRefCount(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "OBJECT", "REFCOUNT", key)
}

// ObjectHelp returns OBJECT's help text.
func (c Cmdable) ObjectHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "OBJECT", "HELP")
}

// Persist removes the expiry of key and reports whether it had one.
func (c Cmdable) Persist(ctx context.Context, key string) Result[bool] {
	return run(c, ctx, decBool, "PERSIST", key)
}

// PExpire sets a time to live in milliseconds.
func (c Cmdable) PExpire(ctx context.Context, key string, ttl time.Duration, cond ExpireCondition) Result[bool] {
	return run(c, ctx, decBool, expireArgs("PEXPIRE", key, int64(ttl/time.Millisecond), cond)...)
}

// PExpireAt sets an absolute expiry in milliseconds.
func (c Cmdable) PExpireAt(ctx context.Context, key string, at time.Time, cond ExpireCondition) Result[bool] {
	return run(c, ctx, decBool, expireArgs("PEXPIREAT", key, at.UnixMilli(), cond)...)
}

// PExpireTime returns the absolute expiry as a Unix time in milliseconds,
// -1 if none and -2 if the key does not exist.
func (c Cmdable) PExpireTime(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "PEXPIRETIME", key)
}

// PTTL returns the time to live in milliseconds: -1 if the key has no
// expiry, -2 if it does not exist (redis-py semantics: an integer).
func (c Cmdable) PTTL(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "PTTL", key)
}

// RandomKey returns a random key (redis.Nil when the database is empty).
func (c Cmdable) RandomKey(ctx context.Context) Result[string] {
	return run(c, ctx, decString, "RANDOMKEY")
}

// Rename renames key to newkey.
func (c Cmdable) Rename(ctx context.Context, key, newkey string) Result[string] {
	return run(c, ctx, decStatus, "RENAME", key, newkey)
}

// RenameNX renames key to newkey only if newkey does not exist.
func (c Cmdable) RenameNX(ctx context.Context, key, newkey string) Result[bool] {
	return run(c, ctx, decBool, "RENAMENX", key, newkey)
}

// RestoreArgs holds the options of RESTORE.
type RestoreArgs struct {
	Replace  bool
	AbsTTL   bool
	IdleTime time.Duration
	Freq     int64 // 0: not given
}

// Restore creates key from a value serialized by Dump, with a time to live
// (0: none).
func (c Cmdable) Restore(ctx context.Context, key string, ttl time.Duration, value []byte, a RestoreArgs) Result[string] {
	args := []any{"RESTORE", key, int64(ttl / time.Millisecond), value}
	if a.Replace {
		args = append(args, "REPLACE")
	}
	if a.AbsTTL {
		args = append(args, "ABSTTL")
	}
	if a.IdleTime > 0 {
		args = append(args, "IDLETIME", int64(a.IdleTime/time.Second))
	}
	if a.Freq > 0 {
		args = append(args, "FREQ", a.Freq)
	}
	return run(c, ctx, decStatus, args...)
}

// ScanResult is one page of a SCAN-family command.
type ScanResult struct {
	Cursor uint64
	Keys   []string // for HSCAN and ZSCAN: fields/members and values/scores alternating
}

func decScan(r *redis.Reply) (ScanResult, error) {
	es, err := elems(r)
	if err != nil {
		return ScanResult{}, err
	}
	if len(es) != 2 {
		return ScanResult{}, unexpected("[cursor, elements]", r)
	}
	cur, err := decString(&es[0])
	if err != nil {
		return ScanResult{}, err
	}
	var res ScanResult
	for i := 0; i < len(cur); i++ {
		if cur[i] < '0' || cur[i] > '9' {
			return ScanResult{}, unexpected("cursor", &es[0])
		}
		res.Cursor = res.Cursor*10 + uint64(cur[i]-'0')
	}
	res.Keys, err = decStrings(&es[1])
	return res, err
}

// ScanArgs are the options of SCAN, SSCAN, HSCAN and ZSCAN.
type ScanArgs struct {
	Match string // glob pattern; "" for all
	Count int64  // hint of elements per page; 0 for the server's default
	Type  string // SCAN only: a key type such as "string", "zset"
}

func scanArgs(name, key string, cursor uint64, a ScanArgs) []any {
	args := make([]any, 0, 9)
	args = append(args, name)
	if key != "" || name != "SCAN" {
		args = append(args, key)
	}
	args = append(args, cursor)
	if a.Match != "" {
		args = append(args, "MATCH", a.Match)
	}
	if a.Count > 0 {
		args = append(args, "COUNT", a.Count)
	}
	if a.Type != "" && name == "SCAN" {
		args = append(args, "TYPE", a.Type)
	}
	return args
}

// Scan returns one page of keys from cursor; see ScanIter for all of them.
func (c Cmdable) Scan(ctx context.Context, cursor uint64, a ScanArgs) Result[ScanResult] {
	return run(c, ctx, decScan, scanArgs("SCAN", "", cursor, a)...)
}

// SortArgs holds the options of SORT and SORT_RO.
type SortArgs struct {
	By            string
	Offset, Count int64 // LIMIT when Count > 0
	Get           []string
	Desc          bool
	Alpha         bool
}

func sortArgs(name, key string, a SortArgs, store string) []any {
	args := []any{name, key}
	if a.By != "" {
		args = append(args, "BY", a.By)
	}
	if a.Count > 0 {
		args = append(args, "LIMIT", a.Offset, a.Count)
	}
	for _, g := range a.Get {
		args = append(args, "GET", g)
	}
	if a.Desc {
		args = append(args, "DESC")
	}
	if a.Alpha {
		args = append(args, "ALPHA")
	}
	if store != "" {
		args = append(args, "STORE", store)
	}
	return args
}

// Sort returns the sorted elements of the list, set or sorted set at key
// (nil elements, from GET patterns that match nothing, become "").
func (c Cmdable) Sort(ctx context.Context, key string, a SortArgs) Result[[]string] {
	return run(c, ctx, decStrings, sortArgs("SORT", key, a, "")...)
}

// SortStore sorts into the list at destination and returns its length.
func (c Cmdable) SortStore(ctx context.Context, key, destination string, a SortArgs) Result[int64] {
	return run(c, ctx, decInt, sortArgs("SORT", key, a, destination)...)
}

// SortRO is the read-only SORT.
func (c Cmdable) SortRO(ctx context.Context, key string, a SortArgs) Result[[]string] {
	return run(c, ctx, decStrings, sortArgs("SORT_RO", key, a, "")...)
}

// Touch updates the access time of keys and returns how many exist.
func (c Cmdable) Touch(ctx context.Context, keys ...string) Result[int64] {
	return run(c, ctx, decInt, keysArgs("TOUCH", keys)...)
}

// TTL returns the time to live in seconds: -1 if the key has no expiry, -2
// if it does not exist (redis-py semantics: an integer).
func (c Cmdable) TTL(ctx context.Context, key string) Result[int64] {
	return run(c, ctx, decInt, "TTL", key)
}

// Type returns the type of the value at key ("none" if missing).
func (c Cmdable) Type(ctx context.Context, key string) Result[string] {
	return run(c, ctx, decStatus, "TYPE", key)
}

// Unlink deletes keys in the background and returns how many existed.
func (c Cmdable) Unlink(ctx context.Context, keys ...string) Result[int64] {
	return run(c, ctx, decInt, keysArgs("UNLINK", keys)...)
}

// decSeconds reads an integer number of seconds as a Duration.
func decSeconds(r *redis.Reply) (time.Duration, error) {
	n, err := decInt(r)
	return time.Duration(n) * time.Second, err
}
