package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"

	"golang.org/x/tools/go/packages"
)

// typeCheckChanged type-checks again every package that contains a
// changed file, with the changed content, against the dependencies
// already loaded. It returns the changed files of packages that no longer
// type-check, mapped to the first error.
func typeCheckChanged(changed map[string][]byte, pkgsOf map[string][]*packages.Package) map[string]string {
	bad := make(map[string]string)
	checked := make(map[*packages.Package]bool)
	for file := range changed {
		for _, p := range pkgsOf[file] {
			if checked[p] {
				continue
			}
			checked[p] = true
			if err := typeCheck(p, changed); err != nil {
				for _, f := range p.GoFiles {
					if _, ok := changed[f]; ok {
						bad[f] = fmt.Sprintf("the fixed package %s would not compile: %v", p.ID, err)
					}
				}
			}
		}
	}
	return bad
}

// typeCheck type-checks the files of p, taking changed files from
// changed, and returns the first error.
func typeCheck(p *packages.Package, changed map[string][]byte) error {
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range p.CompiledGoFiles {
		src, ok := changed[name]
		if !ok {
			var err error
			if src, err = os.ReadFile(name); err != nil {
				return err
			}
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	conf := types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			if imp := p.Imports[path]; imp != nil && imp.Types != nil {
				return imp.Types, nil
			}
			// An import the fix added: not loaded, so not
			// checkable. Refusing is the safe side.
			return nil, fmt.Errorf("import %q not among the package's loaded dependencies", path)
		}),
		Sizes: p.TypesSizes,
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	_, err := conf.Check(p.PkgPath, fset, files, nil)
	if terr, ok := err.(types.Error); ok {
		return fmt.Errorf("%s: %s", textPos(terr.Fset.Position(terr.Pos)), terr.Msg)
	}
	return err
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
