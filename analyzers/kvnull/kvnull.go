package kvnull

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/internal/analysisdoc"
	"github.com/kvlint/kvlint/analyzers/internal/report"
	"github.com/kvlint/kvlint/analyzers/kvapi"
	"github.com/kvlint/kvlint/analyzers/kvcounter"
)

//go:embed doc.go
var doc string

// Analyzer reports missing KV keys mistaken for values.
var Analyzer = &analysis.Analyzer{
	Name:     "kvnull",
	Doc:      analysisdoc.Extract(doc, "kvnull"),
	URL:      "https://github.com/kvlint/kvlint/blob/main/docs/kvnull.md",
	Requires: []*analysis.Analyzer{kvapi.Analyzer, kvcounter.Analyzer},
	Run:      run,
}

const (
	emptyCheckMsg    = "this miss check is never true: for a missing key GetString returns the string %q (syscall/js's rendering of the JS null), not %q; compare with %q"
	nilReaderMsg     = "this miss check is never true: for a missing key GetReader returns a reader over the JS null, not nil, and reading it panics; use GetString and compare with \"<null>\""
	unseenReaderMsg  = "for a missing key GetReader returns a reader over the JS null, not an error, and reading it panics; this reader is read with no way to tell a miss: read with GetString and compare with \"<null>\", or make sure the key exists first"
	parsedMsg        = "for a missing key GetString returns the string %q, not \"\", and this value is parsed with no check for it, so a missing key fails as a parse error: compare with %q before using it"
	storedMsg        = "for a missing key GetString returns the string %q, not \"\", and this value is written to KV at line %d with no check for it, so a miss stores the text %q as data: compare with %q before using it"
	splitMsg         = "for a missing key GetString returns the string %q, not \"\", and this value is split into a list with no check for it, so a miss reads as the one-element list [%q]: compare with %q before using it"
	unseededMsg      = "for a missing key GetString returns the string %q, not \"\", which this value's parse rejects, and the way its parse error takes skips the write of the same key at line %d, so a missing key is never created (a count never starts): compare with %q and start from a default"
	cursorMsg        = "for a missing key GetString returns the string %q, not \"\", and this value is the cursor of the list at line %d with no check for it, so until a cursor is first saved every list resumes from %q, a cursor KV never issued: compare with %q and start from \"\" on a miss"
	servedMsg        = "for a missing key GetString returns the string %q, not \"\", and this value is sent as the response with no check for it, so the client gets the text %q with a 200: compare with it and answer 404"
	binaryMissMsg    = "a missing key reaches this value's decode as an empty value: the get's not-found is let through, and encoding/binary's fixed-width readers panic on fewer bytes than they read: tell the miss apart (errors.Is on the not-found) and use zero, or return it"
	decodeMissMsg    = "a missing key reaches this value's decode as an empty value: the get's not-found is let through, then the empty value fails to decode and that error is handed on, so every miss fails as corrupt data: handle the miss before decoding"
	missBodyMsg      = "a missing key reaches this read of the get's response: the get's not-found is let through, and cloudflare-go hands back the 404 response with the error, its body the API's JSON error, so a miss reads that JSON as the value: handle the miss where the not-found is recognised"
	droppedMsg       = "the error of this get is dropped, but a missing key comes back only as an error (a 404 for cloudflare-go), so a miss, and a timeout or a 429 as well, reads as an empty value here: check the error, and tell a not-found from the rest"
	droppedCheckMsg  = "this miss check tests the value of a get whose error is dropped, but a missing key comes back only as an error (a 404 for cloudflare-go): a timeout or a 429 reads as a miss here too; check the error, and tell a not-found from the rest"
	statusMissMsg    = "this miss check is never true: cloudflare-go returns a 404 as an error (a *cloudflare.Error with StatusCode 404), so a response that comes with no error never has status 404, and a missing key leaves through the error instead: test the error (errors.As, StatusCode 404)"
	nilResponseMsg   = "this miss check is never true: cloudflare-go returns a missing key as an error (a *cloudflare.Error with StatusCode 404), and a response that comes with no error is never nil: test the error (errors.As, StatusCode 404)"
	emptyAfterErrMsg = "this miss check is never true for a missing key: the get reports a missing key as an error (cloudflare-go's 404, or the adapter's not-found), which the code returns before the empty value's way goes on, so a miss fails as an error and never takes that way: tell a not-found error apart (errors.Is, errors.As) and handle the miss there"
	restMissMsg      = "a missing key comes back from the KV REST API as a 404 response, not as an error, and this response's body is read with no look at its status: a miss, or any other failure, reads as the API's JSON error body; check StatusCode (404 is a miss) before reading the body"
	restEmptyMsg     = "this miss check is never true: the KV REST API answers a missing key with a 404 response whose body is a JSON error, not an empty body, and the response's status is never looked at: check StatusCode (404 is a miss) before reading the body"
	zeroParsedMsg    = "a missing key reaches this value's parse, whose error is dropped, so a miss reads as zero and is used as if it were stored (a factor of 0, a length of 0 minutes): tell the miss apart and use a default that says so, or return an error"
	responseGuardMsg = "the error of this get is looked at only when the response is nil, but cloudflare-go returns the response along with the error for a 404 (and every status of 400 and above), so a missing key reads the API's JSON error body as the value: test the error, and tell a not-found (StatusCode 404) from the rest"
	errorSeedMsg     = "GetString reports a missing key as the string %q with a nil error, so this get's error is never a miss: the write at line %d, reached only when it fails, never seeds a missing key, and after a timeout or a 429 it overwrites the stored value; test the value for %q instead, and return the error"
	errorMissMsg     = "every error of this get is taken for a missing key, and the write at line %d then stores a value built from it or made up here: a timeout, a 5xx or a 429 overwrites the stored value; treat only a not-found as missing (errors.As on the SDK's error, StatusCode 404) and return the rest"
)

func run(pass *analysis.Pass) (any, error) {
	model := pass.ResultOf[kvapi.Analyzer].(*kvapi.Result)
	if len(model.Ops) == 0 {
		return nil, nil
	}
	counts := pass.ResultOf[kvcounter.Analyzer].(*kvcounter.Result)
	counted := counts.Claimed
	rep := report.New(pass)
	for _, op := range model.Ops {
		if op.Method.Role != kvapi.Get || op.InTest() {
			continue
		}
		if text := op.MissingText(); text != "" {
			checkText(pass, model, rep, op, text)
		}
		if op.Wrapped == nil && op.Method.Name == "GetReader" {
			checkReader(model, rep, op)
		}
		for _, check := range emptyAfterError(op) {
			rep.Report(analysis.Diagnostic{Pos: check.Pos(), Message: emptyAfterErrMsg})
		}
		for _, check := range checksAfterError(op) {
			rep.Report(analysis.Diagnostic{Pos: check.cmp.Pos(), Message: check.msg})
		}
		if bodyWithoutStatus(op) {
			if checks := bodyMissChecks(op); len(checks) > 0 {
				for _, cmp := range checks {
					rep.Report(analysis.Diagnostic{Pos: cmp.Pos(), Message: restEmptyMsg})
				}
			} else {
				rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: restMissMsg})
			}
		}
		if parse := zeroParsed(model, counts, op); parse != nil {
			rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: zeroParsedMsg,
				Related: []analysis.RelatedInformation{{Pos: parse.Pos(), End: parse.Pos(), Message: "parsed here, its error dropped"}}})
		}
		if decode, msg := missDecoded(op); decode != nil {
			rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: msg,
				Related: []analysis.RelatedInformation{{Pos: decode.Pos(), End: decode.Pos(), Message: "decoded here"}}})
		}
		if guardedByResponse(op) {
			rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: responseGuardMsg})
		}
		if droppedError(model, op) {
			// Where the value is then tested for emptiness, that test is
			// the miss check that takes a failure for a miss: say so there.
			checks := emptyTests(textResults(op), func(*ssa.BinOp) bool { return true })
			for _, check := range checks {
				rep.Report(analysis.Diagnostic{Pos: check.Pos(), Message: droppedCheckMsg})
			}
			if len(checks) == 0 {
				rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: droppedMsg})
			}
		}
		if put := seededOnError(model, op); put != nil {
			line := pass.Fset.Position(put.Pos()).Line
			text := op.MissingText()
			rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: fmt.Sprintf(errorSeedMsg, text, line, text),
				Related: []analysis.RelatedInformation{{Pos: put.Pos(), End: put.End(), Message: "the write"}}})
		}
		if put := writtenAfterAnyError(model, op); put != nil {
			at := model.Inside(op)
			line := pass.Fset.Position(put.Pos()).Line
			rep.Report(analysis.Diagnostic{Pos: at.Pos(), End: at.End(), Message: fmt.Sprintf(errorMissMsg, line),
				Related: []analysis.RelatedInformation{{Pos: put.Pos(), End: put.End(), Message: "the write"}}})
		}
		if put := overwrittenOnError(model, counted, op); put != nil {
			line := pass.Fset.Position(put.Pos()).Line
			rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: fmt.Sprintf(errorMissMsg, line),
				Related: []analysis.RelatedInformation{{Pos: put.Pos(), End: put.End(), Message: "the write"}}})
		}
	}
	rep.Finish()
	return nil, nil
}

