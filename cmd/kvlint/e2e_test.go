package main

// End-to-end tests: TestMain builds the kvlint binary once, and the tests
// run it, standalone and under go vet, on the module in testdata/e2e. That
// module requires the real SDKs: worker/ uses github.com/syumai/workers
// (js/wasm only), rest/ uses cloudflare-go v6 and has a test; each has one
// kvttl finding beside a look-alike that must stay quiet.
// testdata/e2e/testdata/broken does not type-check, and ./... does not
// match it.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kvlint/kvlint/analyzers"
	"github.com/kvlint/kvlint/internal/suite"
)

var (
	kvlintBin string // the binary under test; "" in -short mode
	e2eDir    string // absolute path of testdata/e2e
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if testing.Short() {
		return m.Run() // the end-to-end tests skip themselves
	}
	tmp, err := os.MkdirTemp("", "kvlint-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)

	kvlintBin = filepath.Join(tmp, "kvlint")
	if runtime.GOOS == "windows" {
		kvlintBin += ".exe"
	}
	e2eDir, _ = filepath.Abs(filepath.Join("..", "..", "testdata", "e2e"))
	for _, step := range []struct {
		dir  string
		args []string
	}{
		{".", []string{"build", "-o", kvlintBin, "."}},
		// The tests themselves need no network: fetch the SDKs now.
		{e2eDir, []string{"mod", "download"}},
	} {
		cmd := exec.Command("go", step.args...)
		cmd.Dir = step.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go %s: %v\n%s", strings.Join(step.args, " "), err, out)
			return 1
		}
	}
	return m.Run()
}

// A result is the outcome of running a command.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// runCmd runs a command in dir with env and returns its output and exit code.
func runCmd(t *testing.T, dir string, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return res
}

// hostEnv is the environment without GOOS and GOARCH: kvlint must find
// the js/wasm packages by itself.
func hostEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOOS=") || strings.HasPrefix(kv, "GOARCH=")
	})
}

func wasmEnv() []string { return append(hostEnv(), "GOOS=js", "GOARCH=wasm") }

// kvlint runs the binary standalone in dir.
func kvlint(t *testing.T, dir string, args ...string) result {
	t.Helper()
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	return runCmd(t, dir, hostEnv(), kvlintBin, args...)
}

// e2e runs kvlint in testdata/e2e, once per argument list: loading the
// module with its dependencies from source takes seconds, and several
// tests compare the same outputs.
func e2e(t *testing.T, args ...string) result {
	t.Helper()
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	key := strings.Join(args, "\x00")
	e2eRuns.Lock()
	run, ok := e2eRuns.m[key]
	if !ok {
		run = new(e2eRun)
		e2eRuns.m[key] = run
	}
	e2eRuns.Unlock()
	run.once.Do(func() { run.res = kvlint(t, e2eDir, args...) })
	return run.res
}

type e2eRun struct {
	once sync.Once
	res  result
}

var e2eRuns = struct {
	sync.Mutex
	m map[string]*e2eRun
}{m: make(map[string]*e2eRun)}

// fixturePos returns the line and column of the first occurrence of
// substr in file, relative to testdata/e2e; the tests find positions this
// way so that the fixtures can be edited freely.
func fixturePos(t *testing.T, file, substr string) (line, col int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e2eDir, file))
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range strings.Split(string(data), "\n") {
		if j := strings.Index(text, substr); j >= 0 {
			return i + 1, j + 1
		}
	}
	t.Fatalf("%s has no %q", file, substr)
	return 0, 0
}

var textLine = regexp.MustCompile(`^(\S+\.go):(\d+):(\d+): (\w+): (.*)$`)

// textFindings parses text output into "file:line:col: message" (the form
// go vet prints) mapped to the analyzer.
func textFindings(t *testing.T, out string) map[string]string {
	t.Helper()
	found := make(map[string]string)
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "\t") {
			continue // related information
		}
		m := textLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("output line not file:line:col: analyzer: message:\n%s", line)
		}
		found[fmt.Sprintf("%s:%s:%s: %s", filepath.ToSlash(m[1]), m[2], m[3], m[5])] = m[4]
	}
	return found
}

