package kvttl

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/token"
	"go/types"
	"math"
	"strconv"

	"golang.org/x/tools/go/analysis"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// Suggested fixes are offered only where the intent is unambiguous: a
// literal written at the option, or a conversion written there. A named
// constant may serve other purposes, so it is left to the user.

// raiseTo replaces a too-small literal TTL with min, keeping the literal's
// kind so that cloudflare.F(30.0) stays a float64 field.
func raiseTo(src kvapi.Source, min int) *analysis.SuggestedFix {
	if src.Expr == nil {
		return nil
	}
	lit := literalIn(src.Expr)
	if lit == nil {
		return nil
	}
	text := strconv.Itoa(min)
	if lit.Kind == token.FLOAT {
		text += ".0"
	}
	return &analysis.SuggestedFix{
		Message:   fmt.Sprintf("Raise to %s seconds", text),
		TextEdits: []analysis.TextEdit{{Pos: lit.Pos(), End: lit.End(), NewText: []byte(text)}},
	}
}

// literalIn returns the number literal that e is, possibly converted or
// parenthesized: 30, float64(30), (30).
func literalIn(e ast.Expr) *ast.BasicLit {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.BasicLit:
			if x.Kind == token.INT || x.Kind == token.FLOAT {
				return x
			}
			return nil
		case *ast.CallExpr:
			if len(x.Args) != 1 {
				return nil
			}
			if _, isIdent := x.Fun.(*ast.Ident); !isIdent {
				return nil
			}
			e = x.Args[0] // int(30), float64(30): a conversion to a basic type
		default:
			return nil
		}
	}
}

// secondsFix rewrites a conversion T(d) of a time.Duration into
// T(d.Seconds()), and T(d.Milliseconds()) or T(d.Minutes()) into T(d.Seconds()).
// There is no fix when d is a constant whose seconds, as T, are below
// min: int((30 * time.Millisecond).Seconds()) is 0, a TTL never set.
func (p *pass) secondsFix(e ast.Expr, min int) *analysis.SuggestedFix {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || !p.info.TypesInfo.Types[call.Fun].IsType() {
		return nil
	}
	arg := ast.Unparen(call.Args[0])
	d := arg
	switch x := arg.(type) {
	case *ast.CallExpr:
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
			d = sel.X
		}
	case *ast.BinaryExpr:
		if x.Op == token.QUO {
			d = x.X
		}
	}
	if secs, ok := p.seconds(d, call); ok && secs < float64(min) {
		return nil
	}
	if m, ok := arg.(*ast.CallExpr); ok && len(m.Args) == 0 {
		if sel, ok := m.Fun.(*ast.SelectorExpr); ok && wrongUnitMethods[sel.Sel.Name] {
			return &analysis.SuggestedFix{
				Message:   "Use Seconds()",
				TextEdits: []analysis.TextEdit{{Pos: sel.Sel.Pos(), End: sel.Sel.End(), NewText: []byte("Seconds")}},
			}
		}
	}
	tv, ok := p.info.TypesInfo.Types[arg]
	if !ok || !kvapi.IsDuration(tv.Type) {
		return nil
	}
	if bin, ok := arg.(*ast.BinaryExpr); ok && bin.Op == token.QUO {
		// d / time.Millisecond: count seconds instead.
		if sel, ok := bin.Y.(*ast.SelectorExpr); ok && countedUnit(p.info.TypesInfo.Types[bin.Y].Value) != "" {
			return &analysis.SuggestedFix{
				Message:   "Divide by time.Second",
				TextEdits: []analysis.TextEdit{{Pos: sel.Sel.Pos(), End: sel.Sel.End(), NewText: []byte("Second")}},
			}
		}
		return nil
	}
	text := p.source(arg)
	switch arg.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.CallExpr, *ast.IndexExpr:
	default:
		text = "(" + text + ")"
	}
	return &analysis.SuggestedFix{
		Message:   "Convert the duration's seconds",
		TextEdits: []analysis.TextEdit{{Pos: call.Args[0].Pos(), End: call.Args[0].End(), NewText: []byte(text + ".Seconds()")}},
	}
}

// toSeconds rewrites time.Now().UnixMilli() into time.Now().Unix(), and
// drops the "* 1000" of time.Now().Unix() * 1000.
// An offset added in milliseconds would change meaning, and so would a
// change away from the option (inv.ExpiresAt = t.UnixMilli() may serve
// others too), so then there is no fix.
func (p *pass) toSeconds(t *nowValue, at ast.Expr) *analysis.SuggestedFix {
	if t.offsetInUnit || t.rescaled || at == nil || t.call.Pos() < at.Pos() || t.call.Pos() >= at.End() {
		return nil
	}
	if t.scale != nil {
		for _, n := range p.model.Path(t.scale.Pos()) {
			if bin, ok := n.(*ast.BinaryExpr); ok && bin.OpPos == t.scale.Pos() {
				keep := bin.X
				if lit, ok := ast.Unparen(bin.X).(*ast.BasicLit); ok && lit.Value == "1000" {
					keep = bin.Y
				}
				return &analysis.SuggestedFix{
					Message:   "Drop the conversion to milliseconds",
					TextEdits: []analysis.TextEdit{{Pos: bin.Pos(), End: bin.End(), NewText: []byte(p.source(keep))}},
				}
			}
		}
		return nil
	}
	call := p.model.CallExpr(t.call.Pos())
	if call == nil {
		return nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	return &analysis.SuggestedFix{
		Message:   "Use Unix()",
		TextEdits: []analysis.TextEdit{{Pos: sel.Sel.Pos(), End: sel.Sel.End(), NewText: []byte("Unix")}},
	}
}

// source returns the text of the expression e.
func (p *pass) source(e ast.Expr) string {
	var buf bytes.Buffer
	if err := format.Node(&buf, p.fset, e); err != nil {
		return ""
	}
	return buf.String()
}

// seconds returns the seconds of the constant duration d, as conversion
// would turn them into a number: truncated for an integer type.
func (p *pass) seconds(d ast.Expr, conversion *ast.CallExpr) (float64, bool) {
	tv := p.info.TypesInfo.Types[d]
	if tv.Value == nil || !kvapi.IsDuration(tv.Type) {
		return 0, false
	}
	ns, _ := constant.Float64Val(tv.Value)
	secs := ns / 1e9
	if t, ok := p.info.TypesInfo.Types[conversion].Type.Underlying().(*types.Basic); ok && t.Info()&types.IsInteger != 0 {
		secs = math.Trunc(secs)
	}
	return secs, true
}
