package command

import (
	"context"
	"strings"

	redis "github.com/duoredis/redis"
)

// ACLCat lists the ACL categories, or with a category the commands in it.
func (c Cmdable) ACLCat(ctx context.Context, category string) Result[[]string] {
	if category == "" {
		return run(c, ctx, decStrings, "ACL", "CAT")
	}
	return run(c, ctx, decStrings, "ACL", "CAT", category)
}

// ACLDelUser deletes users and returns how many existed.
func (c Cmdable) ACLDelUser(ctx context.Context, users ...string) Result[int64] {
	return run(c, ctx, decInt, serverSubArgs("ACL", "DELUSER", users)...)
}

// ACLDryRun reports whether user may run the command args: "OK", or the
// reason it may not.
func (c Cmdable) ACLDryRun(ctx context.Context, user string, args ...any) Result[string] {
	a := append([]any{"ACL", "DRYRUN", user}, args...)
	return run(c, ctx, decString, a...)
}

// ACLGenPass returns a random password of bits bits (0: the server's 256).
func (c Cmdable) ACLGenPass(ctx context.Context, bits int) Result[string] {
	if bits <= 0 {
		return run(c, ctx, decString, "ACL", "GENPASS")
	}
	return run(c, ctx, decString, "ACL", "GENPASS", bits)
}

// ACLUser is a user's ACL as ACL GETUSER describes it.
type ACLUser struct {
	Flags     []string
	Passwords []string // SHA-256 digests
	Commands  string
	Keys      string
	Channels  string
	// Selectors holds the rules of additional selectors, each field as sent.
	Selectors []map[string]any
}

func aclDecodeUser(r *redis.Reply) (ACLUser, error) {
	var u ACLUser
	if r.Kind == redis.KindNull {
		return u, redis.Nil
	}
	err := pairs(r, func(k, v *redis.Reply) error {
		var err error
		switch string(k.Str) {
		case "flags":
			u.Flags, err = decStrings(v)
		case "passwords":
			u.Passwords, err = decStrings(v)
		case "commands":
			u.Commands, err = decString(v)
		case "keys":
			u.Keys, err = decString(v)
		case "channels":
			u.Channels, err = decString(v)
		case "selectors":
			es, e := elems(v)
			if e != nil {
				return e
			}
			for i := range es {
				if m, ok := ToAny(&es[i], true).(map[string]any); ok {
					u.Selectors = append(u.Selectors, m)
				} else if list, ok := ToAny(&es[i], true).([]any); ok {
					m := map[string]any{}
					for j := 0; j+1 < len(list); j += 2 {
						if key, ok := list[j].(string); ok {
							m[key] = list[j+1]
						}
					}
					u.Selectors = append(u.Selectors, m)
				}
			}
		}
		return err
	})
	return u, err
}

// ACLGetUser returns a user's ACL; redis.Nil when there is no such user.
func (c Cmdable) ACLGetUser(ctx context.Context, user string) Result[ACLUser] {
	return run(c, ctx, aclDecodeUser, "ACL", "GETUSER", user)
}

// ACLList returns every user's ACL rules, one line per user.
func (c Cmdable) ACLList(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "ACL", "LIST")
}

// ACLLoad reloads the users from the ACL file.
func (c Cmdable) ACLLoad(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "ACL", "LOAD")
}

// ACLLogEntry is one entry of ACL LOG, its fields as the server names them
// ("count", "reason", "context", "object", "username", "age-seconds",
// "client-info", ...).
type ACLLogEntry map[string]any

func aclDecodeLog(r *redis.Reply) ([]ACLLogEntry, error) {
	es, err := elems(r)
	if err != nil {
		return nil, err
	}
	out := make([]ACLLogEntry, 0, len(es))
	for i := range es {
		e := ACLLogEntry{}
		err := pairs(&es[i], func(k, v *redis.Reply) error {
			val := ToAny(v, true)
			if v.Kind == redis.KindDouble {
				val = v.Float
			} else if s, ok := val.(string); ok && strings.HasSuffix(string(k.Str), "seconds") {
				if f, err := parseFloat([]byte(s)); err == nil {
					val = f
				}
			}
			e[string(k.Str)] = val
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ACLLog returns the last count (0: the server's 10) security events.
func (c Cmdable) ACLLog(ctx context.Context, count int) Result[[]ACLLogEntry] {
	if count <= 0 {
		return run(c, ctx, aclDecodeLog, "ACL", "LOG")
	}
	return run(c, ctx, aclDecodeLog, "ACL", "LOG", count)
}

// ACLLogReset clears the ACL log.
func (c Cmdable) ACLLogReset(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "ACL", "LOG", "RESET")
}

// ACLSave writes the users to the ACL file.
func (c Cmdable) ACLSave(ctx context.Context) Result[string] {
	return run(c, ctx, decStatus, "ACL", "SAVE")
}

// ACLSetUser creates or changes a user with ACL rules such as "on",
// ">password", "~key:*", "+get".
func (c Cmdable) ACLSetUser(ctx context.Context, user string, rules ...string) Result[string] {
	return run(c, ctx, decStatus, serverSubArgs("ACL", "SETUSER", append([]string{user}, rules...))...)
}

// ACLUsers returns the user names.
func (c Cmdable) ACLUsers(ctx context.Context) Result[[]string] {
	return run(c, ctx, decStrings, "ACL", "USERS")
}

// ACLWhoAmI returns the user of the connection that runs it.
func (c Cmdable) ACLWhoAmI(ctx context.Context) Result[string] {
	return run(c, ctx, decString, "ACL", "WHOAMI")
}

func init() {
	defaultCallbacks["ACL GETUSER"] = wrap(aclDecodeUser)
	defaultCallbacks["ACL LOG"] = func(r *redis.Reply, _ CallbackOptions) (any, error) {
		if r.Kind == redis.KindSimpleString {
			return decStatus(r)
		}
		return aclDecodeLog(r)
	}
}
