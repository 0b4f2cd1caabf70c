package main

// End-to-end tests of the vet-tool protocol. go vet builds for one
// platform, so the tests vet rest/ for the host and worker/ with
// GOOS=js GOARCH=wasm, and compare the union with the standalone output.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goVet runs go vet -vettool=kvlint in testdata/e2e on each of the
// packages, in the environment it builds for.
func goVet(t *testing.T, flags ...string) []result {
	t.Helper()
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	var results []result
	for _, pkg := range []struct {
		pattern string
		env     []string
	}{
		{"./rest", hostEnv()},
		{"./worker", wasmEnv()},
		{"./guestbook", wasmEnv()},
	} {
		args := append([]string{"vet", "-vettool=" + kvlintBin}, flags...)
		results = append(results, runCmd(t, e2eDir, pkg.env, "go", append(args, pkg.pattern)...))
	}
	return results
}

var vetLine = regexp.MustCompile(`^(?:\./)?(\S+\.go:\d+:\d+: .*)$`)

// vetTextFindings parses go vet's text output ("# pkg" headers, then
// "file:line:col: message") into "file:line:col: message".
func vetTextFindings(t *testing.T, out string) map[string]bool {
	t.Helper()
	found := make(map[string]bool)
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "\t") {
			continue
		}
		m := vetLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("go vet printed a line that is no finding:\n%s", line)
		}
		if strings.Contains(m[1], ": \t") {
			continue // related information: "file:line:col: \tthe value is read here"
		}
		found[filepath.ToSlash(m[1])] = true
	}
	return found
}

// go vet reports what the standalone command reports, and exits 1.
func TestVetMatchesCLI(t *testing.T) {
	t.Parallel()
	vet := make(map[string]bool)
	for _, res := range goVet(t) {
		if res.code != 1 {
			t.Errorf("go vet -vettool=kvlint: want exit code 1 (findings), got %v", res)
		}
		for f := range vetTextFindings(t, res.stderr) {
			vet[f] = true
		}
	}
	cli := textFindings(t, e2e(t).stdout)
	if len(cli) == 0 || !sameKeys(vet, cli) {
		t.Errorf("go vet and kvlint disagree:\nvet:    %v\nkvlint: %v", vet, cli)
	}
}

// A read-modify-write through a wrapper in another package is found in
// go vet mode too, where the wrapper's facts cross the vet protocol.
func TestVetCrossPackageRace(t *testing.T) {
	t.Parallel()
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	res := runCmd(t, e2eDir, wasmEnv(), "go", "vet", "-vettool="+kvlintBin, "./guestbook")
	line, col := fixturePos(t, "guestbook/guestbook.go", "store.Set(")
	want := fmt.Sprintf("guestbook/guestbook.go:%d:%d: read-modify-write on one KV key", line, col)
	if res.code != 1 || !strings.Contains(res.stderr, want) {
		t.Errorf("go vet ./guestbook: want exit code 1 and %q, got %v", want, res)
	}
}

// go vet -json prints the same findings as JSON, to stdout, and exits 0:
// with -json, findings are data, not failure.
func TestVetJSON(t *testing.T) {
	t.Parallel()
	vet := make(map[string]bool)
	for _, res := range goVet(t, "-json") {
		if res.code != 0 {
			t.Errorf("go vet -json: want exit code 0, got %v", res)
		}
		for f := range jsonFindings(t, e2eDir, res.stdout) {
			vet[f] = true
		}
	}
	// (TestCLIJSON checks that kvlint's JSON and text agree.)
	cli := textFindings(t, e2e(t).stdout)
	if len(cli) == 0 || !sameKeys(vet, cli) {
		t.Errorf("go vet -json and kvlint disagree:\nvet:    %v\nkvlint: %v", vet, cli)
	}
}

// Analyzer options reach the analyzers as -NAME.OPTION: -kvttl.min=120
// rejects the TTL of 60 that KV accepts; -kvttl.min=30 is refused.
func TestVetAnalyzerFlag(t *testing.T) {
	t.Parallel()
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	res := runCmd(t, e2eDir, wasmEnv(), "go", "vet", "-vettool="+kvlintBin, "-kvttl.min=120", "./worker")
	if !strings.Contains(res.stderr, "ExpirationTTL 60 is below the configured 120-second minimum") {
		t.Errorf("go vet -kvttl.min=120: want the TTL of 60 reported, got %v", res)
	}
	res = runCmd(t, e2eDir, wasmEnv(), "go", "vet", "-vettool="+kvlintBin, "-kvttl.min=30", "./worker")
	if res.code == 0 || !strings.Contains(res.stderr, "30 is below 60") {
		t.Errorf("go vet -kvttl.min=30: want it refused, got %v", res)
	}
}

// go vet caches results by the tool's -V=full line, so it must change
// whenever the executable does.
func TestVetVersion(t *testing.T) {
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	buildID := regexp.MustCompile(`^\S+ version devel .*buildID=([0-9a-f]+)\n$`)
	id := func(bin string) string {
		t.Helper()
		res := runCmd(t, e2eDir, hostEnv(), bin, "-V=full")
		m := buildID.FindStringSubmatch(res.stdout)
		if res.code != 0 || m == nil {
			t.Fatalf("%s -V=full: want \"NAME version devel ... buildID=HEX\", got %v", bin, res)
		}
		return m[1]
	}
	data, err := os.ReadFile(kvlintBin)
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(t.TempDir(), filepath.Base(kvlintBin))
	if err := os.WriteFile(changed, append(data, 0), 0o755); err != nil {
		t.Fatal(err)
	}
	if a, b := id(kvlintBin), id(changed); a == b {
		t.Errorf("-V=full is the same (buildID=%s) for different executables", a)
	}

	res := runCmd(t, e2eDir, hostEnv(), kvlintBin, "-flags")
	if res.code != 0 || !strings.Contains(res.stdout, `"kvttl.min"`) {
		t.Errorf("kvlint -flags: want JSON listing kvttl.min, got %v", res)
	}
}
