package sdkmods_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvlint/kvlint/internal/sdkmods"
)

// TestDownloadThenOffline checks the promise analyzer tests rely on: after
// Download, every test module loads with the network switched off.
func TestDownloadThenOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command in every test module")
	}
	if err := sdkmods.Download(); err != nil {
		t.Fatal(err)
	}
	names, err := sdkmods.Modules()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cfv030", "cfv0119", "cfv3", "cfv4", "cfv6", "syumai027", "syumai033"} {
		if !contains(names, want) {
			t.Errorf("Modules() = %v, missing %s", names, want)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := sdkmods.Dir(name)
			gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("go", "list", "-deps", "-test", "./...")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
			// Code that uses syumai/workers only builds for the Workers runtime.
			if strings.Contains(string(gomod), "github.com/syumai/workers") {
				cmd.Env = append(cmd.Env, "GOOS=js", "GOARCH=wasm")
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go list -deps -test ./... with GOPROXY=off in %s: %v\n%s", dir, err, out)
			}
		})
	}
}

func TestDir(t *testing.T) {
	dir := sdkmods.Dir("cfv6")
	if !filepath.IsAbs(dir) {
		t.Errorf("Dir(cfv6) = %q, want an absolute path", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Errorf("Dir(cfv6) = %q: %v", dir, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