// checkText reports the checks of a get's value against "" or a zero
// length, which a missing key never passes, and a value parsed with no
// check at all.
func checkText(pass *analysis.Pass, model *kvapi.Result, rep *report.Reporter, op *kvapi.Op, text string) {
	views := kvapi.Views(op.Results())
	if model.LooksFor(views, text) {
		return // the miss is looked for
	}
	checked, parsed, served, split := false, false, false, false
	var stored, resumed, unseeded *kvapi.Op
	for _, v := range views {
		if stored == nil && op.Wrapped == nil {
			stored = storedAsIs(model, op, v)
		}
		if resumed == nil {
			resumed = listedFrom(model, op, v)
		}
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.BinOp:
				if s, ok := otherString(ref, v); ok && mistakenMiss(s) {
					checked = true
					rep.Report(emptyCheck(pass, model, ref, s, text))
				}
			case *ssa.Call:
				if kvapi.IsLen(ref) {
					for _, cmp := range *ref.Referrers() {
						if bin, ok := cmp.(*ssa.BinOp); ok && comparesWithZero(bin, ref) {
							checked = true
							rep.Report(analysis.Diagnostic{Pos: bin.Pos(), Message: fmt.Sprintf(emptyCheckMsg, text, "", text)})
						}
					}
				} else if parses(ref) && failureHandedOn(ref) {
					parsed = true
				} else if parses(ref) && unseeded == nil {
					unseeded = skippedOnParseError(model, op, ref)
				} else if op.Wrapped == nil && servesText(ref, v) {
					served = true // (a wrapper's callers may trust its checks, right or wrong)
				} else if op.Wrapped == nil && splits(ref, v) {
					split = true
				}
			}
		}
	}
	switch {
	case checked:
	case parsed:
		rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: fmt.Sprintf(parsedMsg, text, text)})
	case served && !fixedKey(model, op): // a page the program publishes itself is there
		rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: fmt.Sprintf(servedMsg, text, text)})
	case split && !fixedKey(model, op):
		rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: fmt.Sprintf(splitMsg, text, text, text)})
	case unseeded != nil:
		line := pass.Fset.Position(unseeded.Pos()).Line
		rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: fmt.Sprintf(unseededMsg, text, line, text),
			Related: []analysis.RelatedInformation{{Pos: unseeded.Pos(), End: unseeded.End(), Message: "the write"}}})
	case resumed != nil: // (a saved cursor is missing before the walk first saves it, fixed key or not)
		line := pass.Fset.Position(resumed.Pos()).Line
		rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: fmt.Sprintf(cursorMsg, text, line, text, text),
			Related: []analysis.RelatedInformation{{Pos: resumed.Pos(), End: resumed.End(), Message: "the list"}}})
	case stored != nil && !fixedKey(model, op):
		line := pass.Fset.Position(stored.Pos()).Line
		rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: fmt.Sprintf(storedMsg, text, line, text, text),
			Related: []analysis.RelatedInformation{{Pos: stored.Pos(), End: stored.End(), Message: "the write"}}})
	}
}

// storedAsIs returns a put, later in the function that holds get, whose
// value is v itself: a value copied to another key (a code's owner, a
// record moved under a new name) stores a missing key's text as data.
func storedAsIs(model *kvapi.Result, get *kvapi.Op, v ssa.Value) *kvapi.Op {
	for _, put := range model.OpsIn(get.Call.Parent(), kvapi.Put) {
		if put.Wrapped != nil || !kvapi.Before(get.Call, put.Call) {
			continue
		}
		for _, src := range put.Sources(kvapi.Value) {
			if src.Term == nil && src.Value == v {
				return put
			}
		}
	}
	return nil
}

// skippedOnParseError returns the write of the get's key, made from what
// parse read, that the parse's failure skips, when no other write in the
// package makes that key: a missing key's "<null>" fails the parse, so the
// key (a count of a new hour) is never created.
func skippedOnParseError(model *kvapi.Result, get *kvapi.Op, parse *ssa.Call) *kvapi.Op {
	err := kvapi.ErrorOf(parse)
	if err == nil || parse.Call.Signature().Results().Len() < 2 {
		return nil
	}
	failed := failedBranches(err)
	if len(failed) == 0 {
		return nil
	}
	var parsed []ssa.Value
	for _, ref := range *parse.Referrers() {
		if ext, ok := ref.(*ssa.Extract); ok && ext != err {
			parsed = append(parsed, ext)
		}
	}
	// The key's text tells where else it may be made: "reboots/" + id,
	// created at registration and only bumped here.
	texts := func(op *kvapi.Op) []string {
		var out []string
		for _, src := range op.Sources(kvapi.Key) {
			out = append(out, model.KeyText(src))
		}
		return out
	}
	keyTexts := texts(get)
	if len(keyTexts) == 0 || slices.Contains(keyTexts, "") {
		return nil
	}
	later := laterWrites(model, get)
	holder := kvapi.Outermost(get.Call.Parent()).Object()
	for _, put := range model.Ops {
		if holder != nil && put.Wrapper == holder {
			continue // a call of the function that holds get: this very write
		}
		if (put.Method.Role == kvapi.Put || put.Method.Role == kvapi.BulkPut) && !slices.Contains(later, put) &&
			slices.ContainsFunc(texts(put), func(t string) bool { return slices.Contains(keyTexts, t) }) {
			return nil // the key is made elsewhere too
		}
	}
	for _, put := range later {
		made := slices.ContainsFunc(put.Sources(kvapi.Value), func(src kvapi.Source) bool {
			return model.DependsOnAny(src.Inputs(), put.Call, parsed)
		})
		skipped := !slices.ContainsFunc(failed, func(b *ssa.BasicBlock) bool {
			return b == put.Call.Block() || kvapi.Reaches(b, put.Call.Block())
		})
		if made && skipped {
			return put
		}
	}
	return nil
}

// listedFrom returns a list, later in the function that holds get, that
// resumes from v: a walk's cursor saved under a key and read back.
func listedFrom(model *kvapi.Result, get *kvapi.Op, v ssa.Value) *kvapi.Op {
	for _, list := range model.OpsIn(get.Call.Parent(), kvapi.List) {
		if !kvapi.Before(get.Call, list.Call) {
			continue
		}
		for _, src := range list.Sources(kvapi.Cursor) {
			if slices.Contains(cursorInputs(src), v) {
				return list
			}
		}
	}
	return nil
}

// cursorInputs returns what the cursor src is given as, not what the
// calls that return it are given: a wrapper's res.Cursor of a list under
// "o/" + bucket is not the bucket.
func cursorInputs(src kvapi.Source) []ssa.Value {
	return src.InputsPruned(func(t *kvapi.Term) ([]ssa.Value, bool) {
		return nil, t.Op == kvapi.TermCall || t.Op == kvapi.TermOpaque // (an opaque term lists what it was made from)
	})
}

// splits reports whether call splits v into a list that is used:
// strings.Split(v, ","), strings.Fields(v).
func splits(call *ssa.Call, v ssa.Value) bool {
	switch kvapi.CalleeName(call) {
	case "strings.Split", "strings.SplitN", "strings.SplitAfter", "strings.Fields", "strings.SplitSeq", "strings.FieldsSeq":
		return len(call.Call.Args) > 0 && call.Call.Args[0] == v && call.Referrers() != nil && len(*call.Referrers()) > 0
	}
	return false
}

// servesText reports whether call writes v to an HTTP response as its
// body: io.WriteString(w, v) or w.Write([]byte(v)).
func servesText(call *ssa.Call, v ssa.Value) bool {
	args := call.Call.Args
	if call.Call.IsInvoke() {
		name := call.Call.Method.Name()
		return (name == "Write" || name == "WriteString") && len(args) == 1 && args[0] == v && responseWriter(call.Call.Value)
	}
	return kvapi.CalleeName(call) == "io.WriteString" && len(args) == 2 && args[1] == v && responseWriter(args[0])
}

// responseWriter reports whether w is an http.ResponseWriter, perhaps
// seen as an io.Writer.
func responseWriter(w ssa.Value) bool {
	if mi, ok := w.(*ssa.MakeInterface); ok {
		w = mi.X
	} else if ci, ok := w.(*ssa.ChangeInterface); ok {
		w = ci.X
	}
	named, ok := types.Unalias(w.Type()).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "net/http" && named.Obj().Name() == "ResponseWriter"
}

// otherString returns the string constant that bin compares v with.
func otherString(bin *ssa.BinOp, v ssa.Value) (string, bool) {
	if bin.Op != token.EQL && bin.Op != token.NEQ {
		return "", false
	}
	other := bin.Y
	if bin.Y == v {
		other = bin.X
	}
	return kvapi.StringConst(other)
}

// mistakenMiss reports whether s is what people take a missing key's
// value for: "", or the name of JavaScript's or Go's null.
func mistakenMiss(s string) bool {
	return s == "" || s == "null" || s == "undefined" || s == "nil"
}

