package kvlimits

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/kvlint/kvlint/analyzers/internal/analysisdoc"
	"github.com/kvlint/kvlint/analyzers/internal/report"
	"github.com/kvlint/kvlint/analyzers/kvapi"
)

//go:embed doc.go
var doc string

// Analyzer reports KV limits broken by values known at compile time.
var Analyzer = &analysis.Analyzer{
	Name:     "kvlimits",
	Doc:      analysisdoc.Extract(doc, "kvlimits"),
	URL:      "https://github.com/kvlint/kvlint/blob/main/docs/kvlimits.md",
	Requires: []*analysis.Analyzer{kvapi.Analyzer},
	Run:      run,
}

// KV's limits (KV-FACTS §2, §5).
const (
	maxKey       = 512
	maxLimit     = 1000
	minRESTLimit = 10
	maxMetadata  = 1024
	maxValue     = 25 << 20
	maxBulkPut   = 10000 // pairs to write, or keys to delete
	maxBulkGet   = 100
)

func run(pass *analysis.Pass) (any, error) {
	model := pass.ResultOf[kvapi.Analyzer].(*kvapi.Result)
	if len(model.Ops)+len(model.FieldSets)+len(model.StoredOperands) == 0 {
		return nil, nil
	}
	c := &checker{pass: pass, model: model, rep: report.New(pass), values: make(map[token.Pos]analysis.Diagnostic)}
	for _, op := range model.Ops {
		if op.InTest() {
			continue // a test's keys, pages and batches go to a fake
		}
		for _, src := range given(op, kvapi.Key) {
			// A port's entry in -kvapi.interfaces names the parameter a
			// key comes from, not a prefix its implementation adds.
			c.key(src, !op.Configured())
		}
		switch op.Method.Role {
		case kvapi.List:
			for _, src := range given(op, kvapi.Limit) {
				c.limit(op, src)
			}
		case kvapi.Put:
			for _, src := range given(op, kvapi.Metadata) {
				c.metadata(src)
			}
			c.value(given(op, kvapi.Value))
		case kvapi.BulkPut:
			c.bulk(op, kvapi.Pairs, maxBulkPut, "pairs", "bulk write")
			for _, src := range given(op, kvapi.Metadata) {
				c.metadata(src) // of each pair
			}
		case kvapi.BulkGet:
			c.bulk(op, kvapi.Keys, maxBulkGet, "keys", "bulk get")
		case kvapi.BulkDelete:
			c.bulk(op, kvapi.Keys, maxBulkPut, "keys", "bulk delete")
		}
	}
	// A limit kept by an option or a constructor for a later list:
	// repo.WithPageSize(1500).
	for _, set := range model.FieldSets {
		if set.Method.Role == kvapi.List && !set.InTest() {
			for _, src := range given(set, kvapi.Limit) {
				c.limit(set, src)
			}
		}
	}
	// A limit stored in a config default that a later list reads.
	for _, so := range model.StoredOperands {
		if so.Operand == kvapi.Limit && so.Role == kvapi.List {
			c.limitValue(so.Source, restMethod(so.Method))
		}
	}
	for _, at := range c.valuesMade {
		c.rep.Report(c.values[at])
	}
	c.rep.Finish()
	return nil, nil
}

type checker struct {
	pass  *analysis.Pass
	model *kvapi.Result
	rep   *report.Reporter
	// values are the findings of values too large, one per place the
	// value is made (several operations may write it: see value).
	values     map[token.Pos]analysis.Diagnostic
	valuesMade []token.Pos
}

// line is the line of pos.
func (c *checker) line(pos token.Pos) int { return c.pass.Fset.Position(pos).Line }

// given returns the sources of operand o that this call gives: a wrapper
// whose operand is fixed inside is judged there, once.
func given(op *kvapi.Op, o kvapi.Operand) []kvapi.Source {
	var out []kvapi.Source
	for _, src := range op.Sources(o) {
		if src.Term == nil || src.Term.Params() {
			out = append(out, src)
		}
	}
	return out
}

func (c *checker) report(src kvapi.Source, fixes []analysis.SuggestedFix, format string, args ...any) {
	d := analysis.Diagnostic{Pos: src.Pos, Message: fmt.Sprintf(format, args...), SuggestedFixes: fixes}
	if src.Expr != nil {
		d.Pos, d.End = src.Expr.Pos(), src.Expr.End()
	}
	c.rep.Report(d)
}

// reportMade reports a value where the code makes it, when that is not
// the operand as written: a key built into a variable (key := "gql:" +
// query + ":" + id) and then read and written is one mistake, at the
// line that builds it, reported once.
func (c *checker) reportMade(src kvapi.Source, format string, args ...any) {
	v := callerValue(src)
	instr, ok := v.(ssa.Instruction)
	made := token.NoPos
	if ok && instr.Pos().IsValid() && (src.Expr == nil || instr.Pos() < src.Expr.Pos() || instr.Pos() >= src.Expr.End()) {
		switch v.(type) {
		case *ssa.BinOp, *ssa.Call:
			made = instr.Pos()
		}
	}
	if call, ok := v.(*ssa.Call); ok {
		if pos := c.builtIn(call); pos.IsValid() {
			made = pos // inside the key helper, where the long text is joined: once for every caller
		}
	}
	if _, isConst := v.(*ssa.Const); isConst && !made.IsValid() {
		// A constant key kept in a local variable, key := "q:" + query,
		// folded by the compiler: reported where the variable is made.
		if id, ok := ast.Unparen(src.Expr).(*ast.Ident); ok {
			switch obj := c.pass.TypesInfo.Uses[id].(type) {
			case *types.Var:
				if kvapi.IsString(obj.Type()) && !obj.IsField() && c.definedLocally(obj) {
					made = obj.Pos()
				}
			case *types.Const:
				// const key = "sql:" + popularQuery, the same way.
				if kvapi.IsString(obj.Type()) && c.definedLocally(obj) {
					made = obj.Pos()
				}
			}
		}
	}
	if !made.IsValid() {
		// A key kept in a local variable and written out at the call
		// (cacheKey.String()): reported where the variable is made.
		if obj := c.localKeyVar(src.Expr); obj != nil {
			made = obj.Pos()
		}
	}
	if !made.IsValid() {
		c.report(src, nil, format, args...)
		return
	}
	c.rep.Report(analysis.Diagnostic{Pos: made, Message: fmt.Sprintf(format, args...)}) // once: the Reporter drops a second finding at one position
}

// builtIn returns where a helper of this package, called by call, builds
// the value it returns, when it has one return of a concatenation:
// func insightsKey(org string) string { return "gh/gql/" + query + "/" + org }.
func (c *checker) builtIn(call *ssa.Call) token.Pos {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg != c.pass.Pkg {
		return token.NoPos
	}
	var made token.Pos
	for _, b := range callee.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) != 1 {
			continue
		}
		bin, ok := ret.Results[0].(*ssa.BinOp)
		if !ok || made.IsValid() {
			return token.NoPos
		}
		made = bin.Pos()
	}
	return made
}

