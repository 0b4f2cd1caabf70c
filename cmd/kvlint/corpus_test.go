package main

// The corpus under testdata/corpus was written by someone who had not read
// the analyzers, against the real SDKs, with "// EXPECT analyzer" on every
// line where a KV expert expects a finding. kvlint must report exactly
// those: every finding expected, and nothing on the look-alikes beside
// them. "// DEBATABLE" lines may go either way.

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var marker = regexp.MustCompile(`//.*\b(EXPECT|DEBATABLE) ([a-z|]+)`)

func TestCorpus(t *testing.T) {
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	root, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "corpus"))
	mods, _ := filepath.Glob(filepath.Join(root, "*", "go.mod"))
	if len(mods) == 0 {
		t.Fatal("no corpus modules")
	}
	for _, mod := range mods {
		dir := filepath.Dir(mod)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			runCmd(t, dir, hostEnv(), "go", "mod", "download")
			expect, debatable := corpusMarkers(t, dir)
			res := kvlint(t, dir, "./...")
			if res.code > exitFindings {
				t.Fatalf("kvlint: %v", res)
			}
			for f, analyzer := range textFindings(t, res.stdout) {
				file, line, _ := strings.Cut(f, ":")
				line, _, _ = strings.Cut(line, ":")
				at := file + ":" + line
				switch {
				case slices.Contains(expect[at], analyzer):
					delete(expect, at)
				case debatable[at]:
				default:
					t.Errorf("unexpected finding: %s: %s", analyzer, f)
				}
			}
			for at, analyzers := range expect {
				t.Errorf("%s: no finding by %s", at, strings.Join(analyzers, " or "))
			}
		})
	}
}

// corpusMarkers returns, by "file:line", the analyzers expected there, and
// the debatable lines.
func corpusMarkers(t *testing.T, dir string) (map[string][]string, map[string]bool) {
	expect, debatable := make(map[string][]string), make(map[string]bool)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(dir, path)
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			if m := marker.FindStringSubmatch(sc.Text()); m != nil {
				at := fmt.Sprintf("%s:%d", filepath.ToSlash(rel), n)
				if m[1] == "DEBATABLE" {
					debatable[at] = true
				} else {
					expect[at] = strings.Split(m[2], "|")
				}
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return expect, debatable
}