// emptyCheck is the report of v == "" (or "null", see mistakenMiss), with
// a fix that compares with the missing key's text instead, when the
// compared string is written as a literal.
func emptyCheck(pass *analysis.Pass, model *kvapi.Result, bin *ssa.BinOp, compared, text string) analysis.Diagnostic {
	d := analysis.Diagnostic{Pos: bin.Pos(), Message: fmt.Sprintf(emptyCheckMsg, text, compared, text)}
	for _, n := range model.Path(bin.Pos()) {
		expr, ok := n.(*ast.BinaryExpr)
		if !ok || expr.OpPos != bin.Pos() {
			continue
		}
		d.Pos, d.End = expr.Pos(), expr.End()
		for _, side := range []ast.Expr{expr.X, expr.Y} {
			if lit, ok := ast.Unparen(side).(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && s == compared {
					d.SuggestedFixes = []analysis.SuggestedFix{{
						Message:   "compare with " + strconv.Quote(text),
						TextEdits: []analysis.TextEdit{{Pos: lit.Pos(), End: lit.End(), NewText: []byte(strconv.Quote(text))}},
					}}
				}
			}
		}
		break
	}
	return d
}

// checkReader reports GetReader's reader compared with nil, and, where
// nothing said the key is there, read.
func checkReader(model *kvapi.Result, rep *report.Reporter, op *kvapi.Op) {
	read := false
	for _, v := range kvapi.Views(op.Results()) {
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.BinOp:
				if (ref.Op == token.EQL || ref.Op == token.NEQ) && (kvapi.IsNil(ref.X) || kvapi.IsNil(ref.Y)) {
					rep.Report(analysis.Diagnostic{Pos: ref.Pos(), Message: nilReaderMsg})
					return
				}
			case ssa.CallInstruction, *ssa.Store:
				read = true // io.Copy(w, r), json.NewDecoder(r), resp.Body = r
			}
		}
	}
	if read && !fixedKey(model, op) && !knownThere(model, op) {
		rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: unseenReaderMsg})
	}
}

// fixedKey reports whether the get's key is known at compile time: a
// key the program publishes itself (a sitemap) is there, where one built
// from a request, an ID or a name (a seat map per drop) may be missing.
func fixedKey(model *kvapi.Result, get *kvapi.Op) bool {
	srcs := get.Sources(kvapi.Key)
	for _, src := range srcs {
		if src.Term != nil {
			if src.Term.Params() {
				return false
			}
			continue
		}
		if vals, _ := model.Eval(src.Value, nil); len(vals) != 1 {
			return false
		}
	}
	return len(srcs) > 0
}

// knownThere reports whether the function learned before the get that its
// key exists: an earlier get of the same key (GetString, checked for
// "<null>"), or a listing whose keys it reads.
func knownThere(model *kvapi.Result, get *kvapi.Op) bool {
	for _, op := range model.OpsIn(get.Call.Parent(), kvapi.Get) {
		if op != get && kvapi.Before(op.Call, get.Call) && model.Same(op, get, kvapi.Key) {
			return true
		}
	}
	return slices.ContainsFunc(model.OpsIn(get.Call.Parent(), kvapi.List), func(list *kvapi.Op) bool {
		return kvapi.Before(list.Call, get.Call) // (a listing after the get says nothing of its key)
	})
}

// comparesWithZero reports whether bin tests that n is zero or not:
// n == 0, n != 0, n > 0, n < 1.
func comparesWithZero(bin *ssa.BinOp, n ssa.Value) bool {
	c, ok := bin.Y.(*ssa.Const)
	if bin.Y == n {
		c, ok = bin.X.(*ssa.Const)
	}
	if !ok || c.Value == nil {
		return false
	}
	v, exact := constant.Int64Val(constant.ToInt(c.Value))
	switch bin.Op {
	case token.EQL, token.NEQ, token.GTR, token.LEQ:
		return exact && v == 0
	case token.LSS, token.GEQ:
		return exact && v == 1
	}
	return false
}

// parsers are the functions that read a value as data; "<null>" fails
// them all.
var parsers = map[string]bool{
	"strconv.Atoi": true, "strconv.ParseInt": true, "strconv.ParseUint": true, "strconv.ParseFloat": true,
	"strconv.ParseBool": true, "encoding/json.Unmarshal": true, "time.Parse": true, "time.ParseDuration": true,
	"(*encoding/base64.Encoding).DecodeString": true,
}

func parses(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil {
		return false
	}
	fn, ok := callee.Object().(*types.Func)
	if !ok || fn.Pkg() == nil {
		return false
	}
	if parsers[fn.FullName()] {
		return true
	}
	// The standard library's other readers of text as data: url.Parse,
	// netip.ParseAddr, (*template.Template).Parse, hex.DecodeString,
	// regexp.Compile.
	name := fn.Name()
	return kvapi.Stdlib(fn.Pkg().Path()) &&
		(strings.HasPrefix(name, "Parse") || strings.HasPrefix(name, "Decode") || name == "Unmarshal" || name == "Compile")
}

// failureHandedOn reports whether the parse's error is returned or sent
// to the client, or answered with a failure of the caller's own: a missing
// key then fails the caller. An error dropped or
// replaced with a default ("a missing key reads as 0") handles the miss.
func failureHandedOn(parse *ssa.Call) bool {
	res := parse.Call.Signature().Results()
	if res.Len() == 0 || !kvapi.IsError(res.At(res.Len()-1).Type()) {
		return false
	}
	err := ssa.Value(parse)
	if res.Len() > 1 {
		err = nil
		for _, ref := range *parse.Referrers() {
			if ext, ok := ref.(*ssa.Extract); ok && ext.Index == res.Len()-1 {
				err = ext
			}
		}
	}
	var handedOn func(v ssa.Value, depth int) bool
	handedOn = func(v ssa.Value, depth int) bool {
		if v == nil || depth > 4 || v.Referrers() == nil {
			return false
		}
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.Return:
				return true
			case *ssa.MakeInterface, *ssa.ChangeInterface, *ssa.Phi:
				if handedOn(ref.(ssa.Value), depth+1) {
					return true
				}
			case *ssa.Call:
				if callee := ref.Call.StaticCallee(); callee != nil && callee.Pkg != nil && callee.Pkg.Pkg.Path() == "net/http" && callee.Name() == "Error" {
					return true
				}
				if ref.Call.Signature().Results().Len() == 1 && handedOn(ref, depth+1) {
					return true // fmt.Errorf("...: %w", err), err.Error()
				}
			case *ssa.Store:
				if alloc, ok := ref.Addr.(*ssa.Alloc); ok && ref.Val == v && handedOn(alloc, depth+1) {
					return true // e := NewParseError(err.Error()); return nil, &e
				}
				if ia, ok := ref.Addr.(*ssa.IndexAddr); ok {
					if alloc, ok := ia.X.(*ssa.Alloc); ok {
						// A variadic argument: fmt.Errorf("%w", err).
						for _, use := range *alloc.Referrers() {
							if sl, ok := use.(*ssa.Slice); ok && handedOn(sl, depth+1) {
								return true
							}
						}
					}
				}
			case *ssa.Slice:
				if handedOn(ref, depth+1) {
					return true
				}
			}
		}
		return false
	}
	if handedOn(err, 0) {
		return true
	}
	// Or checked, and answered with a failure: a 500 "corrupt", an error.
	for _, failed := range failedBranches(err) {
		if kvapi.Refuses(failed) && !rejoins(failed) || answersEarly(failed) {
			return true
		}
	}
	return false
}

// rejoins reports whether the way from block goes back to the way the
// parsed value takes before it ends: if err != nil { n = 0 }, a default
// the function goes on with, whatever it returns later.
func rejoins(block *ssa.BasicBlock) bool {
	for steps := 0; block != nil && steps < 8; steps++ {
		if steps > 0 && len(block.Preds) > 1 {
			return true
		}
		if len(block.Succs) != 1 {
			return false
		}
		block = block.Succs[0]
	}
	return false
}

// answersEarly reports whether block, on its own way out, writes the
// response and ends the handler: "couldn't read your points" where a
// missing key meant none yet, not a default that the handler goes on
// with.
func answersEarly(block *ssa.BasicBlock) bool {
	wrote := false
	for steps := 0; block != nil && steps < 8; steps++ {
		if steps > 0 && len(block.Preds) > 1 {
			return false // back on the way the parsed value takes
		}
		for _, instr := range block.Instrs {
			switch instr := instr.(type) {
			case *ssa.Return:
				return wrote && len(instr.Results) == 0
			case ssa.CallInstruction:
				wrote = wrote || slices.ContainsFunc(instr.Common().Args, func(a ssa.Value) bool {
					return types.TypeString(a.Type(), nil) == "net/http.ResponseWriter"
				})
			}
		}
		if len(block.Succs) != 1 {
			return false
		}
		block = block.Succs[0]
	}
	return false
}

