// Command duoredis-hiredis gets hiredis 1.x, which duoredis's -tags hiredis
// build needs, on a system whose own hiredis is older (Debian 12 ships
// 0.14.1, without RESP3) or missing, without touching the system's
// packages. Run it from any module that requires github.com/duoredis/redis:
//
//	go run github.com/duoredis/redis/cmd/duoredis-hiredis -prefix $HOME/.local/duoredis-hiredis
//
// or without a module, at the latest release:
//
//	go run github.com/duoredis/redis/cmd/duoredis-hiredis@latest -prefix $HOME/.local/duoredis-hiredis
//
// It downloads Debian 13 (trixie)'s libhiredis-dev package through apt, with
// a private apt configuration in a temporary directory (its own sources
// list, package lists and cache; the Release files are verified with
// debian-archive-keyring as apt always does), unpacks it with dpkg-deb, and
// installs into the prefix:
//
//	PREFIX/include/hiredis/*.h
//	PREFIX/lib/libhiredis.a             static only: nothing needed at run time
//	PREFIX/lib/pkgconfig/hiredis.pc     relocatable (${pcfiledir})
//
// Then it builds a small cgo program against it and prints the line to
// export:
//
//	export PKG_CONFIG_PATH=PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
//
// With -check it installs nothing: it only builds and runs that cgo program
// against the hiredis that pkg-config finds with PKG_CONFIG_PATH as it is.
//
// Go's build cache does not notice that pkg-config now finds another
// hiredis: build once with go build -a (or run go clean -cache) after
// changing PKG_CONFIG_PATH.
//
// If pkg-config already finds hiredis 1.0 or later (Debian 13, Ubuntu
// 24.04, Fedora, Homebrew), it says so and changes nothing, unless -force.
// Running it again on a complete prefix changes nothing. It needs apt-get,
// apt-cache and dpkg-deb (any Debian or Ubuntu release); elsewhere, install
// hiredis 1.x with the system's package manager instead.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

const (
	minVersion = "1.0"
	keyring    = "/usr/share/keyrings/debian-archive-keyring.gpg"
	pkgName    = "libhiredis-dev"
)

func main() {
	log := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "duoredis-hiredis: "+format+"\n", args...) }
	home, _ := os.UserHomeDir()
	prefix := flag.String("prefix", filepath.Join(home, ".local", "duoredis-hiredis"), "directory to install hiredis into (include/, lib/, lib/pkgconfig/)")
	suite := flag.String("suite", "trixie", "Debian suite to take libhiredis-dev from")
	mirror := flag.String("mirror", "http://deb.debian.org/debian", "Debian mirror")
	force := flag.Bool("force", false, "install into -prefix even if pkg-config already finds hiredis >= "+minVersion+", and replace an existing prefix")
	noVerify := flag.Bool("no-verify", false, "skip the build of a cgo program against the installed hiredis")
	checkOnly := flag.Bool("check", false, "install nothing: only build and run the cgo program against the hiredis that pkg-config finds with PKG_CONFIG_PATH as it is (scripts/hiredis-deps.sh uses it)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: duoredis-hiredis [-prefix DIR] [-force] [-suite SUITE] [-no-verify]\n"+
			"       duoredis-hiredis -check\n\n"+
			"Installs Debian %s's hiredis 1.x (headers, static library, pkg-config file) into DIR\n"+
			"for go build -tags hiredis, and prints the PKG_CONFIG_PATH line to export.\n\n", "trixie")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	i := &installer{prefix: *prefix, suite: *suite, mirror: *mirror, log: log}
	run := func() error { return i.run(*force, !*noVerify) }
	if *checkOnly {
		run = i.checkOnly
	}
	if err := run(); err != nil {
		log("ERROR: %v", err)
		os.Exit(1)
	}
}

type installer struct {
	prefix, suite, mirror string
	log                   func(format string, args ...any)
}

func (i *installer) pcDir() string { return filepath.Join(i.prefix, "lib", "pkgconfig") }

