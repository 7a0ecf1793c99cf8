package client_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/client"
	"github.com/duoredis/redis/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScriptEval(t *testing.T) {
	srv := redistest.Shared(t)
	protocols(t, func(t *testing.T, rdb *client.Client, k keyspace) {
		a, b := k.Key("a"), k.Key("b")
		// Without DecodeResponses, strings come as []byte.
		v, err := rdb.Eval(ctx, "return {KEYS[1], ARGV[1], tonumber(ARGV[2]), {1, 'x'}}", []string{a}, "v", 42).Result()
		require.NoError(t, err)
		assert.Equal(t, []any{[]byte(a), []byte("v"), int64(42), []any{int64(1), []byte("x")}}, v)

		// With it, as strings.
		str := serverNew(t, srv, client.Options{Protocol: rdb.Options().Protocol, DecodeResponses: true})
		v, err = str.Eval(ctx, "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", []string{a}, "hello").Result()
		require.NoError(t, err)
		assert.Equal(t, "hello", v)
		assert.Equal(t, "hello", rdb.Get(ctx, a).Val())
		v, err = str.Eval(ctx, "return {KEYS[1], KEYS[2], ARGV[1]}", []string{a, b}, 1.5).Result()
		require.NoError(t, err)
		assert.Equal(t, []any{a, b, "1.5"}, v)
		v, err = str.Eval(ctx, "return redis.status_reply('FINE')", nil).Result()
		require.NoError(t, err)
		assert.Equal(t, "FINE", v)

		// A nil (or false) reply is redis.Nil, as Do gives it; true is 1.
		v, err = rdb.Eval(ctx, "return nil", nil).Result()
		assert.Equal(t, redis.Nil, err)
		assert.Nil(t, v)
		_, err = rdb.Eval(ctx, "return false", nil).Result()
		assert.Equal(t, redis.Nil, err)
		_, err = rdb.Do(ctx, "EVAL", "return nil", 0).Result()
		assert.Equal(t, redis.Nil, err)
		assert.Equal(t, int64(1), rdb.Eval(ctx, "return true", nil).Val())

		// Errors: raised by the script, from a command it called, nested.
		err = rdb.Eval(ctx, "return redis.error_reply('MYERR something failed')", nil).Err()
		assert.Equal(t, "MYERR", serverErrPrefix(t, err))
		rdb.Set(ctx, b, "x", 0)
		err = rdb.Eval(ctx, "return redis.call('LPUSH', KEYS[1], 'y')", []string{b}).Err()
		assert.Equal(t, "WRONGTYPE", serverErrPrefix(t, err))
		err = rdb.Eval(ctx, "this is not lua", nil).Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		v, err = rdb.Eval(ctx, "return {1, redis.pcall('LPUSH', KEYS[1], 'y')}", []string{b}).Result()
		require.NoError(t, err)
		arr := v.([]any)
		require.Len(t, arr, 2)
		var nested *redis.Error
		require.True(t, errors.As(arr[1].(error), &nested), "%T", arr[1])
		assert.Equal(t, "WRONGTYPE", nested.Prefix())

		// A bad argument is a DataError; nothing is sent.
		var de *redis.DataError
		assert.True(t, errors.As(rdb.Eval(ctx, "return 1", nil, true).Err(), &de))

		// The read-only variant refuses writes.
		assert.Equal(t, "hello", str.EvalRO(ctx, "return redis.call('GET', KEYS[1])", []string{a}).Val())
		err = rdb.EvalRO(ctx, "return redis.call('SET', KEYS[1], 'z')", []string{a}).Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		assert.Equal(t, "hello", rdb.Get(ctx, a).Val())

		// SCRIPT LOAD, EXISTS and EVALSHA.
		const body = "return {KEYS[1], ARGV[1]}"
		sha, err := rdb.ScriptLoad(ctx, body).Result()
		require.NoError(t, err)
		assert.Len(t, sha, 40)
		missing := strings.Repeat("0", 40)
		assert.Equal(t, []bool{true, false}, rdb.ScriptExists(ctx, sha, missing).Val())
		v, err = str.EvalSha(ctx, sha, []string{a}, "x").Result()
		require.NoError(t, err)
		assert.Equal(t, []any{a, "x"}, v)
		v, err = str.EvalShaRO(ctx, sha, []string{a}, "y").Result()
		require.NoError(t, err)
		assert.Equal(t, []any{a, "y"}, v)

		err = rdb.EvalSha(ctx, missing, nil).Err()
		var ns *redis.NoScriptError
		require.True(t, errors.As(err, &ns), "%T %v", err, err)
		assert.Equal(t, "NOSCRIPT", serverErrPrefix(t, err))
		assert.True(t, errors.As(rdb.EvalShaRO(ctx, missing, nil).Err(), &ns))

		help, err := rdb.ScriptHelp(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, help)
	})
}

