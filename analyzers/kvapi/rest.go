package kvapi

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/tools/go/ssa"
)

// Raw REST. Some backends call the Workers KV REST API with net/http
// rather than an SDK:
//
//	u := c.base + "/values/" + url.PathEscape(key) + "?expiration_ttl=" + strconv.Itoa(ttl)
//	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(v))
//	resp, err := c.hc.Do(req)
//
// A request is a KV operation when its URL, taken apart into the constant
// pieces and the run-time values it is built from (concatenation,
// fmt.Sprintf, url.Values, url.URL, and the package's own helpers that
// return a URL), names a path under /storage/kv/namespaces/. Its operands
// are pieces of that URL and its body. The operation is the call that
// sends the request, whose result is the response: that is what a get
// hands back. When the method or the path is a parameter of a helper
// (c.do(ctx, "PUT", path, body)), the operation is each call of the
// helper that gives them.

// restPkg is the Method.Pkg of a REST operation.
const restPkg = "net/http"

// restPath is the part of a KV REST URL that names a namespace.
const restPath = "/storage/kv/namespaces/"

// REST reports whether op is a request to the REST API, whose miss is a
// 404 response rather than an error.
func (op *Op) REST() bool { return op.rest != nil }

// A urlPart is a piece of a URL: constant text, or a value known at run time.
type urlPart struct {
	lit string
	val ssa.Value
	// num is set for a number formatted into the URL (strconv.Itoa(ttl)):
	// val is then the number.
	num bool
	// at is the instruction that joins the piece to the URL, for the
	// block in which an option is given (if ttl > 0 { u += ... }).
	at ssa.Instruction
	// expr is the expression the piece was written as, when known.
	expr ast.Expr
	// holder and field are set for a piece of a URL kept in a field
	// (c.base): the struct it was read from, as the request's function
	// sees it, and the field's name. The namespace is then that field.
	holder ssa.Value
	field  string
}

// restEnv binds the parameters of the helpers a URL is built in to what
// their callers pass, innermost first.
type restEnv struct {
	params map[*ssa.Parameter]ssa.Value
	outer  *restEnv
}

// resolve follows v, a parameter of a helper, to what its caller gave.
func (e *restEnv) resolve(v ssa.Value) (ssa.Value, *restEnv) {
	for e != nil {
		p, ok := v.(*ssa.Parameter)
		if !ok {
			break
		}
		a, bound := e.params[p]
		if !bound {
			break
		}
		v, e = a, e.outer
	}
	return v, e
}

func (e *restEnv) bind(fn *ssa.Function, args []ssa.Value) *restEnv {
	inner := &restEnv{params: make(map[*ssa.Parameter]ssa.Value), outer: e}
	for i, p := range fn.Params {
		if i < len(args) {
			inner.params[p] = args[i]
		}
	}
	return inner
}

// maxURLVariants bounds the ways a URL may be built (one per phi edge).
const maxURLVariants = 8

type urlBuilder struct {
	model *Result
}

// parts returns the ways v, a URL or a piece of one, is built.
func (b *urlBuilder) parts(v ssa.Value, env *restEnv, at ssa.Instruction, depth int) [][]urlPart {
	v, env = env.resolve(v)
	opaque := [][]urlPart{{{val: v, at: at}}}
	if depth > maxDepth {
		return opaque
	}
	switch v := v.(type) {
	case *ssa.Const:
		if v.Value != nil && v.Value.Kind() == constant.String {
			return [][]urlPart{{{lit: constant.StringVal(v.Value)}}}
		}
	case *ssa.BinOp:
		if v.Op == token.ADD && IsString(v.Type()) {
			return concat(b.parts(v.X, env, v, depth+1), b.parts(v.Y, env, v, depth+1))
		}
	case *ssa.Phi:
		if out, ok := b.joined(v, env, at, depth); ok {
			return out
		}
		var out [][]urlPart
		for _, e := range v.Edges {
			out = append(out, b.parts(e, env, at, depth+1)...)
		}
		return capVariants(out)
	case *ssa.UnOp:
		if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL && b.ownField(fa) {
			// A base URL kept in a field, set by a constructor or an option.
			holder, _ := env.resolve(fa.X)
			name := fieldName(fa.X.Type(), fa.Field)
			var out [][]urlPart
			for _, stored := range b.model.storedIn(FieldOf(fa)) {
				for _, parts := range b.parts(stored, nil, at, depth+1) {
					for i := range parts {
						if parts[i].holder == nil {
							parts[i].holder, parts[i].field = holder, name
						}
					}
					out = append(out, parts)
				}
			}
			if len(out) > 0 {
				return capVariants(out)
			}
		}
	case *ssa.Global:
		return opaque
	case *ssa.Call:
		return b.call(v, env, at, depth)
	case *ssa.Extract:
		// u, err := c.nsURL(key): a helper that returns the URL with an error.
		if call, ok := v.Tuple.(*ssa.Call); ok {
			return b.helper(v, call, env, at, depth)
		}
	}
	return opaque
}