// assignedText returns where the local variable that e names is given
// the literal text s, when once in its function: rel = "." on a branch of
// its own, which the key the call reads may be.
func (c *checker) assignedText(e ast.Expr, s string) token.Pos {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return token.NoPos
	}
	v, ok := c.pass.TypesInfo.Uses[id].(*types.Var)
	if !ok || !c.definedLocally(v) {
		return token.NoPos
	}
	path := c.model.Path(v.Pos())
	body := slices.IndexFunc(path, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return true
		}
		return false
	})
	if body < 0 {
		return token.NoPos
	}
	var found []token.Pos
	ast.Inspect(path[body], func(n ast.Node) bool {
		assign, ok := n.(*ast.AssignStmt)
		if !ok || len(assign.Lhs) != len(assign.Rhs) {
			return true
		}
		for i, lhs := range assign.Lhs {
			lid, ok := lhs.(*ast.Ident)
			if !ok || c.pass.TypesInfo.Uses[lid] != v && c.pass.TypesInfo.Defs[lid] != v {
				continue
			}
			if rhs := ast.Unparen(assign.Rhs[i]); isText(rhs, s) {
				found = append(found, rhs.Pos())
			}
		}
		return true
	})
	if len(found) != 1 {
		return token.NoPos
	}
	return found[0]
}

// isText reports whether n is a string literal of the text s.
func isText(n ast.Node, s string) bool {
	lit, ok := n.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return false
	}
	u, err := strconv.Unquote(lit.Value)
	return err == nil && u == s
}

// localKeyVar returns the local variable, defined in this function with
// the key's value, that e asks for its text: key.String() of a typed key.
func (c *checker) localKeyVar(e ast.Expr) *types.Var {
	id := kvapi.StringOf(e)
	if id == nil {
		return nil
	}
	v, ok := c.pass.TypesInfo.Uses[id].(*types.Var)
	if !ok || v.IsField() || !c.definedLocally(v) {
		return nil
	}
	return v
}

// definedLocally reports whether v is a local variable defined by an
// assignment or a var declaration, not a parameter.
func (c *checker) definedLocally(v types.Object) bool {
	path := c.model.Path(v.Pos())
	if len(path) < 2 || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
		return false
	}
	switch n := path[1].(type) {
	case *ast.AssignStmt:
		return n.Tok == token.DEFINE
	case *ast.ValueSpec:
		return true
	}
	return false
}

// refusedKey says that KV refuses the key s, "", "." or "..".
func refusedKey(s string) string {
	return fmt.Sprintf("KV refuses the key %q: a key may not be empty, \".\" or \"..\"", s)
}

// key reports a key KV refuses: longer than 512 bytes, or "", "." or "..",
// known whole or by a constant part already too long. whole says that src
// is all of the key, not what may follow a prefix.
func (c *checker) key(src kvapi.Source, whole bool) {
	vals, free := c.model.EvalSource(src, nil)
	if len(free) > 0 && whole {
		// "." set on a branch of its own (the root of a tree) is refused
		// whatever the callers pass on the other ways.
		for _, v := range vals {
			if v.Kind() != constant.String {
				continue
			}
			if s := constant.StringVal(v); s == "." || s == ".." {
				if pos := c.assignedText(src.Expr, s); pos.IsValid() {
					c.rep.Report(analysis.Diagnostic{Pos: pos, Message: refusedKey(s)})
					return
				}
			}
		}
	}
	if len(vals) > 0 && len(free) == 0 {
		for _, v := range vals {
			if v.Kind() != constant.String {
				continue
			}
			switch s := constant.StringVal(v); {
			case (s == "" || s == "." || s == "..") && whole:
				msg := refusedKey(s)
				if src.Term != nil && src.Term.Params() && c.givesAlone(src.Term, v) {
					return // whatever the caller passes: reported in the wrapper
				}
				if pos := c.literalFrom(callerValue(src), s, 0); pos.IsValid() {
					// pathKey(p) returning "." for the root: where it is written, once.
					c.rep.Report(analysis.Diagnostic{Pos: pos, Message: msg})
					return
				}
				if pos := c.model.RecordReturn(src, nil, v); pos.IsValid() {
					// Save(ctx, st, m) with m.Key() returning it: where it is returned.
					c.rep.Report(analysis.Diagnostic{Pos: pos, Message: msg})
					return
				}
				if pos := c.assignedText(src.Expr, s); pos.IsValid() {
					// rel = "." for the site's root, on a branch of its own.
					c.rep.Report(analysis.Diagnostic{Pos: pos, Message: msg})
					return
				}
				c.reportMade(src, "%s", msg)
				return
			case len(s) > maxKey:
				c.reportMade(src, "this key is %d bytes long, but KV keys are at most 512 bytes (UTF-8): the write fails with 414; hash the long part (sha256) or keep it in the value", len(s))
				return
			}
		}
		return
	}
	if src.Term != nil && c.model.KeyMinLen(kvapi.Source{Term: src.Term}) > maxKey {
		return // too long whatever the caller passes: reported in the wrapper
	}
	if n := c.model.KeyMinLen(src); n > maxKey {
		c.reportMade(src, "the constant part of this key is already %d bytes, but KV keys are at most 512 bytes (UTF-8): the write fails with 414; hash the long part (sha256) or keep it in the value", n)
		return
	}
	if src.Expr != nil {
		if n := c.textMin(src.Expr, 0); n > maxKey {
			const msg = "this key is at least %d bytes long, but KV keys are at most 512 bytes (UTF-8): the write fails with 414; hash the long part (sha256) or keep it in the value"
			if ret := c.helperReturn(src.Expr); ret != nil && c.textMin(ret, 1) > maxKey {
				// Built too long inside the key helper: once, for every caller.
				c.rep.Report(analysis.Diagnostic{Pos: ret.Pos(), End: ret.End(), Message: fmt.Sprintf(msg, n)})
				return
			}
			c.reportMade(src, msg, n)
		}
	}
}

// limit reports a list Limit above 1,000, or below 10 in the REST API,
// with a fix that sets it to the bound, when it is written as a literal.
func (c *checker) limit(op *kvapi.Op, src kvapi.Source) {
	rest := !strings.HasPrefix(op.Method.Pkg, "github.com/syumai/")
	if op.Wrapped != nil {
		rest = restMethod(op.Wrapped.Method)
	}
	c.limitValue(src, rest)
}

// restMethod reports whether a wrapped operation, named as in a WrappedOp,
// goes through the REST API rather than a Worker's binding.
func restMethod(method string) bool {
	return !strings.Contains(method, "(kv.Namespace)") && !strings.Contains(method, "KVNamespace")
}

// limitValue checks a list Limit's value; rest is set for the REST API,
// which refuses a Limit below 10 as well.
func (c *checker) limitValue(src kvapi.Source, rest bool) {
	if !c.model.ReachableSource(src, nil) {
		return
	}
	vals, free := c.model.EvalSource(src, nil)
	if len(vals) == 0 || len(free) > 0 {
		return
	}
	// Each value the Limit may take (a caller's, or the default a helper
	// reads a nil setting as): the first out of range is reported.
	for _, v := range vals {
		n, ok := constant.Int64Val(constant.ToInt(v))
		if !ok {
			return
		}
		switch {
		case n > maxLimit:
			c.report(src, c.setLiteral(src, maxLimit), "a KV list returns at most 1,000 keys a page, and a Limit of %d is refused (or cut to 1,000): ask for 1,000 and follow the cursor", n)
			return
		case rest && n > 0 && n < minRESTLimit:
			c.report(src, c.setLiteral(src, minRESTLimit), "the KV REST API refuses a list Limit below 10, and this one is %d: ask for 10 or more", n)
			return
		}
	}
}

