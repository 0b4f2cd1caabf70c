// Package kvapi is kvlint's model of the Workers KV SDKs: it finds every KV
// operation in a package and answers, for each, where its namespace, key,
// value and options come from.
//
// Every analyzer asks this package rather than matching SDK names itself.
// It builds SSA only for packages that reference a KV SDK, so code that
// does not touch KV costs next to nothing.
package kvapi

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/ssa"
)

// Analyzer computes the package's KV operations; its result is a *Result.
// It reports nothing itself; its -interfaces flag names KV-shaped
// interfaces of the user's (see Interfaces).
var Analyzer = newAnalyzer()

func newAnalyzer() *analysis.Analyzer {
	ifaces := new(Interfaces)
	a := &analysis.Analyzer{
		Name:       "kvapi",
		Doc:        "find Workers KV operations and their operands\n\nkvapi is the model of the KV SDKs that the other analyzers share. It reports nothing itself.",
		URL:        "https://github.com/kvlint/kvlint/blob/main/docs/interfaces.md",
		Run:        func(pass *analysis.Pass) (any, error) { return run(pass, ifaces) },
		ResultType: reflect.TypeFor[*Result](),
		FactTypes:  []analysis.Fact{new(WrapperFact), new(usesKVFact), new(FieldUsesFact), new(checksMissingFact), new(FuncFieldsFact), new(FactoryFact), new(rawCountFact), new(BuiltFact), new(numberFact), new(clampsFact), new(fieldOperandsFact), new(accessorFact), new(openerFact), new(runsFact), new(choiceFact), new(tableFact), new(floorFact), new(paramCallsFact), new(keyTextFact), new(resultFieldsFact), new(pointerFact), new(pickFact), new(countdownFact)},
	}
	a.Flags.Var(ifaces, "interfaces", "KV-shaped interfaces, as PKG.TYPE.METHOD=ROLE(OPERAND=INDEX,...) separated by ';'")
	return a
}

// Result is the KV model of one package.
type Result struct {
	// Ops are the package's KV operations in source order; empty when
	// the package does not use KV.
	Ops []*Op
	// FieldSets are the calls that store an operand in a field for later
	// operations: a constructor's, an option's (see findSetters).
	FieldSets []*Op
	// StoredOperands are the constants stored in fields from which later
	// operations read an operand (see findSetters).
	StoredOperands []StoredOperand

	pass   *analysis.Pass
	ifaces *Interfaces
	syntax posIndex           // of the package's files, see Path
	byFunc map[funcRole][]*Op // see OpsIn
	byCall map[ssa.CallInstruction][]*Op

	indexGets     sync.Once
	getsByKey     map[string][]*Op // by the identity of their key, see GetsOf
	pkg           *ssa.Package
	funcs         []*ssa.Function        // the package's functions, in source order
	callbacks     map[*ssa.Function]bool // functions handed to other packages (see EventCallback)
	configured    map[*ssa.Function]bool // functions kept in other packages' structs
	scheduled     map[*ssa.Function]bool // of those, kept in a field that says it runs on a schedule
	callbacksOnce sync.Once
	declaredFuncs sync.Map                          // a *types.Package -> the []*types.Signature of its function types, see funcTypes
	globals       map[*ssa.Global][]ssa.Instruction // instructions that use a package variable
	callers       map[*ssa.Function][]ssa.CallInstruction
	taken         map[types.Object]bool // functions used as values, see onlyArg
	reads         map[ssa.Value]bool    // what the gets hand back, see IsRead

	fieldStores   map[*types.Var][]ssa.Value                 // what the package stores in each field, see storedIn
	implemented   sync.Map                                   // an interface's *types.Func -> []*ssa.Function, see implementations
	chanSends     map[*ssa.MakeChan][]send                   // what the package sends on each channel, see sentOn
	ports         []*types.Func                              // the storage ports' methods, see portMethods
	rest          map[ssa.CallInstruction][]*Op              // requests to the REST API, by the call that sends them
	returns       map[*ssa.Function]*Term                    // see returnTerm
	results       map[resultOf]*Term                         // see resultTerm
	accessors     map[*ssa.Function][][]string               // see accessorPaths
	runners       map[*types.Func][]int                      // see findRunners
	each          map[*types.Func][]int                      // see findRunners
	later         map[*types.Func][]int                      // see findRunners
	policies      map[*ssa.Function]*Term                    // see policyTerm
	choices       map[choiceKey]*Term                        // see choiceTerm
	buffered      map[*ssa.Function]map[ssa.Value]bufferPart // see findBuffers
	checks        map[*ssa.Function][]int                    // see missingChecks
	made          map[*types.Func][]WrappedOp                // see factoryMade
	builders      map[*ssa.Function]*BuiltFact               // see built
	clamps        map[*ssa.Function][]string                 // the fields each function clamps, see exportClamps
	floors        map[*ssa.Function]*floorFact               // see exportFloors
	paramCalls    map[*types.Func][]paramCall                // see findParamCalls
	imports       map[string]*types.Package                  // by path, see imported
	handed        map[*ssa.Parameter][]handOver              // closures' parameters, see handOvers
	generated     map[string]bool                            // the package's generated files, see generatedFile
	findGenerated sync.Once
	handedAsValue map[*ssa.Function][]*ssa.Call // see valueUses
	findValueUses sync.Once
}