// ownField reports whether fa is a field of a struct this package
// declares: the stores into url.URL's Path are other URLs' paths.
func (b *urlBuilder) ownField(fa *ssa.FieldAddr) bool {
	f := FieldOf(fa)
	return f != nil && f.Pkg() == b.model.pkg.Pkg
}

// joined reads a loop that appends the elements of a slice to a URL,
// for _, p := range parts { u += "/" + p }, as the elements the caller
// gave, each after the loop's own separator: c.url(ns, "values", key).
func (b *urlBuilder) joined(phi *ssa.Phi, env *restEnv, at ssa.Instruction, depth int) ([][]urlPart, bool) {
	if len(phi.Edges) != 2 {
		return nil, false
	}
	for i, e := range phi.Edges {
		step, ok := e.(*ssa.BinOp)
		if !ok || step.Op != token.ADD {
			continue
		}
		leaves := addends(step)
		if len(leaves) < 2 || leaves[0] != phi {
			continue
		}
		var sep []string
		var elem *ssa.IndexAddr
		for _, leaf := range leaves[1:] {
			switch x := leaf.(type) {
			case *ssa.Const:
				if x.Value == nil || x.Value.Kind() != constant.String || elem != nil {
					return nil, false
				}
				sep = append(sep, constant.StringVal(x.Value))
			case *ssa.UnOp:
				ia, ok := x.X.(*ssa.IndexAddr)
				if !ok || x.Op != token.MUL || elem != nil {
					return nil, false
				}
				elem = ia
			default:
				return nil, false
			}
		}
		if elem == nil {
			return nil, false
		}
		slice, outer := env.resolve(elem.X)
		elems := b.model.elements(slice, 0)
		if len(elems) == 0 {
			return nil, false
		}
		out := b.parts(phi.Edges[1-i], env, at, depth+1)
		for _, el := range elems {
			for _, s := range sep {
				out = concat(out, [][]urlPart{{{lit: s}}})
			}
			out = concat(out, b.parts(el, outer, at, depth+1))
		}
		return out, true
	}
	return nil, false
}