func (i *installer) run(force, verify bool) error {
	abs, err := filepath.Abs(i.prefix)
	if err != nil {
		return err
	}
	i.prefix = abs
	if _, err := exec.LookPath("pkg-config"); err != nil {
		return errors.New("pkg-config is not installed (Debian: apt-get install pkg-config); cgo finds hiredis with it")
	}
	if !force {
		if v, ok := i.prefixVersion(); ok {
			i.log("hiredis %s is already in %s; nothing to do", v, i.prefix)
			i.printEnv(v)
			return nil
		}
		if v, err := pkgConfig(nil, "--modversion", "hiredis"); err == nil {
			if versionAtLeast(v, minVersion) {
				i.log("pkg-config already finds hiredis %s (>= %s): nothing to install; build with -tags hiredis as is (-force installs into -prefix anyway)", v, minVersion)
				return nil
			}
			i.log("pkg-config finds hiredis %s, older than %s (no RESP3); installing Debian %s's into %s", v, minVersion, i.suite, i.prefix)
		} else {
			i.log("pkg-config finds no hiredis; installing Debian %s's into %s", i.suite, i.prefix)
		}
	}
	for _, tool := range []string{"apt-get", "apt-cache", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed: this tool fetches Debian's package with apt and dpkg-deb. "+
				"Elsewhere, install hiredis >= %s with the system's package manager (dnf install hiredis-devel, brew install hiredis, ...) "+
				"or build it from source, and point PKG_CONFIG_PATH at its lib/pkgconfig", tool, minVersion)
		}
	}
	if _, err := os.Stat(keyring); err != nil {
		return fmt.Errorf("%s is missing (apt-get install debian-archive-keyring): it verifies Debian's packages", keyring)
	}
	tmp, err := os.MkdirTemp("", "duoredis-hiredis.")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	deb, err := i.download(tmp)
	if err != nil {
		return err
	}
	version, err := i.install(deb, tmp)
	if err != nil {
		return err
	}
	if verify {
		if err := i.verify(tmp); err != nil {
			return err
		}
	}
	i.printEnv(version)
	return nil
}

// prefixVersion reports the hiredis version of a complete prefix.
func (i *installer) prefixVersion() (string, bool) {
	for _, f := range []string{"lib/libhiredis.a", "include/hiredis/read.h", "lib/pkgconfig/hiredis.pc"} {
		if _, err := os.Stat(filepath.Join(i.prefix, f)); err != nil {
			return "", false
		}
	}
	v, err := pkgConfig([]string{"PKG_CONFIG_PATH=" + i.pcDir()}, "--modversion", "hiredis")
	if err != nil || !versionAtLeast(v, minVersion) {
		return "", false
	}
	return v, true
}