// Funcs returns the package's functions, methods and closures in source
// order; none when the package does not use KV, directly or through a
// package that does.
func (r *Result) Funcs() []*ssa.Function { return r.funcs }

// CallSites returns the static calls of fn in this package, through which
// a value inside fn may be bound to a caller's argument (see Frame).
func (r *Result) CallSites(fn *ssa.Function) []ssa.CallInstruction {
	if r.callers == nil {
		r.callers = make(map[*ssa.Function][]ssa.CallInstruction)
		for _, f := range r.funcs {
			for _, b := range f.Blocks {
				for _, instr := range b.Instrs {
					if call, ok := instr.(ssa.CallInstruction); ok {
						callee := calledFunc(call.Common())
						if callee != nil && callee.Origin() != nil {
							callee = callee.Origin() // save[Hold] runs the body of save
						}
						if callee != nil && callee.Pkg == r.pkg {
							r.callers[callee] = append(r.callers[callee], call)
						}
					}
				}
			}
		}
	}
	return r.callers[fn]
}

// An Op is one call of a KV operation.
type Op struct {
	Method *Method
	Call   ssa.CallInstruction
	Args   []ssa.Value   // what the callee's parameters receive, the receiver first
	Expr   *ast.CallExpr // the call as written, if found
	index  int           // in Result.Ops, for source order

	// For a call of a wrapper (see WrapperFact), the wrapper and the
	// operation inside it; Method then names the wrapper.
	Wrapper *types.Func
	Wrapped *WrappedOp
	viaPort bool // called through a storage port, found or configured
	// executor is, for a call of an executor's function type (see
	// funcTypeOps), the function value called: every call through one
	// value reaches the same store.
	executor ssa.Value
	// via is, for an operation of a function that Wrapper is given and
	// calls (see givenOps), that function.
	via *types.Func
	// For a request to the REST API, its operands (see rest.go).
	rest map[Operand][]Source
	// dispatched is set for a call of a library that runs Wrapper by
	// reflection (see dispatched): no frame binds its parameters there.
	dispatched bool

	model *Result
}

// ByExecutor reports whether op is a call of an executor's function
// type, whose argument chooses the operation.
func (o *Op) ByExecutor() bool { return o.executor != nil }

// Dispatched reports whether op is a call of a library that runs the
// wrapper by reflection with the call's arguments, as a workflow engine
// runs an activity: the wrapper's parameters are bound at this call.
func (o *Op) Dispatched() bool { return o.dispatched }