// The findings are reported with a plain "kvlint" (./...), the js/wasm
// ones included, with no environment; the look-alikes are not.
func TestCLIText(t *testing.T) {
	t.Parallel()
	res := e2e(t)
	if res.code != exitFindings || res.stderr != "" {
		t.Fatalf("kvlint: want exit code 1 and no stderr, got %v", res)
	}
	found := textFindings(t, res.stdout)
	if n := strings.Count(res.stdout, "\n") - strings.Count(res.stdout, "\n\t"); n != len(found) {
		t.Errorf("%d lines for %d findings: test variants repeat rest.go, but its findings must print once:\n%s", n, len(found), res.stdout)
	}
	for _, want := range []struct{ file, at, analyzer, msg string }{
		{"worker/worker.go", "30}", "kvttl", `ExpirationTTL 30\b`},
		{"rest/rest.go", "10.0)", "kvttl", `ExpirationTTL`},
		{"guestbook/guestbook.go", "store.Set(", "kvrace", `read-modify-write on one KV key`}, // through kvstore's facts
		{"guestbook/guestbook.go", "store.Delete(", "kvsession", `A session revoked`},
		{"worker/status.go", `paused == ""`, "kvnull", `this miss check is never true`},
		{"worker/status.go", `ns.PutString("last-visit"`, "kvhotkey", `on every request`},
		{"rest/rest.go", "5000.0)", "kvlimits", `at most 1,000 keys a page`},
	} {
		line, col := fixturePos(t, want.file, want.at)
		prefix := fmt.Sprintf("%s:%d:%d: ", want.file, line, col)
		ok := false
		for f, analyzer := range found {
			if msg, at := strings.CutPrefix(f, prefix); at && analyzer == want.analyzer && regexp.MustCompile(want.msg).MatchString(msg) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("no %s finding at %s matching %q in\n%s", want.analyzer, prefix, want.msg, res.stdout)
		}
	}
	for _, quiet := range []struct{ file, at string }{
		{"worker/worker.go", "ExpirationTTL: 60}"},
		{"rest/rest.go", "3600.0"},
	} {
		line, _ := fixturePos(t, quiet.file, quiet.at)
		if strings.Contains(res.stdout, fmt.Sprintf("%s:%d:", quiet.file, line)) {
			t.Errorf("finding on the look-alike at %s:%d:\n%s", quiet.file, line, res.stdout)
		}
	}

	// Naming the js/wasm package alone works too.
	if res := e2e(t, "./worker"); res.code != exitFindings || !strings.Contains(res.stdout, "worker/worker.go:") {
		t.Errorf("kvlint ./worker: want the worker finding, got %v", res)
	}
	// So does naming a package whose keys a package that uses no KV
	// builds: its text is read from its syntax all the same.
	if res := e2e(t, "./guestbook"); res.code != exitFindings || !strings.Contains(res.stdout, "kvsession: A session revoked") {
		t.Errorf("kvlint ./guestbook: want the session finding from keys.Signer's text, got %v", res)
	}
}

// Analyzer options are flags --NAME.OPTION; --kvttl.min=120 rejects the
// TTL of 60 that KV accepts, saying whose minimum it breaks.
func TestCLIAnalyzerFlag(t *testing.T) {
	t.Parallel()
	if res := e2e(t, "--kvttl.min=120", "./worker"); res.code != exitFindings || !regexp.MustCompile(`worker.go:26:\d+: kvttl: ExpirationTTL 60 is below the configured 120-second minimum: raise it`).MatchString(res.stdout) {
		t.Errorf("kvlint --kvttl.min=120: want the TTL of 60 reported against the configured minimum, got %v", res)
	}
	// An interface entry that matches nothing is a mistake to be told
	// of, and costs no finding.
	res := e2e(t, "--kvapi.interfaces=example.com/nope.Store.Put=put(key=0)", "./worker")
	if res.code != exitError || !strings.Contains(res.stdout, "kvttl") || res.stderr != "kvlint: -kvapi.interfaces names package example.com/nope, which is not in the program: its entries match nothing\n" {
		t.Errorf("kvlint with an interface entry for a package not in the program: want the findings, one line naming the package, exit code 2; got %v", res)
	}
	if res := e2e(t, "--disable=kvttl", "--enable=kvttl"); res.code != exitError {
		t.Errorf("enabling and disabling kvttl leaves nothing to run: want exit code 2, got %v", res)
	}
}

