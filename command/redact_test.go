package command

import (
	"reflect"
	"strings"
	"testing"
)

func TestRedactArgs(t *testing.T) {
	cases := []struct {
		in, want string // arguments separated by spaces
	}{
		{"GET k", "GET k"},
		{"SET password s3cret", "SET password s3cret"}, // a value, not a secret the command names
		{"AUTH s3cret", "AUTH ?"},
		{"auth alice s3cret", "auth ? ?"},
		{"HELLO 3", "HELLO 3"},
		{"HELLO 3 AUTH alice s3cret SETNAME app", "HELLO 3 AUTH ? ? SETNAME app"},
		{"hello 2 auth default s3cret", "hello 2 auth ? ?"},
		{"MIGRATE h 6379 k 0 5000 COPY AUTH s3cret", "MIGRATE h 6379 k 0 5000 COPY AUTH ?"},
		{"MIGRATE h 6379 '' 0 5000 AUTH2 alice s3cret KEYS a b", "MIGRATE h 6379 '' 0 5000 AUTH2 ? ? KEYS a b"},
		{"MIGRATE h 6379 '' 0 5000 KEYS AUTH b", "MIGRATE h 6379 '' 0 5000 KEYS AUTH b"}, // a key named AUTH
		{"MIGRATE h 6379 AUTH 0 5000", "MIGRATE h 6379 AUTH 0 5000"},                     // likewise
		{"CONFIG SET requirepass s3cret", "CONFIG SET requirepass ?"},
		{"config set maxmemory 1gb MasterAuth s3cret", "config set maxmemory 1gb MasterAuth ?"},
		{"CONFIG SET masteruser alice tls-key-file-pass s3cret", "CONFIG SET masteruser ? tls-key-file-pass ?"},
		{"CONFIG GET requirepass", "CONFIG GET requirepass"},
		{"ACL SETUSER alice on >s3cret ~* +@all", "ACL SETUSER alice on ? ~* +@all"},
		{"acl setuser alice <old #abc !def resetpass", "acl setuser alice ? ? ? resetpass"},
		{"SENTINEL SET mymaster auth-pass s3cret quorum 2", "SENTINEL SET mymaster auth-pass ? quorum 2"},
		{"SENTINEL CONFIG SET sentinel-pass s3cret", "SENTINEL CONFIG SET sentinel-pass ?"},
		{"AUTH", "AUTH"},
		{"HELLO 3 AUTH alice", "HELLO 3 AUTH ?"}, // malformed: redacts what there is
	}
	for _, c := range cases {
		var in []any
		for _, f := range strings.Fields(c.in) {
			in = append(in, f)
		}
		orig := append([]any(nil), in...)
		got := RedactArgs(in)
		var gs []string
		for _, a := range got {
			gs = append(gs, a.(string))
		}
		if s := strings.Join(gs, " "); s != c.want {
			t.Errorf("RedactArgs(%s) = %s, want %s", c.in, s, c.want)
		}
		if !reflect.DeepEqual(in, orig) {
			t.Errorf("RedactArgs(%s) changed its argument to %v", c.in, in)
		}
	}
}

func TestRedactArgsBytesAndOtherTypes(t *testing.T) {
	got := RedactArgs([]any{[]byte("AUTH"), []byte("s3cret")})
	if len(got) != 2 || got[1] != Redacted {
		t.Errorf("[]byte arguments: got %v", got)
	}
	// A non-string argument is never taken for a keyword.
	in := []any{"HELLO", 3, 42, "x"}
	if got := RedactArgs(in); &got[0] != &in[0] {
		t.Errorf("nothing to redact: got a copy %v", got)
	}
	if got := RedactArgs(nil); got != nil {
		t.Errorf("nil: got %v", got)
	}
}