// setLiteral is a fix that writes n over the one number literal of the
// source's expression, in the literal's own kind: cloudflare.F(5.0) must
// stay a float to infer F's type argument.
func (c *checker) setLiteral(src kvapi.Source, n int) []analysis.SuggestedFix {
	if src.Expr == nil {
		return nil
	}
	var lits []*ast.BasicLit
	ast.Inspect(src.Expr, func(node ast.Node) bool {
		if lit, ok := node.(*ast.BasicLit); ok && (lit.Kind == token.INT || lit.Kind == token.FLOAT) {
			lits = append(lits, lit)
		}
		return true
	})
	if len(lits) != 1 {
		return nil
	}
	text := strconv.Itoa(n)
	if lits[0].Kind == token.FLOAT {
		text += ".0"
	}
	return []analysis.SuggestedFix{{Message: "set the limit to " + text,
		TextEdits: []analysis.TextEdit{{Pos: lits[0].Pos(), End: lits[0].End(), NewText: []byte(text)}}}}
}

// metadata reports metadata whose JSON is known to exceed 1,024 bytes.
func (c *checker) metadata(src kvapi.Source) {
	if src.Expr == nil {
		return
	}
	if n := c.jsonSize(src.Expr, 0); n > maxMetadata {
		if entry := c.bulkiest(src.Expr, n, 0); entry != nil {
			src.Expr = entry // the entry that makes it too big, on its own line in a literal
		}
		c.report(src, nil, "this metadata serialises to at least %d bytes of JSON, but KV accepts at most 1,024: the write fails with 413; keep the rest in the value", n)
	}
}

// bulkiest returns the entry of the literal that e is made with that
// holds most of its size (n bytes of JSON, at least), on a line of its
// own: a notice or footer text among short fields. Nil when no one entry
// does.
func (c *checker) bulkiest(e ast.Expr, n, depth int) ast.Expr {
	if depth > 8 {
		return nil
	}
	switch x := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return c.bulkiest(x.X, n, depth+1)
		}
	case *ast.CallExpr:
		if len(x.Args) == 1 { // cloudflare.F(meta), any(meta)
			return c.bulkiest(x.Args[0], n, depth+1)
		}
	case *ast.Ident:
		if v, ok := c.pass.TypesInfo.Uses[x].(*types.Var); ok {
			if made := c.madeOnce(v); made != nil {
				if entry, size := c.addedEntry(v); 2*size > n {
					return entry.Rhs[0]
				}
				return c.bulkiest(made, n, depth+1)
			}
		}
	case *ast.CompositeLit:
		line := func(e ast.Node) int { return c.pass.Fset.Position(e.Pos()).Line }
		for _, elt := range x.Elts {
			kv, ok := elt.(*ast.KeyValueExpr)
			if !ok || 2*c.jsonSize(kv.Value, 0) <= n {
				continue
			}
			// On a line of its own: entries written together are one
			// thing to read, reported at the literal.
			if line(kv) != line(x) && !slices.ContainsFunc(x.Elts, func(other ast.Expr) bool { return other != elt && line(other) == line(kv) }) {
				return kv
			}
		}
	}
	return nil
}

// jsonSize is a lower bound on the size of e's JSON encoding, counting
// the constants that it is written with.
func (c *checker) jsonSize(e ast.Expr, depth int) int {
	if depth > 8 {
		return 0
	}
	info := c.pass.TypesInfo
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() == constant.String {
			return len(constant.StringVal(tv.Value)) + 2
		}
		return len(tv.Value.ExactString())
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		n := 2 + max(len(e.Elts)-1, 0)
		for _, elt := range e.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok && info.Types[kv.Key].Value == nil {
					n += len(id.Name) + 3 // a struct field's name
				} else {
					n += c.jsonSize(kv.Key, depth+1) + 1
				}
				n += c.jsonSize(kv.Value, depth+1)
			} else {
				n += c.jsonSize(elt, depth+1)
			}
		}
		return n
	case *ast.CallExpr:
		if n, ok := c.sprintfMin(e); ok {
			return n + 2 // a string padded to a width: fmt.Sprintf("%-1200s", body)
		}
		if fn, ok := typeutil.Callee(info, e).(*types.Func); ok && fn.Pkg() != nil && len(e.Args) == 2 {
			if (fn.Pkg().Path() == "strings" || fn.Pkg().Path() == "bytes") && fn.Name() == "Repeat" {
				if count, ok := intConst(info, e.Args[1]); ok {
					return (c.jsonSize(e.Args[0], depth+1) - 2) * int(count)
				}
			}
		}
		if len(e.Args) == 1 { // a conversion, cloudflare.F, or a helper
			return max(c.jsonSize(e.Args[0], depth+1), typeJSONSize(info.TypeOf(e), 0))
		}
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return c.jsonSize(e.X, depth+1)
		}
	case *ast.Ident:
		// meta := map[string]any{...}, given to the write later: what it
		// is made with, as entries added after only make it longer.
		// (An entry added after, meta["notice"] = notice, on some path.)
		if v, ok := info.Uses[e].(*types.Var); ok {
			if made := c.madeOnce(v); made != nil {
				_, added := c.addedEntry(v)
				return max(c.jsonSize(made, depth+1)+added, typeJSONSize(v.Type(), 0))
			}
		}
	}
	return typeJSONSize(info.TypeOf(e), 0)
}

// addedEntry returns the biggest entry that the function defining the
// map v adds to it under a constant key (meta["notice"] = notice), and
// what it adds to the map's JSON: a key not in its literal, on whichever
// path adds it.
func (c *checker) addedEntry(v *types.Var) (entry *ast.AssignStmt, size int) {
	path := c.model.Path(v.Pos())
	body := slices.IndexFunc(path, func(n ast.Node) bool { _, ok := n.(*ast.BlockStmt); return ok })
	if _, isMap := v.Type().Underlying().(*types.Map); !isMap || body < 0 {
		return nil, 0
	}
	info := c.pass.TypesInfo
	ast.Inspect(path[body], func(n ast.Node) bool {
		assign, ok := n.(*ast.AssignStmt)
		if !ok || len(assign.Lhs) != 1 || len(assign.Rhs) != 1 {
			return true
		}
		index, ok := assign.Lhs[0].(*ast.IndexExpr)
		if !ok || info.Types[index.Index].Value == nil {
			return true
		}
		if id := ident(index.X); id == nil || info.Uses[id] != v {
			return true
		}
		if n := c.jsonSize(index.Index, 0) + 2 + c.jsonSize(assign.Rhs[0], 0); n > size {
			entry, size = assign, n
		}
		return true
	})
	return entry, size
}

// madeOnce returns the expression that the local variable v is defined
// with, when nothing assigns it again, takes its address or deletes from
// it.
func (c *checker) madeOnce(v *types.Var) ast.Expr {
	if !c.definedLocally(v) {
		return nil
	}
	path := c.model.Path(v.Pos())
	var made ast.Expr
	switch n := path[1].(type) {
	case *ast.AssignStmt:
		if i := slices.IndexFunc(n.Lhs, func(e ast.Expr) bool { return e.Pos() == v.Pos() }); i >= 0 && len(n.Rhs) == len(n.Lhs) {
			made = n.Rhs[i]
		}
	case *ast.ValueSpec:
		if i := slices.IndexFunc(n.Names, func(id *ast.Ident) bool { return id.Pos() == v.Pos() }); i >= 0 && len(n.Values) == len(n.Names) {
			made = n.Values[i]
		}
	}
	body := slices.IndexFunc(path, func(n ast.Node) bool { _, ok := n.(*ast.BlockStmt); return ok })
	if made == nil || body < 0 {
		return nil
	}
	info := c.pass.TypesInfo
	is := func(e ast.Expr) bool { id, ok := ast.Unparen(e).(*ast.Ident); return ok && info.Uses[id] == v }
	changed := false
	ast.Inspect(path[body], func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			changed = changed || slices.ContainsFunc(n.Lhs, is)
		case *ast.UnaryExpr:
			changed = changed || n.Op == token.AND && is(n.X)
		case *ast.CallExpr:
			if b, ok := info.Uses[ident(n.Fun)].(*types.Builtin); ok && b.Name() == "delete" && len(n.Args) > 0 {
				changed = changed || is(n.Args[0])
			}
		}
		return !changed
	})
	if changed {
		return nil
	}
	return made
}

