package command

import (
	"context"
	"time"

	redis "github.com/duoredis/redis"
)

// Scripting: EVAL and friends, SCRIPT, FUNCTION and FCALL (Redis 7.0).
// SCRIPT DEBUG has no method: it starts the Lua debugger, an interactive
// session of redis-cli --ldb that a pooled connection cannot hold.

// scriptAny returns the decoder of a script's reply: plain Go values as Do
// gives them (see ToAny): strings with DecodeResponses, []byte without.
func scriptAny(c Cmdable) Decoder[any] {
	if c.e.Decode() {
		return decAnyString
	}
	return decAnyBytes
}

// scriptArgs returns name, the script (or its SHA1, or a function name),
// the number of keys, the keys and the arguments.
func scriptArgs(name, script string, keys []string, args []any) []any {
	out := make([]any, 0, 3+len(keys)+len(args))
	out = append(out, name, script, len(keys))
	for _, k := range keys {
		out = append(out, k)
	}
	return append(out, args...)
}

// Eval runs a Lua script with keys (KEYS in the script) and args (ARGV) and
// returns its reply as plain Go values, as Do and Script.Run do: strings
// (or []byte without DecodeResponses), int64, []any for tables, *redis.Error
// values for error tables inside an array; redis.Nil for a script that
// returns nil or false. A script that raises an error gives a *redis.Error.
func (c Cmdable) Eval(ctx context.Context, script string, keys []string, args ...any) Result[any] {
	return run(c, ctx, scriptAny(c), scriptArgs("EVAL", script, keys, args)...)
}

// EvalSha runs a script loaded before (ScriptLoad) by its SHA1 digest, as
// Eval does. An unknown digest gives a *redis.NoScriptError.
func (c Cmdable) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) Result[any] {
	return run(c, ctx, scriptAny(c), scriptArgs("EVALSHA", sha1, keys, args)...)
}

// EvalRO is the read-only Eval (EVAL_RO): a script that tries to write
// fails, and it may run on a replica.
func (c Cmdable) EvalRO(ctx context.Context, script string, keys []string, args ...any) Result[any] {
	return run(c, ctx, scriptAny(c), scriptArgs("EVAL_RO", script, keys, args)...)
}

// EvalShaRO is the read-only EvalSha (EVALSHA_RO).
func (c Cmdable) EvalShaRO(ctx context.Context, sha1 string, keys []string, args ...any) Result[any] {
	return run(c, ctx, scriptAny(c), scriptArgs("EVALSHA_RO", sha1, keys, args)...)
}

// ScriptExists reports, for each SHA1 digest, whether the script is in the
// server's script cache.
func (c Cmdable) ScriptExists(ctx context.Context, sha1s ...string) Result[[]bool] {
	return run(c, ctx, decBools, serverSubArgs("SCRIPT", "EXISTS", sha1s)...)
}

// FlushMode says how FLUSHDB, FLUSHALL, SCRIPT FLUSH and FUNCTION FLUSH
// free memory: FlushAsync in a background thread, FlushSync before the
// reply, FlushDefault as the server's lazyfree-lazy-user-flush setting says.
type FlushMode string

// Flush modes.
const (
	FlushDefault FlushMode = ""
	FlushAsync   FlushMode = "ASYNC"
	FlushSync    FlushMode = "SYNC"
)

// serverFlushArgs appends the mode, if any, to args.
func serverFlushArgs(mode FlushMode, args ...any) []any {
	if mode != FlushDefault {
		args = append(args, string(mode))
	}
	return args
}

// ScriptFlush empties the script cache and returns "OK".
func (c Cmdable) ScriptFlush(ctx context.Context, mode FlushMode) Result[string] {
	return run(c, ctx, decStatus, serverFlushArgs(mode, "SCRIPT", "FLUSH")...)
}

// ScriptKill stops the script that is running (if it has not written yet)
// and returns "OK"; with no script running the server answers with a
// NOTBUSY *redis.Error. It must run on another connection than the script,
// which a Client's pool provides.
func (c Cmdable) ScriptKill(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "SCRIPT", "KILL")
}

// ScriptLoad puts a script in the script cache without running it and
// returns its SHA1 digest, for EvalSha.
func (c Cmdable) ScriptLoad(ctx context.Context, script string) Result[string] {
	return run(c, ctx, decString, "SCRIPT", "LOAD", script)
}