// guardedByResponse reports whether a generated cloudflare-go get's
// error is used only where its *http.Response is nil: the SDK sets the
// response before it turns a status of 400 or above into the error
// (internal/requestconfig), so a 404 comes with a response whose body is
// the API's error, read as the value.
func guardedByResponse(get *kvapi.Op) bool {
	call, ok := get.Call.(*ssa.Call)
	if !ok || get.Wrapped != nil || !strings.HasPrefix(get.Method.Pkg, "github.com/cloudflare/cloudflare-go/v") {
		return false
	}
	res := call.Call.Signature().Results()
	if res.Len() != 2 || !kvapi.IsHTTP(res.At(0).Type(), "Response") {
		return false
	}
	var resp, err ssa.Value
	for _, ref := range *call.Referrers() {
		if ext, ok := ref.(*ssa.Extract); ok {
			if ext.Index == 0 {
				resp = ext
			} else {
				err = ext
			}
		}
	}
	if resp == nil || err == nil {
		return false
	}
	var isNil []*ssa.BasicBlock // the blocks a nil response leads to
	for _, ref := range *resp.Referrers() {
		bin, ok := ref.(*ssa.BinOp)
		if !ok || (bin.Op != token.EQL && bin.Op != token.NEQ) || !kvapi.IsNil(kvapi.OtherOperand(bin, resp)) {
			continue
		}
		for _, use := range *bin.Referrers() {
			if br, ok := use.(*ssa.If); ok {
				succ := br.Block().Succs[0]
				if bin.Op == token.NEQ {
					succ = br.Block().Succs[1]
				}
				if len(succ.Preds) == 1 {
					isNil = append(isNil, succ)
				}
			}
		}
	}
	if len(isNil) == 0 {
		return false
	}
	used := false
	for _, ref := range *err.Referrers() {
		if _, debug := ref.(*ssa.DebugRef); debug {
			continue
		}
		used = true
		if !slices.ContainsFunc(isNil, func(b *ssa.BasicBlock) bool { return b.Dominates(ref.Block()) }) {
			return false
		}
	}
	return used
}

// zeroParsed returns a parse of the get's value whose error is dropped
// and that a missing key reaches: GetString's "<null>", or an error that
// the function lets through as a not-found (err != nil &&
// !IsNotFound(err) returns). The miss then reads as zero and is used as
// data: a setting, a factor, a threshold. A count is zero when missing,
// shown or compared as zero; a key the function then writes is
// kvcounter's or kvrace's (a best score compared and replaced).
func zeroParsed(model *kvapi.Result, counts *kvcounter.Result, get *kvapi.Op) *ssa.Call {
	call, ok := get.Call.(*ssa.Call)
	if !ok || get.REST() {
		return nil
	}
	text := get.MissingText()
	// A count is zero when missing: a not-found error taken for zero is
	// right. GetString's "<null>" is parsed instead, and only by luck
	// reads as zero (SPEC: used with no miss check).
	if text == "" && counts.NamesCount(model, get) {
		return nil
	}
	for _, put := range model.Ops {
		if text == "" && counts.Claimed[put.Call] && (model.Same(get, put, kvapi.Key) || sameKeyText(model, get, put)) {
			return nil // a count kept in KV, whose missing value is zero
		}
	}
	views := kvapi.Views(get.Results())
	if text != "" && model.LooksFor(views, text) {
		return nil
	}
	if text != "" && slices.ContainsFunc(views, emptyTested) {
		return nil // the check for "" is the finding (checkText)
	}
	getErr, _ := errorResult(call)
	writes := laterWrites(model, get)
	for _, v := range views {
		for _, ref := range *v.Referrers() {
			parse, ok := ref.(*ssa.Call)
			if !ok || !parses(parse) {
				continue
			}
			if _, dropped := errorResult(parse); !dropped {
				continue
			}
			if text == "" && (getErr == nil || !missReaches(getErr, call.Block(), parse.Block())) {
				continue // a miss fails the get, and never gets here
			}
			// GetString's "<null>" never parses: the dropped failure makes
			// every miss a zero. An error that lets a miss through may be
			// meant as zero, unless the zero scales something.
			if text == "" && (len(writes) > 0 || !scales(parse)) || len(writes) > 0 && !writesParsed(model, writes, parse) {
				continue
			}
			return parse
		}
	}
	return nil
}

// writesParsed reports whether one of writes stores a value made from
// the number parse reads, a count written back as n+1: the miss read as
// zero becomes data. A best score compared with the parsed one and
// replaced by the request's own is kvrace's to judge.
func writesParsed(model *kvapi.Result, writes []*kvapi.Op, parse *ssa.Call) bool {
	var parsed []ssa.Value
	for _, ref := range *parse.Referrers() {
		if x, ok := ref.(*ssa.Extract); ok && x.Index == 0 {
			parsed = append(parsed, x)
		}
	}
	return slices.ContainsFunc(writes, func(put *kvapi.Op) bool {
		return slices.ContainsFunc(put.Sources(kvapi.Value), func(src kvapi.Source) bool {
			return model.DependsOnAny(src.Inputs(), put.Call, parsed)
		})
	})
}

// emptyTested reports whether v is compared with "" or its length with 0.
func emptyTested(v ssa.Value) bool {
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.BinOp:
			if s, ok := otherString(ref, v); ok && s == "" {
				return true
			}
		case *ssa.Call:
			if kvapi.IsLen(ref) && slices.ContainsFunc(*ref.Referrers(), func(cmp ssa.Instruction) bool {
				bin, ok := cmp.(*ssa.BinOp)
				return ok && comparesWithZero(bin, ref)
			}) {
				return true
			}
		}
	}
	return false
}

// sameKeyText reports whether a and b have keys of the same constant text,
// "reports:" + slug read where "reports:" + r.PathValue("slug") is
// counted: keys of one kind.
func sameKeyText(model *kvapi.Result, a, b *kvapi.Op) bool {
	ka, kb := a.Sources(kvapi.Key), b.Sources(kvapi.Key)
	if len(ka) != 1 || len(kb) != 1 {
		return false
	}
	text := model.KeyText(ka[0])
	return text != "" && text == model.KeyText(kb[0])
}

// missDecoded returns a decode of the get's value that a missing key
// reaches as an empty value, and the message for it: the function lets
// the get's not-found through (err != nil && !errors.Is(err,
// ErrNotFound)), then decodes what the get returned without a look at its
// length. encoding/binary's readers panic on it; a parser fails, and a
// function that hands that failure on fails every miss.
func missDecoded(get *kvapi.Op) (*ssa.Call, string) {
	call, ok := get.Call.(*ssa.Call)
	if !ok || get.REST() || missIsValue(get) {
		return nil, ""
	}
	getErr, _ := errorResult(call)
	if getErr == nil {
		return nil, ""
	}
	views := kvapi.Views(get.Results())
	for _, v := range views {
		if v == ssa.Value(call) || !kvapi.IsBytes(v.Type()) {
			continue
		}
		for _, ref := range *v.Referrers() {
			if lengthTested(ref, v) {
				return nil, "" // an empty value is looked for
			}
		}
	}
	for _, v := range views {
		if v == ssa.Value(call) || !isText(v.Type()) {
			continue
		}
		for _, ref := range *v.Referrers() {
			decode, ok := ref.(*ssa.Call)
			if !ok || !missReaches(getErr, call.Block(), decode.Block()) || onlyOnSuccess(getErr, decode.Block(), true) {
				continue // if err == nil { decode }: a miss never gets here
			}
			switch {
			case readsFixedWidth(decode):
				return decode, binaryMissMsg
			case parses(decode) && failureHandedOn(decode):
				return decode, decodeMissMsg
			}
		}
	}
	// cloudflare-go's response, which for a 404 comes with the error and
	// holds the API's JSON error (its internal/requestconfig sets it
	// before it turns the status into the error): a helper that reads its
	// body reads that for a miss.
	for _, v := range get.Results() {
		if !kvapi.IsHTTP(v.Type(), "Response") {
			continue
		}
		for _, ref := range *v.Referrers() {
			read, ok := ref.(*ssa.Call)
			if !ok || !slices.Contains(read.Call.Args, v) || !missReaches(getErr, call.Block(), read.Block()) ||
				onlyOnSuccess(getErr, read.Block(), true) || nilChecked(v) {
				continue
			}
			return read, missBodyMsg
		}
	}
	return nil, ""
}

// nilChecked reports whether v is compared with nil.
func nilChecked(v ssa.Value) bool {
	return slices.ContainsFunc(*v.Referrers(), func(ref ssa.Instruction) bool {
		bin, ok := ref.(*ssa.BinOp)
		return ok && (bin.Op == token.EQL || bin.Op == token.NEQ) && kvapi.IsNil(kvapi.OtherOperand(bin, v))
	})
}

// lengthTested reports whether ref looks at whether v is empty: len(v),
// or v compared with nil.
func lengthTested(ref ssa.Instruction, v ssa.Value) bool {
	switch ref := ref.(type) {
	case *ssa.Call:
		return kvapi.IsLen(ref)
	case *ssa.BinOp:
		return (ref.Op == token.EQL || ref.Op == token.NEQ) && kvapi.IsNil(kvapi.OtherOperand(ref, v))
	}
	return false
}

// readsFixedWidth reports whether call reads a number from the first
// bytes of a slice with encoding/binary's byte orders, which panic on a
// shorter one: binary.BigEndian.Uint64(b).
func readsFixedWidth(call *ssa.Call) bool {
	var recv types.Type
	var name string
	if call.Call.IsInvoke() {
		recv, name = call.Call.Value.Type(), call.Call.Method.Name()
	} else if callee := call.Call.StaticCallee(); callee != nil && callee.Signature.Recv() != nil {
		recv, name = callee.Signature.Recv().Type(), callee.Name()
	} else {
		return false
	}
	named, ok := types.Unalias(recv).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "encoding/binary" &&
		(name == "Uint16" || name == "Uint32" || name == "Uint64")
}