func ident(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}

// textMin is a lower bound on the length of the string e, from what it
// is written with: constants, concatenations, and fmt.Sprintf's widths
// ("rank/%s/%-512s"), through escaping, which never shortens it.
func (c *checker) textMin(e ast.Expr, depth int) int {
	if depth > 8 {
		return 0
	}
	if tv, ok := c.pass.TypesInfo.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		return len(constant.StringVal(tv.Value))
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		// A local key made once: k := fmt.Sprintf("archive:%s:%0600d", ...).
		if v, ok := c.pass.TypesInfo.Uses[e].(*types.Var); ok {
			if made := c.madeOnce(v); made != nil {
				return c.textMin(made, depth+1)
			}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return c.textMin(e.X, depth+1) + c.textMin(e.Y, depth+1)
		}
	case *ast.CallExpr:
		if n, ok := c.sprintfMin(e); ok {
			return n
		}
		if ret := c.helperReturn(e); ret != nil {
			return c.textMin(ret, depth+1) // ledgerKey(cust, seq) of this package
		}
		if n, ok := c.joinMin(e, depth); ok {
			return n
		}
		if fn, ok := typeutil.Callee(c.pass.TypesInfo, e).(*types.Func); ok && len(e.Args) == 1 &&
			(fn.FullName() == "net/url.PathEscape" || fn.FullName() == "net/url.QueryEscape" || fn.FullName() == "strings.ToLower") {
			return c.textMin(e.Args[0], depth+1)
		}
	}
	return 0
}

// callerValue returns the value of src: for a wrapper's parameter, perhaps
// converted or escaped on the way (url.PathEscape(key)), what the caller
// gives.
func callerValue(src kvapi.Source) ssa.Value {
	v := src.Value
	if t := src.Term; t != nil {
		for (t.Op == kvapi.TermConvert || t.Op == kvapi.TermCall) && len(t.Args) == 1 {
			t = t.Args[0]
		}
		if t.Op == kvapi.TermParam && t.Index < len(src.Args) {
			v = src.Args[t.Index]
		}
	}
	return v
}

// givesAlone reports whether a wrapper's key Term gives v whatever its
// caller passes: a helper inside it chose it.
func (c *checker) givesAlone(t *kvapi.Term, v constant.Value) bool {
	vals, _ := c.model.EvalSource(kvapi.Source{Term: t}, nil)
	return slices.ContainsFunc(vals, func(x constant.Value) bool { return constant.Compare(x, token.EQL, v) })
}

// literalFrom returns where v, a call of a key helper of this package,
// writes the string s that it may return: the one literal s in the
// helper's body, or in a helper it returns the result of.
func (c *checker) literalFrom(v ssa.Value, s string, depth int) token.Pos {
	for unwrapped := false; !unwrapped; { // kvstore.Key(pathKey(p))
		switch conv := v.(type) {
		case *ssa.Convert:
			v = conv.X
		case *ssa.ChangeType:
			v = conv.X
		default:
			unwrapped = true
		}
	}
	call, ok := v.(*ssa.Call)
	if !ok || depth > 2 {
		return token.NoPos
	}
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg != c.pass.Pkg || callee.Syntax() == nil {
		return token.NoPos
	}
	var found []token.Pos
	ast.Inspect(callee.Syntax(), func(n ast.Node) bool {
		if isText(n, s) {
			found = append(found, n.Pos())
		}
		return true
	})
	if len(found) == 1 {
		return found[0]
	}
	for _, b := range callee.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) == 1 {
			if pos := c.literalFrom(ret.Results[0], s, depth+1); pos.IsValid() {
				return pos
			}
		}
	}
	return token.NoPos
}

// helperReturn returns what call returns when it calls a function of
// this package whose body is one return of one value: a key helper,
// func ledgerKey(c CustomerID, seq int64) string { return fmt.Sprintf(...) }.
func (c *checker) helperReturn(e ast.Expr) ast.Expr {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return nil
	}
	fn, ok := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if !ok || fn.Pkg() != c.pass.Pkg {
		return nil
	}
	path := c.model.Path(fn.Pos())
	if len(path) < 2 {
		return nil
	}
	decl, ok := path[1].(*ast.FuncDecl)
	if !ok || decl.Body == nil || len(decl.Body.List) != 1 {
		return nil
	}
	ret, ok := decl.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil
	}
	return ret.Results[0]
}

// joinMin is a lower bound on the length of what strings.Join of a slice
// literal, or strings.Repeat of a constant count, returns.
func (c *checker) joinMin(call *ast.CallExpr, depth int) (int, bool) {
	fn, ok := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if !ok || len(call.Args) != 2 {
		return 0, false
	}
	switch fn.FullName() {
	case "strings.Join":
		lit, ok := ast.Unparen(call.Args[0]).(*ast.CompositeLit)
		if !ok {
			return 0, false
		}
		n := 0
		for _, elt := range lit.Elts {
			n += c.textMin(elt, depth+1)
		}
		if len(lit.Elts) > 1 {
			n += (len(lit.Elts) - 1) * c.textMin(call.Args[1], depth+1)
		}
		return n, true
	case "strings.Repeat":
		tv := c.pass.TypesInfo.Types[call.Args[1]]
		if tv.Value == nil {
			return 0, false
		}
		count, ok := constant.Int64Val(constant.ToInt(tv.Value))
		if !ok || count < 0 || count > 1<<20 {
			return 0, false
		}
		return c.textMin(call.Args[0], depth+1) * int(count), true
	}
	return 0, false
}

// sprintfMin is a lower bound on the length of what a fmt.Sprintf call
// with a constant format returns: its text and the widths of its verbs.
func (c *checker) sprintfMin(call *ast.CallExpr) (int, bool) {
	fn, ok := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if !ok || fn.FullName() != "fmt.Sprintf" || len(call.Args) == 0 {
		return 0, false
	}
	tv := c.pass.TypesInfo.Types[call.Args[0]]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return 0, false
	}
	format, n := constant.StringVal(tv.Value), 0
	arg := 1 // the next argument a verb or a * width takes
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			n++
			continue
		}
		i++
		for i < len(format) && strings.ContainsRune("+-# 0", rune(format[i])) {
			i++ // flags
		}
		width := 0
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			width = width*10 + int(format[i]-'0')
			i++
		}
		if i < len(format) && format[i] == '*' && arg > 0 {
			// A width given as an argument: "%0*d", pad, n.
			if arg < len(call.Args) {
				if w := c.pass.TypesInfo.Types[call.Args[arg]].Value; w != nil {
					if v, ok := constant.Int64Val(constant.ToInt(w)); ok && v > 0 && v < 1<<20 {
						width = int(v)
					}
				}
			}
			arg++
			i++
		}
		if i < len(format) && format[i] == '[' {
			arg = -1 // explicit argument indexes: stop counting
		}
		if arg > 0 && i < len(format) && format[i] != '%' {
			arg++
		}
		for i < len(format) && (format[i] == '.' || format[i] >= '0' && format[i] <= '9' || format[i] == '[' || format[i] == ']' || format[i] == '*') {
			i++ // precision, argument indexes
		}
		if i < len(format) && format[i] == '%' {
			n++ // a literal percent
			continue
		}
		n += width
	}
	return n, true
}

