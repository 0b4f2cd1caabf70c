package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
)

// guard returns copies of analyzers, and of every analyzer they require,
// whose Run turns a panic into an error naming the analyzer and the line
// that panicked.
//
// Both drivers run each analysis in a goroutine of its own, where a panic
// kills the process before any recover in main could see it; kvlint must
// instead fail with one line and exit code 2. The copies are only seen by
// the driver: each Run is handed a Pass whose Analyzer and ResultOf keys
// are the originals, which is what analyzer code looks up
// (pass.ResultOf[inspect.Analyzer]). The copies share the originals'
// flags, so options set on the originals apply.
//
// With a non-nil contain, a panic stays in its package: it is recorded
// there, and the analysis returns the zero value of its result (an empty
// model: no KV operations) with no facts, so that the package's other
// analyzers and the packages that import it still run. Without, the panic
// is the analysis's error, which is what go vet expects of a tool.
func guard(analyzers []*analysis.Analyzer, contain *panics) []*analysis.Analyzer {
	copies := make(map[*analysis.Analyzer]*analysis.Analyzer)
	origs := make(map[*analysis.Analyzer]*analysis.Analyzer)
	var wrap func(a *analysis.Analyzer) *analysis.Analyzer
	wrap = func(a *analysis.Analyzer) *analysis.Analyzer {
		if c, ok := copies[a]; ok {
			return c
		}
		c := &analysis.Analyzer{
			Name:             a.Name,
			Doc:              a.Doc,
			URL:              a.URL,
			RunDespiteErrors: a.RunDespiteErrors,
			FactTypes:        a.FactTypes,
			ResultType:       a.ResultType,
		}
		a.Flags.VisitAll(func(f *flag.Flag) { c.Flags.Var(f.Value, f.Name, f.Usage) })
		copies[a], origs[c] = c, a
		for _, req := range a.Requires {
			c.Requires = append(c.Requires, wrap(req))
		}
		c.Run = func(pass *analysis.Pass) (result any, err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("%s panicked%s: %v", a.Name, panicSite(), r)
					if contain != nil {
						contain.add(pass.Pkg.Path(), err, debug.Stack())
						result, err = zeroResult(a), nil
					}
				}
			}()
			p := *pass
			p.Analyzer = a
			p.ResultOf = make(map[*analysis.Analyzer]any, len(pass.ResultOf))
			for req, res := range pass.ResultOf {
				p.ResultOf[origs[req]] = res
			}
			return a.Run(&p)
		}
		return c
	}
	wrapped := make([]*analysis.Analyzer, len(analyzers))
	for i, a := range analyzers {
		wrapped[i] = wrap(a)
	}
	return wrapped
}

// panicSite returns " at FILE:LINE" for the frame that panicked, when
// called from a deferred function during a panic.
func panicSite() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	inRuntime := false
	for {
		f, more := frames.Next()
		// Skip up to and through runtime.gopanic and its helpers
		// (runtime.panicIndex, sigpanic, ...).
		if strings.HasPrefix(f.Function, "runtime.") {
			inRuntime = true
		} else if inRuntime {
			return fmt.Sprintf(" at %s:%d", filepath.Base(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}

// zeroResult returns the zero value of a's result: for a pointer to a
// struct, a pointer to a zero struct, which kvlint's analyzers read as "no
// KV operations here".
func zeroResult(a *analysis.Analyzer) any {
	t := a.ResultType
	if t == nil {
		return nil
	}
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		return reflect.New(t.Elem()).Interface()
	}
	return reflect.Zero(t).Interface()
}

// panics collects the panics that guard contained, for all packages.
type panics struct {
	mu   sync.Mutex
	list []contained
}

type contained struct {
	pkg   string
	err   error
	stack []byte
}

func (p *panics) add(pkg string, err error, stack []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, contained{pkg, err, stack})
}