// mapEntry returns the value that the map literal m sets for key, nil if
// m is none or sets none.
func mapEntry(m ssa.Value, key string) ssa.Value {
	mm, ok := m.(*ssa.MakeMap)
	if !ok {
		return nil
	}
	for _, ref := range *mm.Referrers() {
		if up, ok := ref.(*ssa.MapUpdate); ok && up.Map == mm {
			if c, ok := up.Key.(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.String && constant.StringVal(c.Value) == key {
				return unwrapInterface(up.Value)
			}
		}
	}
	return nil
}

// addends returns the values that a chain of string concatenations adds,
// left to right: (u + "/") + p is u, "/", p.
func addends(v ssa.Value) []ssa.Value {
	if bin, ok := v.(*ssa.BinOp); ok && bin.Op == token.ADD && IsString(bin.Type()) {
		return append(addends(bin.X), addends(bin.Y)...)
	}
	return []ssa.Value{v}
}

func (b *urlBuilder) call(v *ssa.Call, env *restEnv, at ssa.Instruction, depth int) [][]urlPart {
	args := v.Call.Args
	arg := func(i int) ssa.Value {
		a, _ := env.resolve(args[i])
		return a
	}
	switch name := CalleeName(v); name {
	case "fmt.Sprintf":
		if len(args) == 2 {
			return b.sprintf(args[0], b.model.elements(args[1], 0), env, v, depth)
		}
	case "net/url.PathEscape", "net/url.QueryEscape":
		// The key, escaped: its value, not its pieces, is the operand.
		return [][]urlPart{{{val: arg(0), at: at}}}
	case "strconv.Itoa", "strconv.FormatInt", "strconv.FormatUint", "fmt.Sprint":
		x := arg(0)
		if name == "fmt.Sprint" {
			elems := b.model.elements(args[0], 0)
			if len(elems) != 1 {
				break
			}
			x = unwrapInterface(elems[0])
		}
		return [][]urlPart{{{val: x, num: true, at: at, expr: b.argExpr(v, 0)}}}
	case "(net/url.Values).Encode":
		return b.query(arg(0), env, depth)
	case "(*net/url.URL).String":
		return b.urlStruct(arg(0), env, depth)
	case "net/url.JoinPath":
		if len(args) == 2 {
			var out [][]urlPart
			out = b.parts(args[0], env, at, depth+1)
			for _, e := range b.model.elements(args[1], 0) {
				out = concat(out, [][]urlPart{{{lit: "/"}}})
				out = concat(out, b.parts(e, nil, at, depth+1))
			}
			return out
		}
	case "strings.Join":
		// c.endpoint("values", key) joining its parts: each element the
		// caller gave, after the separator.
		sep, ok := StringConst(args[1])
		if !ok {
			break
		}
		elems, elemEnv := env.resolve(args[0])
		out := [][]urlPart{{}}
		for i, e := range b.model.elements(elems, 0) {
			if i > 0 {
				out = concat(out, [][]urlPart{{{lit: sep}}})
			}
			out = concat(out, b.parts(e, elemEnv, at, depth+1))
		}
		if len(out) > 0 && len(out[0]) > 0 {
			return capVariants(out)
		}
	case "strings.TrimSuffix", "strings.TrimRight":
		return b.parts(args[0], env, at, depth+1)
	}
	return b.helper(v, v, env, at, depth)
}

// helper takes apart result, which call returns, when call is of a helper
// of the package that returns a URL: c.valueURL(key).
func (b *urlBuilder) helper(result ssa.Value, call *ssa.Call, env *restEnv, at ssa.Instruction, depth int) [][]urlPart {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg != b.model.pkg || len(callee.Blocks) == 0 || call.Call.IsInvoke() {
		return [][]urlPart{{{val: result, at: at}}}
	}
	inner := env.bind(callee, call.Call.Args)
	var out [][]urlPart
	for _, ret := range b.model.returned(result) {
		out = append(out, b.parts(ret, inner, at, depth+1)...)
	}
	if len(out) == 0 {
		return [][]urlPart{{{val: result, at: at}}}
	}
	return capVariants(out)
}

// sprintf takes fmt.Sprintf's result apart by its constant format.
func (b *urlBuilder) sprintf(format ssa.Value, args []ssa.Value, env *restEnv, at ssa.Instruction, depth int) [][]urlPart {
	f, ok := StringConst(format)
	if !ok {
		return [][]urlPart{{{val: at.(ssa.Value), at: at}}}
	}
	out := [][]urlPart{{}}
	next := 0
	for {
		i := strings.IndexByte(f, '%')
		if i < 0 || i+1 >= len(f) {
			return concat(out, [][]urlPart{{{lit: f}}})
		}
		out = concat(out, [][]urlPart{{{lit: f[:i]}}})
		verb := f[i+1]
		f = f[i+2:]
		if verb == '%' {
			out = concat(out, [][]urlPart{{{lit: "%"}}})
			continue
		}
		if next >= len(args) {
			return out
		}
		a := unwrapInterface(args[next])
		next++
		if verb == 'd' {
			a, _ = env.resolve(a)
			var expr ast.Expr
			if call, ok := at.(*ssa.Call); ok {
				expr = b.argExpr(call, next)
			}
			out = concat(out, [][]urlPart{{{val: a, num: true, at: at, expr: expr}}})
			continue
		}
		out = concat(out, b.parts(a, env, at, depth+1))
	}
}

// argExpr returns argument i of call as written.
func (b *urlBuilder) argExpr(call *ssa.Call, i int) ast.Expr {
	if e := b.model.CallExpr(call.Pos()); e != nil && i < len(e.Args) {
		return e.Args[i]
	}
	return nil
}

// query takes url.Values apart: what is set in the map before Encode.
func (b *urlBuilder) query(q ssa.Value, env *restEnv, depth int) [][]urlPart {
	out := [][]urlPart{{}}
	add := func(name ssa.Value, val ssa.Value, at ssa.Instruction, expr ast.Expr) {
		n, ok := StringConst(name)
		if !ok {
			return
		}
		out = concat(out, [][]urlPart{{{lit: "&" + n + "="}}})
		vals := b.queryValue(val, env, at, depth)
		for _, v := range vals {
			if len(v) == 1 && v[0].expr == nil {
				v[0].expr = expr
			}
		}
		out = concat(out, vals)
	}
	for _, addr := range append([]ssa.Value{q}, b.model.addresses(q, 0)...) {
		for _, user := range b.model.users(addr) {
			switch user := user.(type) {
			case *ssa.MapUpdate:
				if user.Map == addr {
					if elems := b.model.elements(user.Value, 0); len(elems) == 1 {
						add(user.Key, elems[0], user, nil)
					}
				}
			case *ssa.Call:
				name := CalleeName(user)
				if (name == "(net/url.Values).Set" || name == "(net/url.Values).Add") && len(user.Call.Args) == 3 && user.Call.Args[0] == addr {
					var expr ast.Expr
					if call := b.model.CallExpr(user.Pos()); call != nil && len(call.Args) == 2 {
						expr = call.Args[1]
					}
					add(user.Call.Args[1], user.Call.Args[2], user, expr)
				}
			}
		}
	}
	if len(out[0]) == 0 {
		return [][]urlPart{{{val: q}}}
	}
	return out
}

// queryValue is one value set in url.Values: a formatted number is that
// number, anything else its value.
func (b *urlBuilder) queryValue(v ssa.Value, env *restEnv, at ssa.Instruction, depth int) [][]urlPart {
	v, env = env.resolve(v)
	if call, ok := v.(*ssa.Call); ok {
		switch CalleeName(call) {
		case "strconv.Itoa", "strconv.FormatInt", "strconv.FormatUint":
			x, _ := env.resolve(call.Call.Args[0])
			return [][]urlPart{{{val: x, num: true, at: at, expr: b.argExpr(call, 0)}}}
		}
	}
	if _, ok := v.(*ssa.Const); ok {
		return b.parts(v, env, at, depth+1)
	}
	return [][]urlPart{{{val: v, at: at}}}
}

// urlStruct takes a url.URL apart by the fields the package stores in it.
func (b *urlBuilder) urlStruct(u ssa.Value, env *restEnv, depth int) [][]urlPart {
	path, query := [][]urlPart{{}}, [][]urlPart{{}}
	addrs := append([]ssa.Value{u}, b.model.addresses(u, 0)...)
	for i := 0; i < len(addrs) && i < maxDepth; i++ {
		for _, user := range b.model.users(addrs[i]) {
			// u := url.URL{Path: p}: the literal is built in a
			// temporary and copied into u.
			if st, ok := user.(*ssa.Store); ok && st.Addr == addrs[i] {
				if load, ok := st.Val.(*ssa.UnOp); ok && load.Op == token.MUL {
					addrs = append(addrs, load.X)
				}
			}
		}
	}
	for _, addr := range addrs {
		for _, user := range b.model.users(addr) {
			fa, ok := user.(*ssa.FieldAddr)
			if !ok || fa.X != addr {
				continue
			}
			for _, stored := range b.model.storedInto(fa) {
				switch fieldName(fa.X.Type(), fa.Field) {
				case "Path":
					path = b.parts(stored, env, nil, depth+1)
				case "RawQuery":
					query = concat([][]urlPart{{{lit: "?"}}}, b.parts(stored, env, nil, depth+1))
				}
			}
		}
	}
	return concat(path, query)
}

func unwrapInterface(v ssa.Value) ssa.Value {
	if mi, ok := v.(*ssa.MakeInterface); ok {
		return mi.X
	}
	return v
}

// concat returns every way of building a followed by b.
func concat(a, b [][]urlPart) [][]urlPart {
	var out [][]urlPart
	for _, x := range a {
		for _, y := range b {
			out = append(out, append(slices.Clip(x), y...))
			if len(out) == maxURLVariants {
				return out
			}
		}
	}
	return out
}

func capVariants(v [][]urlPart) [][]urlPart {
	if len(v) > maxURLVariants {
		return v[:maxURLVariants]
	}
	return v
}

// A restRequest is one request as a site builds it: its method, URL and
// body, with the parameters of the functions they are built in bound.
type restRequest struct {
	verb, url, body ssa.Value
	env             *restEnv
}

// requestAt returns the request that call makes or sends: a
// NewRequest, or a Get or Post of http or an http.Client.
func requestAt(call *ssa.Call) (restRequest, bool) {
	args := call.Call.Args
	get := ssa.NewConst(constant.MakeString("GET"), types.Typ[types.String])
	post := ssa.NewConst(constant.MakeString("POST"), types.Typ[types.String])
	switch CalleeName(call) {
	case "net/http.NewRequest":
		return restRequest{verb: args[0], url: args[1], body: args[2]}, true
	case "net/http.NewRequestWithContext":
		return restRequest{verb: args[1], url: args[2], body: args[3]}, true
	case "net/http.Get":
		return restRequest{verb: get, url: args[0]}, true
	case "(*net/http.Client).Get":
		return restRequest{verb: get, url: args[1]}, true
	case "net/http.Post":
		return restRequest{verb: post, url: args[0], body: args[2]}, true
	case "(*net/http.Client).Post":
		return restRequest{verb: post, url: args[1], body: args[3]}, true
	}
	return restRequest{}, false
}

// restOps finds the package's REST operations, by the call that is the
// operation (see the top of this file).
func (r *Result) restOps() map[ssa.CallInstruction][]*Op {
	ops := make(map[ssa.CallInstruction][]*Op)
	b := &urlBuilder{model: r}
	for _, fn := range r.funcs {
		for _, blk := range fn.Blocks {
			for _, instr := range blk.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				if req, ok := requestAt(call); ok {
					for _, op := range r.restOpsOf(b, call, req, 0) {
						ops[op.Call] = append(ops[op.Call], op)
					}
				}
			}
		}
	}
	return ops
}

