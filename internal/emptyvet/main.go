// Command emptyvet is a benchmark fixture, not a tool: a go vet -vettool
// that runs one analyzer doing nothing.
//
// Its cost under go vet is the floor every vet tool pays: the go command's
// work, starting the tool once per package (dependencies included), and
// parsing and type-checking each package from source. scripts/bench.sh
// measures kvlint's vet mode against it (SPEC §5); see docs/benchmarks.md.
package main

import (
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"
)

var empty = &analysis.Analyzer{
	Name: "empty",
	Doc:  "does nothing (benchmark floor for kvlint; see docs/benchmarks.md)",
	Run:  func(*analysis.Pass) (any, error) { return nil, nil },
}

func main() { unitchecker.Main(empty) }
