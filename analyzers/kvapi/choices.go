package kvapi

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// Policies chosen at run time. A plan's limits are often one struct
// literal per plan, picked by a switch on a name that only a request
// knows:
//
//	func For(plan string) Policy {
//		switch plan {
//		case "team":
//			return Policy{CacheTTL: 2 * time.Minute}
//		default:
//			return Policy{CacheTTL: 30 * time.Second}
//		}
//	}
//
// No literal is wrong on its own: the put that reads
// policy.For(plan).CacheTTL is, because it may get any of them. So each
// numeric field that differs between the literals is a choice, whose
// Term has one argument per return (as eachReturn's), and the put is
// checked with every value it may get. A literal of such a function is
// not checked where it is written (see choiceStore).

// A choiceFact carries the choices of a function of another package.
type choiceFact struct {
	Fields []ChoiceField
}

// A ChoiceField is the Term of one field of the struct a function
// returns: the field's value in each literal it returns.
type ChoiceField struct {
	Index int
	Term  *Term
}

func (*choiceFact) AFact() {}

func (f *choiceFact) String() string {
	s := "kv choices:"
	for _, c := range f.Fields {
		s += " " + c.Term.String()
	}
	return s
}

// exportChoices exports a choiceFact for each function of the package
// that other packages can call and that returns one of several literals.
func (r *Result) exportChoices() {
	for _, fn := range r.funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || fn.Parent() != nil || !CallableElsewhere(obj) {
			continue
		}
		st, ok := returnedStruct(fn.Signature)
		if !ok {
			continue
		}
		var fact choiceFact
		for i := range st.NumFields() {
			if t := r.choiceTerm(fn, i); t != nil {
				fact.Fields = append(fact.Fields, ChoiceField{Index: i, Term: t})
			}
		}
		if len(fact.Fields) > 0 {
			r.pass.ExportObjectFact(obj, &fact)
		}
	}
}

// returnedStruct returns the struct that sig returns, by value or by
// pointer, when it returns one result.
func returnedStruct(sig *types.Signature) (*types.Struct, bool) {
	if sig.Results().Len() != 1 {
		return nil, false
	}
	return derefStruct(sig.Results().At(0).Type())
}

// choiceTerm returns the Term of field i of the struct that fn, a
// function of this package, returns, when fn returns literals that give
// it different numbers; nil otherwise.
func (r *Result) choiceTerm(fn *ssa.Function, i int) *Term {
	key := choiceKey{fn, i}
	if t, ok := r.choices[key]; ok {
		return t
	}
	if r.choices == nil {
		r.choices = make(map[choiceKey]*Term)
	}
	t := r.compileChoice(fn, i)
	r.choices[key] = t
	return t
}

type choiceKey struct {
	fn    *ssa.Function
	field int
}

func (r *Result) compileChoice(fn *ssa.Function, i int) *Term {
	st, ok := returnedStruct(fn.Signature)
	if !ok || i >= st.NumFields() || !basic(st.Field(i).Type(), types.IsInteger|types.IsFloat|types.IsString) {
		return nil
	}
	// A field the literal leaves out.
	zero := &Term{Op: TermConst, Value: "0", Kind: constant.Int}
	if basic(st.Field(i).Type(), types.IsString) {
		zero = &Term{Op: TermConst, Value: `""`, Kind: constant.String}
	}
	c := &compiler{model: r, fn: fn}
	t := &Term{Op: TermPhi}
	var seen []string
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) != 1 {
			continue
		}
		lit := literalOf(ret.Results[0])
		if lit == nil {
			return nil // a struct made elsewhere: not a choice of literals
		}
		v, ok := choiceField(lit, i)
		if !ok {
			return nil
		}
		arg := zero
		if v != nil {
			arg = c.term(v, 0)
		}
		if arg.Op == TermConst && !slices.Contains(seen, arg.Value) {
			seen = append(seen, arg.Value)
		}
		conds := c.Conds(b, 0)
		t.Args = append(t.Args, passedOn(arg, conds))
		t.Conds = append(t.Conds, conds)
	}
	if len(t.Args) < 2 || len(seen) < 2 || !selfContained(t) {
		return nil
	}
	return t
}