// maxHelperDepth bounds how many helpers a request may be built through
// before its method and path are known.
const maxHelperDepth = 3

// restOpsOf returns the operations of the request that site makes, at the
// calls that send it; when its method or path is a parameter of the
// function it is made in, at that function's callers, which give them.
func (r *Result) restOpsOf(b *urlBuilder, site ssa.CallInstruction, req restRequest, depth int) []*Op {
	verb, _ := req.env.resolve(req.verb)
	method, verbKnown := StringConst(verb)
	var found []*Op
	undetermined, queryGiven := !verbKnown, false
	seen := make(map[string]bool)
	for _, parts := range b.parts(req.url, req.env, nil, 0) {
		ep, ok := parseEndpoint(parts)
		if !ok {
			undetermined = undetermined || endsInParam(parts)
			continue
		}
		// Ways of building the URL that differ only before the
		// namespace's ID (a base URL set in a constructor, or its
		// default) make the same request.
		sig := ep.signature()
		if seen[sig] {
			continue
		}
		seen[sig] = true
		queryGiven = queryGiven || slices.ContainsFunc(parts, isQueryParam)
		if !verbKnown {
			continue
		}
		role, ok := ep.role(strings.ToUpper(method))
		if !ok {
			continue
		}
		op := &Op{Method: &Method{Pkg: restPkg, Name: strings.ToUpper(method) + " " + ep.route, Role: role, Operands: ops{}},
			rest: r.restSources(ep, role, req, site)}
		found = append(found, op)
	}
	if len(found) > 0 && queryGiven && depth < maxHelperDepth {
		// c.list(ctx, url.Values{"limit": {"5"}}): the options are the callers'.
		if out := r.restOpsInCallers(b, site, req, depth); len(out) > 0 {
			return out
		}
	}
	if len(found) > 0 {
		var out []*Op
		for _, send := range r.sends(site) {
			for _, op := range found {
				o := *op
				o.Call, o.Args, o.Expr, o.model = send, send.Common().Args, r.CallExpr(send.Pos()), r
				out = append(out, &o)
			}
		}
		return out
	}
	if !undetermined || depth >= maxHelperDepth {
		return nil
	}
	return r.restOpsInCallers(b, site, req, depth)
}

