package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fixedTTLs are the edits kvttl's fixes make to the fixture: each TTL
// below the minimum raised to 60 (a float literal may stay a float).
var fixedTTLs = []struct {
	file string
	old  string
	new  []string // accepted replacements
	env  func() []string
}{
	{"worker/worker.go", "ExpirationTTL: 30}", []string{"ExpirationTTL: 60}"}, wasmEnv},
	{"rest/rest.go", "cloudflare.F(10.0)", []string{"cloudflare.F(60.0)", "cloudflare.F(60)"}, hostEnv},
}

// copyFixture copies the module in testdata/e2e, without its testdata,
// into a temporary directory.
func copyFixture(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(e2eDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e2eDir, path)
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// --fix raises the TTLs, changes nothing else, and leaves code that
// type-checks.
func TestFix(t *testing.T) {
	t.Parallel()
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	dir := copyFixture(t)
	res := kvlint(t, dir, "--fix", "--enable=kvttl")
	if res.code != exitClean || res.stdout != "" {
		t.Fatalf("kvlint --fix: want exit code 0 (all fixed) and no findings, got %v", res)
	}
	// It says what it changed, one line per fix.
	for _, fx := range fixedTTLs {
		if !regexp.MustCompile(`(?m)^kvlint: fixed ` + regexp.QuoteMeta(filepath.FromSlash(fx.file)) + `:\d+:\d+: \S`).MatchString(res.stderr) {
			t.Errorf("kvlint --fix: no line saying it fixed %s in\n%s", fx.file, res.stderr)
		}
	}
	if n := strings.Count(res.stderr, "\n"); n != len(fixedTTLs) {
		t.Errorf("kvlint --fix: want %d lines on stderr, got\n%s", len(fixedTTLs), res.stderr)
	}
	for _, fx := range fixedTTLs {
		orig, err := os.ReadFile(filepath.Join(e2eDir, fx.file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, fx.file))
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, repl := range fx.new {
			ok = ok || string(got) == strings.Replace(string(orig), fx.old, repl, 1)
		}
		if !ok {
			t.Errorf("%s after --fix: want %s replaced by one of %q and nothing else changed; got\n%s", fx.file, fx.old, fx.new, got)
		}
		// go vet type-checks the package against its dependencies'
		// export data; go build would also compile it, which for a
		// user of cloudflare-go v6's Client takes the compiler ten
		// seconds.
		if res := runCmd(t, dir, fx.env(), "go", "vet", "./"+filepath.Dir(fx.file)); res.code != 0 {
			t.Errorf("fixed %s does not compile: %v", fx.file, res)
		}
	}
}

// --fix changes every file it plans to or none: with one of them
// read-only, it says so, changes nothing, and exits 2.
func TestFixAllOrNothing(t *testing.T) {
	t.Parallel()
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	dir := copyFixture(t)
	readOnly := filepath.Join(dir, filepath.FromSlash(fixedTTLs[1].file))
	if err := os.Chmod(readOnly, 0o444); err != nil {
		t.Fatal(err)
	}
	res := kvlint(t, dir, "--fix", "--enable=kvttl")
	if res.code != exitError || !strings.Contains(res.stderr, "is read-only; no file was changed") {
		t.Errorf("kvlint --fix with a read-only file: want exit code 2 and a line saying nothing was changed, got %v", res)
	}
	for _, fx := range fixedTTLs {
		orig, _ := os.ReadFile(filepath.Join(e2eDir, fx.file))
		got, _ := os.ReadFile(filepath.Join(dir, fx.file))
		if string(got) != string(orig) {
			t.Errorf("%s changed by a --fix that failed", fx.file)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(filepath.Join(dir, fixedTTLs[0].file)))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".kvlint-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// --diff prints what --fix would change, changes nothing, and exits 1.
// (Of the worker only: TestFix checks the edits to both packages.)
func TestDiff(t *testing.T) {
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	t.Parallel()
	fx := fixedTTLs[0]
	before, err := os.ReadFile(filepath.Join(e2eDir, fx.file))
	if err != nil {
		t.Fatal(err)
	}
	res := e2e(t, "--diff", "--enable=kvttl", "./"+filepath.Dir(fx.file))
	if res.code != exitFindings || res.stderr != "" {
		t.Fatalf("kvlint --diff: want exit code 1 and no stderr, got %v", res)
	}
	name := filepath.FromSlash(fx.file)
	for _, want := range []string{
		"--- " + name + ".orig\n+++ " + name + "\n",
		"\n-" + lineOf(t, before, fx.old) + "\n",
		"\n+" + strings.Replace(lineOf(t, before, fx.old), fx.old, fx.new[0], 1) + "\n",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("kvlint --diff: no %q in\n%s", want, res.stdout)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(e2eDir, fx.file)); string(after) != string(before) {
		t.Errorf("kvlint --diff changed %s", fx.file)
	}
}

// lineOf returns the line of src that contains substr.
func lineOf(t *testing.T, src []byte, substr string) string {
	for line := range strings.Lines(string(src)) {
		if strings.Contains(line, substr) {
			return strings.TrimSuffix(line, "\n")
		}
	}
	t.Fatalf("no %q in\n%s", substr, src)
	return ""
}
