package apitest

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestNoInternalTypesInPublicAPI runs go doc -all on every public package of
// the module (not under internal/, not a command, not under examples/) and
// fails if it names an identifier of an internal package (redistest.Server,
// resptest.Case, ...): an exported signature, field, method or alias that a
// user could see but not use.
func TestNoInternalTypesInPublicAPI(t *testing.T) {
	goTool(t)
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	leaks, public, err := publicAPILeaks(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(public) == 0 {
		t.Fatal("no public package found")
	}
	t.Logf("checked %d public packages: %s", len(public), strings.Join(public, " "))
	for _, l := range leaks {
		t.Error(l)
	}
}

// TestCheckerCatchesLeaks runs the whole check on a module made for it, whose
// public packages expose an internal type in each way go doc shows: a
// function's result, a field, a method's parameter and an alias; and one
// public package that does not.
func TestCheckerCatchesLeaks(t *testing.T) {
	goTool(t)
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":               "module example.com/leaky\n\ngo 1.22\n",
		"internal/secret/s.go": "package secret\n\ntype Server struct{}\n",
		"internal/other/o.go":  "package other\n\ntype Case struct{}\n",
		"clean/clean.go":       "// Package clean mentions secret servers only in prose.\npackage clean\n\nimport _ \"example.com/leaky/internal/secret\"\n\n// Start starts a secret. server.\nfunc Start() {}\n",
		"result/result.go":     "package result\n\nimport \"example.com/leaky/internal/secret\"\n\nfunc Start() *secret.Server { return nil }\n",
		"field/field.go":       "package field\n\nimport \"example.com/leaky/internal/other\"\n\ntype T struct{ Cases []other.Case }\n",
		"method/method.go":     "package method\n\nimport \"example.com/leaky/internal/secret\"\n\ntype T struct{}\n\nfunc (T) Use(m map[string]*secret.Server) {}\n",
		"alias/alias.go":       "package alias\n\nimport \"example.com/leaky/internal/other\"\n\ntype Case = other.Case\n",
		"cmd/tool/main.go":     "package main\n\nimport \"example.com/leaky/internal/secret\"\n\nvar S secret.Server\n\nfunc main() {}\n",
		"examples/ex/ex.go":    "package ex\n\nimport \"example.com/leaky/internal/secret\"\n\nvar S secret.Server\n",
		"internal/inner/in.go": "package inner\n\nimport \"example.com/leaky/internal/secret\"\n\nvar S secret.Server\n",
		// Files and packages that only a build tag brings in.
		"clean/tagged.go":               "//go:build sometag\n\npackage clean\n\nimport \"example.com/leaky/internal/other\"\n\n// Tagged is built with -tags sometag.\nfunc Tagged() other.Case { return other.Case{} }\n",
		"gated/gated.go":                "//go:build sometag\n\npackage gated\n\nimport \"example.com/leaky/internal/secret\"\n\nconst N = 1\n\ntype T struct {\n\tS *secret.Server\n\tunexported *secret.Server\n}\n",
		"gated/ok.go":                   "//go:build sometag\n\npackage gated\n\nimport \"example.com/leaky/internal/secret\"\n\nfunc helper() *secret.Server { return nil }\n",
		"gatedint/internal/hidden/h.go": "//go:build sometag\n\npackage hidden\n\ntype H int\n",
		"gatedint/g.go":                 "package gatedint\n\n// F returns a hidden.H.\nfunc F() {}\n",
	}
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	leaks, public, err := publicAPILeaks(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantPublic := []string{
		"example.com/leaky/alias", "example.com/leaky/clean", "example.com/leaky/field",
		"example.com/leaky/gated", "example.com/leaky/gatedint", "example.com/leaky/method",
		"example.com/leaky/result",
	}
	if !slices.Equal(public, wantPublic) {
		t.Errorf("public packages = %q, want %q", public, wantPublic)
	}
	for _, want := range []string{
		"example.com/leaky/alias: other.Case",
		"example.com/leaky/field: other.Case",
		"example.com/leaky/method: secret.Server",
		"example.com/leaky/result: secret.Server",
		"example.com/leaky/clean: other.Case",
		"example.com/leaky/gated: secret.Server",
		"example.com/leaky/gatedint: hidden.H",
	} {
		if !slices.ContainsFunc(leaks, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("no leak reported for %s; reported:\n%s", want, strings.Join(leaks, "\n"))
		}
	}
	if len(leaks) != 7 {
		t.Errorf("%d leaks reported, want 7 (one per leaking declaration):\n%s", len(leaks), strings.Join(leaks, "\n"))
	}
}

// TestInternalRefs checks the matcher on go doc output of its own.
func TestInternalRefs(t *testing.T) {
	doc := `package client // import "github.com/duoredis/redis/client"

func Start(t testing.TB) *redistest.Server
type Proxy = faultproxy.Proxy
	Cases []resptest.Case
func Cases() map[string]resptest.Case
    A redistest server in prose is no reference; neither is myredistest.Thing,
    redistestx.Thing or redistest. at the end of a sentence.
`
	got := internalRefs(doc, []string{"redistest", "faultproxy", "resptest"})
	want := []string{"redistest.Server", "faultproxy.Proxy", "resptest.Case", "resptest.Case"}
	var idents []string
	for _, r := range got {
		idents = append(idents, r.ident)
	}
	if !slices.Equal(idents, want) {
		t.Errorf("internalRefs = %q, want %q", idents, want)
	}
}

// goTool skips the test when the go command is not installed.
func goTool(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go tool is not installed:", err)
	}
}

