// Package sdkmods prepares the test modules under testdata/ that pin the
// real KV SDKs (github.com/syumai/workers, github.com/cloudflare/cloudflare-go
// and its generated /vN majors).
//
// The main module never requires an SDK: each SDK version lives in its own
// module, testdata/<name>/go.mod with a complete go.sum, so that kvlint's
// own dependency graph stays small and several versions of one SDK can be
// tested side by side. Tests load those modules with go/packages; Download
// fills the module cache first, so that loading works afterwards even with
// GOPROXY=off. Call it once from TestMain:
//
//	func TestMain(m *testing.M) {
//		if err := sdkmods.Download(); err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		os.Exit(m.Run())
//	}
package sdkmods

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// modulePath is the main module, whose go.mod marks the repository root.
const modulePath = "github.com/kvlint/kvlint"

// downloadEnv is what Download adds to the go command's environment. The checksum database lacks some versions the proxy
// serves (github.com/syumai/workers v0.33.0); go.sum already records their
// hashes, so skipping the database for that module loses nothing.
var downloadEnv = []string{"GONOSUMDB=github.com/syumai/workers", "GOFLAGS=-mod=mod"}

var (
	rootOnce sync.Once
	root     string
	rootErr  error

	downloadOnce sync.Once
	downloadErr  error
)

// Root returns the absolute path of the repository root: the directory of
// the go.mod that declares module github.com/kvlint/kvlint. It looks up from
// the working directory first (tests run in their package's directory) and
// then from this source file, so it also works from a binary built in the
// checkout.
func Root() (string, error) {
	rootOnce.Do(func() {
		var starts []string
		if wd, err := os.Getwd(); err == nil {
			starts = append(starts, wd)
		}
		if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
			starts = append(starts, filepath.Dir(file))
		}
		for _, dir := range starts {
			if r, ok := findRoot(dir); ok {
				root = r
				return
			}
		}
		rootErr = fmt.Errorf("sdkmods: no go.mod of module %s above %s", modulePath, strings.Join(starts, " or "))
	})
	return root, rootErr
}

// findRoot walks up from dir to the go.mod of the main module.
func findRoot(dir string) (string, bool) {
	for {
		if modName(filepath.Join(dir, "go.mod")) == modulePath {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// modName returns the module path declared in the go.mod file at path, or
// "" if there is none.
func modName(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module"); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// Dir returns the absolute path of testdata/<name> in the repository. It
// panics if the repository root cannot be found, which only happens when
// the code runs outside a checkout.
func Dir(name string) string {
	r, err := Root()
	if err != nil {
		panic(err)
	}
	return filepath.Join(r, "testdata", name)
}

// Modules returns the names of the test modules: every directory
// testdata/<name> that holds a go.mod, sorted.
func Modules() ([]string, error) {
	r, err := Root()
	if err != nil {
		return nil, err
	}
	mods, err := filepath.Glob(filepath.Join(r, "testdata", "*", "go.mod"))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(mods))
	for i, m := range mods {
		names[i] = filepath.Base(filepath.Dir(m))
	}
	sort.Strings(names)
	return names, nil
}

// Download runs "go mod download" in every test module, so that a later
// packages.Load of any of them needs no network. It does the work once per
// process and returns the same result to every caller; the go command
// locks the module cache, so test binaries running in parallel may all
// call it.
func Download() error {
	downloadOnce.Do(func() { downloadErr = download() })
	return downloadErr
}

func download() error {
	names, err := Modules()
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("sdkmods: no test modules under testdata/")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("sdkmods: %w", err)
	}
	var errs []error
	for _, name := range names {
		cmd := exec.Command(gocmd, "mod", "download")
		cmd.Dir = Dir(name)
		cmd.Env = append(os.Environ(), downloadEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("sdkmods: go mod download in testdata/%s: %v\n%s", name, err, out))
		}
	}
	return errors.Join(errs...)
}
