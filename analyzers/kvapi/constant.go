package kvapi

import (
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Constant returns the value of v when it is known at compile time:
// constants, arithmetic on them, conversions, and time.Duration's unit
// methods (d.Seconds() of a constant d). It returns nil otherwise.
//
// The type checker folds constant expressions, but values computed through
// variables (ttl := 30 * 60) or methods (ttl.Seconds()) reach SSA as
// instructions, so this finishes the folding.
func Constant(v ssa.Value) constant.Value {
	return constValue(v, 0)
}

// Constants returns the known values that v may take: one per path into v
// through a phi (ttl := 300; if short { ttl = 30 }). Unknown paths are left out.
func Constants(v ssa.Value) []constant.Value {
	var out []constant.Value
	var visit func(v ssa.Value, depth int)
	visit = func(v ssa.Value, depth int) {
		if phi, ok := v.(*ssa.Phi); ok && depth < maxDepth {
			for _, e := range phi.Edges {
				visit(e, depth+1)
			}
			return
		}
		if c := constValue(v, 0); c != nil {
			out = append(out, c)
		}
	}
	visit(v, 0)
	return out
}

func constValue(v ssa.Value, depth int) constant.Value {
	if depth > maxDepth {
		return nil
	}
	switch v := v.(type) {
	case *ssa.Const:
		if v.Value == nil || v.Value.Kind() == constant.Unknown {
			return nil
		}
		return v.Value
	case *ssa.Convert:
		return convert(constValue(v.X, depth+1), v.Type())
	case *ssa.ChangeType:
		return constValue(v.X, depth+1)
	case *ssa.UnOp:
		x := constValue(v.X, depth+1)
		if x == nil || v.Op != token.SUB {
			return nil
		}
		return constant.UnaryOp(token.SUB, x, 0)
	case *ssa.BinOp:
		x, y := constValue(v.X, depth+1), constValue(v.Y, depth+1)
		if x == nil || y == nil {
			return nil
		}
		switch v.Op {
		case token.ADD, token.SUB, token.MUL:
			return constant.BinaryOp(x, v.Op, y)
		case token.QUO:
			if constant.Sign(y) == 0 {
				return nil
			}
			if isInteger(v.Type()) {
				return constant.BinaryOp(x, token.QUO_ASSIGN, y) // integer division
			}
			return constant.BinaryOp(x, token.QUO, y)
		}
	case *ssa.Call:
		return durationMethod(v, depth)
	}
	return nil
}

// durationMethod folds d.Seconds(), d.Minutes(), ... of a constant d.
func durationMethod(call *ssa.Call, depth int) constant.Value {
	callee := call.Call.StaticCallee()
	if callee == nil || len(call.Call.Args) != 1 || !IsDuration(call.Call.Args[0].Type()) {
		return nil
	}
	d := constValue(call.Call.Args[0], depth+1)
	if d == nil {
		return nil
	}
	ns, _ := constant.Float64Val(d)
	perUnit := map[string]float64{"Hours": 3600e9, "Minutes": 60e9, "Seconds": 1e9,
		"Milliseconds": 1e6, "Microseconds": 1e3, "Nanoseconds": 1}[callee.Name()]
	if perUnit == 0 {
		return nil
	}
	if callee.Name() == "Hours" || callee.Name() == "Minutes" || callee.Name() == "Seconds" {
		return constant.MakeFloat64(ns / perUnit)
	}
	return constant.MakeInt64(int64(ns) / int64(perUnit))
}

// convert applies a Go conversion to a constant: float to integer
// truncates, as at run time.
func convert(c constant.Value, t types.Type) constant.Value {
	if c == nil {
		return nil
	}
	switch {
	case isInteger(t):
		if c.Kind() == constant.Float {
			f, _ := constant.Float64Val(c)
			return constant.MakeInt64(int64(f))
		}
		return constant.ToInt(c)
	case isFloat(t):
		return constant.ToFloat(c)
	}
	return c
}

// IsDuration reports whether t is time.Duration.
func IsDuration(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "time" && named.Obj().Name() == "Duration"
}

func isInteger(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

func isFloat(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsFloat != 0
}
