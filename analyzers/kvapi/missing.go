package kvapi

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/ssa"
)

// nullText is how syumai/workers' GetString hands back a missing key: the
// JS null, rendered by syscall/js's Value.String.
const nullText = "<null>"

// MissingText returns the text in which the get hands back a missing key,
// when a missing key comes back as a value rather than as an error or a
// flag: "<null>" for syumai/workers' GetString, and for a wrapper that
// returns what GetString read without looking for it. It returns "" for
// every other get.
func (op *Op) MissingText() string {
	if op.Wrapped != nil {
		return op.Wrapped.Missing
	}
	if op.Method.Role == Get && op.Method.Name == "GetString" && strings.HasPrefix(op.Method.Pkg, "github.com/syumai/workers/") {
		return nullText
	}
	return ""
}

// Views returns vals and the values that are the same thing: phis that
// merge them, conversions between string and []byte, changes of type, and
// transforms that leave "<null>" as it is (strings.TrimSpace, ToLower).
func Views(vals []ssa.Value) []ssa.Value {
	out := append([]ssa.Value(nil), vals...)
	seen := make(map[ssa.Value]bool)
	for i := 0; i < len(out); i++ {
		v := out[i]
		if seen[v] || v.Referrers() == nil {
			continue
		}
		seen[v] = true
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.Phi, *ssa.ChangeType, *ssa.Convert:
				out = append(out, ref.(ssa.Value))
			case *ssa.Call:
				// Transforms that leave a missing key's text as it is:
				// strings.TrimSpace(v) == "" is v == "" for a miss.
				if name := CalleeName(ref); (name == "strings.TrimSpace" || name == "strings.ToLower") && ref.Call.Args[0] == v {
					out = append(out, ref)
				}
			}
		}
	}
	return out
}

// LooksFor reports whether one of vals is compared with the string
// constant text, directly or by a helper that compares its parameter with
// it: kvstore.Missing(v), in this package or another (checksMissingFact).
func (r *Result) LooksFor(vals []ssa.Value, text string) bool {
	for _, v := range vals {
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.BinOp:
				if comparesWith(ref, text) {
					return true
				}
			case ssa.CallInstruction:
				if r.checksArg(ref.Common(), v) {
					return true
				}
			}
		}
	}
	return false
}

func comparesWith(bin *ssa.BinOp, text string) bool {
	if bin.Op != token.EQL && bin.Op != token.NEQ {
		return false
	}
	if s, ok := StringConst(bin.X); ok && s == text {
		return true
	}
	s, ok := StringConst(bin.Y)
	return ok && s == text
}

// ChecksMissing reports whether the call passes v to a helper that
// compares it with the text of a missing key: kvstore.IsMissing(v).
func (r *Result) ChecksMissing(call *ssa.CallCommon, v ssa.Value) bool {
	return r.checksArg(call, v)
}

// checksArg reports whether the call passes v to a parameter that its
// callee compares with the missing key's text.
func (r *Result) checksArg(call *ssa.CallCommon, v ssa.Value) bool {
	callee := call.StaticCallee()
	if callee == nil {
		return false
	}
	var params []int
	if callee.Pkg == r.pkg {
		params = r.missingChecks()[callee]
	} else if obj, ok := callee.Object().(*types.Func); ok {
		var fact checksMissingFact
		if r.pass.ImportObjectFact(obj.Origin(), &fact) {
			params = fact.Params
		}
	}
	for _, i := range params {
		if i < len(call.Args) && call.Args[i] == v {
			return true
		}
	}
	return false
}

// A checksMissingFact marks a function that compares string parameters
// with "<null>", the text in which syumai/workers' GetString hands back
// a missing key: a call of it is a miss check.
type checksMissingFact struct {
	Params []int
}

func (*checksMissingFact) AFact() {}
func (f *checksMissingFact) String() string {
	return fmt.Sprintf("checks for a missing key: %v", f.Params)
}