// typeJSONSize is a lower bound on the size of the JSON encoding of any
// value of type t, what its fixed-size arrays alone take: a [288]bool
// is at least 288 "true"s.
func typeJSONSize(t types.Type, depth int) int {
	if t == nil || depth > 4 || types.Implements(t, jsonMarshaler) || types.Implements(types.NewPointer(t), jsonMarshaler) {
		return 0 // encodes itself, as it likes
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return 4
		case u.Info()&types.IsNumeric != 0:
			return 1
		case u.Info()&types.IsString != 0:
			return 2
		}
	case *types.Array:
		if u.Len() == 0 {
			return 2
		}
		return 2 + int(u.Len())*typeJSONSize(u.Elem(), depth+1) + int(u.Len()) - 1
	case *types.Struct:
		n := 2
		for i := range u.NumFields() {
			f := u.Field(i)
			name, _, _ := strings.Cut(reflect.StructTag(u.Tag(i)).Get("json"), ",")
			if !f.Exported() || name == "-" || f.Embedded() {
				continue
			}
			if strings.Contains(reflect.StructTag(u.Tag(i)).Get("json"), "omitempty") {
				if _, array := f.Type().Underlying().(*types.Array); !array {
					continue // may be left out
				}
			}
			if name == "" {
				name = f.Name()
			}
			n += len(name) + 3 + typeJSONSize(f.Type(), depth+1)
		}
		return n
	}
	return 0
}

// jsonMarshaler is encoding/json's Marshaler, by its method set.
var jsonMarshaler = types.NewInterfaceType([]*types.Func{
	types.NewFunc(token.NoPos, nil, "MarshalJSON", types.NewSignatureType(nil, nil, nil, nil,
		types.NewTuple(types.NewVar(token.NoPos, nil, "", types.NewSlice(types.Typ[types.Byte])), types.NewVar(token.NoPos, nil, "", types.Universe.Lookup("error").Type())), false)),
}, nil).Complete()

// value finds a value made with a constant size over 25 MiB, to be
// reported once: at the value the write is given (buf, string(b)) when
// that is on a line of its own, with where it is sized; else where it is
// sized.
func (c *checker) value(srcs []kvapi.Source) {
	for _, src := range srcs {
		for _, in := range src.Inputs() {
			n, at := madeSize(c.model, in, 0)
			if n <= maxValue {
				continue
			}
			d := analysis.Diagnostic{Pos: at, Message: fmt.Sprintf("this value is %d bytes, but KV values are at most 25 MiB (26,214,400 bytes): the write fails with 413; split it, or keep it in R2", n)}
			if src.Expr != nil && c.pass.Fset.File(src.Expr.Pos()) == c.pass.Fset.File(at) && c.line(src.Expr.Pos()) != c.line(at) {
				d.Pos, d.End = src.Expr.Pos(), src.Expr.End()
				d.Related = []analysis.RelatedInformation{{Pos: at, Message: "the value is made here"}}
			}
			if prev, seen := c.values[at]; !seen {
				c.valuesMade = append(c.valuesMade, at)
				c.values[at] = d
			} else if prev.Pos == at {
				c.values[at] = d // the write's own expression is the better place
			}
		}
	}
}

// madeSize is the size of a byte slice or string made with a constant
// size: make([]byte, n), strings.Repeat(s, n), bytes.Repeat(b, n).
func madeSize(model *kvapi.Result, v ssa.Value, depth int) (int64, token.Pos) {
	if depth > 4 {
		return 0, token.NoPos
	}
	switch v := v.(type) {
	case *ssa.Convert:
		return madeSize(model, v.X, depth+1)
	case *ssa.ChangeType:
		return madeSize(model, v.X, depth+1)
	case *ssa.MakeInterface:
		return madeSize(model, v.X, depth+1)
	case *ssa.Slice:
		// make([]byte, n) with a constant n is a slice of a new array, and
		// f.bits[:] all of an array that a struct or a variable holds.
		if ptr, ok := v.X.Type().Underlying().(*types.Pointer); ok && v.Low == nil {
			_, made := v.X.(*ssa.Alloc)
			if arr, ok := ptr.Elem().Underlying().(*types.Array); ok && (made || v.High == nil) {
				return arr.Len(), v.Pos()
			}
		}
		// buf[:n] with a constant n has n bytes, or panics.
		if v.Low == nil && v.High != nil {
			if c := model.Constant(v.High); c != nil {
				n, _ := constant.Int64Val(constant.ToInt(c))
				return n, v.Pos()
			}
		}
	case *ssa.MakeSlice:
		if c := model.Constant(v.Len); c != nil {
			n, _ := constant.Int64Val(constant.ToInt(c))
			return n, v.Pos()
		}
	case *ssa.Call:
		callee := v.Call.StaticCallee()
		if callee == nil || callee.Pkg == nil {
			return 0, token.NoPos
		}
		switch callee.Pkg.Pkg.Path() + "." + callee.Name() {
		case "bytes.NewReader", "bytes.NewBuffer", "strings.NewReader", "bytes.NewBufferString":
			return madeSize(model, v.Call.Args[0], depth+1) // a reader over it: PutReader(bytes.NewReader(buf))
		}
		if callee.Name() != "Repeat" || len(v.Call.Args) != 2 {
			return 0, token.NoPos
		}
		if path := callee.Pkg.Pkg.Path(); path != "strings" && path != "bytes" {
			return 0, token.NoPos
		}
		count := model.Constant(v.Call.Args[1])
		if count == nil {
			return 0, token.NoPos
		}
		n, _ := constant.Int64Val(constant.ToInt(count))
		unit := int64(0)
		if s := model.Constant(v.Call.Args[0]); s != nil && s.Kind() == constant.String {
			unit = int64(len(constant.StringVal(s)))
		} else {
			unit, _ = madeSize(model, v.Call.Args[0], depth+1)
		}
		return n * unit, v.Pos()
	}
	return 0, token.NoPos
}

func intConst(info *types.Info, e ast.Expr) (int64, bool) {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil {
		return 0, false
	}
	return constant.Int64Val(constant.ToInt(tv.Value))
}