// InnerFirst returns the operations with the calls of this package's own
// wrappers last, innermost first: an analyzer that reports inside a
// wrapper, and marks it, then knows not to report again at its callers.
// The operations of generated code's wrappers are left out: its users
// cannot change that code, only the calls that choose its key, value and
// lifetime (db.DeleteSession(ctx, id) of a sqlc-style layer), where the
// findings then are.
func (r *Result) InnerFirst() []*Op {
	// calls maps each function of this package to a wrapper of this
	// package that it calls.
	calls := make(map[*types.Func]*types.Func)
	for _, op := range r.Ops {
		if op.Wrapper != nil && op.Wrapper.Pkg() == r.pass.Pkg {
			if outer, ok := outermost(op.Call.Parent()).Object().(*types.Func); ok {
				calls[outer] = op.Wrapper
			}
		}
	}
	depth := func(op *Op) int {
		d := 0
		for w := op.Wrapper; w != nil && w.Pkg() == r.pass.Pkg && d < maxRounds; d++ {
			w = calls[w]
		}
		return d
	}
	ops := slices.DeleteFunc(slices.Clone(r.Ops), r.inGeneratedWrapper)
	slices.SortStableFunc(ops, func(a, b *Op) int { return depth(a) - depth(b) })
	return ops
}

// inGeneratedWrapper reports whether op is in a file marked as generated
// ("Code generated ... DO NOT EDIT."), where it runs KV itself or through
// other generated code. (A call of hand-written code stays: a resolver
// that gqlgen's code calls reports inside itself, and the call is marked
// as reported, not judged again by the callers.)
func (r *Result) inGeneratedWrapper(op *Op) bool {
	if !r.generatedFile(op.Call.Pos()) {
		return false
	}
	return op.Wrapper == nil || op.Wrapper.Pkg() == r.pass.Pkg && r.generatedFile(op.Wrapper.Pos())
}

// generatedFile reports whether pos is in a generated file of the package.
func (r *Result) generatedFile(pos token.Pos) bool {
	// (Analyzers of one package run in parallel.)
	r.findGenerated.Do(func() {
		r.generated = make(map[string]bool)
		for _, f := range r.pass.Files {
			if ast.IsGenerated(f) {
				r.generated[r.pass.Fset.File(f.Pos()).Name()] = true
			}
		}
	})
	f := r.pass.Fset.File(pos)
	return f != nil && r.generated[f.Name()] // (a call with no position: a synthetic wrapper's)
}

// Configured reports whether op is a call of a storage port named in
// -kvapi.interfaces, as go vet sees it: its entry says which parameter an
// operand is, not what the implementation adds to it (a key's prefix).
func (op *Op) Configured() bool { return op.viaPort && op.Wrapped == nil }

// InTest reports whether the call is in a _test.go file: tests call
// fakes in loops, and drop errors on purpose.
func (op *Op) InTest() bool {
	return op.model.InTestFile(op.Call.Pos())
}

// InTestFile reports whether pos is in a _test.go file of the package.
func (r *Result) InTestFile(pos token.Pos) bool {
	return strings.HasSuffix(r.pass.Fset.Position(pos).Filename, "_test.go")
}

// Pos is the position of the call.
func (op *Op) Pos() token.Pos {
	if op.Expr != nil {
		return op.Expr.Pos()
	}
	return op.Call.Pos()
}

// End is the end of the call.
func (op *Op) End() token.Pos {
	if op.Expr != nil {
		return op.Expr.End()
	}
	return op.Call.Pos()
}

// Range returns where a finding about op and another operation (the get
// its value came from) belongs: at op's call, or, when each is made in a
// closure of its own that one function names and calls once (load :=
// func(k string) ...; save := func(k string, e Employer) error {...};
// ... save(key, emp)), at the call of op's closure, where the two meet.
// (A closure that writes back what its function read itself is where the
// write is.)
func (op *Op) Range(other *Op) (pos, end token.Pos) {
	if other == nil {
		return op.Pos(), op.End()
	}
	mine, theirs := op.Call.Parent(), other.Call.Parent()
	if at := op.calledAt(); at != nil && theirs != mine && other.calledAt() != nil && theirs.Parent() == mine.Parent() {
		return at.Pos(), at.End()
	}
	return op.Pos(), op.End()
}