// restOpsInCallers returns the operations of the request that site makes
// as each caller of its function completes it.
func (r *Result) restOpsInCallers(b *urlBuilder, site ssa.CallInstruction, req restRequest, depth int) []*Op {
	fn := site.Parent()
	var out []*Op
	for _, caller := range r.CallSites(fn) {
		if caller.Common().IsInvoke() {
			continue
		}
		outer := req
		// This caller's arguments bind fn's parameters, outside the
		// frames already bound.
		outer.env = chain(req.env, (*restEnv)(nil).bind(fn, caller.Common().Args))
		out = append(out, r.restOpsOf(b, caller, outer, depth+1)...)
	}
	return out
}

// chain returns inner with outer appended below its outermost frame.
func chain(inner, outer *restEnv) *restEnv {
	if inner == nil {
		return outer
	}
	c := *inner
	c.outer = chain(inner.outer, outer)
	return &c
}

// endsInParam reports whether a URL that names no KV path is built from a
// parameter of the function that makes the request, which a caller gives.
func endsInParam(parts []urlPart) bool {
	for _, p := range parts {
		if param, ok := p.val.(*ssa.Parameter); ok && param.Parent().Parent() == nil {
			return true
		}
	}
	return false
}

// isQueryParam reports whether p is url.Values that the function making
// the request is given.
func isQueryParam(p urlPart) bool {
	param, ok := p.val.(*ssa.Parameter)
	if !ok || param.Parent().Parent() != nil {
		return false
	}
	named, ok := types.Unalias(param.Type()).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "net/url" && named.Obj().Name() == "Values"
}

// sends returns the calls that send the request site makes: the call
// given the request, whose result is the response (c.hc.Do(req),
// s.do(http.NewRequest(...))), or, for a request its function returns,
// the calls in its callers that send what they get. A Get or Post sends
// itself; a request with no sender found is the operation itself.
func (r *Result) sends(site ssa.CallInstruction) []ssa.CallInstruction {
	call, ok := site.(*ssa.Call)
	if !ok || !strings.HasPrefix(CalleeName(call), "net/http.NewRequest") && !returnsRequest(call) {
		return []ssa.CallInstruction{site}
	}
	var sends []ssa.CallInstruction
	for _, user := range r.users(call) {
		ext, ok := user.(*ssa.Extract)
		if !ok || ext.Index != 0 {
			continue
		}
		for _, u := range r.users(ext) {
			if c, ok := u.(ssa.CallInstruction); ok && returnsResponse(c.Common().Signature()) && slices.Contains(c.Common().Args, ssa.Value(ext)) {
				sends = append(sends, c)
			}
		}
	}
	if len(sends) == 0 {
		return []ssa.CallInstruction{site}
	}
	return sends
}

// returnsRequest reports whether call is of a helper that returns the
// request it makes.
func returnsRequest(call *ssa.Call) bool {
	res := call.Call.Signature().Results()
	return res.Len() > 0 && IsHTTP(res.At(0).Type(), "Request")
}