// ScriptHelp returns SCRIPT's help text.
func (c Cmdable) ScriptHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "SCRIPT", "HELP")
}

// FunctionLoad loads a library of functions (its code starts with a
// shebang such as "#!lua name=mylib") and returns the library's name. A
// library of that name that exists already is an error; see
// FunctionLoadReplace.
func (c Cmdable) FunctionLoad(ctx context.Context, code string) Result[string] {
	return run(c, ctx, decString, "FUNCTION", "LOAD", code)
}

// FunctionLoadReplace is FunctionLoad replacing a library of the same name
// (FUNCTION LOAD REPLACE).
func (c Cmdable) FunctionLoadReplace(ctx context.Context, code string) Result[string] {
	return run(c, ctx, decString, "FUNCTION", "LOAD", "REPLACE", code)
}

// FunctionDelete deletes a library and its functions and returns "OK"; an
// unknown library is a *redis.Error.
func (c Cmdable) FunctionDelete(ctx context.Context, library string) Result[string] {
	return run(c, ctx, decStatus, "FUNCTION", "DELETE", library)
}

// FunctionFlush deletes every library and returns "OK".
func (c Cmdable) FunctionFlush(ctx context.Context, mode FlushMode) Result[string] {
	return run(c, ctx, decStatus, serverFlushArgs(mode, "FUNCTION", "FLUSH")...)
}

// FunctionKill stops the function that is running (if it has not written
// yet) and returns "OK"; with none running the server answers with a
// NOTBUSY *redis.Error.
func (c Cmdable) FunctionKill(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "FUNCTION", "KILL")
}

// FunctionListArgs holds the options of FUNCTION LIST.
type FunctionListArgs struct {
	// LibraryName lists only the libraries whose names match this glob
	// pattern (LIBRARYNAME); "" lists all.
	LibraryName string
	// WithCode adds each library's source code (WITHCODE).
	WithCode bool
}

// Library is one library of FUNCTION LIST.
type Library struct {
	Name      string            // library_name
	Engine    string            // engine, e.g. "LUA"
	Functions []LibraryFunction // functions, in the server's order
	Code      string            // library_code: only with FunctionListArgs.WithCode
}

// LibraryFunction is one function of a Library.
type LibraryFunction struct {
	Name        string
	Description string   // "" when the function has none
	Flags       []string // e.g. "no-writes", "allow-stale"; empty when none
}

// FunctionList returns the libraries of functions and what they hold.
func (c Cmdable) FunctionList(ctx context.Context, a FunctionListArgs) Result[[]Library] {
	args := []any{"FUNCTION", "LIST"}
	if a.LibraryName != "" {
		args = append(args, "LIBRARYNAME", a.LibraryName)
	}
	if a.WithCode {
		args = append(args, "WITHCODE")
	}
	return run(c, ctx, scriptDecLibraries, args...)
}

