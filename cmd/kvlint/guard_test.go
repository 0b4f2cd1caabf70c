package main

import (
	"go/types"
	"reflect"
	"regexp"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// A guarded analyzer sees its prerequisites' results under the original
// analyzers, and its panics become errors that say where.
func TestGuard(t *testing.T) {
	type model struct{ n int }
	prereq := &analysis.Analyzer{
		Name:       "prereq",
		Doc:        "computes a model",
		ResultType: reflect.TypeFor[*model](),
		Run:        func(*analysis.Pass) (any, error) { return &model{n: 42}, nil },
	}
	var seen int
	user := &analysis.Analyzer{
		Name:     "user",
		Doc:      "uses the model, then panics",
		Requires: []*analysis.Analyzer{prereq},
		Run: func(pass *analysis.Pass) (any, error) {
			seen = pass.ResultOf[prereq].(*model).n
			var m map[string]int
			m["boom"]++ // panics: assignment to entry in nil map
			return nil, nil
		},
	}
	user.Flags.Int("min", 60, "a flag")

	guarded := guard([]*analysis.Analyzer{user}, nil)[0]
	if guarded == user || guarded.Requires[0] == prereq {
		t.Fatal("guard did not copy the analyzers")
	}
	if guarded.Flags.Lookup("min") == nil {
		t.Error("guarded analyzer lost its flags")
	}

	// Run them as a driver would: prerequisite first, results keyed by
	// the analyzers the driver was given.
	res, err := guarded.Requires[0].Run(&analysis.Pass{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = guarded.Run(&analysis.Pass{ResultOf: map[*analysis.Analyzer]any{guarded.Requires[0]: res}})
	if seen != 42 {
		t.Errorf("analyzer saw model %d, want 42", seen)
	}
	if err == nil || !regexp.MustCompile(`^user panicked at guard_test\.go:\d+: assignment to entry in nil map$`).MatchString(err.Error()) {
		t.Errorf("guarded panic: got error %v, want \"user panicked at guard_test.go:LINE: ...\"", err)
	}
}

// A contained panic stays in its package: the analysis returns the zero
// value of its result, and the panic is recorded with its package.
func TestGuardContains(t *testing.T) {
	type model struct{ ops []int }
	broken := &analysis.Analyzer{
		Name:       "broken",
		Doc:        "panics while computing a model",
		ResultType: reflect.TypeFor[*model](),
		Run: func(*analysis.Pass) (any, error) {
			var ops []int
			return &model{ops: ops[:1]}, nil // panics: slice bounds out of range
		},
	}
	contained := new(panics)
	guarded := guard([]*analysis.Analyzer{broken}, contained)[0]
	pass := &analysis.Pass{Pkg: types.NewPackage("example.com/mock", "mock")}
	res, err := guarded.Run(pass)
	if err != nil {
		t.Fatalf("contained panic returned error %v", err)
	}
	if m, ok := res.(*model); !ok || m == nil || m.ops != nil {
		t.Errorf("contained panic: result %#v, want a zero *model", res)
	}
	if len(contained.list) != 1 || contained.list[0].pkg != "example.com/mock" || len(contained.list[0].stack) == 0 ||
		!regexp.MustCompile(`^broken panicked at guard_test\.go:\d+: runtime error: slice bounds out of range`).MatchString(contained.list[0].err.Error()) {
		t.Errorf("contained panics: %+v", contained.list)
	}
}