// spinScript runs until killed, without writing.
const spinScript = "while true do end"

func TestScriptFlushKill(t *testing.T) {
	srv := redistest.Start(t)
	serverProtocols(t, srv, client.Options{}, func(t *testing.T, rdb *client.Client, k keyspace) {
		sha := rdb.ScriptLoad(ctx, "return 1").Val()
		sha2 := rdb.ScriptLoad(ctx, "return 2").Val()
		require.Equal(t, []bool{true, true}, rdb.ScriptExists(ctx, sha, sha2).Val())
		require.Equal(t, "OK", rdb.ScriptFlush(ctx, client.FlushSync).Val())
		assert.Equal(t, []bool{false, false}, rdb.ScriptExists(ctx, sha, sha2).Val())
		rdb.ScriptLoad(ctx, "return 1")
		require.Equal(t, "OK", rdb.ScriptFlush(ctx, client.FlushAsync).Val())
		rdb.ScriptLoad(ctx, "return 1")
		require.Equal(t, "OK", rdb.ScriptFlush(ctx, client.FlushDefault).Val())
		assert.Equal(t, []bool{false}, rdb.ScriptExists(ctx, sha).Val())

		// Nothing to kill.
		err := rdb.ScriptKill(ctx).Err()
		assert.Equal(t, "NOTBUSY", serverErrPrefix(t, err))

		// A script that spins is killed from another pooled connection,
		// once the server answers while it runs (busy-reply-threshold).
		require.Equal(t, "OK", rdb.ConfigSet(ctx, "busy-reply-threshold", 20).Val())
		done := make(chan error, 1)
		go func() { done <- rdb.Eval(ctx, spinScript, nil).Err() }()
		require.True(t, redistest.WaitFor(3*time.Second, func() bool { return rdb.ScriptKill(ctx).Err() == nil }),
			"SCRIPT KILL never succeeds")
		select {
		case err := <-done:
			assert.Equal(t, "ERR", serverErrPrefix(t, err))
			assert.Contains(t, err.Error(), "SCRIPT KILL")
		case <-time.After(3 * time.Second):
			t.Fatal("the killed script's EVAL does not return")
		}
		assert.Equal(t, "PONG", rdb.Ping(ctx).Val())
	})
}

const scriptLib = `#!lua name=srvlib
redis.register_function{
  function_name = 'echo',
  callback = function(keys, args) return {keys[1], args[1]} end,
  flags = {'no-writes'},
  description = 'returns its first key and argument',
}
redis.register_function('setter', function(keys, args) return redis.call('SET', keys[1], args[1]) end)
redis.register_function{
  function_name = 'spin',
  callback = function(keys, args) while true do end end,
  flags = {'no-writes'},
}
`