func scriptDecLibraries(r *redis.Reply) ([]Library, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]Library, len(es))
	for i := range es {
		lib := &out[i]
		err := pairs(&es[i], func(k, v *redis.Reply) error {
			var err error
			switch string(k.Str) {
			case "library_name":
				lib.Name, err = decString(v)
			case "engine":
				lib.Engine, err = decString(v)
			case "library_code":
				lib.Code, err = decString(v)
			case "functions":
				lib.Functions, err = scriptDecFunctions(v)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scriptDecFunctions(r *redis.Reply) ([]LibraryFunction, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]LibraryFunction, len(es))
	for i := range es {
		f := &out[i]
		err := pairs(&es[i], func(k, v *redis.Reply) error {
			var err error
			switch string(k.Str) {
			case "name":
				f.Name, err = decString(v)
			case "description":
				if v.Kind != redis.KindNull {
					f.Description, err = decString(v)
				}
			case "flags":
				f.Flags, err = decStrings(v)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FunctionStats is the reply of FUNCTION STATS.
type FunctionStats struct {
	// Running is the function running now, or nil.
	Running *RunningFunction
	// Engines holds the counts per engine, by engine name ("LUA").
	Engines map[string]FunctionEngineStats
}

// RunningFunction is the function that FUNCTION STATS reports running.
type RunningFunction struct {
	Name     string        // the function's name
	Command  []string      // the FCALL command that runs it, with its arguments
	Duration time.Duration // how long it has run (duration_ms)
}

// FunctionEngineStats counts the libraries and functions of one engine.
type FunctionEngineStats struct {
	Libraries int64 // libraries_count
	Functions int64 // functions_count
}

// FunctionStats returns the function that is running, if any, and the
// number of libraries and functions per engine.
func (c Cmdable) FunctionStats(ctx context.Context) Result[FunctionStats] {
	return run(c, ctx, scriptDecFunctionStats, "FUNCTION", "STATS")
}

func scriptDecFunctionStats(r *redis.Reply) (FunctionStats, error) {
	out := FunctionStats{Engines: map[string]FunctionEngineStats{}}
	err := pairs(r, func(k, v *redis.Reply) error {
		switch string(k.Str) {
		case "running_script":
			if v.Kind == redis.KindNull {
				return nil
			}
			run := &RunningFunction{}
			err := pairs(v, func(k, v *redis.Reply) error {
				var err error
				switch string(k.Str) {
				case "name":
					run.Name, err = decString(v)
				case "command":
					run.Command, err = decStrings(v)
				case "duration_ms":
					var ms int64
					ms, err = decInt(v)
					run.Duration = time.Duration(ms) * time.Millisecond
				}
				return err
			})
			out.Running = run
			return err
		case "engines":
			return pairs(v, func(name, v *redis.Reply) error {
				var st FunctionEngineStats
				err := pairs(v, func(k, v *redis.Reply) error {
					var err error
					switch string(k.Str) {
					case "libraries_count":
						st.Libraries, err = decInt(v)
					case "functions_count":
						st.Functions, err = decInt(v)
					}
					return err
				})
				out.Engines[string(name.Str)] = st
				return err
			})
		}
		return nil
	})
	return out, err
}

// FunctionDump returns a serialized copy of every library, for
// FunctionRestore.
func (c Cmdable) FunctionDump(ctx context.Context) Result[[]byte] {
	return run(c, ctx, decBytes, "FUNCTION", "DUMP")
}

// FunctionRestorePolicy says what FUNCTION RESTORE does with the libraries
// that exist: FunctionRestoreAppend (the server's default) adds the
// restored ones and fails on a name taken, FunctionRestoreReplace replaces
// those of the same name, FunctionRestoreFlush deletes all first.
type FunctionRestorePolicy string

// Restore policies of FunctionRestore.
const (
	FunctionRestoreDefault FunctionRestorePolicy = ""
	FunctionRestoreAppend  FunctionRestorePolicy = "APPEND"
	FunctionRestoreReplace FunctionRestorePolicy = "REPLACE"
	FunctionRestoreFlush   FunctionRestorePolicy = "FLUSH"
)

// FunctionRestore loads the libraries of a FunctionDump payload and
// returns "OK".
func (c Cmdable) FunctionRestore(ctx context.Context, payload []byte, policy FunctionRestorePolicy) Result[string] {
	if policy == FunctionRestoreDefault {
		return run(c, ctx, decStatus, "FUNCTION", "RESTORE", payload)
	}
	return run(c, ctx, decStatus, "FUNCTION", "RESTORE", payload, string(policy))
}

// FunctionHelp returns FUNCTION's help text.
func (c Cmdable) FunctionHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "FUNCTION", "HELP")
}

// FCall calls a function of a loaded library with keys and args, and
// returns its reply as Eval does.
func (c Cmdable) FCall(ctx context.Context, function string, keys []string, args ...any) Result[any] {
	return run(c, ctx, scriptAny(c), scriptArgs("FCALL", function, keys, args)...)
}

// FCallRO is the read-only FCall (FCALL_RO): only functions flagged
// no-writes may run.
func (c Cmdable) FCallRO(ctx context.Context, function string, keys []string, args ...any) Result[any] {
	return run(c, ctx, scriptAny(c), scriptArgs("FCALL_RO", function, keys, args)...)
}

// ScriptShow returns the source of the script with the SHA1 digest sha1
// from the server's script cache; a script not in the cache is a
// *redis.Error (Valkey 8).
func (c Cmdable) ScriptShow(ctx context.Context, sha1 string) Result[string] {
	return run(c, ctx, decString, "SCRIPT", "SHOW", sha1)
}
