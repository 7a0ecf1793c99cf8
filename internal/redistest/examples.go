package redistest

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// An Env starts what a package's Example functions connect to and sets the
// environment variables they read, unless the user set them already (then
// the examples use the user's servers). Pass them to [Main]; it runs them
// before the tests only when the run will include an example, so that
// `go test -run TestX` starts nothing more. The servers are shared with the
// package's tests where they can be, and Main stops them at exit.
type Env func() error

// The environment variables the Examples read: a program would set them to
// its own servers.
const (
	// EnvURL is the URL of a redis-server: redis://127.0.0.1:port.
	EnvURL = "REDIS_URL"
	// EnvTLSURL is a rediss:// URL of a server that speaks TLS, whose query
	// names the CA to trust (ssl_ca_certs).
	EnvTLSURL = "REDIS_TLS_URL"
	// EnvSentinelAddrs are the addresses of sentinels, separated by commas.
	EnvSentinelAddrs = "REDIS_SENTINEL_ADDRS"
	// EnvSentinelMaster is the name the sentinels monitor a master under;
	// the master has one replica.
	EnvSentinelMaster = "REDIS_SENTINEL_MASTER"
)

// URLEnv sets REDIS_URL to the package's shared server (the one Shared
// returns).
func URLEnv() error {
	if os.Getenv(EnvURL) != "" {
		return nil
	}
	bin, err := lookBinary()
	if err != nil {
		return err
	}
	s, err := sharedServer(bin, "", nil)
	if err != nil {
		return err
	}
	return os.Setenv(EnvURL, "redis://"+s.Addr()+protocolQuery("?"))
}

// EnvProtocol, when set to 2 or 3, makes the URLs that URLEnv and TLSURLEnv
// set ask for that RESP version, to run the examples under both.
const EnvProtocol = "REDISTEST_PROTOCOL"

// protocolQuery returns sep+"protocol=N" when EnvProtocol is set, else "".
func protocolQuery(sep string) string {
	if p := os.Getenv(EnvProtocol); p != "" {
		return sep + "protocol=" + url.QueryEscape(p)
	}
	return ""
}

// TLSURLEnv sets REDIS_TLS_URL to a shared server that listens for TLS
// (tls-auth-clients no), with the path of its CA in the URL's ssl_ca_certs.
func TLSURLEnv() error {
	if os.Getenv(EnvTLSURL) != "" {
		return nil
	}
	bin, err := lookBinary()
	if err != nil {
		return err
	}
	s, err := sharedServer(bin, "example-tls", []Option{TLS("no")})
	if err != nil {
		return err
	}
	ca, _, _ := s.TLSFiles()
	return os.Setenv(EnvTLSURL, "rediss://"+s.TLSAddr()+"?ssl_ca_certs="+url.QueryEscape(ca)+protocolQuery("&"))
}

// SentinelEnv starts a master named "mymaster" with one replica and one
// sentinel, and sets REDIS_SENTINEL_ADDRS and REDIS_SENTINEL_MASTER.
func SentinelEnv() error {
	if os.Getenv(EnvSentinelAddrs) != "" {
		if os.Getenv(EnvSentinelMaster) == "" {
			return os.Setenv(EnvSentinelMaster, "mymaster")
		}
		return nil
	}
	tp, err := sharedSentinels(SentinelOptions{Replicas: 1})
	if err != nil {
		return err
	}
	if err := os.Setenv(EnvSentinelAddrs, strings.Join(tp.SentinelAddrs(), ",")); err != nil {
		return err
	}
	return os.Setenv(EnvSentinelMaster, tp.Name)
}

// examplesWillRun reports whether this run of the test binary runs an
// Example function: it reads the names of the package's examples from the
// _test.go files of the working directory (go test runs a test binary in
// its package's directory) and matches them against -test.run and
// -test.skip. When it cannot tell, it says yes.
func examplesWillRun() bool {
	if !flag.Parsed() {
		flag.Parse()
	}
	flagValue := func(name string) string {
		if f := flag.Lookup(name); f != nil {
			return f.Value.String()
		}
		return ""
	}
	if flagValue("test.list") != "" {
		return false
	}
	names, err := exampleNames(".")
	if err != nil {
		return true
	}
	run, skip := topLevel(flagValue("test.run")), topLevel(flagValue("test.skip"))
	runRE, err1 := regexp.Compile(run)
	skipRE, err2 := regexp.Compile(skip)
	if err1 != nil || err2 != nil {
		return true
	}
	for _, n := range names {
		if runRE.MatchString(n) && (skip == "" || !skipRE.MatchString(n)) {
			return true
		}
	}
	return false
}

// topLevel is the part of a -test.run pattern that top-level names are
// matched against: up to the first slash outside brackets and parentheses.
func topLevel(pattern string) string {
	depth := 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			i++
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case '/':
			if depth == 0 {
				return pattern[:i]
			}
		}
	}
	return pattern
}

// exampleNames returns the names of the Example functions with an output
// comment (the ones go test runs) in the _test.go files of dir.
func exampleNames(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("redistest: no _test.go files in %s", dir)
	}
	var names []string
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Example") || !hasOutput(f, fn) {
				continue
			}
			names = append(names, fn.Name.Name)
		}
	}
	return names, nil
}

// hasOutput reports whether fn's body ends with an output comment, the way
// go test tells a runnable example: its last comment group starts with
// "Output:" or "Unordered output:", in any case.
func hasOutput(f *ast.File, fn *ast.FuncDecl) bool {
	var last *ast.CommentGroup
	for _, g := range f.Comments {
		if g.Pos() > fn.Body.Lbrace && g.End() < fn.Body.Rbrace {
			last = g
		}
	}
	return last != nil && outputPrefix.MatchString(last.Text())
}

var outputPrefix = regexp.MustCompile(`(?i)^[[:space:]]*(unordered )?output:`)