func returnsResponse(sig *types.Signature) bool {
	res := sig.Results()
	return res.Len() > 0 && IsHTTP(res.At(0).Type(), "Response")
}

// IsHTTP reports whether t is *net/http.NAME.
func IsHTTP(t types.Type, name string) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	named, ok := types.Unalias(p.Elem()).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "net/http" && named.Obj().Name() == name
}

// An endpoint is the path of a KV REST URL after its namespace.
type endpoint struct {
	route     string // "/values/{key}", "/keys", "/bulk", ...
	namespace []urlPart
	key       []urlPart
	query     map[string][]urlPart
}

// signature identifies the request to ep by what follows the account:
// the namespace's ID, the route, the key and the query.
func (ep endpoint) signature() string {
	var sb strings.Builder
	piece := func(pieces []urlPart) {
		for _, p := range pieces {
			if p.val != nil {
				fmt.Fprintf(&sb, "{%p}", p.val)
			} else {
				sb.WriteString(p.lit)
			}
		}
		sb.WriteByte('|')
	}
	if n := len(ep.namespace); n > 0 {
		piece(ep.namespace[n-1:])
	}
	sb.WriteString(ep.route)
	piece(ep.key)
	for _, name := range slices.Sorted(maps.Keys(ep.query)) {
		sb.WriteString(name)
		piece(ep.query[name])
	}
	return sb.String()
}

// parseEndpoint finds the KV path in a URL's parts.
func parseEndpoint(parts []urlPart) (endpoint, bool) {
	u := renderURL(parts)
	at := strings.Index(u.text, restPath)
	if at < 0 {
		return endpoint{}, false
	}
	start := at + len(restPath)
	nsEnd := strings.IndexAny(u.text[start:], "/?")
	if nsEnd < 0 {
		nsEnd = len(u.text) - start
	}
	nsEnd += start
	if nsEnd == start {
		return endpoint{}, false // the error path of a helper: return "", err
	}
	ep := endpoint{namespace: u.pieces(0, nsEnd), query: make(map[string][]urlPart)}
	pathEnd := strings.IndexByte(u.text[nsEnd:], '?')
	if pathEnd < 0 {
		pathEnd = len(u.text) - nsEnd
	}
	pathEnd += nsEnd
	path := u.text[nsEnd:pathEnd]
	switch {
	case strings.HasPrefix(path, "/values/"):
		ep.route, ep.key = "/values/{key}", u.pieces(nsEnd+len("/values/"), pathEnd)
	case strings.HasPrefix(path, "/metadata/"):
		ep.route, ep.key = "/metadata/{key}", u.pieces(nsEnd+len("/metadata/"), pathEnd)
	case path == "/keys" || path == "/keys/":
		ep.route = "/keys"
	case path == "/bulk" || path == "/bulk/" || path == "/bulk/delete" || path == "/bulk/get":
		ep.route = strings.TrimSuffix(path, "/")
	default:
		return endpoint{}, false
	}
	if len(ep.key) == 0 && strings.Contains(ep.route, "{key}") {
		return endpoint{}, false
	}
	for i := pathEnd + 1; i < len(u.text); {
		end := strings.IndexByte(u.text[i:], '&')
		if end < 0 {
			end = len(u.text) - i
		}
		end += i
		if eq := strings.IndexByte(u.text[i:end], '='); eq >= 0 {
			ep.query[u.text[i:i+eq]] = u.pieces(i+eq+1, end)
		}
		i = end + 1
	}
	return ep, true
}

// A renderedURL is a URL's parts as text, each value a private-use rune
// that indexes it, with the part each byte of the text comes from.
type renderedURL struct {
	text   string
	parts  []urlPart
	origin []int // by byte of text
}

// placeholder is the first private-use rune, which stands for parts[0].
const placeholder = '\uE000'

func renderURL(parts []urlPart) renderedURL {
	u := renderedURL{parts: parts}
	var sb strings.Builder
	for i, p := range parts {
		n := sb.Len()
		if p.val == nil {
			sb.WriteString(p.lit)
		} else {
			sb.WriteRune(placeholder + rune(i))
		}
		for range sb.Len() - n {
			u.origin = append(u.origin, i)
		}
	}
	u.text = sb.String()
	return u
}

// pieces returns the parts of text[start:end]: the values, and the
// constant text between them, which keeps the constant it was written as
// when it is the whole of one.
func (u renderedURL) pieces(start, end int) []urlPart {
	var out []urlPart
	for i := start; i < end; {
		part := u.origin[i]
		if p := u.parts[part]; p.val != nil {
			out = append(out, p)
			i += utf8.RuneLen(placeholder + rune(part))
			continue
		}
		j := i
		for j < end && u.parts[u.origin[j]].val == nil {
			j++
		}
		lit := urlPart{lit: u.text[i:j]}
		if whole := u.parts[u.origin[i]]; u.origin[i] == u.origin[j-1] && whole.lit == lit.lit {
			lit.expr = whole.expr
		}
		out = append(out, lit)
		i = j
	}
	return out
}