// bulk reports a bulk call given more elements than KV takes in one
// request: a literal with more, or a loop that appends a constant number
// of them.
//
// It reports at the start of the call: the mistake is the call's, and
// its elements are often written lines below, or elsewhere. A window
// cut from a bigger slice in the argument itself is reported there, and
// a chunk size at the range over slices.Chunk that gives it.
func (c *checker) bulk(op *kvapi.Op, o kvapi.Operand, most int64, noun, what string) {
	report := func(src kvapi.Source, format string, args ...any) {
		if op.Expr != nil {
			c.rep.Report(analysis.Diagnostic{Pos: op.Expr.Pos(), End: op.Expr.End(), Message: fmt.Sprintf(format, args...)})
			return
		}
		c.report(src, nil, format, args...)
	}
	for _, src := range given(op, o) {
		if src.Expr != nil {
			if lit, ok := ast.Unparen(src.Expr).(*ast.CompositeLit); ok && int64(len(lit.Elts)) > most {
				report(src, "this %s sends %d %s, but KV takes at most %d in one request: send them in chunks of %d", what, len(lit.Elts), noun, most, most)
				continue
			}
		}
		// A loop over an input of any size is no constant violation: how
		// many rows a caller passes is not known here.
		for _, in := range src.Inputs() {
			if kvapi.IsBytes(in.Type()) || kvapi.IsString(in.Type()) {
				continue // a pair's value, written through a one-pair literal inside a wrapper: its bytes are no pairs
			}
			if n, ok := sliceSize(c.model, in); ok && n > most {
				report(src, "this %s sends %d %s, but KV takes at most %d in one request: send them in chunks of %d", what, n, noun, most, most)
			}
			if n, ok := c.builtCaptured(in); ok && n > most {
				report(src, "this %s sends %d %s, but KV takes at most %d in one request: send them in chunks of %d", what, n, noun, most, most)
			}
			if n, known, ok := c.built(in); ok && known && n > most {
				report(src, "this %s sends %d %s, but KV takes at most %d in one request: send them in chunks of %d", what, n, noun, most, most)
			}
			if n, ok := c.flushSize(in, op.Call.Block()); ok && n > most {
				report(src, "this %s sends batches of up to %d %s, but KV takes at most %d in one request: flush at %d", what, n, noun, most, most)
			}
			if n, ok := c.window(in); ok && n > most {
				msg := fmt.Sprintf("this %s sends chunks of up to %d %s, but KV takes at most %d in one request: send them in chunks of %d", what, n, noun, most, most)
				if sizedHere(src.Expr) {
					// At the window the call is given, on a line of its own.
					c.rep.Report(analysis.Diagnostic{Pos: src.Expr.Pos(), End: src.Expr.End(), Message: msg})
				} else {
					report(src, "%s", msg)
				}
			}
		}
	}
	if n, size, ok := c.chunkSize(op); ok && n > most {
		msg := fmt.Sprintf("this %s sends chunks of up to %d %s, but KV takes at most %d in one request: send them in chunks of %d", what, n, noun, most, most)
		if size != nil {
			// At the size: in the range over slices.Chunk, or as a
			// wrapper that chunks is given it.
			c.rep.Report(analysis.Diagnostic{Pos: size.Pos(), End: size.End(), Message: msg})
		} else {
			report(kvapi.Source{Pos: op.Pos()}, "%s", msg)
		}
	}
}

// sizedHere reports whether e cuts a window and sizes it in place,
// pairs[lo:min(lo+batch, len(pairs))]; pairs[lo:end] is sized where end
// is computed.
func sizedHere(e ast.Expr) bool {
	cut, ok := ast.Unparen(e).(*ast.SliceExpr)
	if !ok || cut.High == nil {
		return false
	}
	_, byName := ast.Unparen(cut.High).(*ast.Ident)
	return !byName
}

// built says how many elements the slice v holds when a loop appends one
// per element of a collection or per step of a counted loop: n when the
// count is a constant (known), unknown when it is the size of an input.
// ok is false when v is not built so, or the size is checked.
func (c *checker) built(v ssa.Value) (n int64, known, ok bool) {
	return c.builtFrom(v, make(map[*ssa.Phi]bool))
}

// builtFrom is built, with the loops' phis already followed outward: a
// loop whose slice goes back and forth between two phis (appended on one
// path and reset on another) is not followed twice.
func (c *checker) builtFrom(v ssa.Value, seen map[*ssa.Phi]bool) (n int64, known, ok bool) {
	if ct, isCT := v.(*ssa.ChangeType); isCT {
		v = ct.X
	}
	phi, isPhi := v.(*ssa.Phi)
	if !isPhi {
		return 0, false, false
	}
	after := phi
	phi = bodyPhi(after)
	if seen[phi] {
		return 0, false, false
	}
	seen[phi] = true
	loop := kvapi.NaturalLoop(phi.Block())
	if loop == nil || lengthChecked(phi) {
		return 0, false, false
	}
	// Appended in a loop nested in this one: each trip adds what the
	// inner loop adds (rows of seats, days of slots).
	perTrip, perTripKnown := int64(1), true
	if !appendsIn(phi, loop) {
		inner := innerBuilder(phi, loop)
		if inner == nil {
			return 0, false, false
		}
		m, mKnown, mOK := c.builtFrom(inner, seen)
		if !mOK {
			return 0, false, false
		}
		perTrip, perTripKnown = m, mKnown
	}
	exits := 0
	for b := range loop {
		br, isIf := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !isIf || loop[b.Succs[0]] == loop[b.Succs[1]] {
			continue
		}
		if !exitUses(b, loop, phi) && !exitUses(b, loop, after) {
			continue // return nil, err: the slice is dropped
		}
		exits++
		switch cond := br.Cond.(type) {
		case *ssa.Extract: // a map's range: ok of Next
			if _, isNext := cond.Tuple.(*ssa.Next); !isNext {
				return 0, false, false
			}
		case *ssa.BinOp: // i < len(xs), i < n
			if cond.Op != token.LSS && cond.Op != token.LEQ {
				return 0, false, false
			}
			if trips, counted := c.trips(cond, loop); counted {
				n, known = trips, true
			} else if cond.Op == token.LEQ {
				return 0, false, false
			} else if call, isCall := cond.Y.(*ssa.Call); !isCall || !kvapi.IsLen(call) || lengthChecked(call.Call.Args[0]) {
				return 0, false, false
			} else if size, fixed := literalLen(call.Call.Args[0]); fixed {
				n, known = size, true // range over a slice literal
			} else if size, fixed := c.window(call.Call.Args[0]); fixed {
				n, known = size, true // range over xs[i:min(i+size, len(xs))]
			}
		default:
			return 0, false, false
		}
	}
	return n * perTrip, known && perTripKnown, exits == 1
}

// builtCaptured is built for a slice that a closure sends: the variable
// it captures is kept in memory, so its function appends by loading and
// storing it in a counted loop (go func() { BulkUpdate(..., body) }()
// after for i := range shards { body = append(body, ...) }). The count is
// known when the variable starts empty, the loop's only exit is its
// count, and the loop appends one element per trip and nothing else
// stores to it.
func (c *checker) builtCaptured(v ssa.Value) (int64, bool) {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return 0, false
	}
	fv, ok := load.X.(*ssa.FreeVar)
	if !ok {
		return 0, false
	}
	alloc, ok := kvapi.Binding(fv).(*ssa.Alloc)
	if !ok || !alloc.Heap {
		return 0, false
	}
	var appended *ssa.Store
	for _, use := range *alloc.Referrers() {
		st, ok := use.(*ssa.Store)
		if !ok || st.Addr != alloc {
			continue
		}
		if kvapi.NaturalLoop(st.Block()) == nil {
			if !emptySlice(st.Val) {
				return 0, false
			}
			continue
		}
		call, ok := st.Val.(*ssa.Call)
		if appended != nil || !ok || !kvapi.IsAppend(call) || len(call.Call.Args) != 2 || !loadOf(call.Call.Args[0], alloc) || !appendsOne(call) {
			return 0, false
		}
		appended = st
	}
	if appended == nil {
		return 0, false
	}
	loop := kvapi.NaturalLoop(appended.Block())
	var trips int64
	exits := 0
	for b := range loop {
		br, isIf := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !isIf || loop[b.Succs[0]] == loop[b.Succs[1]] {
			continue
		}
		exits++
		cond, ok := br.Cond.(*ssa.BinOp)
		if !ok || cond.Op != token.LSS && cond.Op != token.LEQ {
			return 0, false
		}
		n, counted := c.trips(cond, loop)
		if !counted {
			return 0, false
		}
		trips = n
	}
	return trips, exits == 1
}

