package main

// This file decides where to run go list when kvlint is not run inside a
// module: at the root of a go.work workspace, or at the root of a
// repository whose modules are in subfolders (which is where pre-commit
// runs its hooks). There, go list ./... fails ("directory prefix . does
// not contain main module"), so the default ./... is taken to mean every
// module below.

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// A scope is a folder to load packages from ("" for the current one) and
// the patterns to load there.
type scope struct {
	dir      string
	patterns []string
}

// scopes returns where to load patterns. Inside a module, or for patterns
// other than the default ./..., that is the current directory. At a
// workspace root it is ./... of each of the workspace's modules under the
// current directory, in one load; elsewhere, each module found in the
// folders below, loaded on its own (its go.mod is the main module).
func scopes(ctx context.Context, patterns []string) ([]scope, error) {
	here := []scope{{patterns: patterns}}
	if !slices.Equal(patterns, []string{"./..."}) {
		return here, nil
	}
	env, err := goCmd(ctx, "", "env", "GOMOD", "GOWORK")
	if err != nil {
		return nil, err
	}
	gomod, gowork, _ := strings.Cut(env, "\n")
	gowork = strings.TrimSpace(gowork)
	switch {
	case gomod != os.DevNull:
		return here, nil // in a module, or modules are off ("")
	case gowork != "" && gowork != "off":
		dirs, err := goCmd(ctx, "", "list", "-m", "-f", "{{.Dir}}")
		if err != nil {
			return nil, err
		}
		var ws []string
		for _, dir := range strings.Fields(dirs) {
			if rel, ok := below(dir); ok {
				ws = append(ws, "./"+filepath.ToSlash(filepath.Join(rel, "..."))) // "./..." for "."
			}
		}
		if len(ws) == 0 {
			return here, nil // let go list say why
		}
		return []scope{{patterns: ws}}, nil
	}
	var found []scope
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != "." && (name == "vendor" || name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir // ignored by go list ./..., as here
		}
		if !d.IsDir() && name == "go.mod" {
			found = append(found, scope{dir: filepath.Dir(path), patterns: patterns})
		}
		return nil
	})
	if err != nil || len(found) == 0 {
		return here, err // let go list say why
	}
	return found, nil
}

// below returns dir relative to the current directory, if it is in it.
func below(dir string) (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	return within(wd, dir)
}

// goCmd runs the go command in dir and returns its output.
func goCmd(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", errors.New(msg)
		}
		return "", err
	}
	return string(out), nil
}