// scales reports whether what parse reads is a setting whose zero does
// harm: a float (a factor, a threshold), or a number that multiplies or
// divides (minutes * time.Minute, rate * burst, mb << 20).
func scales(parse *ssa.Call) bool {
	if kvapi.CalleeName(parse) == "strconv.ParseFloat" {
		return true
	}
	var vals []ssa.Value
	if parse.Call.Signature().Results().Len() == 1 {
		vals = []ssa.Value{parse}
	} else {
		for _, ref := range *parse.Referrers() {
			if ext, ok := ref.(*ssa.Extract); ok && ext.Index == 0 {
				vals = append(vals, ext)
			}
		}
	}
	for depth := 0; depth < 4 && len(vals) > 0; depth++ {
		var next []ssa.Value
		for _, v := range vals {
			for _, ref := range *v.Referrers() {
				switch ref := ref.(type) {
				case *ssa.BinOp:
					if ref.Op == token.MUL || ref.Op == token.QUO || ref.Op == token.SHL && ref.X == v {
						return true
					}
				case *ssa.Convert, *ssa.ChangeType, *ssa.Phi:
					next = append(next, ref.(ssa.Value))
				}
			}
		}
		vals = next
	}
	return false
}

// overwrittenOnError returns a write of the get's key whose value is built
// from what the get returned, and which runs after the get failed, when
// nothing tells a missing key from another failure: the error is
// ignored, or its check leads to the write without looking at it.
func overwrittenOnError(model *kvapi.Result, counted map[ssa.CallInstruction]bool, get *kvapi.Op) *kvapi.Op {
	call, ok := get.Call.(*ssa.Call)
	if !ok || missIsValue(get) && !get.MissIsError() || get.REST() {
		return nil
	}
	errs, ignored := errorResult(call)
	if !ignored && errs == nil {
		return nil // no error result, or one that is not a failure's
	}
	reads := get.Results() // none for a get whose value is dropped, _, err := ...: a test of presence
	for _, put := range laterWrites(model, get) {
		if !ignored && (kvapi.Inspected(errs) || !reachedOnError(errs, put.Call.Block())) {
			continue
		}
		// The write stores what the get returned, changed or defaulted, or,
		// only on the failure, a value made up here (a default, a fresh
		// code) as if to create the key; a value computed or fetched from
		// elsewhere (a cache fill) is no lost data.
		for _, src := range put.Sources(kvapi.Value) {
			// A count rewritten from 0 after any failure (n+1) is
			// kvcounter's finding at the put; a record passed through,
			// defaulted or changed (a threshold, a list, a cart) is this
			// one's, one with a count in it too: a timeout replaces all
			// of it with a default.
			if len(reads) > 0 && model.DependsOnAny(src.Inputs(), put.Call, reads) && (model.ReadOf(put) == nil || (!counted[put.Call] || wholeRecord(src)) && !fromListing(model, src, put)) &&
				(ignored || madeOnError(call, errs, src)) {
				return put
			}
			// A marker written where a read of another key found nothing
			// (the origin has no such slug) records that read: a negative
			// cache fill.
			// (After a test of presence alone, _, err := get, a constant
			// marker rewrites what the key held: an idempotency key.)
			if !ignored && (onlyOnError(errs, put.Call.Block()) || onErrorOrMiss(errs, call, put.Call.Block())) && madeUp(model, src, get, put) && !model.DecidedByError(get, put) &&
				!(unused(reads) && (onlyValue(model, put, src) || ofKeySubject(put, src) || stampOnly(src))) &&
				!model.AfterMiss(put, func(other *kvapi.Op) bool { return other != get && !model.Same(other, put, kvapi.Key) }) {
				return put
			}
		}
	}
	return nil
}

// unused reports whether none of reads, what a get returned, is used.
func unused(reads []ssa.Value) bool {
	return !slices.ContainsFunc(reads, func(v ssa.Value) bool { return v.Referrers() != nil && len(*v.Referrers()) > 0 })
}

// stampOnly reports whether src writes the time and nothing else (a
// "passed at" or "seen at" mark): rewriting it after a failed presence
// test loses only an earlier time.
func stampOnly(src kvapi.Source) bool {
	ins := src.Inputs()
	for _, v := range ins {
		v = kvapi.Unconverted(v)
		if kvapi.Clock(v) {
			continue
		}
		call, ok := v.(*ssa.Call)
		if !ok {
			return false
		}
		callee := call.Call.StaticCallee()
		if callee == nil || callee.Signature.Recv() == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "time" || !kvapi.Clock(call.Call.Args[0]) {
			return false // the time's text or its seconds: now.Format(time.RFC3339)
		}
	}
	return len(ins) > 0
}

// onlyValue reports whether src writes a constant that is the only value
// the package writes under the put's key: a marker ("1" under "ack:" +
// id), which rewriting loses nothing of, unlike a default record that
// another write replaces with real settings.
func onlyValue(model *kvapi.Result, put *kvapi.Op, src kvapi.Source) bool {
	c, ok := constantOf(model, src)
	keys := put.Sources(kvapi.Key)
	if !ok || len(keys) != 1 || model.KeyText(keys[0]) == "" || record(c) {
		return false
	}
	for _, other := range model.Ops {
		if other == put || other.Method.Role != kvapi.Put && other.Method.Role != kvapi.BulkPut {
			continue
		}
		if ok := other.Sources(kvapi.Key); len(ok) != 1 || model.KeyText(ok[0]) != model.KeyText(keys[0]) {
			continue
		}
		for _, v := range other.Sources(kvapi.Value) {
			if oc, ok := constantOf(model, v); !ok || oc.Kind() != c.Kind() || !constant.Compare(oc, token.EQL, c) {
				return false
			}
		}
	}
	return true
}

// ofKeySubject reports whether src writes only text taken from what the
// key is made of, or fields of it: evt.Type under "stripe:event:" +
// evt.ID, the same on every write of that key, so a rewrite after a
// failed read loses nothing.
func ofKeySubject(put *kvapi.Op, src kvapi.Source) bool {
	root := func(v ssa.Value) ssa.Value {
		for {
			switch x := kvapi.Unconverted(v).(type) {
			case *ssa.MakeInterface:
				v = x.X
			case *ssa.Field:
				v = x.X
			case *ssa.FieldAddr:
				v = x.X
			case *ssa.UnOp:
				if x.Op != token.MUL {
					return x
				}
				v = x.X
			default:
				return x
			}
		}
	}
	// The key is built from its subject with text of its own: a pair's
	// key field, taken whole (p.Key beside p.Value), names no subject.
	var keyRoots []ssa.Value
	text := false
	var addRoots func(v ssa.Value)
	addRoots = func(v ssa.Value) {
		if bin, ok := v.(*ssa.BinOp); ok && bin.Op == token.ADD {
			addRoots(bin.X)
			addRoots(bin.Y)
			return
		}
		if _, isConst := v.(*ssa.Const); isConst {
			text = true
		} else {
			keyRoots = append(keyRoots, root(v))
		}
	}
	for _, k := range put.Sources(kvapi.Key) {
		for _, in := range k.Inputs() {
			addRoots(in)
		}
	}
	// (A scalar: the whole record the key names, written anew, may be
	// older than the one stored.)
	inputs := src.Inputs()
	variable := func(in ssa.Value) bool { _, isConst := in.(*ssa.Const); return !isConst }
	return text && len(keyRoots) > 0 && slices.ContainsFunc(inputs, variable) && !slices.ContainsFunc(inputs, func(in ssa.Value) bool {
		return variable(in) && (!isText(in.Type()) || !slices.Contains(keyRoots, root(in)))
	})
}

// record reports whether c is a document, a JSON object or array: default
// settings, not a marker.
func record(c constant.Value) bool {
	if c.Kind() != constant.String {
		return false
	}
	text := strings.TrimSpace(constant.StringVal(c))
	return strings.HasPrefix(text, "{") || strings.HasPrefix(text, "[")
}

// constantOf returns the one constant src writes.
func constantOf(model *kvapi.Result, src kvapi.Source) (constant.Value, bool) {
	vals, free := model.EvalSource(src, nil)
	if len(vals) != 1 || len(free) > 0 {
		return nil, false
	}
	return vals[0], true
}

// wholeRecord reports whether the value src writes is made from a
// record that holds data besides its counts and stamps (a deposit's
// booking and status beside the amount refunded): a default written
// after a failure loses that data, not only counts.
func wholeRecord(src kvapi.Source) bool {
	return slices.ContainsFunc(src.Inputs(), func(in ssa.Value) bool {
		return kvapi.ComputedHere(in, func(v ssa.Value) (bool, bool) {
			t := v.Type()
			if p, ok := t.Underlying().(*types.Pointer); ok {
				t = p.Elem()
			}
			s, ok := t.Underlying().(*types.Struct)
			if !ok {
				return false, false
			}
			for f := range s.Fields() {
				switch u := f.Type().Underlying().(type) {
				case *types.Basic:
					if u.Info()&types.IsString != 0 {
						return true, false
					}
				case *types.Slice, *types.Map:
					return true, false
				}
			}
			return false, false
		})
	})
}

// madeOnError reports whether the value written is made where a failure
// of the get leads before the get runs again: not a pair built on the
// success side only and written later with others (a loop that skips the
// keys it failed to read, then writes its batch).
func madeOnError(get *ssa.Call, err ssa.Value, src kvapi.Source) bool {
	for _, in := range src.Inputs() {
		instr, ok := in.(ssa.Instruction)
		if !ok || instr.Block() == nil || instr.Block() == get.Block() {
			return true // made whatever the get returned
		}
		for _, failed := range failedBranches(err) {
			if reachesAvoiding(failed, instr.Block(), get.Block()) {
				return true
			}
		}
	}
	return false
}

