package kvapi

import (
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A finder of active records, lic, err := licenses.Find(ctx, id), makes
// the record it returns and sets its key field to what it is given
// (&License{ID: id, kv: r.kv}). Its callers save the record under
// lic.ID, which is then id: the key the finder read. A resultFieldsFact
// carries those fields to callers in other packages.

// A resultFieldsFact gives, for a finder whose first result is a struct
// it makes, the Terms of the fields it sets over its parameters.
type resultFieldsFact struct {
	Fields []ResultField // by name; a slice, as facts must encode the same each time
}

// A ResultField is the Term of one field of a function's first result.
type ResultField struct {
	Name string
	Term *Term
}

func (*resultFieldsFact) AFact() {}

func (f *resultFieldsFact) String() string {
	var names []string
	for _, f := range f.Fields {
		names = append(names, f.Name+"="+f.Term.String())
	}
	return "kv result fields: " + strings.Join(names, " ")
}

// exportResultFields exports a resultFieldsFact for each finder of the
// package: a function that reads KV and returns a struct it makes, with
// fields set from its parameters, and an error.
func (r *Result) exportResultFields() {
	for _, fn := range r.funcs {
		obj, ok := fn.Object().(*types.Func)
		res := fn.Signature.Results()
		if !ok || fn.Parent() != nil || res.Len() != 2 || !isError(res.At(1).Type()) || len(r.OpsIn(fn, Get)) == 0 {
			continue // only finders: a record and an error, from a read
		}
		st, ok := derefStruct(fn.Signature.Results().At(0).Type())
		if !ok {
			continue
		}
		var fields []ResultField
		c := &compiler{model: r, fn: fn}
		for field := range st.Fields() {
			if t := r.resultFieldTerm(c, fn, field.Name()); t != nil {
				fields = append(fields, ResultField{Name: field.Name(), Term: t})
			}
		}
		if len(fields) > 0 {
			r.pass.ExportObjectFact(obj, &resultFieldsFact{Fields: fields})
		}
	}
}

// resultFieldTerm returns the Term over fn's parameters of field name of
// the struct fn returns first, when every return gives one struct fn
// makes and sets the field once: nil otherwise.
func (r *Result) resultFieldTerm(c *compiler, fn *ssa.Function, name string) *Term {
	var made ssa.Value
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 {
			continue
		}
		v := ret.Results[0]
		if k, ok := v.(*ssa.Const); ok && k.IsNil() {
			continue // nil, err
		}
		if made != nil && v != made {
			return nil
		}
		made = v
	}
	if _, ok := made.(*ssa.Alloc); !ok {
		return nil
	}
	set := setBeforeHandOff(made, name)
	if set == nil {
		return nil
	}
	t := c.term(set.Val, 0)
	if !t.Params() || !selfContained(t) {
		return nil
	}
	return t
}

// importedResultField returns the Term of field name of what call, to a
// function of another package, returns first, over call's arguments.
func (r *Result) importedResultField(call *ssa.Call, name string) (*Term, bool) {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Object() == nil || callee.Pkg == r.pkg {
		return nil, false
	}
	var fact resultFieldsFact
	if !r.pass.ImportObjectFact(callee.Object(), &fact) {
		return nil, false
	}
	for _, f := range fact.Fields {
		if f.Name == name {
			return f.Term, true
		}
	}
	return nil, false
}