// literalOf returns the local struct that v, a value returned, is a
// literal of: *t0 or t0 of t0 = local Policy (complit).
// choiceField returns the value that the literal at lit gives field i,
// nil if it leaves the field out; ok is false if the struct is changed
// or handed on anywhere but to the return.
func choiceField(lit *ssa.Alloc, i int) (v ssa.Value, ok bool) {
	for _, ref := range *lit.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			if ref.Field != i {
				continue
			}
			for _, st := range storesTo(ref) {
				if v != nil {
					return nil, false
				}
				v = st.Val
			}
		case *ssa.UnOp, *ssa.Return, *ssa.DebugRef:
		default:
			return nil, false
		}
	}
	return v, true
}

func literalOf(v ssa.Value) *ssa.Alloc {
	if load, ok := v.(*ssa.UnOp); ok {
		v = load.X
	}
	alloc, _ := v.(*ssa.Alloc)
	return alloc
}

// choiceOf returns the Term of field i of what callee returns, when it
// is a choice of literals, of this package or, by its fact, another.
func (r *Result) choiceOf(callee *ssa.Function, i int) *Term {
	if callee == nil {
		return nil
	}
	if callee.Pkg == r.pkg && callee.Blocks != nil {
		return r.choiceTerm(callee, i)
	}
	obj, ok := callee.Object().(*types.Func)
	if !ok {
		return nil
	}
	fact := new(choiceFact)
	if !r.pass.ImportObjectFact(obj, fact) {
		return nil
	}
	for _, c := range fact.Fields {
		if c.Index == i {
			return c.Term
		}
	}
	return nil
}

// choiceStore reports whether store writes a field of a literal that its
// function returns as one of several choices: checked at the put that
// reads the choice, not here.
func (r *Result) choiceStore(store *ssa.Store) bool {
	fa, ok := store.Addr.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	if _, ok := fa.X.(*ssa.Alloc); !ok {
		return false
	}
	fn := store.Parent()
	return fn.Parent() == nil && r.choiceTerm(fn, fa.Field) != nil
}

// returnsChoice reports whether decl returns a literal with a constant
// number in two places or more: a package that declares one is built to
// export its choices.
func returnsChoice(info *types.Info, decl *ast.FuncDecl) bool {
	literals := 0
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) != 1 {
				return true
			}
			e := ast.Unparen(n.Results[0])
			if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
				e = u.X
			}
			if lit, ok := e.(*ast.CompositeLit); ok && hasPolicyConstant(info, lit) {
				literals++
			}
		}
		return literals < 2
	})
	return literals >= 2
}

func hasPolicyConstant(info *types.Info, lit *ast.CompositeLit) bool {
	for _, elt := range lit.Elts {
		if kv, ok := elt.(*ast.KeyValueExpr); ok && policyConstant(info.Types[kv.Value].Value) {
			return true
		}
	}
	return false
}

// chosenStrings returns the text of the string fields that ret, the
// Term a helper returns, reads from a parameter whose argument in args is
// what a policy returns that picks one of several literals: "sess/" in
// m.plan(kindAccess).key(id), with func (p plan) key(id string) string {
// return p.Prefix + id }.
func (r *Result) chosenStrings(ret *Term, args []ssa.Value) []string {
	var out []string
	var walk func(t *Term)
	walk = func(t *Term) {
		if t.Op == TermField && len(t.Args) == 1 && t.Args[0].Op == TermParam && t.Args[0].Index < len(args) {
			if call := callBehind(args[t.Args[0].Index]); call != nil {
				if st, ok := returnedStruct(call.Call.Signature()); ok {
					for i := range st.NumFields() {
						if st.Field(i).Name() != t.Name {
							continue
						}
						e := &evaluator{model: r}
						if vals := e.choice(call, i, nil, 0); len(vals) == 1 && vals[0].Kind() == constant.String {
							out = append(out, constant.StringVal(vals[0]))
						}
					}
				}
			}
			return
		}
		for _, a := range t.Args {
			walk(a)
		}
	}
	walk(ret)
	return out
}
