package kvapi

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/objectpath"
)

// Utility libraries (github.com/samber/lo, sourcegraph/conc) sit between
// code and its KV calls: lo.Ternary picks a lifetime, lo.ForEach runs a
// write once per element. Their facts are found from syntax alone (see
// exportHelpers and findRunners). go vet and golangci-lint analyse every
// package from source, so the facts travel as usual. The kvlint command
// loads libraries from export data and never analyses them; it reads
// their source once, before the analysis, with SummarizeLibrary, and the
// model looks the facts up here when the driver has none.

// libraryFacts holds the facts found in libraries' source, by the
// function's package path and object path and the fact's type, and the
// paths of the packages that have any.
var libraryFacts struct {
	sync.Mutex
	facts map[libraryFactKey]analysis.Fact
	pkgs  map[string]bool
}

type libraryFactKey struct {
	pkg  string
	path objectpath.Path
	kind reflect.Type
}

// SummarizeLibrary finds the facts of one library package, type-checked
// from source, and keeps them for the analysis that follows in this
// process.
func SummarizeLibrary(fset *token.FileSet, pkg *types.Package, files []*ast.File, info *types.Info) {
	var enc objectpath.Encoder
	pass := &analysis.Pass{
		Fset: fset, Files: files, Pkg: pkg, TypesInfo: info,
		ImportObjectFact: importLibraryFact,
		ExportObjectFact: func(obj types.Object, fact analysis.Fact) {
			path, err := enc.For(obj)
			if err != nil {
				return
			}
			libraryFacts.Lock()
			defer libraryFacts.Unlock()
			if libraryFacts.facts == nil {
				libraryFacts.facts = make(map[libraryFactKey]analysis.Fact)
				libraryFacts.pkgs = make(map[string]bool)
			}
			libraryFacts.facts[libraryFactKey{pkg.Path(), path, reflect.TypeOf(fact)}] = fact
			libraryFacts.pkgs[pkg.Path()] = true
		},
	}
	exportHelpers(pass)
	findRunners(pass)
}

// importLibraryFact copies into fact the library fact of its type kept
// for obj, and reports whether there was one.
func importLibraryFact(obj types.Object, fact analysis.Fact) bool {
	if obj.Pkg() == nil {
		return false
	}
	libraryFacts.Lock()
	summarized := libraryFacts.pkgs[obj.Pkg().Path()]
	libraryFacts.Unlock()
	if !summarized {
		return false // most callees: no object path to compute
	}
	path, err := objectpath.For(obj)
	if err != nil {
		return false
	}
	libraryFacts.Lock()
	found, ok := libraryFacts.facts[libraryFactKey{obj.Pkg().Path(), path, reflect.TypeOf(fact)}]
	libraryFacts.Unlock()
	if ok {
		reflect.ValueOf(fact).Elem().Set(reflect.ValueOf(found).Elem())
	}
	return ok
}

// importHelperFact is pass.ImportObjectFact for the facts that libraries
// may hold, falling back on those that SummarizeLibrary found.
func importHelperFact(pass *analysis.Pass, obj types.Object, fact analysis.Fact) bool {
	return pass.ImportObjectFact(obj, fact) || importLibraryFact(obj, fact)
}
