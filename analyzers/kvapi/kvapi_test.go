package kvapi_test

import (
	"testing"

	"github.com/kvlint/kvlint/analyzers/internal/kvtest"
	"github.com/kvlint/kvlint/analyzers/kvapi"
)

func TestMain(m *testing.M) { kvtest.Main(m) }

// The wrapper facts say how each operand follows from the parameters.
func TestWrapperFacts(t *testing.T) { kvtest.Run(t, "syumai033", kvapi.Analyzer, "./kvstore") }
