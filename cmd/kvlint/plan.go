package main

// This file decides which packages to analyze for js/wasm.
//
// Workers written with github.com/syumai/workers build only for
// GOOS=js GOARCH=wasm (the SDK imports syscall/js), yet a user should be
// able to run a plain "kvlint ./..." in a project that also has ordinary
// server code. So, unless GOOS or GOARCH is set in the environment, kvlint
// first lists the import graph (go list -deps, no parsing, no types) and
// sorts the requested packages in two: those that import the SDK,
// directly or not, go to a js/wasm target, and once any does, so does
// every package that builds for js/wasm (see below); the rest go to the
// host target.
// Each target is then loaded and analyzed on its own, and the findings
// merged. A project that does not use the SDK costs one go list more than
// a plain load.
//
// Packages whose every file is constrained to js && wasm are invisible to
// a host listing of ./..., so in a project that uses the SDK (or when the
// host listing finds nothing usable) kvlint lists the patterns once more
// for js/wasm and adds the packages that only exist there.

import (
	"bytes"
	"os"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// sdkPath is the module whose packages need GOOS=js GOARCH=wasm.
const sdkPath = "github.com/syumai/workers"

// A target is a set of package patterns and the build environment to load
// them with.
type target struct {
	name     string   // "" for the host, else the forced GOOS and GOARCH, for messages
	env      []string // nil means the process environment
	patterns []string
}

// qualify names a package of t for messages: with the target's GOOS and
// GOARCH when kvlint chose them.
func (t target) qualify(pkg string) string {
	switch {
	case t.name == "":
		return pkg
	case pkg == "":
		return t.name
	}
	return pkg + " (" + t.name + ")"
}

func hostTarget(patterns []string) target { return target{patterns: patterns} }

func wasmTarget(patterns []string) target {
	return target{name: "GOOS=js GOARCH=wasm", env: append(os.Environ(), "GOOS=js", "GOARCH=wasm"), patterns: patterns}
}

// planTargets splits patterns into a host target and a js/wasm target;
// either may be absent.
func (l *loader) planTargets(patterns []string) ([]target, error) {
	if os.Getenv("GOOS") != "" || os.Getenv("GOARCH") != "" {
		return []target{hostTarget(patterns)}, nil // the user chose
	}
	host, err := l.listRoots(hostTarget(patterns))
	if err != nil {
		return nil, err
	}
	wasm := make(map[string]bool) // base package paths to analyze for js/wasm
	for base, roots := range host {
		if importsSDK(roots) {
			wasm[base] = true
		}
	}
	if len(wasm) > 0 || len(host) == 0 || mentionsSDK(host) || anyFailed(host) {
		js, err := l.listRoots(wasmTarget(patterns))
		if err != nil {
			return nil, err
		}
		for base, roots := range js {
			if failed(host[base]) && !failed(roots) {
				wasm[base] = true
			}
		}
		// A program is analyzed whole, within a target: the storage
		// port a Worker calls is often declared, and called, in
		// packages that do not import the SDK. So every package that
		// builds for js/wasm goes there too, once anything does.
		if len(wasm) > 0 {
			for base, roots := range js {
				if !failed(roots) && !failed(host[base]) {
					wasm[base] = true
				}
			}
		}
	}

	if len(wasm) == 0 {
		return []target{hostTarget(patterns)}, nil
	}
	var hostPaths, wasmPaths []string
	for base := range host {
		if !wasm[base] {
			hostPaths = append(hostPaths, base)
		}
	}
	if len(hostPaths) == 0 {
		return []target{wasmTarget(patterns)}, nil
	}
	for base := range wasm {
		wasmPaths = append(wasmPaths, base)
	}
	slices.Sort(hostPaths)
	slices.Sort(wasmPaths)
	return []target{hostTarget(hostPaths), wasmTarget(wasmPaths)}, nil
}

// listRoots lists the import graph of t and returns its root packages
// grouped by the package they build or test (see basePath).
func (l *loader) listRoots(t target) (map[string][]*packages.Package, error) {
	mode := packages.NeedName | packages.NeedImports | packages.NeedDeps | packages.NeedForTest | packages.NeedModule
	roots, err := packages.Load(l.config(t, mode), t.patterns...)
	if err != nil {
		return nil, err
	}
	paths := make(map[string]bool)
	for _, p := range roots {
		paths[p.PkgPath] = true
	}
	groups := make(map[string][]*packages.Package)
	for _, p := range roots {
		base := basePath(p, paths)
		groups[base] = append(groups[base], p)
	}
	return groups, nil
}

// basePath returns the import path that, used as a pattern, loads p:
// the package itself, or for a test variant ("p [p.test]", "p_test
// [p.test]") and the generated test main ("p.test") the package p.
func basePath(p *packages.Package, paths map[string]bool) string {
	if p.ForTest != "" {
		return p.ForTest
	}
	if under, ok := strings.CutSuffix(p.PkgPath, ".test"); ok && p.Name == "main" && paths[under] {
		return under
	}
	return p.PkgPath
}

// importsSDK reports whether any of roots depends on the SDK.
func importsSDK(roots []*packages.Package) bool {
	found := false
	packages.Visit(roots, func(p *packages.Package) bool {
		if p.PkgPath == sdkPath || strings.HasPrefix(p.PkgPath, sdkPath+"/") {
			found = true
		}
		return !found
	}, nil)
	return found
}

// mentionsSDK reports whether the go.mod of any root's module requires the
// SDK, a sign that some packages may exist only for js/wasm.
func mentionsSDK(groups map[string][]*packages.Package) bool {
	seen := make(map[string]bool)
	for _, roots := range groups {
		for _, p := range roots {
			if p.Module == nil || p.Module.GoMod == "" || seen[p.Module.GoMod] {
				continue
			}
			seen[p.Module.GoMod] = true
			if data, err := os.ReadFile(p.Module.GoMod); err == nil && bytes.Contains(data, []byte(sdkPath)) {
				return true
			}
		}
	}
	return false
}

// failed reports whether a group of roots is missing or any of them has
// errors of its own (such as "build constraints exclude all Go files").
func failed(roots []*packages.Package) bool {
	if len(roots) == 0 {
		return true
	}
	for _, p := range roots {
		if len(p.Errors) > 0 {
			return true
		}
	}
	return false
}

func anyFailed(groups map[string][]*packages.Package) bool {
	for _, roots := range groups {
		if failed(roots) {
			return true
		}
	}
	return false
}
