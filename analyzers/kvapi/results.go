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
		st, ok := derefStruct(res.At(0).Type())
		record := returnedRecord(fn)
		if !ok || record == nil {
			continue
		}
		var fields []ResultField
		c := &compiler{model: r, fn: fn}
		for field := range st.Fields() {
			if t := resultFieldTerm(c, record, field.Name()); t != nil {
				fields = append(fields, ResultField{Name: field.Name(), Term: t})
			}
		}
		if len(fields) > 0 {
			r.pass.ExportObjectFact(obj, &resultFieldsFact{Fields: fields})
		}
	}
}

// returnedRecord returns the struct fn makes and returns first on every
// return that gives one (a nil beside an error aside), or nil.
func returnedRecord(fn *ssa.Function) *ssa.Alloc {
	var made ssa.Value
	for _, v := range returnedValues(fn) {
		if k, ok := v.(*ssa.Const); ok && k.IsNil() {
			continue // nil, err
		}
		if made != nil && v != made {
			return nil
		}
		made = v
	}
	alloc, _ := made.(*ssa.Alloc)
	return alloc
}

// resultFieldTerm returns the Term over fn's parameters of field name of
// record, which fn makes and returns, when fn sets the field once before
// handing the record on: nil otherwise.
func resultFieldTerm(c *compiler, record *ssa.Alloc, name string) *Term {
	set := setBeforeHandOff(record, name)
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