// reachesAvoiding reports whether to is from, or can be reached from it
// without passing through avoid.
func reachesAvoiding(from, to, avoid *ssa.BasicBlock) bool {
	return kvapi.ReachesAlong(from, to, func(_, succ *ssa.BasicBlock) bool { return succ != avoid })
}

// seededOnError returns a write of the key of op, a get that hands back
// a missing key as a value ("<null>"), that runs only where the get
// failed: code that takes the error for the miss and seeds the key, which
// a miss never reaches and a failure does.
func seededOnError(model *kvapi.Result, op *kvapi.Op) *kvapi.Op {
	call, ok := op.Call.(*ssa.Call)
	if !ok || op.MissingText() == "" {
		return nil
	}
	err := kvapi.ErrorOf(call)
	if err == nil {
		return nil
	}
	for _, put := range laterWrites(model, op) {
		if onlyOnError(err, put.Call.Block()) {
			return put
		}
	}
	return nil
}

// writtenAfterAnyError returns, for a call of a wrapper that answers
// every failure of its get as a missing key (WrappedOp.ErrorsAsMiss), a
// later write of that key whose value is built from what the wrapper
// returned, or made up where it said the key was missing: after a
// timeout, the zero record it returned, changed, or a default replaces
// the stored one.
func writtenAfterAnyError(model *kvapi.Result, get *kvapi.Op) *kvapi.Op {
	if get.Wrapped == nil || !get.Wrapped.ErrorsAsMiss {
		return nil
	}
	reads := get.Results()
	for _, put := range laterWrites(model, get) {
		for _, src := range put.Sources(kvapi.Value) {
			if len(reads) > 0 && model.DependsOnAny(src.Inputs(), put.Call, reads) {
				return put
			}
			// A default made up here, written where the wrapper said the
			// key was missing: after a timeout it replaces the stored value.
			if madeUp(model, src, get, put) && !(unused(reads) && (onlyValue(model, put, src) || ofKeySubject(put, src))) && model.AfterMiss(put, func(other *kvapi.Op) bool { return other == get }) {
				return put
			}
		}
	}
	return nil
}

// laterWrites returns the writes of the get's key, in its namespace and
// its function, that come after it (not the get's own call, a wrapper's
// that both reads and writes).
func laterWrites(model *kvapi.Result, get *kvapi.Op) []*kvapi.Op {
	var out []*kvapi.Op
	// (A bulk write of pairs writes each pair's key: a v0 adapter that
	// writes through WriteWorkersKVEntries to set a lifetime.)
	for _, put := range slices.Concat(model.OpsIn(get.Call.Parent(), kvapi.Put), model.OpsIn(get.Call.Parent(), kvapi.BulkPut)) {
		if put.Call != get.Call && kvapi.Before(get.Call, put.Call) && model.Same(get, put, kvapi.Key) && model.Same(get, put, kvapi.Namespace) {
			out = append(out, put)
		}
	}
	return out
}

// fromListing reports whether the value written comes from a listing (the
// cursor a walk stopped at): what the get returned only chose where the
// walk began, and a default start loses nothing.
func fromListing(model *kvapi.Result, src kvapi.Source, put *kvapi.Op) bool {
	var listed []ssa.Value
	for _, list := range model.OpsIn(put.Call.Parent(), kvapi.List) {
		listed = append(listed, list.Results()...)
	}
	return len(listed) > 0 && model.DependsOnAny(src.Inputs(), put.Call, listed)
}

// madeUp reports whether the value carries nothing but constants, the
// clock, fresh random values, configuration in fields, what the key is
// built from and what the caller gives: a default, a new code or a record
// created on first use, not data computed elsewhere (a cache fill).
func madeUp(model *kvapi.Result, src kvapi.Source, get, put *kvapi.Op) bool {
	keyed := make(map[ssa.Value]bool)
	for _, k := range get.Sources(kvapi.Key) {
		for _, in := range k.Inputs() {
			model.Backward(in, get.Call, func(s kvapi.Step) bool { keyed[s.Value] = true; return false })
		}
	}
	// The get is reached through its failure, which leads to the write;
	// it is not what the value is made of.
	var avoid []ssa.Value
	if v := get.Call.Value(); v != nil {
		avoid = append(avoid, v)
	}
	if v := put.Call.Value(); v != nil {
		avoid = append(avoid, v) // nor is the write, whose receiver is not the value's
	}
	for _, in := range src.Inputs() {
		var fieldOf ssa.Value // the struct whose field the last step read
		foreign := model.BackwardAvoiding(in, put.Call, avoid, func(s kvapi.Step) bool {
			base := fieldOf
			fieldOf = nil
			switch v := s.Value.(type) {
			case *ssa.FieldAddr:
				fieldOf = v.X
			case *ssa.Parameter:
				// What the caller gives is the new record's data; the
				// receiver handed whole to a helper computes a value
				// from the service's own state (a signed URL, a fill).
				// Reached through a field, it is configuration: s.now(),
				// v.kek.
				return !keyed[v] && kvapi.IsReceiver(v) && base != v && !s.Part()
			case *ssa.Call:
				if _, builtin := v.Call.Value.(*ssa.Builtin); builtin || kvapi.Fresh(v) || keyed[v] || ssa.CallInstruction(v) == put.Call || ssa.CallInstruction(v) == get.Call {
					return false // (the write itself, given the value; the get)
				}
				callee := v.Call.StaticCallee()
				if kvapi.Clock(v) {
					return false // time.Now(), or the clock kept in a field: s.now()
				}
				if callee != nil && callee.Origin() != nil {
					callee = callee.Origin() // maps.Clone[...], whose instance has no package
				}
				if callee == nil || callee.Pkg == nil {
					return true
				}
				if sdkParam(v) {
					return false // the value wrapped for the request: Text(string(b))
				}
				switch callee.Pkg.Pkg.Path() {
				case "time", "encoding/json", "strconv", "fmt", "strings", "bytes", "maps", "slices":
					return false // (maps.Clone of a default kept in a field)
				}
				if requestData(callee) {
					return false // what the request says: r.FormValue("operator")
				}
				// A default made by a function of this package from what
				// it is given, DefaultWeek(clinicID), and not read from KV.
				if callee.Pkg == put.Call.Parent().Pkg {
					return len(model.OpsAt(v)) > 0
				}
				if encoder(callee) {
					return false // codec.Gob(rec): the record, encoded
				}
				return !template(v)
			}
			return false
		})
		if foreign {
			return false
		}
	}
	return true
}

// requestData reports whether fn reads what an HTTP request carries: a
// method of *http.Request (FormValue, PathValue), of its header or of its
// query's url.Values.
func requestData(fn *ssa.Function) bool {
	recv := fn.Signature.Recv()
	if recv == nil {
		return false
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return false
	}
	switch named.Obj().Pkg().Path() + "." + named.Obj().Name() {
	case "net/http.Request", "net/http.Header", "net/url.Values", "net/url.URL":
		return true
	}
	return false
}

// encoder reports whether fn, a function of another package, encodes
// what it is given, by its name or its package's: codec.Gob(rec),
// wire.Marshal(v), pack.Compress(b).
func encoder(fn *ssa.Function) bool {
	for _, name := range []string{fn.Name(), fn.Pkg.Pkg.Name()} {
		name = strings.ToLower(name)
		for _, part := range []string{"codec", "encod", "marshal", "serial", "gob", "pack", "compress", "gzip"} {
			if strings.Contains(name, part) {
				return true
			}
		}
	}
	return false
}

// template reports whether call, to a function of another package, makes
// a default rather than fetching data: a plain function given only
// constants that cannot fail, season.Fallback(). A call that can fail, or
// that is given this request's data, loads or computes a value (a fill).
func template(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Signature.Recv() != nil {
		return false
	}
	res := callee.Signature.Results()
	for i := range res.Len() {
		if kvapi.IsError(res.At(i).Type()) {
			return false
		}
	}
	for _, arg := range call.Call.Args {
		if _, ok := arg.(*ssa.Const); !ok {
			return false
		}
	}
	return true
}

// sdkParam reports whether call turns one value into the SDK's type for a
// request's field, as shared.UnionString or a helper around it does.
func sdkParam(call *ssa.Call) bool {
	res := call.Call.Signature().Results()
	if len(call.Call.Args) != 1 || res.Len() != 1 {
		return false
	}
	named, ok := types.Unalias(res.At(0).Type()).(*types.Named)
	return ok && named.Obj().Pkg() != nil && kvapi.InSDK(named.Obj().Pkg().Path(), "")
}

// onlyOnError reports whether block runs only after err was found
// non-nil: the failed branch of a check of err, entered only from that
// check, dominates it.
func onlyOnError(err ssa.Value, block *ssa.BasicBlock) bool {
	for _, failed := range failedBranches(err) {
		if len(failed.Preds) == 1 && failed.Dominates(block) {
			return true // the failed edge is the only way in
		}
	}
	return false
}

