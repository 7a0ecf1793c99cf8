package main

import (
	"strings"
	"testing"
)

func TestVersionAtLeast(t *testing.T) {
	for _, c := range []struct {
		v, min string
		want   bool
	}{
		{"1.2.0", "1.0", true}, {"1.0", "1.0", true}, {"1.0.0", "1.0", true},
		{"0.14.1", "1.0", false}, {"0.14", "1.0", false}, {"2.0.0~rc1", "1.0", true},
		{"1.1.0-6", "1.1", true}, {"10.0", "9.9", true},
	} {
		if got := versionAtLeast(c.v, c.min); got != c.want {
			t.Errorf("versionAtLeast(%q, %q) = %v, want %v", c.v, c.min, got, c.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/home/u/.local/duoredis-hiredis/lib/pkgconfig": "/home/u/.local/duoredis-hiredis/lib/pkgconfig",
		"/tmp/a b":  "'/tmp/a b'",
		"/tmp/it's": `'/tmp/it'\''s'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// The pkg-config file finds the prefix wherever it is, and says the version.
func TestPCFile(t *testing.T) {
	pc := pcFile("trixie", "1.2.0-6+b3", "1.2.0")
	for _, want := range []string{"prefix=${pcfiledir}/../..", "Version: 1.2.0\n", "Libs: -L${libdir} -lhiredis"} {
		if !strings.Contains(pc, want) {
			t.Errorf("hiredis.pc lacks %q:\n%s", want, pc)
		}
	}
}