// role is what a request of method does at the endpoint.
func (ep endpoint) role(method string) (Role, bool) {
	switch ep.route + " " + method {
	case "/values/{key} GET", "/metadata/{key} GET":
		return Get, true
	case "/values/{key} PUT", "/values/{key} POST":
		return Put, true
	case "/values/{key} DELETE":
		return Delete, true
	case "/keys GET":
		return List, true
	case "/bulk PUT":
		return BulkPut, true
	case "/bulk DELETE", "/bulk/delete POST":
		return BulkDelete, true
	case "/bulk/get POST":
		return BulkGet, true
	}
	return 0, false
}

// queryOperands are the operands a KV REST URL gives in its query.
var queryOperands = map[string]Operand{"expiration_ttl": TTL, "expiration": Expiration,
	"limit": Limit, "prefix": Prefix, "cursor": Cursor}

// restSources returns the operands of a request to ep.
func (r *Result) restSources(ep endpoint, role Role, req restRequest, site ssa.CallInstruction) map[Operand][]Source {
	srcs := make(map[Operand][]Source)
	add := func(o Operand, pieces []urlPart) {
		src, ok := r.pieceSource(pieces, o != Key && o != Prefix && o != Cursor && o != Namespace, site)
		if ok {
			srcs[o] = append(srcs[o], src)
		}
	}
	if ns, ok := r.namespaceSource(ep.namespace, site); ok {
		srcs[Namespace] = []Source{ns}
	}
	if ep.key != nil {
		add(Key, ep.key)
		// The key is in the path of every request made: no branch
		// gives it only sometimes, as one may give a query option.
		for i := range srcs[Key] {
			srcs[Key][i].Block = nil
		}
	}
	for name, pieces := range ep.query {
		if o, ok := queryOperands[name]; ok {
			add(o, pieces)
		}
	}
	if req.body != nil {
		if body := r.requestBody(req.body, req.env); body != nil {
			o := Value
			switch role {
			case BulkPut:
				o = Pairs
			case BulkDelete, BulkGet:
				o = Keys
				if keys := mapEntry(body, "keys"); keys != nil {
					body = keys // {"keys": keys, "type": "text"}
				}
			}
			srcs[o] = append(srcs[o], Source{Value: body, Pos: site.Pos(), Expr: r.exprOf(body)})
		}
	}
	return srcs
}

// namespaceSource returns the namespace of a request whose URL begins
// with pieces: the field it is kept in (c.base, read from the client the
// request is made on), or else the text of the URL up to the namespace's
// ID, with the values in it named by their identity.
func (r *Result) namespaceSource(pieces []urlPart, site ssa.CallInstruction) (Source, bool) {
	if len(pieces) == 0 {
		return Source{}, false
	}
	first := pieces[0]
	if first.holder != nil && !slices.ContainsFunc(pieces, func(p urlPart) bool { return p.holder != first.holder || p.field != first.field }) {
		field := &Term{Op: TermField, Name: first.field, Args: []*Term{{Op: TermParam, Index: 0}}}
		return Source{Term: field, Args: []ssa.Value{first.holder}, Pos: site.Pos()}, true
	}
	// The URL as a Term over the values in it, so that a wrapper's
	// callers compare the values they pass: GetValue(token, account, ...)
	// and PutValue(token, account, ...) address one namespace.
	// A value computed in a helper the URL is built in (c.root()) is
	// named by its identity there, the same for every request built by it.
	url := &Term{Op: TermCall, Name: restURL}
	var args []ssa.Value
	var plain strings.Builder // the URL, when it has no values of this function
	text := func(lit string) {
		url.Args = append(url.Args, &Term{Op: TermConst, Value: strconv.Quote(lit), Kind: constant.String})
		plain.WriteString(lit)
	}
	for _, p := range pieces {
		switch {
		case p.val == nil:
			text(p.lit)
		case valueParent(p.val) != nil && valueParent(p.val) != site.Parent():
			id, ok := r.identity(Source{Value: p.val}, true)
			if !ok {
				id = "?"
			}
			text("{" + id + "}")
		default:
			url.Args = append(url.Args, &Term{Op: TermParam, Index: len(args)})
			args = append(args, p.val)
		}
	}
	if args == nil {
		return Source{Value: ssa.NewConst(constant.MakeString(plain.String()), types.Typ[types.String]), Pos: site.Pos()}, true
	}
	return Source{Term: url, Args: args, Pos: site.Pos()}, true
}

// restURL names the Term of a namespace's URL, its pieces in order.
const restURL = "rest.url"