// onErrorOrMiss reports whether block is entered only from tests that
// the get failed or found nothing, and from one that it failed: if err !=
// nil || !ok { put(default) }. A failure then seeds the key as a miss
// would.
func onErrorOrMiss(err ssa.Value, get *ssa.Call, block *ssa.BasicBlock) bool {
	onError := false
	for _, pred := range block.Preds {
		br, ok := pred.Instrs[len(pred.Instrs)-1].(*ssa.If)
		if !ok {
			return false
		}
		if cmp, ok := br.Cond.(*ssa.BinOp); ok && (cmp.X == err || cmp.Y == err) {
			if failed, ok := kvapi.ErrorBranch(br); !ok || failed != block {
				return false
			}
			onError = true
		} else if !testsResult(br.Cond, get, err, 0) {
			return false
		}
	}
	return onError
}

// testsResult reports whether v is computed from what get returned
// besides its error: ok, !ok, v == nil, len(v) == 0.
func testsResult(v ssa.Value, get *ssa.Call, err ssa.Value, depth int) bool {
	switch v := v.(type) {
	case *ssa.Extract:
		return v.Tuple == get && ssa.Value(v) != err
	case *ssa.UnOp:
		return depth < 3 && testsResult(v.X, get, err, depth+1)
	case *ssa.BinOp:
		return depth < 3 && (testsResult(v.X, get, err, depth+1) || testsResult(v.Y, get, err, depth+1))
	case *ssa.Call:
		return depth < 3 && kvapi.IsLen(v) && testsResult(v.Call.Args[0], get, err, depth+1)
	}
	return false
}

// failedBranches returns the blocks that checks of err against nil lead
// to when it is not nil, and those that an errors.As into the SDK's error
// for any failure leads to when it matches.
func failedBranches(err ssa.Value) []*ssa.BasicBlock {
	var out []*ssa.BasicBlock
	for _, ref := range *err.Referrers() {
		if call, ok := ref.(*ssa.Call); ok && kvapi.AsAnyFailure(&call.Call) {
			for _, use := range *call.Referrers() {
				if br, ok := use.(*ssa.If); ok {
					out = append(out, br.Block().Succs[0])
				}
			}
		}
		bin, ok := ref.(*ssa.BinOp)
		if !ok {
			continue
		}
		for _, use := range *bin.Referrers() {
			if br, ok := use.(*ssa.If); ok {
				if failed, ok := kvapi.ErrorBranch(br); ok {
					out = append(out, failed)
				}
			}
		}
	}
	return out
}

// droppedError returns whether the get's error is dropped while its value
// is used, for an SDK or port that reports a missing key as an error: a
// miss, and any failure, then reads as an empty value.
func droppedError(model *kvapi.Result, get *kvapi.Op) bool {
	call, ok := get.Call.(*ssa.Call)
	if !ok || missIsValue(get) || get.REST() {
		return false
	}
	if _, ignored := errorResult(call); !ignored || call.Call.Signature().Results().Len() < 2 {
		return false
	}
	if get.Wrapped != nil && get.Wrapped.AnswersMiss {
		// A wrapper that answers a miss itself (nil, nil on not-found):
		// its error is some other failure.
		return false
	}
	for _, op := range model.OpsAt(get.Call) {
		if op.Method.Role == kvapi.Put {
			return false // a wrapper that reads and writes: its error is its own
		}
	}
	for _, v := range get.Results() {
		if v == ssa.Value(call) {
			continue // a wrapper's call that decodes into an argument
		}
		if kvapi.IsBool(v.Type()) {
			continue // a found flag: the wrapper tells a miss by it, not by the error
		}
		for _, ref := range *v.Referrers() {
			if _, debug := ref.(*ssa.DebugRef); !debug {
				return true
			}
		}
	}
	return false
}

// A missCheck is a comparison that looks for a missing key where none can
// be, and what to say of it.
type missCheck struct {
	cmp *ssa.BinOp
	msg string
}

// checksAfterError returns the comparisons of a cloudflare-go get's
// response that run only where the get returned no error, as if a miss
// could get there: its status with 404 (the SDK turns every status of 400
// and above into an error), or the response with nil (it is never nil
// without an error). A wrapper that hands the SDK's response and error
// back is read the same way.
func checksAfterError(get *kvapi.Op) []missCheck {
	cf := strings.HasPrefix(get.Method.Pkg, "github.com/cloudflare/cloudflare-go")
	if get.Wrapped != nil {
		cf = strings.Contains(get.Wrapped.Method, "(kv.NamespaceValueService).")
	}
	call, ok := get.Call.(*ssa.Call)
	if !ok || !cf {
		return nil
	}
	err, _ := errorResult(call)
	if err == nil || toldApart(err) {
		return nil // (a second guard behind the error's own not-found test loses nothing)
	}
	var out []missCheck
	for _, ref := range *call.Referrers() {
		res, ok := ref.(*ssa.Extract)
		if !ok || res.Index != 0 || !isResponse(res.Type()) {
			continue
		}
		for _, use := range *res.Referrers() {
			if bin, ok := use.(*ssa.BinOp); ok && (bin.Op == token.EQL || bin.Op == token.NEQ) &&
				kvapi.IsNil(kvapi.OtherOperand(bin, res)) && onlyOnSuccess(err, bin.Block(), true) {
				out = append(out, missCheck{bin, nilResponseMsg})
				continue
			}
			addr, ok := use.(*ssa.FieldAddr)
			if !ok || fieldName(addr) != "StatusCode" {
				continue
			}
			for _, load := range *addr.Referrers() {
				load, ok := load.(*ssa.UnOp)
				if !ok || load.Op != token.MUL {
					continue
				}
				for _, cmp := range *load.Referrers() {
					bin, ok := cmp.(*ssa.BinOp)
					if ok && (bin.Op == token.EQL || bin.Op == token.NEQ) && is404(kvapi.OtherOperand(bin, load)) && onlyOnSuccess(err, bin.Block(), true) {
						out = append(out, missCheck{bin, statusMissMsg})
					}
				}
			}
		}
	}
	return out
}

// emptyAfterError returns the tests of a get's value for emptiness (nil,
// "", a length of zero) that run only where the get returned no error,
// when the get reports a missing key as an error: they take an empty
// value for a miss, which never comes that way.
func emptyAfterError(get *kvapi.Op) []*ssa.BinOp {
	call, ok := get.Call.(*ssa.Call)
	if !ok || !get.MissIsError() {
		return nil
	}
	err, _ := errorResult(call)
	if err == nil || toldApart(err) {
		return nil
	}
	values := textResults(get)
	var out []*ssa.BinOp
	// cloudflare-go v1+'s response, whose body is the value.
	for _, v := range get.Results() {
		if !isResponse(v.Type()) {
			continue
		}
		for _, bin := range bodyEmptinessChecks(v) {
			if onlyOnSuccess(err, bin.Block(), false) && !slices.Contains(out, bin) {
				out = append(out, bin)
			}
		}
	}
	for _, bin := range emptyTests(values, func(bin *ssa.BinOp) bool {
		return onlyOnSuccess(err, bin.Block(), false) || errorReturnedWhenEmpty(bin)
	}) {
		if !slices.Contains(out, bin) {
			out = append(out, bin)
		}
	}
	return out
}

// errorReturnedWhenEmpty reports whether, on the side of bin where the
// value is empty, the get's error is tested next and returned: if
// len(raw) > 0 { use } else if err != nil { return err } leaves the
// empty value with no error, the miss the code means, to no key at all.
func errorReturnedWhenEmpty(bin *ssa.BinOp) bool {
	if _, constLeft := bin.X.(*ssa.Const); constLeft {
		return false
	}
	var empty *ssa.BasicBlock
	for _, ref := range *bin.Referrers() {
		br, ok := ref.(*ssa.If)
		if !ok {
			continue
		}
		switch bin.Op {
		case token.EQL, token.LEQ, token.LSS:
			empty = br.Block().Succs[0]
		default:
			empty = br.Block().Succs[1]
		}
	}
	for steps := 0; empty != nil && steps < 4; steps++ {
		if br, ok := empty.Instrs[len(empty.Instrs)-1].(*ssa.If); ok {
			failed, isErrorTest := kvapi.ErrorBranch(br)
			return isErrorTest && kvapi.Refuses(failed)
		}
		if len(empty.Succs) != 1 {
			return false
		}
		empty = empty.Succs[0]
	}
	return false
}

// textResults returns the value a get hands back, as bytes or text: a
// wrapper's first result. A decoded map that is nil, or another field of
// the record, says nothing of a miss.
func textResults(get *kvapi.Op) []ssa.Value {
	var values []ssa.Value
	for _, v := range get.Results() {
		if ext, ok := v.(*ssa.Extract); ok && ext.Index != 0 {
			continue
		}
		if isText(v.Type()) {
			values = append(values, v)
		}
		if ptr, ok := v.Type().Underlying().(*types.Pointer); ok && isText(ptr.Elem()) {
			// cloudflare-go v2's *string: its loads are the value.
			for _, ref := range *v.Referrers() {
				if load, ok := ref.(*ssa.UnOp); ok && load.Op == token.MUL {
					values = append(values, load)
				}
			}
		}
	}
	return values
}

