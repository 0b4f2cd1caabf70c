package kvttl

import (
	_ "embed"

	"golang.org/x/tools/go/analysis"
)

//go:embed doc.go
var doc string

// Analyzer is kvttl with its default configuration. (stub, being written)
var Analyzer = &analysis.Analyzer{
	Name: "kvttl",
	Doc:  "report KV expirations that are too short or in the wrong unit",
	URL:  "https://github.com/kvlint/kvlint/blob/main/docs/kvttl.md",
	Run:  func(*analysis.Pass) (any, error) { return nil, nil },
}
