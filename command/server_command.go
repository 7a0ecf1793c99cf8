package command

import (
	"context"

	redis "github.com/duoredis/redis"
)

// COMMAND and its subcommands: what the server knows of its commands.

// CommandInfo describes one command, as COMMAND INFO reports it.
type CommandInfo struct {
	// Name is the command's name in lower case; a subcommand's is
	// "container|sub", e.g. "config|get".
	Name string
	// Arity is the number of arguments, the name included; -N means at
	// least N.
	Arity int64
	// Flags are the command's flags, e.g. "readonly", "fast", "noscript".
	Flags []string
	// FirstKey, LastKey and KeyStep locate the keys among the arguments
	// (the legacy scheme; KeySpecs is the full one): positions of the
	// first and last key (negative: from the end) and the step between
	// keys; all 0 for a command without keys.
	FirstKey, LastKey, KeyStep int64
	// ACLCategories are the command's ACL categories, e.g. "@read".
	ACLCategories []string
	// Tips are hints for clients, e.g. "nondeterministic_output".
	Tips []string
	// KeySpecs say where the keys are and how they are used.
	KeySpecs []KeySpec
	// Subcommands describe the subcommands of a container command.
	Subcommands []CommandInfo
}

// KeySpec is one key specification of a command: where its keys start
// (BeginSearch), how many there are (FindKeys), and what the command does
// with them (Flags, such as "RW", "access", "update").
type KeySpec struct {
	Notes       string
	Flags       []string
	BeginSearch KeySpecBeginSearch
	FindKeys    KeySpecFindKeys
}

// KeySpecBeginSearch is where a key specification's keys start: at an
// argument position (Type "index": Index), or after a keyword (Type
// "keyword": Keyword, searched from StartFrom, negative from the end).
type KeySpecBeginSearch struct {
	Type      string
	Index     int64
	Keyword   string
	StartFrom int64
}

// KeySpecFindKeys is how many keys a key specification covers: a range
// (Type "range": LastKey relative to the first key, negative from the end,
// with KeyStep and Limit), or a count given by an argument (Type "keynum":
// the count at KeyNumIdx, the keys from FirstKey with KeyStep).
type KeySpecFindKeys struct {
	Type      string
	LastKey   int64
	KeyStep   int64
	Limit     int64
	KeyNumIdx int64
	FirstKey  int64
}

func serverDecCommandInfo(r *redis.Reply) (CommandInfo, error) {
	f, err := elems(r)
	if err != nil {
		return CommandInfo{}, err
	}
	if len(f) < 6 {
		return CommandInfo{}, unexpected("command info", r)
	}
	var ci CommandInfo
	if ci.Name, err = decString(&f[0]); err != nil {
		return CommandInfo{}, err
	}
	if ci.Arity, err = decInt(&f[1]); err != nil {
		return CommandInfo{}, err
	}
	if ci.Flags, err = decStrings(&f[2]); err != nil {
		return CommandInfo{}, err
	}
	for i, p := range []*int64{&ci.FirstKey, &ci.LastKey, &ci.KeyStep} {
		if *p, err = decInt(&f[3+i]); err != nil {
			return CommandInfo{}, err
		}
	}
	if len(f) > 6 {
		if ci.ACLCategories, err = decStrings(&f[6]); err != nil {
			return CommandInfo{}, err
		}
	}
	if len(f) > 7 {
		if ci.Tips, err = decStrings(&f[7]); err != nil {
			return CommandInfo{}, err
		}
	}
	if len(f) > 8 {
		specs, err := elems(&f[8])
		if err != nil {
			return CommandInfo{}, err
		}
		ci.KeySpecs = make([]KeySpec, len(specs))
		for i := range specs {
			if ci.KeySpecs[i], err = serverDecKeySpec(&specs[i]); err != nil {
				return CommandInfo{}, err
			}
		}
	}
	if len(f) > 9 {
		subs, err := elems(&f[9])
		if err != nil {
			return CommandInfo{}, err
		}
		ci.Subcommands = make([]CommandInfo, len(subs))
		for i := range subs {
			if ci.Subcommands[i], err = serverDecCommandInfo(&subs[i]); err != nil {
				return CommandInfo{}, err
			}
		}
	}
	return ci, nil
}