// emptySlice reports whether v is a slice with no elements: nil, or
// made with length 0.
func emptySlice(v ssa.Value) bool {
	if k, ok := v.(*ssa.Const); ok {
		return k.IsNil()
	}
	sl, ok := v.(*ssa.Slice)
	if !ok || sl.High == nil {
		return false
	}
	k, ok := sl.High.(*ssa.Const)
	return ok && k.Int64() == 0
}

// loadOf reports whether v loads the variable at addr.
func loadOf(v ssa.Value, addr ssa.Value) bool {
	load, ok := v.(*ssa.UnOp)
	return ok && load.Op == token.MUL && load.X == addr
}

// appendsOne reports whether call, an append, adds one element:
// append(xs, x).
func appendsOne(call *ssa.Call) bool {
	n, ok := literalLen(call.Call.Args[1])
	return ok && n == 1
}

// sliceSize returns how many elements a slice expression holds when
// madeSize knows it: ks[:] of a var ks [192]string.
func sliceSize(model *kvapi.Result, v ssa.Value) (int64, bool) {
	if _, ok := v.(*ssa.Slice); !ok {
		return 0, false
	}
	n, _ := madeSize(model, v, 0)
	return n, n > 0
}

// innerBuilder returns the phi of a loop nested in loop that takes the
// slice phi builds in and appends to it.
func innerBuilder(phi *ssa.Phi, loop kvapi.Loop) *ssa.Phi {
	for _, e := range phi.Edges {
		if inner := innerPhi(e, phi, loop); inner != nil {
			return inner
		}
		// The inner loop leaves straight to the outer loop's head (a range
		// over an array): what reaches it is the inner loop's last append.
		if call, ok := e.(*ssa.Call); ok && kvapi.IsAppend(call) {
			if inner := innerPhi(call.Call.Args[0], phi, loop); inner != nil {
				return inner
			}
		}
	}
	return nil
}

// chunkSize returns the size of the chunks op sends, when it is a
// constant, and the size as written: op runs once per chunk of a range
// over slices.Chunk(xs, size), or calls a wrapper that does so with a
// size op gives it (see WrappedOp.ChunkParam).
func (c *checker) chunkSize(op *kvapi.Op) (n int64, expr ast.Expr, ok bool) {
	var size ssa.Value
	if seq := c.model.ChunkedBy(op); seq != nil {
		size = seq.Call.Args[1]
		if call := c.model.CallExpr(seq.Pos()); call != nil && len(call.Args) == 2 {
			expr = call.Args[1]
		}
	} else if op.Wrapped != nil && op.Wrapped.ChunkParam > 0 && op.Wrapped.ChunkParam <= len(op.Args) {
		i := op.Wrapped.ChunkParam - 1
		size = op.Args[i]
		if op.Expr != nil && !op.Expr.Ellipsis.IsValid() {
			// A method's receiver is not among the call's arguments.
			if j := i - (len(op.Args) - len(op.Expr.Args)); j >= 0 && j < len(op.Expr.Args) {
				expr = op.Expr.Args[j]
			}
		}
	}
	if size == nil {
		return 0, nil, false
	}
	k := c.model.Constant(size)
	if k == nil {
		return 0, nil, false
	}
	n, ok = constant.Int64Val(constant.ToInt(k))
	return n, expr, ok
}

// bodyPhi returns, for the slice after a loop whose test comes last (for
// n := range count), the slice inside the loop that the appends grow.
func bodyPhi(after *ssa.Phi) *ssa.Phi {
	if kvapi.NaturalLoop(after.Block()) != nil {
		return after
	}
	for _, e := range after.Edges {
		if call, ok := e.(*ssa.Call); ok && len(call.Call.Args) > 0 {
			if b, ok := call.Call.Value.(*ssa.Builtin); ok && b.Name() == "append" {
				if inner, ok := call.Call.Args[0].(*ssa.Phi); ok && kvapi.NaturalLoop(inner.Block()) != nil {
					return inner
				}
			}
		}
	}
	// Out of nested loops (for r := range rows { for s := range perRow
	// { ... } }): through the inner loop's exit to the outer loop's phi.
	for _, e := range after.Edges {
		if exit, ok := e.(*ssa.Phi); ok && kvapi.NaturalLoop(exit.Block()) == nil {
			for _, x := range exit.Edges {
				if outer, ok := x.(*ssa.Phi); ok && outer != after {
					if loop := kvapi.NaturalLoop(outer.Block()); loop != nil && !loop[after.Block()] && slices.Contains(outer.Edges, ssa.Value(exit)) {
						return outer
					}
				}
			}
		}
	}
	return after
}

// exitUses reports whether leaving the loop from b can reach a use of
// the slice that phi builds.
func exitUses(b *ssa.BasicBlock, loop kvapi.Loop, phi *ssa.Phi) bool {
	out := b.Succs[0]
	if loop[out] {
		out = b.Succs[1]
	}
	// The slice leaves as the phi, or as the last append when the test
	// is at the loop's end.
	outs := []ssa.Value{phi}
	for _, e := range phi.Edges {
		if call, ok := e.(*ssa.Call); ok && loop[call.Block()] && kvapi.IsAppend(call) && call.Block() == b {
			outs = append(outs, call)
		}
	}
	for _, v := range outs {
		for _, use := range *v.Referrers() {
			if ub := use.Block(); ub != nil && !loop[ub] && (ub == out || kvapi.Reaches(out, ub)) {
				return true
			}
		}
	}
	return false
}

// trips returns how many times a counted loop runs, when its counter
// steps by one from where it starts to a bound that is a constant, or the
// start plus a constant: i := 1; i <= 240, or n := first; n < first+12000.
func (c *checker) trips(cond *ssa.BinOp, loop kvapi.Loop) (int64, bool) {
	counter, ok := cond.X.(*ssa.Phi)
	skipped := int64(0)
	if next, isStep := cond.X.(*ssa.BinOp); isStep && next.Op == token.ADD && isOne(next.Y) {
		// for n := range count tests n+1 < count at the loop's end, once
		// the body has run for n: the same count as n < count first.
		counter, ok = next.X.(*ssa.Phi)
		if ok && cond.Block() == counter.Block() && cond.Block().Succs[0] != cond.Block() {
			// A range over an array counts from -1 and tests i+1
			// before the body, in the loop's head.
			skipped = 1
		}
	}
	if !ok || len(counter.Edges) < 2 {
		return 0, false
	}
	var start ssa.Value
	for i, e := range counter.Edges {
		if !loop[counter.Block().Preds[i]] {
			if start != nil && start != e {
				return 0, false
			}
			start = e
		} else if step, ok := e.(*ssa.BinOp); !ok || step.Op != token.ADD || step.X != counter || !isOne(step.Y) {
			return 0, false
		}
	}
	if start == nil {
		return 0, false
	}
	var span int64
	if bound := c.model.Constant(cond.Y); bound != nil {
		first := int64(0)
		if k := c.model.Constant(start); k != nil {
			first, _ = constant.Int64Val(constant.ToInt(k))
		} else {
			return 0, false
		}
		last, _ := constant.Int64Val(constant.ToInt(bound))
		span = last - first - skipped
	} else if sum, ok := cond.Y.(*ssa.BinOp); ok && sum.Op == token.ADD && (sum.X == start || sum.Y == start) {
		other := sum.Y
		if sum.Y == start {
			other = sum.X
		}
		k := c.model.Constant(other)
		if k == nil {
			return 0, false
		}
		span, _ = constant.Int64Val(constant.ToInt(k))
	} else {
		return 0, false
	}
	if cond.Op == token.LEQ {
		span++
	}
	return max(span, 0), true
}