// download fetches the .deb of libhiredis-dev from the suite into tmp, with
// apt and a configuration of its own: the system's sources, lists and
// packages are not touched.
func (i *installer) download(tmp string) (string, error) {
	aptDir := filepath.Join(tmp, "apt")
	debs := filepath.Join(tmp, "debs")
	for _, d := range []string{"lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(aptDir, d), 0o755); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return "", err
	}
	sources := filepath.Join(aptDir, i.suite+".sources")
	src := fmt.Sprintf("Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nTargets: Packages\nSigned-By: %s\n", i.mirror, i.suite, keyring)
	if err := os.WriteFile(sources, []byte(src), 0o644); err != nil {
		return "", err
	}
	opts := []string{
		"-o", "Dir::Etc::SourceList=" + sources,
		"-o", "Dir::Etc::SourceParts=/dev/null",
		"-o", "Dir::State::Lists=" + filepath.Join(aptDir, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(aptDir, "cache"),
		"-o", "Dir::Cache::pkgcache=" + filepath.Join(aptDir, "cache", "pkgcache.bin"),
		"-o", "Dir::Cache::srcpkgcache=" + filepath.Join(aptDir, "cache", "srcpkgcache.bin"),
		"-o", "Acquire::Languages=none",
	}
	if os.Geteuid() == 0 {
		// As root, apt downloads as the _apt user, who cannot write into
		// our private temp dir.
		opts = append(opts, "-o", "APT::Sandbox::User=root")
	}
	i.log("apt-get update (Debian %s's package lists, in %s)", i.suite, aptDir)
	out, err := command("", "apt-get", append(opts, "-q", "update")...)
	if err != nil {
		return "", fmt.Errorf("apt-get update for Debian %s failed: %v\n%s", i.suite, err, out)
	}
	if m := regexp.MustCompile(`(?m)^(W|E): .*$`).FindAllString(out, -1); len(m) > 0 {
		return "", fmt.Errorf("apt-get update for Debian %s reported:\n%s", i.suite, strings.Join(m, "\n"))
	}
	policy, err := command("", "apt-cache", append(opts, "policy", pkgName)...)
	if err != nil {
		return "", fmt.Errorf("apt-cache policy %s: %v\n%s", pkgName, err, policy)
	}
	cand := ""
	if m := regexp.MustCompile(`Candidate:\s*(\S+)`).FindStringSubmatch(policy); m != nil {
		cand = m[1]
	}
	if cand == "" || cand == "(none)" {
		return "", fmt.Errorf("the package lists of Debian %s have no %s", i.suite, pkgName)
	}
	i.log("downloading %s %s (Debian %s)", pkgName, cand, i.suite)
	if out, err := command(debs, "apt-get", append(opts, "-q", "download", pkgName)...); err != nil {
		return "", fmt.Errorf("apt-get download %s failed: %v\n%s", pkgName, err, out)
	}
	m, _ := filepath.Glob(filepath.Join(debs, pkgName+"_*.deb"))
	if len(m) != 1 {
		return "", fmt.Errorf("apt-get download left %d %s packages in %s", len(m), pkgName, debs)
	}
	return m[0], nil
}

// install unpacks the package and assembles the prefix next to its final
// place, then renames it into place, so that an interrupted run never
// leaves half a prefix. It returns hiredis's version.
func (i *installer) install(deb, tmp string) (string, error) {
	debVersion, err := command("", "dpkg-deb", "-f", deb, "Version")
	if err != nil {
		return "", fmt.Errorf("dpkg-deb -f %s: %v", deb, err)
	}
	debVersion = strings.TrimSpace(debVersion)
	stage := filepath.Join(tmp, "stage")
	if out, err := command("", "dpkg-deb", "-x", deb, stage); err != nil {
		return "", fmt.Errorf("dpkg-deb -x %s: %v\n%s", deb, err, out)
	}
	archives, _ := filepath.Glob(filepath.Join(stage, "usr", "lib", "*", "libhiredis.a"))
	if len(archives) == 0 {
		archives, _ = filepath.Glob(filepath.Join(stage, "usr", "lib", "libhiredis.a"))
	}
	if len(archives) != 1 {
		return "", fmt.Errorf("%s %s holds %d libhiredis.a", pkgName, debVersion, len(archives))
	}
	pc, err := os.ReadFile(filepath.Join(filepath.Dir(archives[0]), "pkgconfig", "hiredis.pc"))
	if err != nil {
		return "", fmt.Errorf("%s %s has no hiredis.pc: %v", pkgName, debVersion, err)
	}
	m := regexp.MustCompile(`(?m)^Version:\s*(\S+)`).FindSubmatch(pc)
	if m == nil {
		return "", fmt.Errorf("%s %s's hiredis.pc has no Version", pkgName, debVersion)
	}
	version := string(m[1])
	if !versionAtLeast(version, minVersion) {
		return "", fmt.Errorf("the hiredis of Debian %s is %s, older than %s", i.suite, version, minVersion)
	}
	inc := filepath.Join(stage, "usr", "include", "hiredis")
	if _, err := os.Stat(filepath.Join(inc, "read.h")); err != nil {
		return "", fmt.Errorf("%s %s has no hiredis/read.h", pkgName, debVersion)
	}

	if err := os.MkdirAll(filepath.Dir(i.prefix), 0o755); err != nil {
		return "", err
	}
	next := fmt.Sprintf("%s.new.%d", i.prefix, os.Getpid())
	if err := os.RemoveAll(next); err != nil {
		return "", err
	}
	defer os.RemoveAll(next)
	if err := copyDir(inc, filepath.Join(next, "include", "hiredis")); err != nil {
		return "", err
	}
	// The TLS half (hiredis_ssl) is not used.
	_ = os.Remove(filepath.Join(next, "include", "hiredis", "hiredis_ssl.h"))
	if err := copyFile(archives[0], filepath.Join(next, "lib", "libhiredis.a")); err != nil {
		return "", err
	}
	_ = copyFile(filepath.Join(stage, "usr", "share", "doc", pkgName, "copyright"), filepath.Join(next, "share", "doc", "hiredis", "copyright"))
	source := fmt.Sprintf("Debian %s %s %s\n", i.suite, pkgName, debVersion)
	if err := writeFile(filepath.Join(next, "share", "doc", "hiredis", "SOURCE"), source); err != nil {
		return "", err
	}
	if err := writeFile(filepath.Join(next, "lib", "pkgconfig", "hiredis.pc"), pcFile(i.suite, debVersion, version)); err != nil {
		return "", err
	}
	if err := os.RemoveAll(i.prefix); err != nil {
		return "", err
	}
	if err := os.Rename(next, i.prefix); err != nil {
		return "", err
	}
	if v, ok := i.prefixVersion(); !ok || v != version {
		return "", fmt.Errorf("pkg-config does not report hiredis %s from %s", version, i.pcDir())
	}
	i.log("installed hiredis %s (Debian %s %s %s) into %s", version, i.suite, pkgName, debVersion, i.prefix)
	return version, nil
}

// pcFile is a pkg-config file that finds the prefix wherever it is moved,
// and links the static library only.
func pcFile(suite, debVersion, version string) string {
	return fmt.Sprintf(`# From Debian %s's %s %s, made relocatable by duoredis-hiredis.
# Static library only.
prefix=${pcfiledir}/../..
exec_prefix=${prefix}
libdir=${prefix}/lib
includedir=${prefix}/include
pkgincludedir=${includedir}/hiredis

Name: hiredis
Description: Minimalistic C client library for Redis.
Version: %s
Libs: -L${libdir} -lhiredis
Cflags: -I${pkgincludedir} -I${includedir} -D_FILE_OFFSET_BITS=64
`, suite, pkgName, debVersion, version)
}

// verify builds and runs a small cgo program that parses a RESP3 map with
// the installed hiredis.
func (i *installer) verify(tmp string) error {
	if _, err := exec.LookPath("gcc"); err != nil {
		if _, err := exec.LookPath("cc"); err != nil {
			i.log("no C compiler (gcc or cc) on PATH: skipping the check build; -tags hiredis needs one (Debian: apt-get install gcc)")
			return nil
		}
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		i.log("go is not on PATH: skipping the check build")
		return nil
	}
	return i.checkBuild(goTool, tmp, "PKG_CONFIG_PATH="+i.pcDir()+pathSuffix(os.Getenv("PKG_CONFIG_PATH")))
}

// checkBuild builds checkProgram in tmp/check with goTool (cgo on, GOFLAGS
// cleared, the local toolchain) and the environment with env added, runs
// it and logs its line: hiredis's headers, library and pkg-config file
// work together, and its reader parses RESP3.
func (i *installer) checkBuild(goTool, tmp string, env ...string) error {
	dir := filepath.Join(tmp, "check")
	if err := writeFile(filepath.Join(dir, "go.mod"), "module hiredischeck\n\ngo 1.21\n"); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "main.go"), checkProgram); err != nil {
		return err
	}
	env = append(append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=", "GOTOOLCHAIN=local"), env...)
	build := exec.Command(goTool, "build", "-o", "check", ".")
	build.Dir, build.Env = dir, env
	if out, err := build.CombinedOutput(); err != nil {
		pcCmd := exec.Command("pkg-config", "--cflags", "--libs", "hiredis")
		pcCmd.Env = env
		pc, _ := pcCmd.CombinedOutput()
		return fmt.Errorf("a cgo program using hiredis does not build (pkg-config: %s): %v\n%s", strings.TrimSpace(string(pc)), err, out)
	}
	run := exec.Command(filepath.Join(dir, "check"))
	out, err := run.CombinedOutput()
	if err != nil {
		return fmt.Errorf("the cgo program using hiredis failed: %v\n%s", err, out)
	}
	i.log("check: %s", strings.TrimSpace(string(out)))
	return nil
}