func serverDecKeySpec(r *redis.Reply) (KeySpec, error) {
	var ks KeySpec
	err := pairs(r, func(k, v *redis.Reply) error {
		var err error
		switch string(k.Str) {
		case "notes":
			ks.Notes, err = decString(v)
		case "flags":
			ks.Flags, err = decStrings(v)
		case "begin_search":
			err = pairs(v, func(k, v *redis.Reply) error {
				var err error
				switch string(k.Str) {
				case "type":
					ks.BeginSearch.Type, err = decString(v)
				case "spec":
					err = pairs(v, func(k, v *redis.Reply) error {
						var err error
						switch string(k.Str) {
						case "index":
							ks.BeginSearch.Index, err = decInt(v)
						case "keyword":
							ks.BeginSearch.Keyword, err = decString(v)
						case "startfrom":
							ks.BeginSearch.StartFrom, err = decInt(v)
						}
						return err
					})
				}
				return err
			})
		case "find_keys":
			err = pairs(v, func(k, v *redis.Reply) error {
				var err error
				switch string(k.Str) {
				case "type":
					ks.FindKeys.Type, err = decString(v)
				case "spec":
					err = pairs(v, func(k, v *redis.Reply) error {
						var p *int64
						switch string(k.Str) {
						case "lastkey":
							p = &ks.FindKeys.LastKey
						case "keystep":
							p = &ks.FindKeys.KeyStep
						case "limit":
							p = &ks.FindKeys.Limit
						case "keynumidx":
							p = &ks.FindKeys.KeyNumIdx
						case "firstkey":
							p = &ks.FindKeys.FirstKey
						default:
							return nil
						}
						var err error
						*p, err = decInt(v)
						return err
					})
				}
				return err
			})
		}
		return err
	})
	return ks, err
}

// serverDecCommandInfos reads an array of command descriptions into a map
// by name; nil entries (unknown commands) are left out.
func serverDecCommandInfos(r *redis.Reply) (map[string]CommandInfo, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make(map[string]CommandInfo, len(es))
	for i := range es {
		if es[i].Kind == redis.KindNull {
			continue
		}
		ci, err := serverDecCommandInfo(&es[i])
		if err != nil {
			return nil, err
		}
		out[ci.Name] = ci
	}
	return out, nil
}

// Command describes every command of the server, by name in lower case
// (COMMAND).
func (c Cmdable) Command(ctx context.Context) Result[map[string]CommandInfo] {
	return run(c, ctx, serverDecCommandInfos, "COMMAND")
}

// CommandInfo describes the commands named (every command when none is),
// by name in lower case; unknown names are left out.
func (c Cmdable) CommandInfo(ctx context.Context, names ...string) Result[map[string]CommandInfo] {
	return run(c, ctx, serverDecCommandInfos, serverSubArgs("COMMAND", "INFO", names)...)
}

// CommandCount returns the number of commands of the server.
func (c Cmdable) CommandCount(ctx context.Context) Result[int64] {
	return run(c, ctx, decInt, "COMMAND", "COUNT")
}

// CommandDoc is the documentation of one command, as COMMAND DOCS reports
// it. Text fields the server did not send are "".
type CommandDoc struct {
	Summary    string
	Since      string // the Redis version that added it
	Group      string // e.g. "string", "server", "module"
	Complexity string
	Module     string   // the module that adds it, for module commands
	DocFlags   []string // e.g. "deprecated", "syscmd"
	// DeprecatedSince and ReplacedBy are set for deprecated commands.
	DeprecatedSince string
	ReplacedBy      string
	History         []CommandHistory
	Arguments       []CommandArg
	// Subcommands documents the subcommands of a container command, by
	// name ("config|get").
	Subcommands map[string]CommandDoc
}

// CommandHistory is one change of a command: the version and what changed.
type CommandHistory struct {
	Version     string
	Description string
}

// CommandArg documents one argument of a command.
type CommandArg struct {
	Name string
	// Type is "string", "integer", "double", "key", "pattern",
	// "unix-time", "pure-token", "oneof" or "block".
	Type            string
	DisplayText     string // display_text (newer servers)
	KeySpecIndex    int64  // key_spec_index for a key argument, -1 otherwise
	Token           string // the keyword that precedes the argument, if any
	Summary         string
	Since           string
	DeprecatedSince string
	Flags           []string     // "optional", "multiple", "multiple_token"
	Arguments       []CommandArg // the alternatives of a oneof, the parts of a block
}

func serverDecCommandDocs(r *redis.Reply) (map[string]CommandDoc, error) {
	out := map[string]CommandDoc{}
	err := pairs(r, func(k, v *redis.Reply) error {
		name, err := decString(k)
		if err != nil {
			return err
		}
		doc, err := serverDecCommandDoc(v)
		out[name] = doc
		return err
	})
	return out, err
}