// missingChecks returns the package's functions that compare a string
// parameter with "<null>", and which; it exports them as facts.
func (r *Result) missingChecks() map[*ssa.Function][]int {
	if r.checks != nil {
		return r.checks
	}
	r.checks = make(map[*ssa.Function][]int)
	for _, fn := range r.funcs {
		var params []int
		for i, p := range fn.Params {
			if !basic(p.Type(), types.IsString) || p.Referrers() == nil {
				continue
			}
			for _, ref := range *p.Referrers() {
				if bin, ok := ref.(*ssa.BinOp); ok && comparesWith(bin, nullText) {
					params = append(params, i)
					break
				}
			}
		}
		if len(params) == 0 {
			continue
		}
		r.checks[fn] = params
		if obj, ok := fn.Object().(*types.Func); ok && fn.Parent() == nil {
			r.pass.ExportObjectFact(obj, &checksMissingFact{Params: params})
		}
	}
	return r.checks
}

// StringConst returns the value of a string constant.
func StringConst(v ssa.Value) (string, bool) {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(c.Value), true
}

// missingReturned returns the text in which fn hands back a missing key
// that the get op read, when fn returns the value unchanged and never
// looks for that text: its callers then see what GetString saw.
func (r *Result) missingReturned(fn *ssa.Function, op *Op) string {
	text := op.MissingText()
	if text == "" {
		return ""
	}
	views := Views(op.Results())
	if r.LooksFor(views, text) {
		return ""
	}
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			for _, v := range ret.Results {
				for _, view := range views {
					if v == view {
						return text
					}
				}
			}
		}
	}
	return ""
}

// AfterMiss reports whether put runs only when a get missed: a cache
// fill, which writes once per expiry, not per request. The put is on the
// miss side of a test of what the get returned: its error not nil, its
// value "<null>", "" or nil, its found flag false. Only the gets that
// of accepts count, all when it is nil.
func (r *Result) AfterMiss(put *Op, of func(get *Op) bool) bool {
	var reads []ssa.Value
	for _, op := range r.OpsIn(put.Call.Parent(), Get) {
		if of != nil && !of(op) {
			continue
		}
		reads = append(reads, op.Results()...)
		if call, ok := op.Call.(*ssa.Call); ok {
			reads = append(reads, call) // its error: a miss, for cloudflare-go
		}
	}
	if len(reads) == 0 {
		return false
	}
	block := put.Call.Block()
	for b := block.Idom(); b != nil; b = b.Idom() {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || !r.DependsOn(br.Cond, br, reads) {
			continue
		}
		miss, known := missSide(br.Cond, reads)
		if known && b.Succs[miss].Dominates(block) && onlyMisses(r, b.Succs[miss], reads) {
			return true
		}
	}
	return false
}

// onlyMisses reports whether every way into block is the miss side of a
// test of what a get returned: err == nil && v != "<null>" leads to the
// fill only when one of them fails.
func onlyMisses(r *Result, block *ssa.BasicBlock, reads []ssa.Value) bool {
	for _, pred := range block.Preds {
		br, ok := pred.Instrs[len(pred.Instrs)-1].(*ssa.If)
		if !ok || !r.DependsOn(br.Cond, br, reads) {
			return false
		}
		miss, known := missSide(br.Cond, reads)
		if !known || pred.Succs[miss] != block {
			return false
		}
	}
	return true
}

// missSide returns which successor of a branch on cond a miss takes;
// reads are what the gets returned, their found flags among them.
func missSide(cond ssa.Value, reads []ssa.Value) (int, bool) {
	if call, ok := cond.(*ssa.Call); ok && slices.ContainsFunc(call.Call.Args, func(a ssa.Value) bool { return IsError(a.Type()) }) {
		// IsNotFound(err), errors.Is(err, ErrNotFound): the miss is the
		// true side. errors.Is(err, ErrTaken) tests something else.
		return 0, missWords().MatchString(CalleeName(call)) || slices.ContainsFunc(call.Call.Args, namesMiss)
	}
	switch c := cond.(type) {
	case *ssa.UnOp:
		if c.Op == token.NOT {
			side, ok := missSide(c.X, reads)
			return 1 - side, ok
		}
	case *ssa.BinOp:
		var other ssa.Value
		switch {
		case isConst(c.Y):
			other = c.Y
		case isConst(c.X):
			other = c.X
		default:
			return 0, false
		}
		k := other.(*ssa.Const)
		empty := k.IsNil() || k.Value != nil && k.Value.Kind() == constant.String && constant.StringVal(k.Value) == ""
		null := k.Value != nil && k.Value.Kind() == constant.String && constant.StringVal(k.Value) == "<null>"
		isErr := IsError(c.X.Type()) || IsError(c.Y.Type())
		switch {
		case isErr && k.IsNil():
			// err != nil: the miss is the true side.
			if c.Op == token.NEQ {
				return 0, true
			}
			return 1, true
		case empty || null:
			if c.Op == token.EQL {
				return 0, true
			}
			return 1, true
		}
	case *ssa.Call:
		// A get's own found flag (knownDevice(id), a helper that gets
		// the key), or a helper named for a miss or a hit: isMissing(v),
		// exists(v). Any other test of what was read, strings.HasPrefix(v,
		// "{"), says nothing of a miss.
		if IsBool(c.Type()) && slices.Contains(reads, ssa.Value(c)) {
			return 1, true
		}
		name := CalleeName(c)
		name = name[strings.LastIndex(name, ".")+1:]
		switch {
		case missWords().MatchString(name):
			return 0, true
		case presenceWords().MatchString(name):
			return 1, true
		}
		return 0, false
	case *ssa.Extract:
		switch c.Tuple.(type) {
		case *ssa.Next, *ssa.Lookup, *ssa.TypeAssert:
			return 0, false // a range loop's, a map's or a type assertion's ok
		}
		if IsBool(cond.Type()) {
			return 1, true // a found flag: the miss is the false side
		}
	default:
		if IsBool(cond.Type()) {
			return 1, true // if found { ... }: the miss is the false side
		}
	}
	return 0, false
}