// pieceSource returns the Source of an operand made of pieces: one value,
// or constant text, read as a number when numeric.
func (r *Result) pieceSource(pieces []urlPart, numeric bool, site ssa.CallInstruction) (Source, bool) {
	switch {
	case len(pieces) == 1 && pieces[0].val != nil:
		p := pieces[0]
		if numeric && !p.num && IsString(p.val.Type()) {
			return Source{}, false // a number in a string, parsed elsewhere
		}
		src := Source{Value: p.val, Pos: site.Pos(), Expr: r.exprOf(p.val)}
		if src.Expr == nil {
			src.Expr = p.expr
		}
		if src.Expr != nil {
			src.Pos = src.Expr.Pos()
		}
		if p.at != nil && p.at.Block() != nil && p.at.Parent() == site.Parent() {
			src.Block = p.at.Block()
		}
		return src, true
	case len(pieces) > 0 && !slices.ContainsFunc(pieces, func(p urlPart) bool { return p.val != nil }):
		var text string
		for _, p := range pieces {
			text += p.lit
		}
		if !numeric {
			return Source{Value: ssa.NewConst(constant.MakeString(text), types.Typ[types.String]), Pos: site.Pos()}, true
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return Source{}, false
		}
		src := Source{Value: ssa.NewConst(constant.MakeInt64(n), types.Typ[types.Int]), Pos: site.Pos()}
		if len(pieces) == 1 && pieces[0].expr != nil {
			src.Expr, src.Pos = pieces[0].expr, pieces[0].expr.Pos()
		}
		return src, true
	}
	return Source{}, false
}

// requestBody returns the value a request's body reads.
func (r *Result) requestBody(body ssa.Value, env *restEnv) ssa.Value {
	for range maxDepth {
		body, env = env.resolve(unwrapInterface(body))
		if phi, ok := body.(*ssa.Phi); ok {
			// var body io.Reader; if in != nil { body = ... }: the one
			// body that is sent at all.
			var sent []ssa.Value
			for _, e := range phi.Edges {
				if c, ok := e.(*ssa.Const); !ok || !c.IsNil() {
					sent = append(sent, e)
				}
			}
			if len(sent) != 1 {
				break
			}
			body = sent[0]
			continue
		}
		if ext, ok := body.(*ssa.Extract); ok && ext.Index == 0 {
			if call, ok := ext.Tuple.(*ssa.Call); ok && CalleeName(call) == "encoding/json.Marshal" {
				body = call.Call.Args[0] // what is encoded, perhaps a helper's parameter
				continue
			}
			if pw := pipeWriter(ext); pw != nil {
				if v := encodedInto(pw); v != nil {
					body = v // a goroutine's json.NewEncoder(pw).Encode(pairs)
					continue
				}
			}
		}
		call, ok := body.(*ssa.Call)
		if !ok {
			break
		}
		switch CalleeName(call) {
		case "bytes.NewReader", "strings.NewReader", "bytes.NewBuffer", "bytes.NewBufferString":
			body = call.Call.Args[0]
			continue
		}
		break
	}
	if c, ok := body.(*ssa.Const); ok && c.IsNil() {
		return nil
	}
	return body
}

// encodedInto returns the one value that is JSON-encoded into pw, the
// writer end of a pipe, and nothing else written: pairs of
// json.NewEncoder(pw).Encode(pairs).
func encodedInto(pw ssa.Value) ssa.Value {
	calls, writers := pipeWrites(pw)
	var encoded ssa.Value
	for _, instr := range calls {
		call, ok := instr.(*ssa.Call)
		if !ok {
			continue
		}
		switch CalleeName(call) {
		case "(*encoding/json.Encoder).Encode":
			if encoded != nil {
				return nil
			}
			encoded = unwrapInterface(call.Call.Args[1])
			for range maxDepth {
				// Encoded by a goroutine that captures what it encodes.
				fv, ok := encoded.(*ssa.FreeVar)
				if !ok || Binding(fv) == nil {
					break
				}
				encoded = Binding(fv)
			}
		case "encoding/json.NewEncoder", "(*io.PipeWriter).Close", "(*io.PipeWriter).CloseWithError":
		default:
			if !slices.ContainsFunc(call.Call.Args, func(a ssa.Value) bool { return writers[a] }) {
				continue
			}
			return nil // written some other way too
		}
	}
	return encoded
}

// exprOf returns the expression of the package's syntax that v is, if
// SSA's debug information says.
func (r *Result) exprOf(v ssa.Value) ast.Expr {
	fn := valueParent(v)
	if fn == nil {
		return nil
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if ref, ok := instr.(*ssa.DebugRef); ok && ref.X == v {
				return ref.Expr
			}
		}
	}
	return nil
}

// usesREST reports whether the package's syntax names the KV REST API.
func usesREST(files []*ast.File) bool {
	found := false
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.Contains(lit.Value, "storage/kv/namespaces") {
				found = true
			}
			return !found
		})
	}
	return found
}