func serverDecCommandDoc(r *redis.Reply) (CommandDoc, error) {
	var d CommandDoc
	err := pairs(r, func(k, v *redis.Reply) error {
		var err error
		switch string(k.Str) {
		case "summary":
			d.Summary, err = decString(v)
		case "since":
			d.Since, err = decString(v)
		case "group":
			d.Group, err = decString(v)
		case "complexity":
			d.Complexity, err = decString(v)
		case "module":
			d.Module, err = decString(v)
		case "doc_flags":
			d.DocFlags, err = decStrings(v)
		case "deprecated_since":
			d.DeprecatedSince, err = decString(v)
		case "replaced_by":
			d.ReplacedBy, err = decString(v)
		case "history":
			var hs []redis.Reply
			if hs, err = elems(v); err != nil {
				return err
			}
			d.History = make([]CommandHistory, len(hs))
			for i := range hs {
				h, err := decStrings(&hs[i])
				if err != nil {
					return err
				}
				if len(h) != 2 {
					return unexpected("[version, description]", &hs[i])
				}
				d.History[i] = CommandHistory{Version: h[0], Description: h[1]}
			}
		case "arguments":
			d.Arguments, err = serverDecCommandArgs(v)
		case "subcommands":
			d.Subcommands, err = serverDecCommandDocs(v)
		}
		return err
	})
	return d, err
}

func serverDecCommandArgs(r *redis.Reply) ([]CommandArg, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]CommandArg, len(es))
	for i := range es {
		a := &out[i]
		a.KeySpecIndex = -1
		err := pairs(&es[i], func(k, v *redis.Reply) error {
			var err error
			switch string(k.Str) {
			case "name":
				a.Name, err = decString(v)
			case "type":
				a.Type, err = decString(v)
			case "display_text":
				a.DisplayText, err = decString(v)
			case "key_spec_index":
				a.KeySpecIndex, err = decInt(v)
			case "token":
				a.Token, err = decString(v)
			case "summary":
				a.Summary, err = decString(v)
			case "since":
				a.Since, err = decString(v)
			case "deprecated_since":
				a.DeprecatedSince, err = decString(v)
			case "flags":
				a.Flags, err = decStrings(v)
			case "arguments":
				a.Arguments, err = serverDecCommandArgs(v)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CommandDocs returns the documentation of the commands named (of every
// command when none is), by name in lower case; unknown names are left
// out.
func (c Cmdable) CommandDocs(ctx context.Context, names ...string) Result[map[string]CommandDoc] {
	return run(c, ctx, serverDecCommandDocs, serverSubArgs("COMMAND", "DOCS", names)...)
}

// CommandListFilter filters COMMAND LIST; at most one field may be set.
type CommandListFilter struct {
	Module  string // FILTERBY MODULE: the commands of this module
	ACLCat  string // FILTERBY ACLCAT: the commands of this ACL category, e.g. "hash"
	Pattern string // FILTERBY PATTERN: the commands whose names match this glob pattern
}

// CommandList returns the names of the server's commands and subcommands
// ("config|get"), those that pass filter.
func (c Cmdable) CommandList(ctx context.Context, filter CommandListFilter) Result[[]string] {
	args := []any{"COMMAND", "LIST"}
	switch {
	case filter.Module != "":
		args = append(args, "FILTERBY", "MODULE", filter.Module)
	case filter.ACLCat != "":
		args = append(args, "FILTERBY", "ACLCAT", filter.ACLCat)
	case filter.Pattern != "":
		args = append(args, "FILTERBY", "PATTERN", filter.Pattern)
	}
	return run(c, ctx, decStrings, args...)
}

// CommandGetKeys returns the keys among a full command's arguments
// (args[0] is the command's name), as the server finds them.
func (c Cmdable) CommandGetKeys(ctx context.Context, args ...any) Result[[]string] {
	return run(c, ctx, decStrings, append([]any{"COMMAND", "GETKEYS"}, args...)...)
}

// KeyFlags is one key of COMMAND GETKEYSANDFLAGS and what the command does
// with it.
type KeyFlags struct {
	Key   string
	Flags []string // e.g. "RW", "access", "delete"
}

func serverDecKeyFlags(r *redis.Reply) ([]KeyFlags, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]KeyFlags, len(es))
	for i := range es {
		f, err := elems(&es[i])
		if err != nil {
			return nil, err
		}
		if len(f) != 2 {
			return nil, unexpected("[key, flags]", &es[i])
		}
		if out[i].Key, err = decString(&f[0]); err != nil {
			return nil, err
		}
		if out[i].Flags, err = decStrings(&f[1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CommandGetKeysAndFlags returns the keys among a full command's arguments
// with the flags that say how the command uses each.
func (c Cmdable) CommandGetKeysAndFlags(ctx context.Context, args ...any) Result[[]KeyFlags] {
	return run(c, ctx, serverDecKeyFlags, append([]any{"COMMAND", "GETKEYSANDFLAGS"}, args...)...)
}

// CommandHelp returns COMMAND's help text.
func (c Cmdable) CommandHelp(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "COMMAND", "HELP")
}