// moduleRoot returns the directory of the module's go.mod.
func moduleRoot() (string, error) {
	out, err := goCmd(".", "env", "GOMOD")
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(out)
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not in a module")
	}
	return filepath.Dir(gomod), nil
}

// publicAPILeaks returns the public packages of the module in dir, and every
// mention of an internal package's identifier in what they export, as
// "importpath: pkg.Ident (line)". What they export is go doc -all's output
// for the default build, and, for files the default build leaves out (build
// tags such as hiredis, other systems) and packages made only of such files,
// the exported declarations of those files, read with go/doc.
func publicAPILeaks(dir string) (leaks, public []string, err error) {
	pkgs, err := listPackages(dir)
	if err != nil {
		return nil, nil, err
	}
	var internalNames []string
	publicNames := map[string]string{}
	for _, p := range pkgs {
		switch {
		case isInternal(p.path):
			if !slices.Contains(internalNames, p.name) {
				internalNames = append(internalNames, p.name)
			}
		case p.name == "main", hasElem(p.path, "examples"):
			// Commands and examples have no API to import.
		default:
			public = append(public, p.path)
			publicNames[p.name] = p.path
		}
	}
	slices.Sort(public)
	for _, n := range internalNames {
		if p, ok := publicNames[n]; ok {
			// go doc qualifies by package name: the two would be confused.
			leaks = append(leaks, fmt.Sprintf("an internal package and the public %s are both named %q: the check cannot tell their identifiers apart; rename one", p, n))
		}
	}
	if len(internalNames) == 0 {
		return leaks, public, nil
	}
	for _, p := range pkgs {
		if !slices.Contains(public, p.path) {
			continue
		}
		var docs []string
		if p.buildable {
			doc, err := goCmd(dir, "doc", "-all", p.path)
			if err != nil {
				return nil, nil, err
			}
			docs = append(docs, doc)
		}
		if len(p.ignored) > 0 {
			doc, err := exportedDecls(p.dir, p.ignored)
			if err != nil {
				return nil, nil, err
			}
			docs = append(docs, doc)
		}
		for _, doc := range docs {
			for _, r := range internalRefs(doc, internalNames) {
				leaks = append(leaks, fmt.Sprintf("%s: %s (in %q)", p.path, r.ident, r.line))
			}
		}
	}
	return leaks, public, nil
}