// calledAt returns, for an operation in a closure that its function names
// and calls in one place, that call; nil for any other operation, and
// for a closure run where it is written (defer func() {...}()), handed to
// another function, run as a goroutine, or called in several places.
func (op *Op) calledAt() *ast.CallExpr {
	fn := op.Call.Parent()
	if fn.Parent() == nil {
		return nil
	}
	sites := op.model.CallSites(fn)
	if len(sites) != 1 {
		return nil
	}
	if _, isCall := sites[0].(*ssa.Call); !isCall {
		return nil // go save(k, v), defer save(k, v)
	}
	site := op.model.CallExpr(sites[0].Pos())
	if site == nil {
		return nil
	}
	if _, named := ast.Unparen(site.Fun).(*ast.Ident); !named {
		return nil
	}
	return site
}

func run(pass *analysis.Pass, ifaces *Interfaces) (any, error) {
	if err := ifaces.check(pass.Pkg); err != nil {
		return nil, err
	}
	res := &Result{pass: pass, ifaces: ifaces}
	exportRawCounts(pass)
	if thirdParty(pass) {
		exportHelpers(pass) // lo.Ternary and lo.ToPtr are helpers too,
		findRunners(pass)   // and lo.ForEach a runner
	} else if userCode(pass) {
		exportHelpers(pass)
	}
	if !usesKV(pass) && !ifaces.imports(pass.Pkg) {
		if userCode(pass) {
			exportPolicies(pass)
			findRunners(pass)
			exportParamCalls(pass)
			exportKeyTexts(pass)
		}
		return res, nil
	}
	res.syntax = newPosIndex(inspector.New(pass.Files))
	res.pkg = buildSSA(pass)
	res.funcs = sourceFunctions(pass, res.pkg)
	res.taken = takenFuncs(pass, res.funcs)
	res.missingChecks()
	res.exportResultFields(false) // constructors, for the operations' Sources
	exportKeyTexts(pass)
	res.runners, res.each, res.later = findRunners(pass)
	res.findParamCalls()
	res.findOps()
	res.findFuncFields()
	res.exportBuilders()
	res.exportNumbers()
	res.exportChoices()
	res.exportTables()
	res.exportFloors()
	res.exportAccessors()
	res.exportOpeners()
	res.byFunc = make(map[funcRole][]*Op)
	res.byCall = make(map[ssa.CallInstruction][]*Op)
	for i, op := range res.Ops {
		op.index = i
		in := funcRole{op.Call.Parent(), op.Method.Role}
		res.byFunc[in] = append(res.byFunc[in], op)
		res.byCall[op.Call] = append(res.byCall[op.Call], op)
	}
	res.exportResultFields(true) // finders: functions with gets (byFunc)
	res.prewarm()
	pass.ExportPackageFact(&usesKVFact{})
	return res, nil
}

// prewarm fills the caches that the analyzers' questions fill lazily
// (key text through helpers and policies): the analyzers that require
// kvapi run at once, and read them only.
func (r *Result) prewarm() {
	r.imported("")
	handed := make(map[*ssa.Parameter][]handOver)
	for _, fn := range r.funcs {
		if fn.Parent() != nil {
			for _, p := range fn.Params {
				if hs := r.findHandOvers(p); hs != nil {
					handed[p] = hs
				}
			}
		}
		r.returnTerm(fn)
		for i := range fn.Signature.Results().Len() {
			r.resultTerm(fn, i)
		}
		if st, ok := returnedStruct(fn.Signature); ok {
			for i := range st.NumFields() {
				r.choiceTerm(fn, i)
			}
		}
	}
	r.handed = handed
}

