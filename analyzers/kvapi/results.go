package kvapi

import (
	"go/token"
	"go/types"
	"slices"
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
	// Finder is set for a function that reads KV and returns the record
	// beside an error: its record's fields name the key it read, and
	// identities follow them (see importedResultField).
	Finder bool
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

// exportResultFields exports a resultFieldsFact for each function of the
// package that makes a struct and returns it first, alone or beside an
// error: a finder (&License{ID: id, kv: r.kv}), a constructor of a typed
// key handle (Key[T]{ns: ns, name: name}), or a function that returns
// what such a function makes (TokenKey(s, id) returns NewKey(s.kv, s.ns,
// "tok:"+id)), with the Terms of the fields it sets over its parameters.
// With finders, once the operations are known, it exports them again for
// the finders, marked so.
func (r *Result) exportResultFields(finders bool) {
	rounds := 2 // a constructor returning another of this package's
	if finders {
		rounds = 1
	}
	for range rounds {
		for _, fn := range r.funcs {
			obj, ok := fn.Object().(*types.Func)
			res := fn.Signature.Results()
			if !ok || fn.Parent() != nil || res.Len() == 0 || res.Len() > 2 || res.Len() == 2 && !isError(res.At(1).Type()) {
				continue
			}
			finder := res.Len() == 2 && finders && len(r.OpsIn(fn, Get)) > 0
			if finders && !finder {
				continue // done before the operations were found
			}
			st, ok := derefStruct(res.At(0).Type())
			if !ok {
				continue
			}
			c := &compiler{model: r, fn: fn}
			var fields []ResultField
			if record := returnedRecord(fn); record != nil {
				for field := range st.Fields() {
					if t := resultFieldTerm(c, record, field.Name()); t != nil {
						fields = append(fields, ResultField{Name: field.Name(), Term: t})
					}
				}
			} else if call := returnedCall(fn); call != nil {
				for field := range st.Fields() {
					if t, args, ok := r.constructedField(call, field.Name()); ok {
						if t = t.Substitute(c.args(args)); t.Params() && selfContained(t) {
							fields = append(fields, ResultField{Name: field.Name(), Term: t})
						}
					}
				}
			}
			if len(fields) > 0 {
				r.pass.ExportObjectFact(obj, &resultFieldsFact{Fields: fields, Finder: finder})
			}
		}
	}
}

// returnedRecord returns the struct fn makes and returns first on every
// return that gives one (a nil beside an error aside), or nil: returned
// by address, or as a value (return Key[T]{...}).
func returnedRecord(fn *ssa.Function) *ssa.Alloc {
	var made ssa.Value
	for _, v := range returnedValues(fn) {
		if k, ok := v.(*ssa.Const); ok && k.IsNil() {
			continue // nil, err
		}
		if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
			if alloc, ok := load.X.(*ssa.Alloc); ok && !alloc.Heap {
				v = alloc // a struct literal returned as a value
			}
		}
		if made != nil && v != made {
			return nil
		}
		made = v
	}
	alloc, _ := made.(*ssa.Alloc)
	return alloc
}

// returnedCall returns the call whose first result fn returns on every
// path, or nil.
func returnedCall(fn *ssa.Function) *ssa.Call {
	var made *ssa.Call
	for _, v := range returnedValues(fn) {
		if ext, ok := v.(*ssa.Extract); ok && ext.Index == 0 {
			v = ext.Tuple
		}
		call, ok := v.(*ssa.Call)
		if !ok || made != nil && call != made {
			return nil
		}
		made = call
	}
	return made
}

// constructedField returns the Term of field name of what v, a call of a
// function that makes and returns a struct (see exportResultFields), or
// the first of its results, holds, over the call's arguments.
func (r *Result) constructedField(v ssa.Value, name string) (*Term, []ssa.Value, bool) {
	if ext, ok := v.(*ssa.Extract); ok && ext.Index == 0 {
		v = ext.Tuple
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil, nil, false
	}
	fact := r.resultFieldsOf(call)
	if fact == nil {
		return nil, nil, false
	}
	t, ok := fact.field(name)
	return t, call.Call.Args, ok
}