// pkg is a package of the module: buildable by default (go list finds it),
// or made only of files that build tags leave out.
type pkg struct {
	path, name, dir string
	buildable       bool
	ignored         []string // non-test files the default build leaves out
}

// listPackages returns the module's packages: those go list ./... finds,
// and the directories below dir holding only files that build constraints
// leave out (go list ./... skips those), with their package name read from
// the files.
func listPackages(dir string) ([]pkg, error) {
	out, err := goCmd(dir, "list", "-f", "{{.ImportPath}}\t{{.Name}}\t{{.Dir}}\t{{join .IgnoredGoFiles \" \"}}", "./...")
	if err != nil {
		return nil, err
	}
	var pkgs []pkg
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("go list: unexpected line %q", line)
		}
		p := pkg{path: f[0], name: f[1], dir: f[2], buildable: true}
		for _, name := range strings.Fields(f[3]) {
			if !strings.HasSuffix(name, "_test.go") {
				p.ignored = append(p.ignored, name)
			}
		}
		seen[filepath.Clean(p.dir)] = true
		pkgs = append(pkgs, p)
	}
	modPath, err := goCmd(dir, "list", "-m", "-f", "{{.Path}}")
	if err != nil {
		return nil, err
	}
	modPath = strings.TrimSpace(modPath)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		base := d.Name()
		if path != dir {
			if base == "testdata" || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		if seen[filepath.Clean(path)] {
			return nil
		}
		files, _ := filepath.Glob(filepath.Join(path, "*.go"))
		files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
		if len(files) == 0 {
			return nil
		}
		p := pkg{dir: path}
		for _, f := range files {
			p.ignored = append(p.ignored, filepath.Base(f))
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
			if err != nil {
				return err
			}
			p.name = af.Name.Name
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		p.path = modPath + "/" + filepath.ToSlash(rel)
		pkgs = append(pkgs, p)
		return nil
	})
	return pkgs, err
}

// exportedDecls returns the exported declarations of the named files of
// dir (build constraints ignored), printed as Go source: what go doc would
// show of them, doc comments included.
func exportedDecls(dir string, names []string) (string, error) {
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return "", err
		}
		files = append(files, f)
	}
	d, err := doc.NewFromFiles(fset, files, "x")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(d.Doc)
	emit := func(n ast.Node, comment string) {
		b.WriteString(comment)
		if fn, ok := n.(*ast.FuncDecl); ok {
			fn.Body = nil
		}
		_ = printer.Fprint(&b, fset, n)
		b.WriteString("\n")
	}
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			emit(v.Decl, v.Doc)
		}
	}
	funcs := func(fs []*doc.Func) {
		for _, f := range fs {
			emit(f.Decl, f.Doc)
		}
	}
	values(d.Consts)
	values(d.Vars)
	funcs(d.Funcs)
	for _, t := range d.Types {
		emit(t.Decl, t.Doc)
		values(t.Consts)
		values(t.Vars)
		funcs(t.Funcs)
		funcs(t.Methods)
	}
	return b.String(), nil
}

// isInternal reports whether the import path has an element "internal".
func isInternal(path string) bool { return hasElem(path, "internal") }

func hasElem(path, elem string) bool { return slices.Contains(strings.Split(path, "/"), elem) }

type ref struct{ ident, line string }

// internalRefs returns each identifier qualified by one of names (pkg.Ident,
// not part of a longer name or of a selector chain) in doc, with its line.
func internalRefs(doc string, names []string) []ref {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	re := regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.])((?:` + strings.Join(quoted, "|") + `)\.[\p{L}_][\p{L}\p{N}_]*)`)
	var refs []ref
	for _, line := range strings.Split(doc, "\n") {
		for _, m := range re.FindAllStringSubmatch(line, -1) {
			refs = append(refs, ref{m[1], strings.TrimSpace(line)})
		}
	}
	return refs
}

// goCmd runs the go command in dir and returns its standard output.
func goCmd(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}