// emptyTests returns the tests of values for emptiness (v == "",
// v == nil, len(v) == 0 or > 0) that keep allows.
func emptyTests(values []ssa.Value, keep func(*ssa.BinOp) bool) []*ssa.BinOp {
	var out []*ssa.BinOp
	for _, v := range kvapi.Views(values) {
		if isResponse(v.Type()) {
			continue // checksAfterError's
		}
		for _, ref := range *v.Referrers() {
			var bin *ssa.BinOp
			switch ref := ref.(type) {
			case *ssa.BinOp:
				other := kvapi.OtherOperand(ref, v)
				if s, isStr := kvapi.StringConst(other); (isStr && s == "" || kvapi.IsNil(other)) && (ref.Op == token.EQL || ref.Op == token.NEQ) {
					bin = ref
				}
			case *ssa.Call:
				if kvapi.IsLen(ref) {
					for _, use := range *ref.Referrers() {
						if cmp, ok := use.(*ssa.BinOp); ok && comparesWithZero(cmp, ref) {
							bin = cmp
						}
					}
				}
			}
			if bin != nil && keep(bin) && !slices.Contains(out, bin) {
				out = append(out, bin)
			}
		}
	}
	return out
}

// toldApart reports whether err is tested for what it is, errors.Is,
// errors.As or a helper answering yes or no (IsNotFound(err)): the miss
// is handled there, and a later test of the value for emptiness is about
// an empty value.
func toldApart(err ssa.Value) bool {
	for _, v := range kvapi.Views([]ssa.Value{err}) {
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.MakeInterface, *ssa.ChangeInterface:
				if toldApart(ref.(ssa.Value)) {
					return true
				}
			case *ssa.Call:
				res := ref.Call.Signature().Results()
				if res.Len() == 1 && types.Identical(res.At(0).Type(), types.Typ[types.Bool]) {
					return true
				}
			}
		}
	}
	return false
}

// onlyOnSuccess reports whether block runs only after err was found nil.
func onlyOnSuccess(err ssa.Value, block *ssa.BasicBlock, joined bool) bool {
	for _, failed := range failedBranches(err) {
		// The test is the failed branch's one predecessor, or, where
		// joined allows the failure to join another way (err == nil &&
		// res.StatusCode == 404), a test of err itself.
		for _, test := range failed.Preds {
			if len(failed.Preds) > 1 && (!joined || !kvapi.TestsValue(test, err)) {
				continue
			}
			for _, ok := range test.Succs {
				if ok != failed && len(ok.Preds) == 1 && ok.Dominates(block) {
					return true
				}
			}
		}
	}
	return false
}

// bodyWithoutStatus reports whether a request to the REST API has its
// response's body read where nothing looks at the response's status: not
// the caller, and not the helper that sent it.
func bodyWithoutStatus(get *kvapi.Op) bool {
	call, ok := get.Call.(*ssa.Call)
	if !ok || !get.REST() {
		return false
	}
	if callee := call.Call.StaticCallee(); callee != nil && readsStatus(callee) {
		return false
	}
	body, status := false, false
	for _, resp := range get.Results() {
		for _, ref := range *resp.Referrers() {
			switch ref := ref.(type) {
			case *ssa.FieldAddr:
				switch fieldName(ref) {
				case "Body":
					body = true
				case "StatusCode", "Status":
					status = true
				}
			case *ssa.DebugRef:
			case ssa.CallInstruction, *ssa.Return, *ssa.Store, *ssa.MakeInterface:
				status = true // handed on, to be looked at there
			}
		}
	}
	return body && !status
}

// bodyMissChecks returns the comparisons that test a REST response's
// body, read whole, for emptiness: len(body) == 0, string(body) == "".
func bodyMissChecks(get *kvapi.Op) []*ssa.BinOp {
	var out []*ssa.BinOp
	for _, resp := range get.Results() {
		out = append(out, bodyEmptinessChecks(resp)...)
	}
	return out
}

// bodyEmptinessChecks returns the comparisons that test the body of the
// response resp, read whole, for emptiness.
func bodyEmptinessChecks(resp ssa.Value) []*ssa.BinOp {
	var out []*ssa.BinOp
	for _, read := range bodyReads(resp, 0) {
		out = append(out, emptinessChecks(read)...)
	}
	return out
}

// bodyReads returns the calls whose first result is the body of resp,
// read whole: io.ReadAll(resp.Body), of a limited or buffered reader over
// it too, or a helper of the program that returns that read
// (readAll(res)).
func bodyReads(resp ssa.Value, depth int) []*ssa.Call {
	var out []*ssa.Call
	for _, ref := range *resp.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			if fieldName(ref) != "Body" {
				continue
			}
			for _, load := range *ref.Referrers() {
				lv, ok := load.(*ssa.UnOp)
				if !ok {
					continue
				}
				uses := slices.Clone(*lv.Referrers())
				for i := 0; i < len(uses); i++ {
					switch use := uses[i].(type) {
					case *ssa.ChangeInterface, *ssa.MakeInterface: // io.ReadCloser as an io.Reader
						uses = append(uses, *use.(ssa.Value).Referrers()...)
					case *ssa.Call:
						switch kvapi.CalleeName(use) {
						case "io.ReadAll":
							out = append(out, use)
						case "io.LimitReader", "bufio.NewReader":
							uses = append(uses, *use.Referrers()...)
						}
					}
				}
			}
		case *ssa.Call:
			callee := ref.Call.StaticCallee()
			i := slices.Index(ref.Call.Args, resp)
			if callee == nil || len(callee.Blocks) == 0 || i < 0 || i >= len(callee.Params) || depth > 1 {
				continue
			}
			inner := bodyReads(callee.Params[i], depth+1)
			if slices.ContainsFunc(kvapi.Returns(callee), func(ret *ssa.Return) bool {
				if len(ret.Results) == 0 {
					return false
				}
				ext, ok := ret.Results[0].(*ssa.Extract)
				if !ok || ext.Index != 0 {
					return false
				}
				read, ok := ext.Tuple.(*ssa.Call)
				return ok && slices.Contains(inner, read)
			}) {
				out = append(out, ref)
			}
		}
	}
	return out
}

// emptinessChecks returns the tests of what read returned, its bytes,
// for being empty.
func emptinessChecks(read *ssa.Call) []*ssa.BinOp {
	var bytes []ssa.Value
	for _, ref := range *read.Referrers() {
		if ext, ok := ref.(*ssa.Extract); ok && ext.Index == 0 {
			bytes = append(bytes, ext)
		}
	}
	return emptyTests(bytes, func(*ssa.BinOp) bool { return true })
}

// readsStatus reports whether fn, or a closure in it, reads a response's
// status.
func readsStatus(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if fa, ok := instr.(*ssa.FieldAddr); ok && isResponse(fa.X.Type()) && (fieldName(fa) == "StatusCode" || fieldName(fa) == "Status") {
				return true
			}
		}
	}
	return slices.ContainsFunc(fn.AnonFuncs, readsStatus)
}

func isResponse(t types.Type) bool { return kvapi.IsHTTP(t, "Response") }

func fieldName(addr *ssa.FieldAddr) string {
	st := addr.X.Type().(*types.Pointer).Elem().Underlying().(*types.Struct)
	return st.Field(addr.Field).Name()
}

func is404(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.Value != nil && k.Value.Kind() == constant.Int && k.Value.ExactString() == "404"
}

// missIsValue reports whether the get comes down to syumai/workers, which
// reports a missing key as a value ("<null>"), not an error: its errors
// are failures only, and code that drops them is not mistaking them for a
// miss.
func missIsValue(get *kvapi.Op) bool {
	method := get.Method.FullName()
	if get.Wrapped != nil {
		if get.Wrapped.MissError {
			return false // an adapter that turns "<null>" into its not-found error
		}
		method = get.Wrapped.Method
	}
	return strings.HasSuffix(method, ").GetString") || strings.HasSuffix(method, ").GetReader")
}

// errorResult returns the error that call returns, or ignored when the
// caller drops it.
func errorResult(call *ssa.Call) (err ssa.Value, ignored bool) {
	res := call.Call.Signature().Results()
	if res.Len() == 0 || !kvapi.IsError(res.At(res.Len()-1).Type()) {
		return nil, false
	}
	if err := kvapi.ErrorOf(call); err != nil && len(kvapi.Uses(err)) > 0 {
		return err, false
	}
	return nil, true
}

// missReaches reports whether block runs after err was found non-nil
// without the get, in from, running again: a loop that skips a failed
// key ("continue") reaches the next key's parse, not this one's.
func missReaches(err ssa.Value, from, block *ssa.BasicBlock) bool {
	for _, failed := range failedBranches(err) {
		seen := map[*ssa.BasicBlock]bool{from: true}
		work := []*ssa.BasicBlock{failed}
		for len(work) > 0 {
			b := work[len(work)-1]
			work = work[:len(work)-1]
			if b == block {
				return true
			}
			if seen[b] {
				continue
			}
			seen[b] = true
			work = append(work, b.Succs...)
		}
	}
	return false
}

// reachedOnError reports whether block runs after err was found non-nil:
// it is reachable from the branch that err != nil takes.
func reachedOnError(err ssa.Value, block *ssa.BasicBlock) bool {
	for _, failed := range failedBranches(err) {
		if failed == block || kvapi.Reaches(failed, block) {
			return true
		}
	}
	return false
}

// isText reports whether t is a string or a []byte.
func isText(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0 || kvapi.IsBytes(t)
}
