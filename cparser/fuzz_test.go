//go:build hiredis && cgo

package cparser_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	redis "github.com/duoredis/redis"
	"github.com/duoredis/redis/cparser"
	"github.com/duoredis/redis/goparser"
	"github.com/duoredis/redis/internal/resptest"
)

// FuzzParsers feeds the same bytes to goparser and cparser, each split into
// reads at its own points, and requires the same replies followed by the same
// class of error. The seed corpus is the shared table plus the files under
// testdata/fuzz/FuzzParsers.
func FuzzParsers(f *testing.F) {
	for _, c := range resptest.Cases {
		if len(c.In) <= maxSeed {
			f.Add([]byte(c.In), uint16(len(c.In)/3), uint16(len(c.In)/2))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, cutGo, cutC uint16) {
		// Large limits most of the time; small ones (where the order of the
		// checks matters) the rest.
		opts := redis.ParserOptions{MaxBulkLen: 1 << 16, MaxAggregateLen: 1 << 12, MaxDepth: 16}
		switch (cutGo ^ cutC) % 4 {
		case 1:
			opts = redis.ParserOptions{MaxBulkLen: 16, MaxAggregateLen: 8, MaxDepth: 4}
		case 2:
			opts = redis.ParserOptions{MaxBulkLen: 1, MaxAggregateLen: 1, MaxDepth: 1}
		}
		cg := int(cutGo) % (len(in) + 1)
		cc := int(cutC) % (len(in) + 1)
		gp := goparser.New(resptest.Chunks(in[:cg], in[cg:]), opts)
		cp := cparser.New(resptest.Chunks(in[:cc], in[cc:]), opts)
		defer cp.Close()
		gotGo, errGo := resptest.Collect(gp)
		gotC, errC := resptest.Collect(cp)
		if !resptest.EqualAll(gotGo, gotC) || resptest.Classify(errGo) != resptest.Classify(errC) {
			t.Fatalf("parsers disagree on %q\n goparser: %v then %v\n cparser:  %v then %v", in, gotGo, errGo, gotC, errC)
		}
		// The whole stream in one read must give the same as well.
		wp := cparser.New(bytes.NewReader(in), opts)
		defer wp.Close()
		whole, errWhole := resptest.Collect(wp)
		if !resptest.EqualAll(whole, gotC) || resptest.Classify(errWhole) != resptest.Classify(errC) {
			t.Fatalf("cparser depends on the read split for %q: %v %v vs %v %v", in, whole, errWhole, gotC, errC)
		}
	})
}

// maxSeed is the largest table input used as a fuzz seed.
const maxSeed = 4096

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzParsers from the shared table")

// TestSeedCorpus keeps testdata/fuzz/FuzzParsers in step with the shared
// table: one file per case. Run with -update-seeds after changing the table.
func TestSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParsers")
	bad := regexp.MustCompile(`[^a-zA-Z0-9]+`)
	for _, c := range resptest.Cases {
		if len(c.In) > maxSeed {
			continue // the table runs it; the fuzzer wants small inputs
		}
		name := filepath.Join(dir, "seed-"+bad.ReplaceAllString(c.Name, "-"))
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\nuint16(%d)\nuint16(%d)\n",
			strconv.Quote(c.In), uint16(len(c.In)/3), uint16(len(c.In)/2))
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("seed %s is missing or stale; run go test -tags hiredis ./cparser -run TestSeedCorpus -update-seeds", name)
		}
	}
}