// resultFieldsOf returns the resultFieldsFact of the function call
// calls, or nil.
func (r *Result) resultFieldsOf(call *ssa.Call) *resultFieldsFact {
	callee := call.Call.StaticCallee()
	if callee == nil {
		return nil
	}
	obj, ok := callee.Object().(*types.Func)
	if !ok {
		return nil
	}
	var fact resultFieldsFact
	if !r.pass.ImportObjectFact(obj.Origin(), &fact) {
		return nil
	}
	return &fact
}

// field returns the Term of the field called name.
func (f *resultFieldsFact) field(name string) (*Term, bool) {
	for _, rf := range f.Fields {
		if rf.Name == name {
			return rf.Term, true
		}
	}
	return nil, false
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
	if callee := call.Call.StaticCallee(); callee == nil || callee.Pkg == r.pkg {
		return nil, false
	}
	if fact := r.resultFieldsOf(call); fact != nil && fact.Finder {
		return fact.field(name)
	}
	return nil, false
}

// constructedKeys returns srcs with each key read from what a constructor
// made (see exportResultFields) as the constructor's Term for it: the
// key of ns.Delete(key.Name()), for key := NewKey[string](ns,
// "oauth-state:"+state), is "oauth-state:"+state.
func (r *Result) constructedKeys(srcs []Source) []Source {
	for i, src := range srcs {
		if src.Term == nil {
			if t, args, ok := r.constructedValue(src.Value); ok {
				srcs[i] = Source{Term: t, Args: args, Expr: src.Expr, Pos: src.Pos, Conds: src.Conds, constructed: true}
			}
			continue
		}
		args := src.Args
		term := src.Term.rewrite(func(s *Term) *Term {
			if s.Op != TermParam || s.Index >= len(src.Args) {
				return nil
			}
			t, given, ok := r.constructedValue(src.Args[s.Index])
			if !ok {
				return nil
			}
			shifted := t.shiftParams(len(args))
			args = append(slices.Clip(args), given...)
			return shifted
		})
		if len(args) > len(src.Args) {
			srcs[i].Term, srcs[i].Args, srcs[i].constructed = term, args, true
		}
	}
	return srcs
}

// constructedValue returns, when v reads a field of what a constructor
// made and returned (key.Name() of an accessor, or p.Key), the
// constructor's Term for that field over its call's arguments.
func (r *Result) constructedValue(v ssa.Value) (*Term, []ssa.Value, bool) {
	switch x := v.(type) {
	case *ssa.Call:
		if x.Call.Signature().Results().Len() != 1 {
			return nil, nil, false
		}
		if recv, path := r.accessed(x, 0); len(path) == 1 {
			return r.plainField(made(recv), path[0])
		}
	case *ssa.Field:
		return r.plainField(made(x.X), fieldName(x.X.Type(), x.Field))
	case *ssa.UnOp:
		if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
			return r.plainField(made(fa.X), fieldName(fa.X.Type(), fa.Field))
		}
	}
	return nil, nil, false
}

// plainField returns constructedField's Term when it is made of the
// constructor's arguments alone (NewKey's name, "tok:"+id), not of what
// they hold (a scope's prefix grown from its parent's, s.prefix + "t/" +
// tenant): the key is then named the same however it is reached.
func (r *Result) plainField(v ssa.Value, name string) (*Term, []ssa.Value, bool) {
	t, args, ok := r.constructedField(v, name)
	if !ok || t.Find(func(s *Term) bool { return s.Op == TermField || s.Op == TermPhi || s.Op == TermOpaque }) != nil {
		return nil, nil, false
	}
	return t, args, true
}

// made returns what v, a struct or a pointer to one, was set to when it
// is a variable set once (k := NewKey(...); k.Name()), or v.
func made(v ssa.Value) ssa.Value {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X
	}
	if alloc, ok := v.(*ssa.Alloc); ok {
		if set := setOnce(alloc); set != nil {
			return set
		}
	}
	return v
}