func TestFunction(t *testing.T) {
	srv := redistest.Start(t)
	serverProtocols(t, srv, client.Options{DecodeResponses: true}, func(t *testing.T, rdb *client.Client, k keyspace) {
		require.Equal(t, "OK", rdb.FunctionFlush(ctx, client.FlushSync).Val())
		assert.Empty(t, rdb.FunctionList(ctx, client.FunctionListArgs{}).Val())

		name, err := rdb.FunctionLoad(ctx, scriptLib).Result()
		require.NoError(t, err)
		assert.Equal(t, "srvlib", name)
		err = rdb.FunctionLoad(ctx, scriptLib).Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		assert.Contains(t, err.Error(), "already exists")
		assert.Equal(t, "srvlib", rdb.FunctionLoadReplace(ctx, scriptLib).Val())
		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.FunctionLoad(ctx, "not a library").Err()))

		libs, err := rdb.FunctionList(ctx, client.FunctionListArgs{}).Result()
		require.NoError(t, err)
		require.Len(t, libs, 1)
		lib := libs[0]
		assert.Equal(t, "srvlib", lib.Name)
		assert.Equal(t, "LUA", lib.Engine)
		assert.Equal(t, "", lib.Code)
		fns := map[string]client.LibraryFunction{}
		for _, f := range lib.Functions {
			fns[f.Name] = f
		}
		assert.Equal(t, client.LibraryFunction{Name: "echo", Description: "returns its first key and argument",
			Flags: []string{"no-writes"}}, fns["echo"])
		assert.Equal(t, client.LibraryFunction{Name: "setter", Flags: []string{}}, fns["setter"])
		assert.Len(t, fns, 3)

		libs, err = rdb.FunctionList(ctx, client.FunctionListArgs{LibraryName: "srv*", WithCode: true}).Result()
		require.NoError(t, err)
		require.Len(t, libs, 1)
		assert.Equal(t, scriptLib, libs[0].Code)
		assert.Empty(t, rdb.FunctionList(ctx, client.FunctionListArgs{LibraryName: "nomatch*"}).Val())

		// FCALL and FCALL_RO.
		v, err := rdb.FCall(ctx, "echo", []string{k.Key("a")}, "x").Result()
		require.NoError(t, err)
		assert.Equal(t, []any{k.Key("a"), "x"}, v)
		v, err = rdb.FCallRO(ctx, "echo", []string{k.Key("a")}, 7).Result()
		require.NoError(t, err)
		assert.Equal(t, []any{k.Key("a"), "7"}, v)
		assert.Equal(t, "OK", rdb.FCall(ctx, "setter", []string{k.Key("a")}, "v").Val())
		assert.Equal(t, "v", rdb.Get(ctx, k.Key("a")).Val())
		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.FCallRO(ctx, "setter", []string{k.Key("a")}, "w").Err()))
		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.FCall(ctx, "nosuchfunction", nil).Err()))

		st, err := rdb.FunctionStats(ctx).Result()
		require.NoError(t, err)
		assert.Nil(t, st.Running)
		assert.Equal(t, map[string]client.FunctionEngineStats{"LUA": {Libraries: 1, Functions: 3}}, st.Engines)

		// DUMP and RESTORE with each policy.
		dump, err := rdb.FunctionDump(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, dump)
		require.Equal(t, "OK", rdb.FunctionDelete(ctx, "srvlib").Val())
		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.FunctionDelete(ctx, "srvlib").Err()))
		assert.Empty(t, rdb.FunctionList(ctx, client.FunctionListArgs{}).Val())
		require.Equal(t, "OK", rdb.FunctionRestore(ctx, dump, client.FunctionRestoreDefault).Val())
		assert.Len(t, rdb.FunctionList(ctx, client.FunctionListArgs{}).Val(), 1)
		err = rdb.FunctionRestore(ctx, dump, client.FunctionRestoreAppend).Err()
		assert.Equal(t, "ERR", serverErrPrefix(t, err))
		assert.Equal(t, "OK", rdb.FunctionRestore(ctx, dump, client.FunctionRestoreReplace).Val())
		assert.Equal(t, "OK", rdb.FunctionRestore(ctx, dump, client.FunctionRestoreFlush).Val())
		assert.Len(t, rdb.FunctionList(ctx, client.FunctionListArgs{}).Val(), 1)
		assert.Equal(t, "ERR", serverErrPrefix(t, rdb.FunctionRestore(ctx, []byte("junk"), client.FunctionRestoreDefault).Err()))

		// FUNCTION KILL: nothing to kill, then a spinning function.
		assert.Equal(t, "NOTBUSY", serverErrPrefix(t, rdb.FunctionKill(ctx).Err()))
		require.Equal(t, "OK", rdb.ConfigSet(ctx, "busy-reply-threshold", 20).Val())
		done := make(chan error, 1)
		go func() { done <- rdb.FCallRO(ctx, "spin", nil, "arg").Err() }()
		var running *client.RunningFunction
		require.True(t, redistest.WaitFor(3*time.Second, func() bool {
			st, err := rdb.FunctionStats(ctx).Result()
			running = st.Running
			return err == nil && running != nil
		}), "FUNCTION STATS never shows the function running")
		assert.Equal(t, "spin", running.Name)
		assert.Equal(t, []string{"FCALL_RO", "spin", "0", "arg"}, running.Command)
		assert.GreaterOrEqual(t, running.Duration, time.Duration(0))
		killed := rdb.FunctionKill(ctx)
		require.Equal(t, "OK", killed.Val(), "%v", killed.Err())
		select {
		case err := <-done:
			assert.Equal(t, "ERR", serverErrPrefix(t, err))
		case <-time.After(3 * time.Second):
			t.Fatal("the killed function's FCALL does not return")
		}

		help, err := rdb.FunctionHelp(ctx).Result()
		require.NoError(t, err)
		assert.NotEmpty(t, help)
		require.Equal(t, "OK", rdb.FunctionFlush(ctx, client.FlushAsync).Val())
		require.Equal(t, "OK", rdb.FunctionFlush(ctx, client.FlushDefault).Val())
		assert.Empty(t, rdb.FunctionList(ctx, client.FunctionListArgs{}).Val())
	})
}
