package command

import "strings"

// Redacted is what RedactArgs puts in place of a secret.
const Redacted = "?"

// RedactArgs returns a command's arguments (the name first, as
// Cmder.Args gives them) with the secrets they carry replaced by
// [Redacted], for a log line or a trace that shows commands:
//
//   - AUTH: every argument (username and password);
//   - HELLO ... AUTH username password: the username and the password;
//   - MIGRATE ... AUTH password, MIGRATE ... AUTH2 username password;
//   - CONFIG SET: the value of requirepass, masterauth, masteruser,
//     tls-key-file-pass and tls-client-key-file-pass;
//   - ACL SETUSER: the password rules (>pass, <pass, #hash, !hash);
//   - SENTINEL SET: the value of auth-pass and auth-user;
//   - SENTINEL CONFIG SET: the value of sentinel-pass and sentinel-user.
//
// Names and keywords match case-insensitively. Only string and []byte
// arguments are read. When nothing needs redacting RedactArgs returns args
// itself; otherwise a copy, args being left as they were.
func RedactArgs(args []any) []any {
	if len(args) < 2 {
		return args
	}
	var out []any
	hide := func(i int) {
		if i >= len(args) {
			return
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = Redacted
	}
	name, _ := redactStr(args[0])
	switch strings.ToUpper(name) {
	case "AUTH":
		for i := 1; i < len(args); i++ {
			hide(i)
		}
	case "HELLO":
		for i := 1; i < len(args); i++ {
			if redactIs(args[i], "AUTH") {
				hide(i + 1)
				hide(i + 2)
				i += 2
			}
		}
	case "MIGRATE":
		// MIGRATE host port key|"" db timeout [COPY] [REPLACE]
		// [AUTH password | AUTH2 username password] [KEYS key ...]
		for i := 6; i < len(args); i++ {
			switch {
			case redactIs(args[i], "KEYS"):
				i = len(args)
			case redactIs(args[i], "AUTH"):
				hide(i + 1)
				i++
			case redactIs(args[i], "AUTH2"):
				hide(i + 1)
				hide(i + 2)
				i += 2
			}
		}
	case "CONFIG":
		if redactIs(args[1], "SET") {
			for i := 2; i+1 < len(args); i += 2 {
				if s, _ := redactStr(args[i]); secretConfig(s) {
					hide(i + 1)
				}
			}
		}
	case "ACL":
		if redactIs(args[1], "SETUSER") {
			for i := 3; i < len(args); i++ {
				if s, _ := redactStr(args[i]); s != "" && strings.ContainsRune("><#!", rune(s[0])) {
					hide(i)
				}
			}
		}
	case "SENTINEL":
		switch {
		case redactIs(args[1], "SET"): // SENTINEL SET master option value ...
			for i := 3; i+1 < len(args); i += 2 {
				if redactIs(args[i], "auth-pass") || redactIs(args[i], "auth-user") {
					hide(i + 1)
				}
			}
		case redactIs(args[1], "CONFIG") && len(args) > 2 && redactIs(args[2], "SET"): // SENTINEL CONFIG SET option value ...
			for i := 3; i+1 < len(args); i += 2 {
				if redactIs(args[i], "sentinel-pass") || redactIs(args[i], "sentinel-user") {
					hide(i + 1)
				}
			}
		}
	}
	if out == nil {
		return args
	}
	return out
}

// secretConfig reports whether the CONFIG SET parameter name holds a secret.
func secretConfig(name string) bool {
	switch strings.ToLower(name) {
	case "requirepass", "masterauth", "masteruser", "tls-key-file-pass", "tls-client-key-file-pass":
		return true
	}
	return false
}

// redactIs reports whether the argument a is the keyword kw, whatever its case.
func redactIs(a any, kw string) bool {
	s, ok := redactStr(a)
	return ok && strings.EqualFold(s, kw)
}

func redactStr(a any) (string, bool) {
	switch v := a.(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	}
	return "", false
}
