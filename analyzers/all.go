// Package analyzers is the kvlint suite: every analyzer, ready for any
// go/analysis driver (the kvlint command, go vet, golangci-lint, nogo).
package analyzers

import (
	"golang.org/x/tools/go/analysis"

	"github.com/kvlint/kvlint/analyzers/kvapi"
	"github.com/kvlint/kvlint/analyzers/kvcounter"
	"github.com/kvlint/kvlint/analyzers/kvhotkey"
	"github.com/kvlint/kvlint/analyzers/kvlimits"
	"github.com/kvlint/kvlint/analyzers/kvlist"
	"github.com/kvlint/kvlint/analyzers/kvnull"
	"github.com/kvlint/kvlint/analyzers/kvrace"
	"github.com/kvlint/kvlint/analyzers/kvsession"
	"github.com/kvlint/kvlint/analyzers/kvttl"
)

// All returns the suite's analyzers with their default configuration.
func All() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		kvapi.Analyzer, // reports nothing; listed for its -kvapi.interfaces flag
		kvttl.Analyzer,
		kvcounter.Analyzer,
		kvsession.Analyzer,
		kvrace.Analyzer,
		kvhotkey.Analyzer,
		kvlist.Analyzer,
		kvnull.Analyzer,
		kvlimits.Analyzer,
	}
}