// checkOnly runs checkBuild against the hiredis that pkg-config finds with
// PKG_CONFIG_PATH as it is, with the go on PATH; without a C compiler the
// build fails.
func (i *installer) checkOnly() error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return errors.New("go is not on PATH: the check builds a cgo program with it")
	}
	tmp, err := os.MkdirTemp("", "duoredis-hiredis.")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	return i.checkBuild(goTool, tmp)
}

func (i *installer) printEnv(version string) {
	fmt.Fprintf(os.Stderr, "\nhiredis %s is in %s. To build with -tags hiredis, export:\n\n", version, i.prefix)
	fmt.Printf("export PKG_CONFIG_PATH=%s${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}\n", shellQuote(i.pcDir()))
	fmt.Fprintf(os.Stderr, "\nthen build once with -a (go build -a -tags hiredis ./...) or run go clean -cache:\n"+
		"Go's build cache does not notice that pkg-config now finds another hiredis.\n")
}

const checkProgram = `package main

/*
#cgo pkg-config: hiredis
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

static int check(void) {
	redisReader *r = redisReaderCreate();
	if (r == NULL) return -1;
	void *reply = NULL;
	const char in[] = "%1\r\n+k\r\n#t\r\n";
	if (redisReaderFeed(r, in, sizeof(in) - 1) != REDIS_OK ||
	    redisReaderGetReply(r, &reply) != REDIS_OK || reply == NULL) {
		redisReaderFree(r);
		return -2;
	}
	int type = ((redisReply *)reply)->type;
	freeReplyObject(reply);
	redisReaderFree(r);
	return type;
}
*/
import "C"

import (
	"fmt"
	"os"
)

func main() {
	if t := C.check(); t != C.REDIS_REPLY_MAP {
		fmt.Fprintf(os.Stderr, "hiredis reader check failed: %d\n", int(t))
		os.Exit(1)
	}
	fmt.Printf("hiredis %d.%d.%d parses RESP3\n", int(C.HIREDIS_MAJOR), int(C.HIREDIS_MINOR), int(C.HIREDIS_PATCH))
}
`

// pkgConfig runs pkg-config with extra environment variables.
func pkgConfig(env []string, args ...string) (string, error) {
	cmd := exec.Command("pkg-config", args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// command runs a program in dir and returns its combined output.
func command(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// versionAtLeast compares dotted numeric versions ("1.2.0" >= "1.0").
func versionAtLeast(v, min string) bool {
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for k := 0; k < max(len(a), len(b)); k++ {
		x, y := 0, 0
		if k < len(a) {
			x, _ = strconv.Atoi(strings.TrimFunc(a[k], func(r rune) bool { return r < '0' || r > '9' }))
		}
		if k < len(b) {
			y, _ = strconv.Atoi(b[k])
		}
		if x != y {
			return x > y
		}
	}
	return true
}

func pathSuffix(p string) string {
	if p == "" {
		return ""
	}
	return ":" + p
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`).MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(path, filepath.Join(dst, rel))
	})
}