// Every way kvlint can fail to run gives exit code 2 and one line naming
// the cause.
func TestCLIErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // regexp matched against the one line
	}{
		{[]string{"--bogus"}, `^kvlint: unknown flag: --bogus`},
		{[]string{"--format=xml"}, `^kvlint: unknown --format "xml"`},
		{[]string{"--enable=kvnope"}, `^kvlint: unknown analyzer "kvnope"`},
		{[]string{"--explain=kvnope"}, `^kvlint: unknown analyzer "kvnope"`},
		{[]string{"--kvttl.min=soon"}, `^kvlint: invalid argument "soon" for "--kvttl.min"`},
		{[]string{"--kvttl.min=30"}, `^kvlint: invalid argument "30" for "--kvttl.min" flag: 30 is below 60: KV rejects`},
		{[]string{"--kvttl.cachemin=-5"}, `^kvlint: invalid argument "-5" for "--kvttl.cachemin" flag: -5 is below 30`},
		{[]string{"--enable=kvapi"}, `^kvlint: kvapi reports nothing itself`},
		{[]string{"-C", "nowhere"}, `^kvlint: chdir nowhere: `},
		{[]string{"./nope/..."}, `^kvlint: .*nope`},
		{[]string{"example.com/nope"}, `^kvlint: example.com/nope: .*no required module provides package example.com/nope`},
		{[]string{"./testdata/broken"}, `^kvlint: kvlint.test/e2e/testdata/broken: type error: testdata/broken/broken.go:\d+:\d+: undefined: undefinedName$`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			res := e2e(t, tc.args...)
			if res.code != exitError || res.stdout != "" || strings.Count(res.stderr, "\n") != 1 {
				t.Fatalf("want exit code 2, no stdout, one line on stderr; got %v", res)
			}
			if !regexp.MustCompile(tc.want).MatchString(strings.TrimSuffix(res.stderr, "\n")) {
				t.Errorf("stderr %q does not match %q", res.stderr, tc.want)
			}
		})
	}
}

func TestCLIList(t *testing.T) {
	res := e2e(t, "--list")
	if res.code != exitClean {
		t.Fatalf("kvlint --list: %v", res)
	}
	for _, a := range analyzers.All() {
		if !regexp.MustCompile(`(?m)^` + a.Name + ` +\S`).MatchString(res.stdout) {
			t.Errorf("kvlint --list: no line for %s with a summary:\n%s", a.Name, res.stdout)
		}
	}
}

func TestCLIExplain(t *testing.T) {
	res := e2e(t, "--explain", "kvttl")
	if res.code != exitClean {
		t.Fatalf("kvlint --explain kvttl: %v", res)
	}
	for _, want := range []string{"ExpirationTTL", "--kvttl.min", "docs/kvttl.md"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("kvlint --explain kvttl: no %q in\n%s", want, res.stdout)
		}
	}
}

func TestCLIVersion(t *testing.T) {
	res := e2e(t, "--version")
	if res.code != exitClean || !strings.HasPrefix(res.stdout, "kvlint ") || !strings.Contains(res.stdout, runtime.Version()) {
		t.Errorf("kvlint --version: want \"kvlint VERSION %s ...\", got %v", runtime.Version(), res)
	}
}

// vetJSON is the shape of go vet -json: package ID to analyzer to
// diagnostics (or an error).
type vetJSON map[string]map[string]json.RawMessage

type vetDiagnostic struct {
	Posn    string `json:"posn"`
	Message string `json:"message"`
}

// jsonFindings decodes one or more vetJSON objects (go vet prints one per
// package) into "file:line:col: message" relative to dir.
func jsonFindings(t *testing.T, dir, out string) map[string]bool {
	t.Helper()
	found := make(map[string]bool)
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var tree vetJSON
		if err := dec.Decode(&tree); err != nil {
			t.Fatalf("output is not go vet -json: %v\n%s", err, out)
		}
		for pkg, byAnalyzer := range tree {
			for analyzer, raw := range byAnalyzer {
				var diags []vetDiagnostic
				if err := json.Unmarshal(raw, &diags); err != nil {
					t.Fatalf("%s: %s: not a list of diagnostics: %s", pkg, analyzer, raw)
				}
				for _, d := range diags {
					rel, err := filepath.Rel(dir, d.Posn)
					if err != nil {
						t.Fatal(err)
					}
					found[filepath.ToSlash(rel)+": "+d.Message] = true
				}
			}
		}
	}
	return found
}

// --format=json (or -json, as for go vet) prints the findings in go vet's
// -json shape.
func TestCLIJSON(t *testing.T) {
	t.Parallel()
	res := e2e(t, "--format=json", "./worker")
	if res.code != exitFindings {
		t.Fatalf("kvlint --format=json: want exit code 1, got %v", res)
	}
	if got, want := jsonFindings(t, e2eDir, res.stdout), textFindings(t, e2e(t, "./worker").stdout); len(got) == 0 || !sameKeys(got, want) {
		t.Errorf("--format=json and text disagree:\njson: %v\ntext: %v", got, want)
	}
	if vet := e2e(t, "-json", "./worker"); vet.stdout != res.stdout || vet.code != res.code {
		t.Errorf("kvlint -json differs from --format=json: %v", vet)
	}
}