func isOne(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.Value != nil && k.Value.Kind() == constant.Int && constant.Compare(k.Value, token.EQL, constant.MakeInt64(1))
}

// appendsIn reports whether the phi takes, around the loop, what append
// returns.
func appendsIn(phi *ssa.Phi, loop kvapi.Loop) bool {
	for _, e := range phi.Edges {
		if call, ok := e.(*ssa.Call); ok && loop[call.Block()] && kvapi.IsAppend(call) && innerPhi(call.Call.Args[0], phi, loop) == nil {
			return true
		}
	}
	return false
}

// innerPhi returns v when it is the phi of a loop nested in loop that
// takes the slice phi builds, or nil.
func innerPhi(v ssa.Value, phi *ssa.Phi, loop kvapi.Loop) *ssa.Phi {
	inner, ok := v.(*ssa.Phi)
	if !ok || inner == phi || !loop[inner.Block()] || inner.Block() == phi.Block() {
		return nil
	}
	if kvapi.NaturalLoop(bodyPhi(inner).Block()) != nil && slices.Contains(inner.Edges, ssa.Value(phi)) {
		return inner
	}
	return nil
}

// lengthChecked reports whether the length of v (or of a value it merges)
// is compared with something: a chunk size, a cap on the input.
func lengthChecked(v ssa.Value) bool {
	for _, x := range kvapi.Views([]ssa.Value{v}) {
		if p, ok := x.(*ssa.Phi); ok {
			for _, e := range p.Edges {
				if e != x && lenCompared(e) {
					return true
				}
			}
		}
		if lenCompared(x) {
			return true
		}
	}
	return false
}

func lenCompared(v ssa.Value) bool {
	refs := v.Referrers()
	if refs == nil {
		return false
	}
	for _, ref := range *refs {
		if call, ok := ref.(*ssa.Call); ok && kvapi.IsLen(call) {
			for _, use := range *call.Referrers() {
				if bin, ok := use.(*ssa.BinOp); ok && bin.Op != token.LSS {
					return true
				}
				if bin, ok := use.(*ssa.BinOp); ok && bin.Op == token.LSS && bin.X == call {
					return true
				}
			}
		}
	}
	return false
}

// flushSize returns the size at which a batch that a loop appends to is
// sent, when its length is compared with a constant: if len(batch) <
// size { continue }, if len(batch) >= size { flush }.
func (c *checker) flushSize(v ssa.Value, at *ssa.BasicBlock) (int64, bool) {
	var batch []ssa.Value // the batch as the loop sees it
	sends := []*ssa.BasicBlock{at}
	for _, x := range kvapi.Views([]ssa.Value{v}) {
		switch x := x.(type) {
		case *ssa.Phi:
			batch = append(append(batch, x), x.Edges...)
		case *ssa.UnOp: // a variable kept in memory: its every load
			addr := x.X
			if fv, ok := addr.(*ssa.FreeVar); ok {
				// Captured by a flush closure: the loop that fills the
				// batch, and checks its length, is in the function that
				// owns the variable, and the batch is sent where the
				// closure is called.
				addr, sends = kvapi.Binding(fv), nil
				for _, call := range c.model.CallSites(fv.Parent()) {
					sends = append(sends, call.Block())
				}
			}
			if alloc, ok := addr.(*ssa.Alloc); ok && x.Op == token.MUL {
				for _, ref := range *alloc.Referrers() {
					if load, ok := ref.(*ssa.UnOp); ok {
						batch = append(batch, load)
					}
				}
			}
		}
	}
	for _, b := range batch {
		if b.Referrers() == nil {
			continue // a constant edge: nil
		}
		for _, ref := range *b.Referrers() {
			call, ok := ref.(*ssa.Call)
			if !ok || !kvapi.IsLen(call) {
				continue
			}
			for _, use := range *call.Referrers() {
				if n, ok := c.sentAt(use, call, sends); ok {
					return n, true
				}
			}
		}
	}
	return 0, false
}

// sentAt returns the length at which a comparison of a batch's length n
// with a constant lets the batch be sent, in block at. A comparison whose
// holding refuses the batch (if len(b) > 10000 { return err }) caps it.
func (c *checker) sentAt(use ssa.Instruction, n *ssa.Call, sends []*ssa.BasicBlock) (int64, bool) {
	bin, ok := use.(*ssa.BinOp)
	if !ok {
		return 0, false
	}
	k := c.model.Constant(kvapi.OtherOperand(bin, n))
	if k == nil {
		return 0, false
	}
	size, exact := constant.Int64Val(constant.ToInt(k))
	if !exact {
		return 0, false
	}
	if slices.ContainsFunc(sends, func(at *ssa.BasicBlock) bool { return refused(bin, at) }) {
		switch op := bin.Op; {
		case bin.X == n && op == token.GTR, bin.Y == n && op == token.LSS:
			return size, true // sent only while len(b) <= size
		case bin.X == n && op == token.GEQ, bin.Y == n && op == token.LEQ:
			return size - 1, true
		}
	}
	switch op := bin.Op; {
	case op == token.EQL, bin.X == n && (op == token.LSS || op == token.GEQ), bin.Y == n && (op == token.GTR || op == token.LEQ):
		return size, true // len(b) < size, len(b) >= size, size > len(b)
	case bin.X == n && (op == token.GTR || op == token.LEQ), bin.Y == n && (op == token.LSS || op == token.GEQ):
		return size + 1, true // len(b) > size
	}
	return 0, false
}

// refused reports whether block at runs only when the comparison bin
// does not hold: the send comes after a check that turns the batch away.
func refused(bin *ssa.BinOp, at *ssa.BasicBlock) bool {
	for _, ref := range *bin.Referrers() {
		if br, ok := ref.(*ssa.If); ok {
			b := br.Block()
			if b.Parent() != at.Parent() {
				return false
			}
			return b.Succs[1].Dominates(at) && !b.Succs[0].Dominates(at)
		}
	}
	return false
}

// window returns the size of a chunk cut as xs[i:i+size] or
// xs[i:min(i+size, len(xs))], when size is a constant.
func (c *checker) window(v ssa.Value) (int64, bool) {
	sl, ok := v.(*ssa.Slice)
	if !ok || sl.High == nil {
		return 0, false
	}
	high := sl.High
	if call, ok := high.(*ssa.Call); ok {
		if b, ok := call.Call.Value.(*ssa.Builtin); ok && b.Name() == "min" && len(call.Call.Args) > 0 {
			high = call.Call.Args[0]
		}
	}
	sum, ok := high.(*ssa.BinOp)
	if !ok || sum.Op != token.ADD {
		return 0, false
	}
	for _, side := range []ssa.Value{sum.X, sum.Y} {
		if k := c.model.Constant(side); k != nil {
			n, ok := constant.Int64Val(constant.ToInt(k))
			return n, ok
		}
	}
	return 0, false
}

// literalLen returns the length of a slice made from an array, as a
// slice literal is.
func literalLen(v ssa.Value) (int64, bool) {
	sl, ok := v.(*ssa.Slice)
	if !ok {
		return 0, false
	}
	if alloc, ok := sl.X.(*ssa.Alloc); ok {
		if arr, ok := alloc.Type().(*types.Pointer).Elem().Underlying().(*types.Array); ok {
			return arr.Len(), true
		}
	}
	return 0, false
}