// usesKV reports whether the package imports a KV SDK package, or a
// package that uses KV (and may hold wrappers), or selects a method of an
// SDK (client.KV.Namespaces.Values.Get reaches kv's methods through
// fields, with no import of kv needed).
func usesKV(pass *analysis.Pass) bool {
	if InSDK(pass.Pkg.Path(), modulePath(pass)) || pass.TypesInfo == nil {
		return false // the SDKs themselves are not KV's users; nor is a package without syntax
	}
	for _, imp := range pass.Pkg.Imports() {
		if IsSDKPackage(imp.Path()) || pass.ImportPackageFact(imp, new(usesKVFact)) {
			return true
		}
	}
	if slices.ContainsFunc(pass.Pkg.Imports(), func(p *types.Package) bool { return p.Path() == "net/http" }) && usesREST(pass.Files) {
		return true
	}
	for _, sel := range pass.TypesInfo.Selections {
		if fn, ok := sel.Obj().(*types.Func); ok && fn.Pkg() != nil && IsSDKPackage(fn.Pkg().Path()) {
			return true
		}
	}
	return false
}

func modulePath(pass *analysis.Pass) string {
	if pass.Module != nil {
		return pass.Module.Path
	}
	return ""
}

// userCode reports whether the package is the program's own: not the
// standard library, nor a module version downloaded as a dependency.
func userCode(pass *analysis.Pass) bool {
	if pass.TypesInfo == nil {
		return false
	}
	if m := pass.Module; m != nil && m.Path != "" && m.Path != "std" {
		return m.Version == "" // a module of the workspace, named with a dot or not (kittiwake)
	}
	return strings.Contains(strings.Split(pass.Pkg.Path(), "/")[0], ".") && (pass.Module == nil || pass.Module.Version == "")
}

// thirdParty reports whether the package is a downloaded module's that
// is neither the standard library nor a KV SDK: a utility library such
// as github.com/samber/lo, whose small helpers user code calls.
func thirdParty(pass *analysis.Pass) bool {
	m := pass.Module
	return pass.TypesInfo != nil && m != nil && m.Path != "" && m.Path != "std" && m.Version != "" && !InSDK(pass.Pkg.Path(), m.Path)
}

// sdkModule matches the module paths of the KV SDKs.
var sdkModule = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^github\.com/(syumai/workers|cloudflare/cloudflare-go(/v[0-9]+)?)$`)
})

// InSDK reports whether a package belongs to a KV SDK's own module: by
// the module it is in, when the driver says, else by its path. A package
// under an SDK's path in a folder that the go command leaves out of the
// SDK's module (_examples, testdata) is a module of its own: user code,
// such as the SDK's examples.
func InSDK(pkgPath, module string) bool {
	if module != "" {
		return sdkModule().MatchString(module)
	}
	for m := pkgPath; ; {
		if sdkModule().MatchString(m) {
			for _, elem := range strings.Split(strings.TrimPrefix(pkgPath, m), "/") {
				if strings.HasPrefix(elem, "_") || strings.HasPrefix(elem, ".") || elem == "testdata" {
					return false
				}
			}
			return true
		}
		i := strings.LastIndex(m, "/")
		if i < 0 {
			return false
		}
		m = m[:i]
	}
}

func inSDK(path string) bool { return InSDK(path, "") }

// buildSSA builds the package's SSA form, as buildssa does, but only on
// demand, without buildssa's ctrlflow dependency (which would analyse
// every dependency for facts), and with debug information so that values
// can be traced back to the expressions the user wrote.
func buildSSA(pass *analysis.Pass) *ssa.Package {
	prog := ssa.NewProgram(pass.Fset, ssa.GlobalDebug)
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg := prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	pkg.Build()
	return pkg
}

// sourceFunctions returns the package's functions, methods, closures and
// package initializer, in source order.
func sourceFunctions(pass *analysis.Pass, pkg *ssa.Package) []*ssa.Function {
	var funcs []*ssa.Function
	var add func(fn *ssa.Function)
	add = func(fn *ssa.Function) {
		funcs = append(funcs, fn)
		for _, anon := range fn.AnonFuncs {
			add(anon)
		}
	}
	if init := pkg.Func("init"); init != nil {
		add(init)
	}
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			if decl, ok := decl.(*ast.FuncDecl); ok {
				if obj, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func); ok {
					if fn := pkg.Prog.FuncValue(obj); fn != nil {
						add(fn)
					}
				}
			}
		}
	}
	return funcs
}