// presenceWords name a helper that says a key is there: exists(v).
var presenceWords = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(is)?(exists?|found|present|has|haskey|set)$`)
})

// missWords name a missing key: ErrNotFound, IsNotExist, ErrNoKey.
var missWords = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)not_?found|not_?exist|no_?key|missing|absent|nil|null|empty|miss|noent|unknown`)
})

// namesMiss reports whether v is a package-level error whose name says
// the key is missing: storage.ErrNotFound.
func namesMiss(v ssa.Value) bool {
	if load, ok := v.(*ssa.UnOp); ok {
		v = load.X
	}
	g, ok := v.(*ssa.Global)
	return ok && missWords().MatchString(g.Name())
}

func isConst(v ssa.Value) bool { _, ok := v.(*ssa.Const); return ok }

// MissIsError reports whether the get op reports a missing key as an
// error: cloudflare-go's gets (a 404), and wrappers that pass that on or
// turn "<null>" into an error (see WrappedOp.MissError).
func (op *Op) MissIsError() bool {
	if op.Wrapped != nil {
		return op.Wrapped.MissError
	}
	return op.Method.Role == Get && strings.HasPrefix(op.Method.Pkg, "github.com/cloudflare/cloudflare-go") && !op.REST()
}

// missAsError reports whether fn hands back the miss of its get op as an
// error: one the get reports so and fn returns without looking at it, or
// "<null>" that fn answers with an error.
func (r *Result) missAsError(fn *ssa.Function, op *Op) bool {
	call, ok := op.Call.(*ssa.Call)
	if !ok || call.Parent() != fn {
		return false
	}
	if op.MissIsError() {
		err := ErrorOf(call)
		return err != nil && returnsError(fn) && !nilErrorOnFailure(fn, err) && !returnsNone(fn)
	}
	text := op.MissingText()
	if text == "" {
		return false
	}
	for _, v := range Views(op.Results()) {
		for _, ref := range *v.Referrers() {
			bin, ok := ref.(*ssa.BinOp)
			if !ok || bin.Op != token.EQL && bin.Op != token.NEQ {
				continue
			}
			if s, ok := StringConst(OtherOperand(bin, v)); !ok || s != text {
				continue
			}
			for _, use := range *bin.Referrers() {
				br, ok := use.(*ssa.If)
				if !ok {
					continue
				}
				missing := equalBranch(br.Block(), bin)
				if ret, ok := missing.Instrs[len(missing.Instrs)-1].(*ssa.Return); ok && len(ret.Results) > 0 {
					last := ret.Results[len(ret.Results)-1]
					return IsError(last.Type()) && !IsNil(last)
				}
			}
		}
	}
	return false
}