func TestCLISARIF(t *testing.T) {
	t.Parallel()
	res := e2e(t, "--format=sarif", "./worker")
	if res.code != exitFindings {
		t.Fatalf("kvlint --format=sarif: want exit code 1, got %v", res)
	}
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Version string
					Rules   []struct {
						ID      string
						Name    *string
						Help    struct{ Text string }
						HelpURI string
					}
				}
			}
			OriginalURIBaseIDs map[string]struct{ URI string }
			Results            []struct {
				RuleID    string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
				PartialFingerprints map[string]string
				Properties          struct{ HelpURI string }
			}
		}
	}
	if err := json.Unmarshal([]byte(res.stdout), &log); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, res.stdout)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("want SARIF 2.1.0 with one run, got version %q with %d runs", log.Version, len(log.Runs))
	}
	first := log.Runs[0]
	// A rule per analyzer that reports: not kvapi, the shared model. Its
	// name, were it the id, SARIF validators warn of.
	all := suite.Checks(analyzers.All(), analyzers.All())
	if len(first.Tool.Driver.Rules) != len(all) {
		t.Errorf("%d rules, want one per analyzer that reports (%d)", len(first.Tool.Driver.Rules), len(all))
	}
	for i, r := range first.Tool.Driver.Rules {
		if i < len(all) && (r.ID != all[i].Name || r.Name != nil || r.HelpURI != all[i].URL || r.Help.Text == "") {
			t.Errorf("rule %d = %+v, want id %s, no name, helpUri %s and help text", i, r, all[i].Name, all[i].URL)
		}
	}
	if v := first.Tool.Driver.Version; v == "" || v[0] < '0' || v[0] > '9' {
		t.Errorf("driver version %q does not start with a number", v)
	}
	// URIs are relative to the repository's root, wherever kvlint runs.
	root, err := url.Parse(first.OriginalURIBaseIDs["%SRCROOT%"].URI)
	if err != nil || root.Scheme != "file" {
		t.Fatalf("%%SRCROOT%% = %q, want a file URI", first.OriginalURIBaseIDs["%SRCROOT%"].URI)
	}
	worker, _ := filepath.Abs(filepath.Join(e2eDir, "worker", "worker.go"))
	line, col := fixturePos(t, "worker/worker.go", "30}")
	ok := false
	fingerprints := make(map[string]bool)
	for _, r := range first.Results {
		fp := r.PartialFingerprints["kvlintFinding/v1"]
		if fp == "" || fingerprints[fp] {
			t.Errorf("result %q has no fingerprint of its own: %q", r.Message.Text, fp)
		}
		fingerprints[fp] = true
		for _, loc := range r.Locations {
			pl := loc.PhysicalLocation
			file := filepath.Join(filepath.FromSlash(root.Path), filepath.FromSlash(pl.ArtifactLocation.URI))
			if r.RuleID == "kvttl" && file == worker && pl.Region.StartLine == line && pl.Region.StartColumn == col && r.Properties.HelpURI != "" {
				ok = true
			}
		}
	}
	if !ok {
		t.Errorf("no kvttl result at %s:%d:%d with a helpUri in\n%s", worker, line, col, res.stdout)
	}
}

func sameKeys[V1, V2 any](a map[string]V1, b map[string]V2) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// Where go list ./... fails for want of a module (a repository whose
// modules are in subfolders, as pre-commit runs there, or a go.work
// workspace's root) kvlint lints every module below.
func TestCLIModulesBelow(t *testing.T) {
	t.Parallel()
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	root := t.TempDir()
	for _, module := range []string{"api", "edge"} {
		for _, file := range []string{"go.mod", "go.sum", "worker/worker.go", "worker/status.go"} {
			data, err := os.ReadFile(filepath.Join(e2eDir, file))
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.ReplaceAll(data, []byte("module kvlint.test/e2e"), []byte("module kvlint.test/"+module))
			dst := filepath.Join(root, module, file)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := func(res result, how string) {
		t.Helper()
		for _, module := range []string{"api", "edge"} {
			file := filepath.Join(module, "worker", "worker.go")
			if res.code != exitFindings || !strings.Contains(res.stdout, file+":21:") {
				t.Errorf("kvlint %s: want the finding of %s, got %v", how, file, res)
			}
		}
	}
	want(kvlint(t, root), "at the root of a repository whose modules are in subfolders")
	if res := runCmd(t, root, hostEnv(), "go", "work", "init", "./api", "./edge"); res.code != 0 {
		t.Fatalf("go work init: %v", res)
	}
	want(kvlint(t, root), "at a workspace's root")
}