// returnsNone reports whether fn returns, with a nil error, a value it
// writes as empty (return "", nil): an answer of its own, such as "no
// cursor stored yet", which its callers' tests for "" look for.
func returnsNone(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) < 2 || !returnedNil(ret.Results[len(ret.Results)-1]) {
			continue
		}
		if slices.ContainsFunc(ret.Results[:len(ret.Results)-1], func(v ssa.Value) bool {
			c, ok := returnedValue(v).(*ssa.Const)
			return ok && (c.IsNil() || c.Value != nil && c.Value.Kind() == constant.String && constant.StringVal(c.Value) == "")
		}) {
			return true
		}
	}
	return false
}

// errorsAsMiss reports whether fn returns a nil error after any failure
// of its get op, which reports a missing key as an error, without looking
// at which failure it was: load-or-zero helpers.
func errorsAsMiss(fn *ssa.Function, op *Op) bool {
	call, ok := op.Call.(*ssa.Call)
	if !ok || call.Parent() != fn || !op.MissIsError() {
		return false
	}
	err := ErrorOf(call)
	if !returnsError(fn) {
		// No error to hand on (LoadOrZero): every failure that is not
		// told apart comes back as the zero value.
		return err == nil || !Inspected(err)
	}
	return err != nil && !Inspected(err) && nilErrorOnFailure(fn, err)
}

// ErrorOf returns the error that call returns, as a value of the caller
// (the call, or its Extract), nil if it returns none or drops it.
func ErrorOf(call *ssa.Call) ssa.Value {
	res := call.Call.Signature().Results()
	if res.Len() == 0 || !IsError(res.At(res.Len()-1).Type()) {
		return nil
	}
	if res.Len() == 1 {
		return call
	}
	for _, ref := range *call.Referrers() {
		if ext, ok := ref.(*ssa.Extract); ok && ext.Index == res.Len()-1 {
			return ext
		}
	}
	return nil
}

// returnsError reports whether fn's last result is an error.
func returnsError(fn *ssa.Function) bool {
	res := fn.Signature.Results()
	return res.Len() > 0 && IsError(res.At(res.Len()-1).Type())
}

// nilErrorOnFailure reports whether fn may return a nil error after its
// get failed: from anywhere but the side of a test of err that found it
// nil (if isNotFound(err) { return nil, nil }).
func nilErrorOnFailure(fn *ssa.Function, err ssa.Value) bool {
	var succeeded []*ssa.BasicBlock
	for _, view := range append([]ssa.Value{err}, reloaded(err)...) {
		for _, ref := range *view.Referrers() {
			bin, ok := ref.(*ssa.BinOp)
			if !ok || bin.Op != token.EQL && bin.Op != token.NEQ || !IsNil(OtherOperand(bin, view)) {
				continue
			}
			for _, use := range *bin.Referrers() {
				if br, ok := use.(*ssa.If); ok {
					ok := br.Block().Succs[1]
					if bin.Op == token.EQL {
						ok = br.Block().Succs[0]
					}
					succeeded = append(succeeded, ok)
				}
			}
		}
	}
	get := err.(ssa.Instruction).Block()
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 || !returnedNil(ret.Results[len(ret.Results)-1]) || !get.Dominates(b) {
			continue
		}
		if !slices.ContainsFunc(succeeded, func(ok *ssa.BasicBlock) bool { return len(ok.Preds) == 1 && ok.Dominates(b) }) {
			return true
		}
	}
	return false
}

// reloaded returns the loads of v from a named result it is stored in,
// made in the same block before anything else is stored there: err of
// raw, err = s.api.GetWorkersKV(...); if err != nil, in a function with
// defers, whose results live in variables.
func reloaded(v ssa.Value) []ssa.Value {
	var loads []ssa.Value
	for _, ref := range *v.Referrers() {
		store, ok := ref.(*ssa.Store)
		if !ok || store.Val != v {
			continue
		}
		after := false
		for _, instr := range store.Block().Instrs {
			switch instr := instr.(type) {
			case *ssa.Store:
				if instr == store {
					after = true
				} else if after && instr.Addr == store.Addr {
					after = false
				}
			case *ssa.UnOp:
				if after && instr.Op == token.MUL && instr.X == store.Addr {
					loads = append(loads, instr)
				}
			}
		}
	}
	return loads
}

// returnedNil reports whether v, a returned value, is nil (see
// returnedValue).
func returnedNil(v ssa.Value) bool { return IsNil(returnedValue(v)) }

// returnedValue returns what v, a returned value, is: v, or, in a
// function with defers, whose results live in variables, what was last
// stored in its variable before the load in the same block.
func returnedValue(v ssa.Value) ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return v
	}
	var last ssa.Value
	for _, instr := range load.Block().Instrs {
		if instr == load {
			break
		}
		if st, ok := instr.(*ssa.Store); ok && st.Addr == load.X {
			last = st.Val
		}
	}
	if last == nil {
		return v
	}
	return last
}

// Inspected reports whether err is looked at beyond a comparison with nil
// and being logged: errors.Is or As, a type assertion, a method, a helper.
func Inspected(err ssa.Value) bool {
	var look func(v ssa.Value, depth int, stored bool) bool
	look = func(v ssa.Value, depth int, stored bool) bool {
		if depth > 3 || v.Referrers() == nil {
			return false
		}
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.BinOp:
				if !IsNil(ref.X) && !IsNil(ref.Y) {
					return true // err == ErrNotFound
				}
			case *ssa.MakeInterface, *ssa.ChangeInterface:
				if look(ref.(ssa.Value), depth+1, stored) {
					return true
				}
			case *ssa.Store:
				// Into a variable that stays in memory (a named result of
				// a function with a defer): what reads it back and tests
				// it looks. (Its reading for the return is the result
				// slot's, not this error's.)
				if alloc, ok := ref.Addr.(*ssa.Alloc); ok && ref.Val == v && !stored {
					for _, use := range *alloc.Referrers() {
						if load, ok := use.(*ssa.UnOp); ok && load.Op == token.MUL && look(load, depth+1, true) {
							return true
						}
					}
				}
				// Else into a varargs slice for a logger.
			case *ssa.IndexAddr, *ssa.DebugRef:
				// into a varargs slice for a logger; a name for debuggers
			case *ssa.Slice:
				if look(ref, depth+1, stored) {
					return true
				}
			case ssa.CallInstruction:
				if !logs(ref.Common()) && !AsAnyFailure(ref.Common()) {
					return true
				}
			case *ssa.Return, *ssa.Phi:
				if !stored {
					return true // handed on to be judged elsewhere
				}
			default:
				return true
			}
		}
		return false
	}
	return look(err, 0, false)
}

// AsAnyFailure reports whether c is errors.As into a variable of the
// SDK's error for every failed request (*cloudflare.Error) whose status
// or codes are never read: all it tells is that the request failed.
func AsAnyFailure(c *ssa.CallCommon) bool {
	callee := c.StaticCallee()
	if callee == nil || callee.String() != "errors.As" || len(c.Args) != 2 {
		return false
	}
	target := c.Args[1]
	if mi, ok := target.(*ssa.MakeInterface); ok {
		target = mi.X
	}
	variable, ok := target.(*ssa.Alloc)
	if !ok || !IsAPIError(variable.Type().(*types.Pointer).Elem()) {
		return false
	}
	for _, ref := range *variable.Referrers() {
		load, ok := ref.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			continue
		}
		for _, use := range *load.Referrers() {
			switch use := use.(type) {
			case *ssa.FieldAddr, *ssa.Field:
				return false // apiErr.StatusCode == 404
			case ssa.CallInstruction:
				if !logs(use.Common()) {
					return false // apiErr.ErrorCodes(), isMissing(apiErr)
				}
			}
		}
	}
	return true
}

// logs reports whether the call prints or logs its arguments.
func logs(c *ssa.CallCommon) bool {
	var pkg string
	if c.IsInvoke() {
		if c.Method.Pkg() != nil {
			pkg = c.Method.Pkg().Path()
		}
	} else if callee := c.StaticCallee(); callee != nil && callee.Pkg != nil {
		pkg = callee.Pkg.Pkg.Path()
	} else if callee != nil && callee.Object() != nil && callee.Object().Pkg() != nil {
		pkg = callee.Object().Pkg().Path()
	}
	switch pkg {
	case "fmt", "log", "log/slog":
		return true
	}
	return false
}

// Uses returns the instructions that use v, leaving out the DebugRefs
// that only name it to a debugger: _ = json.Unmarshal(b, &x) leaves one.
func Uses(v ssa.Value) []ssa.Instruction {
	var uses []ssa.Instruction
	if refs := v.Referrers(); refs != nil {
		for _, ref := range *refs {
			if _, debug := ref.(*ssa.DebugRef); !debug {
				uses = append(uses, ref)
			}
		}
	}
	return uses
}
