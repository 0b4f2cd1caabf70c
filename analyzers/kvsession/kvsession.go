package kvsession

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/kvlint/kvlint/analyzers/internal/analysisdoc"
	"github.com/kvlint/kvlint/analyzers/internal/report"
	"github.com/kvlint/kvlint/analyzers/kvapi"
	"github.com/kvlint/kvlint/analyzers/kvcounter"
)

//go:embed doc.go
var doc string

// Config holds kvsession's options.
type Config struct {
	// Credentials matches a word, or two adjacent words run together,
	// that names a credential: session, refresh token, magic link.
	Credentials string
	// State matches a word naming per-user state that is not a
	// credential but must not be read, changed and written back: a cart.
	State string
	// Strict also reports the creation of credentials.
	Strict bool
}

// DefaultConfig names the usual credentials, and carts.
var DefaultConfig = Config{
	Credentials: `(?i)^(sessions?|sess|sid|sessionid|refresh|[a-z]*tokens?|(login|signin|email)links?|jwt|jti|otps?|otcs?|totp|hotp|mfa|2fa|twofactor|magic|magiclinks?|nonces?|(auth|login|mfa|passkey|webauthn|signin)challenges?|csrf|xsrf|authcodes?|authorizationcodes?|(auth|authorization)(requests?|reqs?)|oauth|(oauth|oidc|sso|saml)states?|[a-z]*toks?|pkce|apikeys?|pats?|sdkkeys?|accesskeys?|secrets?|secretkeys?|credentials?|passwords?|passwordresets?|pwreset|pwdreset|resettokens?|verify|verifications?|verificationcodes?|verifycodes?|(email|mail|sms|phone|text)codes?|recovery|recoverycodes?|backupcodes?|logincodes?|webauthn|passkeys?|confirm|confirmations?|confirmtokens?|invitecodes?|joincodes?|invites?|invitations?|enrol{1,2}(ment)?codes?|(reg|registration|signup)codes?|activationcodes?|resetcodes?|resets?|resetlinks?|pair(ing)?codes?|devicecodes?|devicegrants?|(dev|device)auths?|usercodes?|(checkin|door|entry|access|admission|qr)codes?|pins?|pincodes?|captchas?|remember|rememberme)$`,
	State:       `(?i)^(carts?|baskets?)$`,
}

// notCredential words mark keys that merely mention a credential word,
// or hold something else that a consuming verb may end: a token bucket,
// a feature flag about sessions, a count of logins, the lease of a job
// that refreshes reports, a hold on a table that a booking confirms, a
// listing's page token, an audit log of logins, the metadata kept beside
// an API key.
var notCredential = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(bucket|buckets|flags?|features?|config|configs|settings|limit|limits|limiter|ratelimit|rate|cooldowns?|backoffs?|throttles?|throttled|resends?|quota|quotas|usage|count|counts|counter|counters|attempts|tries|failures|strikes|stats|metrics|cache|cached|client|clients|consent|consents|lease|leases|lock|locks|mutex|cron|job|jobs|holds?|reservations?|[a-z]*(index|indexes|idx)|audits?|auditlogs?|logs?|history|histories|journal|trail|(page|next|continuation|sync|resume)tokens?|flash|flashes|notices?|toasts?|banners?|announcements?|meta|metadata)$`)
})

// useWord words in a key's text say that it records when something was
// last used or seen.
var useWord = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(seen|lastseen|used|lastused|last|touched|lasttouch|accessed|lastaccess|active|activity)$`)
})

// collectingVerb words in a function's or package's name say that it
// deletes what has expired or is left over: a sweep, a cleanup job.
var collectingVerb = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(sweep|sweeps|sweeper|purge|purges|prune|prunes|gc|cleanup|janitor|reap|reaper|vacuum)$`)
})

// subjectWord words in a parameter's name say that it names whose
// credentials they are: a member, a user, an account.
var subjectWord = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(users?|members?|accounts?|customers?|owners?|uid|subject|principal|email|login)$`)
})

// forSubject reports whether the key op deletes is made from a parameter
// that names whose it is: purgeMemberSessions(ctx, memberID) ends one
// member's sessions, a forced logout, where a sweep deletes whatever has
// expired, whoever it was for.
func forSubject(model *kvapi.Result, op *kvapi.Op) bool {
	for _, src := range op.Sources(keyOperand(op)) {
		for _, in := range src.Inputs() {
			if model.Backward(in, op.Call, func(s kvapi.Step) bool {
				p, ok := s.Value.(*ssa.Parameter)
				return ok && kvapi.IsString(p.Type()) && slices.ContainsFunc(kvapi.Words(p.Name()), subjectWord().MatchString)
			}) {
				return true
			}
		}
	}
	return false
}

// chosenBySubject reports whether op runs only where a test of whose
// record it is decides (disabled[s.CustomerID], s.UserID == uid): a
// sweep that ends chosen customers' sessions is a forced logout, not the
// removal of what has expired.
func chosenBySubject(op *kvapi.Op) bool {
	subjectField := func(v ssa.Value) (found, stop bool) {
		var field *types.Var
		switch v := v.(type) {
		case *ssa.FieldAddr:
			field = kvapi.FieldOf(v)
		case *ssa.Field:
			field = kvapi.FieldOfValue(v)
		}
		return field != nil && slices.ContainsFunc(kvapi.Words(field.Name()), subjectWord().MatchString), false
	}
	for b := op.Call.Block().Idom(); b != nil; b = b.Idom() {
		if cond, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok && kvapi.ComputedHere(cond.Cond, subjectField) {
			return true
		}
	}
	return false
}

// givenOne reports whether the key op deletes is made from a string its
// function is given, and from no key a list returned: Purge(ctx, kind,
// id) in a support console removes the one artefact it is told to, where
// a sweep deletes whatever its listing finds.
func givenOne(model *kvapi.Result, op *kvapi.Op) bool {
	if op.Method.Role == kvapi.BulkDelete && appended(model, op) {
		return false // Prune(ctx, tenant, name, keep): the old versions it collects
	}
	fn := kvapi.Outermost(op.Call.Parent())
	var listed []ssa.Value
	for _, list := range model.OpsIn(op.Call.Parent(), kvapi.List) {
		listed = append(listed, list.Results()...)
	}
	for _, src := range op.Sources(keyOperand(op)) {
		in := src.Inputs()
		if model.DependsOnAny(in, op.Call, listed) {
			return false
		}
		if slices.ContainsFunc(in, func(v ssa.Value) bool {
			return model.Backward(v, op.Call, func(s kvapi.Step) bool {
				p, ok := s.Value.(*ssa.Parameter)
				return ok && p.Parent() == fn && kvapi.IsString(p.Type())
			})
		}) {
			return true
		}
	}
	return false
}

// indexWord words in a function's name say that it keeps an index.
// registeredWord names the credentials an account registers and keeps,
// its passkeys: their list changes (one added, a sign counter bumped)
// without any of them being spent.
var registeredWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(passkeys?|creds?|credentials?)$`) })

// ceremonyWord names the short-lived records of a WebAuthn or login
// ceremony, which are spent when it ends.
var ceremonyWord = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(challenges?|ceremony|ceremonies|reg|registration|login|signin|assertion|attestation|sessions?|sess|begin|pending)$`)
})

var indexWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(index|indexes|idx|reindex)$`) })

// revocationList words name a list of what was revoked: of credentials
// when a credential is named too, or by themselves for the first few
// (revokedBefore:<user>).
var (
	revocationList = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^(revoked|revoke|revocations?|denylist|denied|deny|blocklist|blocked|blacklist|banned)$`)
	})
	revocation = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(revoked|revoke|revocations?)$`) })
	// latestWord words say a key holds the latest event, not a list.
	latestWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(last|latest|recent)$`) })
	// revokedKey words in a key's own text name a list of revoked
	// credentials by themselves; "blocked:" + ip is an abuse ban.
	revokedKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(revoked|revocations?|denylist|denied)$`) })
)

// Analyzer is kvsession with the default configuration, its flags bound.
var Analyzer = New(DefaultConfig)

// Result lists the puts kvsession reported, which kvrace leaves alone, and
// the calls it judged inside the wrappers they call.
type Result struct {
	Claimed map[ssa.CallInstruction]bool
	// Judged lists the calls of wrappers judged inside them (see
	// judgedFact): kvrace leaves them, and kvhotkey looks only at whether
	// a loop makes them on every run.
	Judged map[ssa.CallInstruction]bool
}

// New returns a kvsession analyzer with its own copy of cfg, bound to its
// flags.
func New(cfg Config) *analysis.Analyzer {
	c := &checker{cfg: cfg}
	a := &analysis.Analyzer{
		Name:       "kvsession",
		Doc:        analysisdoc.Extract(doc, "kvsession"),
		URL:        "https://github.com/kvlint/kvlint/blob/main/docs/kvsession.md",
		Requires:   []*analysis.Analyzer{kvapi.Analyzer, kvcounter.Analyzer},
		Run:        c.run,
		ResultType: reflect.TypeFor[*Result](),
		FactTypes:  []analysis.Fact{new(reportedFact), new(judgedFact)},
	}
	pattern := func(name string, re **regexp.Regexp, source, usage string) {
		a.Flags.Func(name, usage+" (default "+source+")", func(s string) error {
			compiled, err := regexp.Compile(s)
			if err != nil {
				return err
			}
			*re = compiled
			return nil
		})
	}
	pattern("credentials", &c.credentials, cfg.Credentials, "regular expression matched against each word, and each two adjacent words run together, that names a credential")
	pattern("state", &c.state, cfg.State, "regular expression matched against each word that names per-user state, such as a cart")
	a.Flags.BoolVar(&c.cfg.Strict, "strict", cfg.Strict, "also report the creation of sessions, tokens and codes, which the next request may not see")
	return a
}

// checker compiles its patterns when a package first has KV operations:
// go vet starts kvlint once for every package, most of which have none.
type checker struct {
	cfg      Config
	compiled sync.Once
	// credentials and state are set by their flags, or compiled from cfg.
	credentials *regexp.Regexp
	state       *regexp.Regexp
}

func (c *checker) compilePatterns() {
	c.compiled.Do(func() {
		if c.credentials == nil {
			c.credentials = regexp.MustCompile(c.cfg.Credentials)
		}
		if c.state == nil {
			c.state = regexp.MustCompile(c.cfg.State)
		}
	})
}

func (c *checker) run(pass *analysis.Pass) (any, error) {
	res := &Result{Claimed: make(map[ssa.CallInstruction]bool), Judged: make(map[ssa.CallInstruction]bool)}
	model := pass.ResultOf[kvapi.Analyzer].(*kvapi.Result)
	if len(model.Ops) == 0 {
		return res, nil
	}
	c.compilePatterns()
	counted := pass.ResultOf[kvcounter.Analyzer].(*kvcounter.Result).Claimed
	rep := report.New(pass)
	reported := func(op *kvapi.Op) {
		if fn, ok := kvapi.Outermost(op.Call.Parent()).Object().(*types.Func); ok {
			pass.ExportObjectFact(fn, new(reportedFact))
		}
	}
	// Functions that the package calls as wrappers: their callers' calls
	// are operations judged with what each caller gives.
	wrappers := make(map[types.Object]bool)
	for _, op := range model.Ops {
		if op.Wrapper != nil {
			wrappers[op.Wrapper.Origin()] = true
		}
	}
	for _, op := range model.InnerFirst() {
		if op.InTest() {
			continue // a test revokes and rotates on a fake, to check the code that does it for real
		}
		if kvapi.InPortField(op.Call.Parent()) || op.Wrapped != nil && op.Wrapped.InField {
			// A port's closure, judged where its field is called
			// (s.Sessions.Drop(ctx, id) in Logout), not inside it nor
			// where the adapter makes it.
			continue
		}
		if model.ReportedInside(pass, op, new(reportedFact)) {
			res.Claimed[op.Call] = true // nor by kvrace, as a session's read and write-back
			res.Judged[op.Call] = true  // kvhotkey still sees a loop that calls it each run
			reported(op)                // reported inside the wrapper, not again at each caller
			continue
		}
		if op.Wrapped != nil {
			// (A delete of the key each caller gives is not: take(ns,
			// key) reads and deletes what its caller names.)
			if !deletesGivenKey(op) && (model.ReportedInside(pass, op, new(judgedFact)) || model.ReadsInside(op)) && !c.revokes(pass, model, op, wrappers) {
				res.Judged[op.Call] = true
				// A wrapper's own read and write, judged inside it: not
				// again at each caller, nor claimed from the others.
				if fn, ok := kvapi.Outermost(op.Call.Parent()).Object().(*types.Func); ok {
					pass.ExportObjectFact(fn, new(judgedFact))
				}
				continue
			}
		}
		if op.Wrapped != nil && op.Wrapped.KeyChosenInside() {
			// An executor's operation on a key it takes from a batch
			// (Commit(ctx, u) running what u queued) may not run at
			// all: the names of the call say nothing of what it touches.
			continue
		}
		ev := c.evidence(pass, model, op, wrappers)
		switch op.Method.Role {
		case kvapi.Delete, kvapi.BulkDelete:
			if ev.credential == "" {
				ev.credential = c.revokedBeside(pass, model, op, wrappers)
			}
			if ev.credential != "" && !pointsToDeleted(model, op) && !listedEntry(model, op) && !indexBeside(model, op, func(other *kvapi.Op) bool {
				return c.evidence(pass, model, other, wrappers).credential != ""
			}) {
				reported(op)
				at := op
				if revokingHelper(model, op) {
					// revokeKeys(ns, keys, Keys.Session, ids): the helper's
					// delete is the revocation, reported there once for
					// the credentials its callers name.
					at = model.Inside(op)
				}
				rep.Report(analysis.Diagnostic{
					Pos: at.Pos(), End: at.End(),
					Message: fmt.Sprintf("%s revoked or consumed by a KV delete: other locations keep serving the cached value for 60 s or more, so a logged-out session or a used code stays valid there and can be replayed; keep credentials that must end at once in a Durable Object, or use short-lived signed tokens with revocations in D1", article(ev.credential)),
				})
			}
		case kvapi.Put, kvapi.BulkPut:
			if counted[op.Call] {
				continue
			}
			if d, ok := c.put(model, op, ev); ok {
				reported(op)
				res.Claimed[op.Call] = true
				rep.Report(d)
			}
		}
	}
	rep.Finish()
	return res, nil
}

// revokes reports whether put writes a revocation, as through a wrapper
// that reads and writes back a list (AppendJSON(ctx, "revoked:apikeys",
// entry)): the list's race is the wrapper's, its delay the caller's.
func (c *checker) revokes(pass *analysis.Pass, model *kvapi.Result, put *kvapi.Op, wrappers map[types.Object]bool) bool {
	if put.Method.Role != kvapi.Put && put.Method.Role != kvapi.BulkPut {
		return false
	}
	ev := c.evidence(pass, model, put, wrappers)
	return ev.credential != "" && (ev.revocationList || ev.revocation)
}

// revokedBeside returns the credential that a put of the delete's
// function revokes, when that put's key is made of what the delete's key
// is made of: Revoke(id) writes "revoked/"+id and deletes "link/"+id, and
// the record it deletes is the credential it revokes.
func (c *checker) revokedBeside(pass *analysis.Pass, model *kvapi.Result, del *kvapi.Op, wrappers map[types.Object]bool) string {
	parts := keyParts(del)
	if len(parts) == 0 {
		return ""
	}
	for _, put := range model.OpsIn(del.Call.Parent(), kvapi.Put) {
		if !slices.ContainsFunc(keyParts(put), func(v ssa.Value) bool { return slices.Contains(parts, v) }) {
			continue
		}
		ev := c.evidence(pass, model, put, wrappers)
		if ev.credential != "" && (ev.revocationList || ev.revocation) {
			return ev.credential
		}
		if ev.revocation {
			return "token" // what Revoke withdraws, named by nothing else
		}
	}
	return ""
}

// keyParts returns the values an operation's key is made of, in its own
// function: the id of "link/" + id or of linkKey(id), a helper of this
// package that builds it.
func keyParts(op *kvapi.Op) []ssa.Value {
	var parts []ssa.Value
	var walk func(v ssa.Value, depth int)
	walk = func(v ssa.Value, depth int) {
		switch x := v.(type) {
		case *ssa.Const:
		case *ssa.BinOp:
			if x.Op == token.ADD && depth < 8 {
				walk(x.X, depth+1)
				walk(x.Y, depth+1)
			}
		case *ssa.Call:
			if callee := x.Call.StaticCallee(); callee != nil && callee.Pkg == op.Call.Parent().Pkg && depth < 8 {
				for _, a := range x.Call.Args {
					walk(a, depth+1)
				}
				return
			}
			parts = append(parts, x)
		default:
			parts = append(parts, v)
		}
	}
	for _, src := range op.Sources(keyOperand(op)) {
		for _, in := range src.Inputs() {
			walk(in, 0)
		}
	}
	return parts
}

// put returns the finding on a put of a credential or of per-user state.
func (c *checker) put(model *kvapi.Result, put *kvapi.Op, ev evidence) (analysis.Diagnostic, bool) {
	d := analysis.Diagnostic{Pos: put.Pos(), End: put.End()}
	related := func(get *kvapi.Op, what string) {
		d.Related = []analysis.RelatedInformation{{Pos: get.Pos(), End: get.End(), Message: what}}
	}
	if ev.disabled {
		d.Message = fmt.Sprintf("%s revoked by a KV write over its record (a tombstone, a disabled flag): other locations keep serving the old record for 60 s or more, so it stays accepted there; check revocations in a consistent store (D1 or a Durable Object), or keep tokens short-lived", article(ev.credential))
		return d, true
	}
	if (strings.HasPrefix(article(ev.credential), "An API key") || ev.registered) && !ev.revocation {
		// An API key's record changes (a last-used stamp), as a user's
		// list of passkeys does (one added, a sign counter), without the
		// key itself changing: a race, kvrace's finding; its deletion is
		// this analyzer's.
		ev.credential = ""
	}
	what := ev.credential
	if what == "" {
		what = ev.state
	}
	// A denylist is a revocation first, however it is updated.
	get := model.ReadOf(put)
	if get == nil {
		get = model.SelfKeyedRead(put)
	}
	if get == nil {
		get = model.KeptRead(put)
	}
	switch {
	case ev.credential != "" && ev.revocationList || ev.revocation:
		d.Message = "revocation kept in KV: a revoked credential stays accepted at other locations until the write reaches them, 60 s or more later; check revocations in a consistent store (D1 or a Durable Object), or keep tokens short-lived"
		return d, true
	case ev.credential != "" && listsNames(put):
		// A user's list of token IDs is an index: its race is kvrace's,
		// and no credential changes.
		return d, false
	case get != nil && what != "":
		related(get, "the record is read here")
		d.Message = fmt.Sprintf("%s read, changed and written back in KV: concurrent requests overwrite each other (last write wins), and other locations read the old record for 60 s or more; keep per-user state that changes in a Durable Object or D1", article(what))
		return d, true
	case what != "" && changedParam(model, put):
		d.Message = fmt.Sprintf("%s changed and written back in KV (a sliding expiry, a last-seen stamp): other locations read the old record for 60 s or more, and concurrent requests overwrite each other; keep per-user state that changes in a Durable Object or D1", article(what))
		return d, true
	case ev.credential != "" && stampedOnUse(model, put):
		d.Message = fmt.Sprintf("%s stamped in KV on each use (a last-seen time): every request rewrites it, concurrent requests overwrite each other, and other locations read the old value for 60 s or more; keep per-use state in a Durable Object or D1", article(ev.credential))
		return d, true
	case ev.credential != "" && rotates(model, put) && !slices.ContainsFunc(cacheReads(model, put), func(get *kvapi.Op) bool { return refreshesCache(model, get, put) }):
		// (An upstream's token fetched anew where the cached one was
		// missing or stale is a cache's fill, whatever the helper is
		// called.)
		d.Message = fmt.Sprintf("%s overwritten in KV (rotated, marked used or refreshed): other locations keep the old value for 60 s or more, so it stays valid there; keep credentials that change in a Durable Object, or use short-lived signed tokens", article(ev.credential))
		return d, true
	case ev.credential != "" && model.AfterMiss(put, nil):
		// Created where the get found nothing: not an overwrite.
		if c.cfg.Strict {
			d.Message = fmt.Sprintf("%s created in KV: the next request may reach a location that does not see it for up to 60 s (strict mode); keep it in D1 or a Durable Object, or in a signed cookie", article(ev.credential))
			return d, true
		}
	case ev.credential != "":
		gets := slices.DeleteFunc(model.GetsOf(put), func(get *kvapi.Op) bool { return !kvapi.Before(get.Call, put.Call) })
		if len(gets) > 0 && !slices.ContainsFunc(gets, func(get *kvapi.Op) bool { return claimsOwn(model, get, put) || refreshesCache(model, get, put) }) {
			related(gets[0], "the old value is read here")
			d.Message = fmt.Sprintf("%s overwritten in KV (rotated, marked used or refreshed): other locations keep the old value for 60 s or more, so it stays valid there; keep credentials that change in a Durable Object, or use short-lived signed tokens", article(ev.credential))
			return d, true
		}
		if c.cfg.Strict {
			d.Message = fmt.Sprintf("%s created in KV: the next request may reach a location that does not see it for up to 60 s (strict mode); keep it in D1 or a Durable Object, or in a signed cookie", article(ev.credential))
			return d, true
		}
	}
	return d, false
}

// bySubject reports whether a name says that it indexes by whose they are:
// "sess-by-owner:" + owner + ":" + id lists an owner's sessions.
func bySubject(g []string) bool {
	i := slices.IndexFunc(g, func(w string) bool { return strings.EqualFold(w, "by") })
	return i >= 0 && i+1 < len(g) && subjectWord().MatchString(g[i+1])
}

// listsNames reports whether put writes a list of plain strings: the IDs
// of a user's tokens, not a token's record.
func listsNames(put *kvapi.Op) bool {
	for _, src := range put.Sources(kvapi.Value) {
		for _, in := range src.Inputs() {
			if mi, ok := in.(*ssa.MakeInterface); ok {
				in = mi.X
			}
			if s, ok := in.Type().Underlying().(*types.Slice); ok && kvapi.IsString(s.Elem()) {
				return true
			}
		}
	}
	return false
}

// refreshesCache reports whether get and put are a cache's: what get
// read is handed on only by returns the put cannot reach (a copy still
// fresh), and put writes something new fetched from elsewhere when it
// was missing or stale (an upstream's access token, kept until it nears
// its expiry). What other locations still read is a copy that is still
// good, not a credential this service has ended. (A constant written
// over it is a tombstone: the old value is spent.)
func refreshesCache(model *kvapi.Result, get, put *kvapi.Op) bool {
	reads := get.Results()
	fn := get.Call.Parent()
	// Where the reader fills the cache: the put, or its call of the
	// helper that fetches and writes anew (rotate(ctx, team) when the
	// cached token is missing or near its expiry).
	var fill ssa.Instruction = put.Call
	if put.Call.Parent() != fn {
		fill = nil
		for _, site := range model.CallSites(kvapi.Outermost(put.Call.Parent())) {
			if site.Parent() == fn && kvapi.Before(get.Call, site) {
				fill = site
			}
		}
	}
	if len(reads) == 0 || fill == nil {
		return false
	}
	handedOn := false
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || !slices.ContainsFunc(ret.Results, func(v ssa.Value) bool { return !kvapi.IsError(v.Type()) && model.DependsOn(v, ret, reads) }) {
			continue
		}
		if b == fill.Block() || kvapi.Reaches(fill.Block(), b) {
			return false
		}
		handedOn = true
	}
	var written []ssa.Value
	for _, src := range put.Sources(kvapi.Value) {
		written = append(written, src.Inputs()...)
	}
	fetched := slices.ContainsFunc(written, func(v ssa.Value) bool { _, isConst := v.(*ssa.Const); return !isConst })
	return handedOn && fetched && !model.DependsOnAny(written, put.Call, reads)
}

// cacheReads returns the gets of put's key, and the gets of a key with
// the same text in the functions that call put's: AccessToken reads
// "slack:access:" + team and calls rotate, which writes it anew.
func cacheReads(model *kvapi.Result, put *kvapi.Op) []*kvapi.Op {
	gets := model.GetsOf(put)
	text := keyTexts(model, put)
	if strings.Trim(text, "|") == "" {
		return gets
	}
	for _, site := range model.CallSites(kvapi.Outermost(put.Call.Parent())) {
		for _, get := range model.OpsIn(site.Parent(), kvapi.Get) {
			if keyTexts(model, get) == text && !slices.Contains(gets, get) {
				gets = append(gets, get)
			}
		}
	}
	return gets
}

// keyTexts returns the constant text of op's key, all its sources'.
func keyTexts(model *kvapi.Result, op *kvapi.Op) string {
	var texts []string
	for _, src := range op.Sources(keyOperand(op)) {
		texts = append(texts, model.KeyText(src))
	}
	return strings.Join(texts, "|")
}

// claimsOwn reports whether the value that put writes is compared with
// what get read: a claim that refuses a code another holds and writes
// the claimant's own (owner != req.PlayerID), which overwrites nothing
// but the same value. It is a check-then-create, kvrace's.
func claimsOwn(model *kvapi.Result, get, put *kvapi.Op) bool {
	reads := get.Results()
	if len(reads) == 0 {
		return false
	}
	var written []ssa.Value
	for _, src := range put.Sources(kvapi.Value) {
		written = append(written, src.Inputs()...)
	}
	for _, b := range put.Call.Parent().Blocks {
		for _, instr := range b.Instrs {
			cmp, ok := instr.(*ssa.BinOp)
			if !ok || cmp.Op != token.EQL && cmp.Op != token.NEQ || !kvapi.Before(get.Call, cmp) || !kvapi.Before(cmp, put.Call) {
				continue
			}
			for _, pair := range [][2]ssa.Value{{cmp.X, cmp.Y}, {cmp.Y, cmp.X}} {
				if model.DependsOnAny([]ssa.Value{pair[0]}, cmp, reads) && slices.ContainsFunc(written, func(w ssa.Value) bool { return kvapi.SameRead(w, pair[1]) }) {
					return true
				}
			}
		}
	}
	return false
}

// withoutPlainReset drops "reset" from the words of a function's name
// that says nothing of a password: s.ResetWithContext(ctx) clears a
// store, ResetPassword(ctx, tok) spends a reset token.
func withoutPlainReset(g []string) []string {
	if slices.ContainsFunc(g, func(w string) bool {
		return strings.EqualFold(w, "password") || strings.EqualFold(w, "pw") || strings.EqualFold(w, "pwd")
	}) {
		return g
	}
	return slices.DeleteFunc(slices.Clone(g), func(w string) bool { return strings.EqualFold(w, "reset") || strings.EqualFold(w, "resets") })
}

// rotatingVerb words in a function's name say that it replaces a value
// that exists: RotateCSRF, RenewSession, RegenerateCode.
var rotatingVerb = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(rotate|rotates|renew|renews|regenerate|regenerates|reissue|reissues|refresh|refreshes)$`)
})

// rotates reports whether the put is in a function named for replacing
// what exists, under a key its caller names (RotateCSRF(sessionID)): the
// old value is overwritten, whether or not this function read it first.
// A key drawn fresh, or fixed, or taken from elsewhere is another
// record's. A rotation that deletes the old key and writes the new one
// elsewhere ends the credential with the delete, which is reported.
func rotates(model *kvapi.Result, put *kvapi.Op) bool {
	fn := kvapi.Outermost(put.Call.Parent())
	if !slices.ContainsFunc(kvapi.Words(fn.Name()), rotatingVerb().MatchString) || model.KeyDrawn(put) || put.KeyDrawnInside() || !keyFromParams(model, put, fn) {
		return false
	}
	return !slices.ContainsFunc(model.OpsIn(fn, kvapi.Delete), func(del *kvapi.Op) bool { return !model.Same(del, put, kvapi.Key) })
}

// keyFromParams reports whether the put's key is computed from a
// string or number that fn was given (a session ID, a token), or a
// record whose field holds one: not its receiver, its context, nor a
// lister whose keys it walks.
func keyFromParams(model *kvapi.Result, put *kvapi.Op, fn *ssa.Function) bool {
	params := fn.Params
	if fn.Signature.Recv() != nil && len(params) > 0 {
		params = params[1:]
	}
	params = slices.DeleteFunc(slices.Clone(params), func(p *ssa.Parameter) bool {
		if named, ok := derefNamedStruct(p.Type()); ok && !standard(named) {
			return false // a record whose field names the key: sub.FeedToken
		}
		if unnamedStruct(p.Type()) {
			return false // arguments a framework fills: args struct{ DeviceID graphql.ID }
		}
		t := p.Type().Underlying()
		if s, ok := t.(*types.Slice); ok {
			t = s.Elem().Underlying() // a command's args []string
		}
		b, ok := t.(*types.Basic)
		return !ok || b.Info()&(types.IsString|types.IsInteger) == 0
	})
	for _, src := range put.Sources(kvapi.Key) {
		for _, in := range src.Inputs() {
			if model.Backward(in, put.Call, func(s kvapi.Step) bool {
				p, ok := s.Value.(*ssa.Parameter)
				return ok && slices.Contains(params, p)
			}) {
				return true
			}
		}
	}
	return false
}

// stampedOnUse reports whether the put writes nothing but the time,
// after a read in the same function: a last-seen stamp of the credential
// the function has just checked, rewritten on every use.
func stampedOnUse(model *kvapi.Result, put *kvapi.Op) bool {
	fn := kvapi.Outermost(put.Call.Parent())
	// The read checks the credential itself, under another key made from
	// the same thing the caller gives: "token:"+t, then "token:seen:"+t.
	// (A read of the stamp's own key is a cooldown's check.)
	var params []ssa.Value
	for _, p := range fn.Params {
		params = append(params, p)
	}
	keyedBy := func(op *kvapi.Op) []ssa.Value {
		var by []ssa.Value
		for _, p := range params {
			if slices.ContainsFunc(op.Sources(kvapi.Key), func(s kvapi.Source) bool { return model.DependsOnAny(s.Inputs(), op.Call, []ssa.Value{p}) }) {
				by = append(by, p)
			}
		}
		return by
	}
	// The stamp's key says it records use: token:seen:<t>, lastused:<t>.
	if !slices.ContainsFunc(put.Sources(kvapi.Key), func(src kvapi.Source) bool {
		return slices.ContainsFunc(kvapi.Words(model.KeyText(src)), func(w string) bool { return useWord().MatchString(w) })
	}) {
		return false
	}
	stampBy := keyedBy(put)
	checked := func(get *kvapi.Op) bool {
		return kvapi.Before(get.Call, put.Call) && !model.Same(get, put, kvapi.Key) &&
			slices.ContainsFunc(keyedBy(get), func(p ssa.Value) bool { return slices.Contains(stampBy, p) })
	}
	if len(stampBy) == 0 || model.KeyDrawn(put) || !slices.ContainsFunc(model.OpsIn(fn, kvapi.Get), checked) {
		return false // (a key drawn here is a new record's)
	}
	srcs := put.Sources(kvapi.Value)
	clock := false
	for _, src := range srcs {
		for _, in := range src.Inputs() {
			isClock := func(s kvapi.Step) bool { return kvapi.Clock(s.Value) }
			outside := model.BackwardPruned(in, put.Call, isClock, func(s kvapi.Step) bool {
				if kvapi.Clock(s.Value) {
					clock = true
					return false
				}
				switch v := s.Value.(type) {
				case *ssa.Parameter, *ssa.FreeVar:
					return true // what the caller gives
				case *ssa.UnOp:
					return v.Op == token.MUL // a field or variable read
				case *ssa.Call:
					return len(v.Call.Args) == 0 || v.Call.StaticCallee() == nil // drawn, or not known
				}
				return false
			})
			if outside {
				return false
			}
		}
	}
	return clock && len(srcs) > 0
}

// changedParam reports whether the put writes back a record that its
// function was given and changed: Touch(s *Session) sets s.LastSeen and
// stores s, a record that already exists.
func changedParam(model *kvapi.Result, put *kvapi.Op) bool {
	if model.KeyDrawn(put) {
		return false // a new record, not a change
	}
	fn := kvapi.Outermost(put.Call.Parent())
	var records []ssa.Value
	for _, p := range fn.Params {
		records = append(records, p)
	}
	// Or a record a loader of this package read for the request:
	// sess, ok := s.currentUser(r), then sess.ExpiresAt changed.
	in := put.Call.Parent()
	for _, rec := range loaded(model, in) {
		if mayPrecede(rec.(ssa.Instruction), put.Call) {
			records = append(records, rec)
		}
	}
	for _, rec := range records {
		if _, ok := derefNamedStruct(rec.Type()); !ok {
			continue
		}
		homes := []ssa.Value{rec}
		for _, ref := range *rec.Referrers() {
			if st, ok := ref.(*ssa.Store); ok && st.Val == rec {
				homes = append(homes, st.Addr) // a struct's local copy
			}
		}
		if !fieldStored(fn, homes, put.Call) && !fieldStored(in, homes, put.Call) {
			continue
		}
		// The record itself is written, not a new one built from it (an
		// API key issued from a request).
		for _, src := range put.Sources(kvapi.Value) {
			for _, in := range src.Inputs() {
				if encodes(in, homes, 0) {
					return true
				}
			}
		}
	}
	return false
}

// loaded returns the records that fn is handed by calls of functions of
// this package that read KV: the first result, a struct or a pointer to
// one. So is a record the request carries, put there by a middleware
// that loaded it: c.Get("session").(*Session), directly or through an
// accessor such as CurrentSession(c).
func loaded(model *kvapi.Result, fn *ssa.Function) []ssa.Value {
	var out []ssa.Value
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if carried(instr) {
				out = append(out, instr.(ssa.Value))
				continue
			}
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee := call.Call.StaticCallee()
			if callee != nil && callee.Pkg == fn.Pkg && call.Call.Signature().Results().Len() == 1 && returnsCarried(callee) {
				out = append(out, call)
				continue
			}
			if callee == nil || callee.Pkg != fn.Pkg || len(model.OpsIn(callee, kvapi.Get)) == 0 {
				continue
			}
			if call.Call.Signature().Results().Len() == 1 {
				out = append(out, call)
				continue
			}
			for _, ref := range *call.Referrers() {
				if ext, ok := ref.(*ssa.Extract); ok && ext.Index == 0 {
					out = append(out, ext)
				}
			}
		}
	}
	return out
}

// encodes reports whether v is one of homes, encoded: x in
// json.Marshal(x) or in codec.Wrap("sess", 0, x), through conversions,
// or the variable a struct is loaded from.
func encodes(v ssa.Value, homes []ssa.Value, depth int) bool {
	if depth > 8 {
		return false
	}
	if slices.Contains(homes, v) {
		return true // the record itself, as the call that handed it over
	}
	switch x := v.(type) {
	case *ssa.Convert:
		return encodes(x.X, homes, depth+1)
	case *ssa.ChangeType:
		return encodes(x.X, homes, depth+1)
	case *ssa.MakeInterface:
		return encodes(x.X, homes, depth+1)
	case *ssa.Extract:
		return encodes(x.Tuple, homes, depth+1)
	case *ssa.UnOp:
		if x.Op == token.MUL {
			return encodes(x.X, homes, depth+1)
		}
	case *ssa.Call:
		// An encoder of the record, given it among its options.
		return slices.ContainsFunc(x.Call.Args, func(a ssa.Value) bool { return encodes(a, homes, depth+1) })
	}
	return slices.Contains(homes, v)
}

// standard reports whether named is the standard library's: an
// *http.Request names no credential by itself.
func standard(named *types.Named) bool {
	pkg := named.Obj().Pkg()
	return pkg == nil || kvapi.Stdlib(pkg.Path())
}

// carried reports whether instr takes a record out of what the request
// carries: x.(*Session) of an interface value (a context's, a
// framework's context store), for a pointer to a struct of the program.
func carried(instr ssa.Instruction) bool {
	ta, ok := instr.(*ssa.TypeAssert)
	if !ok {
		return false
	}
	_, isPtr := ta.AssertedType.Underlying().(*types.Pointer)
	named, record := derefNamedStruct(ta.AssertedType)
	return isPtr && record && !standard(named)
}

// returnsCarried reports whether every return of fn gives a record
// taken out of what the request carries (see carried).
func returnsCarried(fn *ssa.Function) bool {
	rets := kvapi.Returns(fn)
	return len(rets) > 0 && !slices.ContainsFunc(rets, func(ret *ssa.Return) bool {
		if len(ret.Results) != 1 {
			return true
		}
		v := ret.Results[0]
		if ext, ok := v.(*ssa.Extract); ok {
			v = ext.Tuple // s, _ := c.Get(k).(*Session)
		}
		instr, ok := v.(ssa.Instruction)
		return !ok || !carried(instr)
	})
}

// fieldStored reports whether fn stores into a field of one of homes
// where that may run before put.
func fieldStored(fn *ssa.Function, homes []ssa.Value, put ssa.Instruction) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if st, ok := instr.(*ssa.Store); ok && mayPrecede(st, put) {
				if fa, ok := st.Addr.(*ssa.FieldAddr); ok && slices.Contains(homes, fa.X) {
					return true
				}
			}
		}
	}
	return false
}

// mayPrecede reports whether instr may run before later, when both are
// in one function: not on another case of a switch. Across functions it
// cannot tell, and says yes.
func mayPrecede(instr, later ssa.Instruction) bool {
	if instr.Parent() != later.Parent() {
		return true
	}
	if b := instr.Block(); b == later.Block() {
		return slices.Index(b.Instrs, instr) < slices.Index(b.Instrs, later) || kvapi.Around(b) != nil
	}
	return kvapi.Reaches(instr.Block(), later.Block())
}

// judgedFact marks a function whose operations kvsession judged in the
// wrappers they call, which read and write inside: its callers are not
// judged again.
type judgedFact struct{}

func (*judgedFact) AFact()         {}
func (*judgedFact) String() string { return "kvsession judged inside" }

// reportedFact marks a function in which kvsession reported an
// operation, so that its callers are not told again.
type reportedFact struct{}

func (*reportedFact) AFact()             {}
func (*reportedFact) String() string     { return "kvsession" }
func (*reportedFact) ReportedBy() string { return "kvsession" }

// evidence is what an operation's names say it touches.
type evidence struct {
	credential     string // the word naming a credential, or ""
	state          string // the word naming per-user state, or ""
	revocationList bool
	revocation     bool
	// disabled is set for a put of a credential's own record in a
	// function that revokes or disables it: a tombstone or a disabled
	// flag written over the record.
	disabled bool
	// registered is set when the key names the credentials an account
	// keeps (see registeredWord), not a ceremony's record.
	registered bool
}

// evidence reads the words of the key (its constant text and the names in
// its expression), of the call (the wrapper or port, its receiver's type
// and type arguments, the names it is called through) and, for a put, of
// the value's type.
func (c *checker) evidence(pass *analysis.Pass, model *kvapi.Result, op *kvapi.Op, wrappers map[types.Object]bool) evidence {
	// Groups of words, each from one name or text: two adjacent words
	// run together ("magic link") only within a group.
	var key, texts, other, defined [][]string
	for _, src := range namedKeys(model, op) {
		// Text written in the key says what it names: "owner:" + apiKey(r)
		// is an owner index, not an API key. A key built by a helper is
		// named by the helper too: tokenKey(id).
		key = append(key, kvapi.Words(model.KeyText(src)))
		texts = append(texts, kvapi.Words(model.KeyText(src)))
		if !hasLiteral(pass.TypesInfo, src.Expr) {
			key = append(key, keyNameWords(pass.TypesInfo, src.Expr)...)
			if def := definition(pass, model, src.Expr); def != src.Expr {
				defined = append(defined, keyNameWords(pass.TypesInfo, def)...)
			}
		}
		// The request parameter the key is made of names what it holds:
		// "wr:" + r.URL.Query().Get("token") keeps a token.
		key = append(key, requestParamWords(pass.TypesInfo, src.Expr)...)
		for _, part := range concatenated(src.Expr) {
			// The same through a variable: "approval-links/" + tok, of
			// tok := r.PathValue("token").
			if init := initializer(pass, model, part); init != part {
				key = append(key, requestParamWords(pass.TypesInfo, init)...)
			}
		}
		if rec := src.KeyRecord(); rec != nil {
			// Remove(ctx, st, challenge): a record that knows its own key
			// names what the key holds.
			key = append(key, typeWords(rec.Type())...)
		}
		if src.Expr == nil && model.KeyText(src) == "" && op.Wrapped != nil && op.Expr != nil {
			// The wrapper builds the key in a way not followed (a
			// variadic join): the strings it is given name it.
			key = append(key, stringArgWords(pass, op.Expr)...)
			for _, arg := range stringArgs(pass, op.Expr) {
				if def := definition(pass, model, arg); def != arg {
					defined = append(defined, keyNameWords(pass.TypesInfo, def)...) // stateKey := s.keys.OAuthState(state)
				}
			}
		}
	}
	// A key with no words of its own (k.Name from a list) is named by the
	// function that deletes it; a key with text is named by it ("label:"
	// + l is an index entry, even inside Revoke).
	// Nor does a key builder's own name say what it holds: s.KeyOf(sid).
	unnamed := !slices.ContainsFunc(key, func(g []string) bool {
		return slices.ContainsFunc(g, func(w string) bool { return !keyBuilderWord[strings.ToLower(w)] })
	})
	// A variable declared with the call that made the key is named by it
	// too (old := RefreshToken.storageKey(refresh)), as a key of no words
	// of its own.
	key = append(key, defined...)
	key = append(key, listedPrefixes(pass.TypesInfo, model, op)...)
	// A function named by a verb does to the key what it says, and its
	// other words name what it acts on: c.refresh(show) refreshes a
	// cached feed, p.refreshLoop() runs a loop, refreshToken names one.
	verbOnly := func(g []string) bool { return len(g) == 1 && rotatingVerb().MatchString(g[0]) }
	pastVerb := func(g []string) []string {
		if len(g) > 1 && rotatingVerb().MatchString(g[0]) {
			return g[1:]
		}
		return g
	}
	if op.Expr != nil {
		fun := op.Expr.Fun
		if sel, ok := ast.Unparen(fun).(*ast.SelectorExpr); ok && textNamed(texts) {
			// a.SessionKV.Put(ctx, "recent:"+id, ...): the key's own text
			// names what it holds, not the namespace it is kept in.
			fun = sel.Sel
		}
		for _, g := range slices.DeleteFunc(exprWords(fun), verbOnly) {
			other = append(other, withoutPlainReset(pastVerb(g)))
		}
	}
	if op.Wrapper != nil {
		if name := kvapi.Words(op.Wrapper.Name()); !verbOnly(name) {
			other = append(other, withoutPlainReset(pastVerb(name)))
		}
		if recv := op.Wrapper.Signature().Recv(); recv != nil {
			other = append(other, typeWords(recv.Type())...)
			if len(op.Args) > 0 {
				other = append(other, typeWords(op.Args[0].Type())...) // Repo[Session]
			}
		}
	}
	// A wrapper that deletes keys of its own (Commit's rollback of what it
	// created) deletes nothing its caller names.
	ownKeys := op.Wrapped != nil && !slices.ContainsFunc(op.Sources(keyOperand(op)), func(s kvapi.Source) bool { return callerNames(op, s) })
	if unnamed && !ownKeys && (op.Method.Role == kvapi.Delete || op.Method.Role == kvapi.BulkDelete || markerWritten(model, op)) {
		// Delete(key) in Logout, Put(fmt.Sprintf(format, jti), "1") in
		// Revoke: the function names what the key holds. (A record it
		// rebuilds and writes is a cache of a store that revoked it.)
		other = append(other, revokerWords(op)...)
	}
	// A wrapper's value given by its callers is named at each call, not
	// here by all of them at once: putRecord(ctx, key, v any) stores
	// sessions for one caller and revocations for another.
	outer := kvapi.Outermost(op.Call.Parent())
	calledAsWrapper := outer.Object() != nil && wrappers[outer.Object().(*types.Func).Origin()]
	if op.Method.Role == kvapi.Put {
		for _, src := range op.Sources(kvapi.Value) {
			for _, in := range src.Inputs() {
				if readInside(op, in) {
					continue
				}
				other = append(other, typeWords(in.Type())...)
				// The record encoded: json.Marshal(rec) names rec's type.
				// A record whose fields are only read for the value (a log
				// line of a code's owner), or one a string or number is
				// taken from (a calendar entry's booking ID), is not
				// written, nor is what it was made from.
				notWritten := func(s kvapi.Step) bool {
					if p, ok := s.Value.(*ssa.Parameter); ok && calledAsWrapper && p.Parent() == outer {
						return true
					}
					if _, isStruct := derefNamedStruct(s.Value.Type()); isStruct && onlyFieldsRead(s.Value) {
						return true
					}
					if readByGet(model, s.Value) {
						// What a get returned is written, not the session
						// its key was made from ("recent:" + sess.User).
						return true
					}
					switch v := s.Value.(type) {
					case *ssa.MakeClosure:
						// A function the value is filtered with
						// (slices.DeleteFunc(present, func(p string) bool
						// { return p == tok.ID })): what it captures is
						// not written.
						return true
					case *ssa.Field, *ssa.FieldAddr:
						// A record kept in a field of another (&c.booking
						// of a pipeline's confirmation) is the field's,
						// not what holds it.
						named, isStruct := derefNamedStruct(v.Type())
						return basic(v.Type()) || isStruct && named.Obj().Pkg() != nil
					case *ssa.UnOp:
						// sess.User of a session kept in a variable.
						_, isField := v.X.(*ssa.FieldAddr)
						return isField && v.Op == token.MUL && basic(v.Type())
					}
					return false
				}
				model.BackwardPruned(in, op.Call, notWritten, func(s kvapi.Step) bool {
					if named, isStruct := derefNamedStruct(s.Value.Type()); isStruct && named.Obj().Pkg() != nil && !onlyFieldsRead(s.Value) {
						// A record is read with its package, tokens.Record,
						// unless the key's text names the record's type:
						// "org:%s:members" holds invites.Member records, a
						// roster, whatever package they are in.
						words := kvapi.Words(named.Obj().Name())
						if !namesType(texts, words) {
							words = append(kvapi.Words(named.Obj().Pkg().Name()), words...)
						}
						other = append(other, words)
					}
					return false
				})
			}
		}
	}
	if op.Wrapper != nil && op.Wrapper.Pkg() != nil && slices.ContainsFunc(kvapi.Words(op.Wrapper.Pkg().Name()), notCredential().MatchString) {
		// The wrapper's package says what it keeps: lease.Acquire(ctx,
		// "reports-refresh") keeps a lease, not a refresh token.
		return evidence{}
	}
	var ev evidence
	// A key that names something else (an index, a lock, a cache) holds
	// no credential, unless the text of the operation's other keys names
	// one: a bulk
	// delete of "sessidx:<badge>:<sid>" entries and of the "sess:<sid>"
	// sessions they list revokes those sessions.
	namesOther := func(g []string) bool { return slices.ContainsFunc(g, notCredential().MatchString) || bySubject(g) }
	if slices.ContainsFunc(key, namesOther) {
		namesCredential := func(g []string) bool { return !namesOther(g) && slices.ContainsFunc(g, c.credentials.MatchString) }
		if !slices.ContainsFunc(texts, namesCredential) {
			return evidence{} // the key names something else
		}
		key = slices.DeleteFunc(slices.Clone(key), namesOther)
	}
	fnWords := kvapi.Words(kvapi.Outermost(op.Call.Parent()).Name())
	// indexPAT(userID, id, hash) writes a list of a user's tokens, an
	// index: its races are kvrace's. (So does a call of it.)
	writer := fnWords
	if op.Wrapper != nil {
		writer = append(slices.Clip(writer), kvapi.Words(op.Wrapper.Name())...)
	}
	if (op.Method.Role == kvapi.Put || op.Method.Role == kvapi.BulkPut) && slices.ContainsFunc(writer, indexWord().MatchString) {
		return evidence{}
	}
	// sweepDeviceGrants in a cleanup job deletes what has expired: no
	// revocation, whatever it held. (Nor does a call of it.)
	collector := fnWords
	if op.Wrapper != nil {
		collector = append(slices.Clip(collector), kvapi.Words(op.Wrapper.Name())...)
	}
	if pkg := op.Call.Parent().Pkg; pkg != nil {
		collector = append(slices.Clip(collector), kvapi.Words(pkg.Pkg.Name())...)
	}
	if (op.Method.Role == kvapi.Delete || op.Method.Role == kvapi.BulkDelete) && slices.ContainsFunc(collector, collectingVerb().MatchString) && !forSubject(model, op) && !givenOne(model, op) && !chosenBySubject(op) {
		return evidence{}
	}
	// A key whose text starts with "code" keeps codes: code:<email>; so
	// does one that starts with a short word for a kind of code (vcode,
	// smscode), though not a longer one (zipcode, barcode).
	if len(key) > 0 && len(key[0]) > 0 {
		first := strings.TrimSuffix(strings.ToLower(key[0][0]), "s")
		if first == "code" || strings.HasSuffix(first, "code") && len(first) <= len("smscode") && !notCodes[first] {
			ev.credential = "otp code"
		}
	}
	registered, ceremony := false, false
	for _, group := range key {
		for _, w := range group {
			ev.revocation = ev.revocation || revokedKey().MatchString(w) // denylist:<tenant>
			registered = registered || registeredWord().MatchString(w)
			ceremony = ceremony || ceremonyWord().MatchString(w)
		}
	}
	ev.registered = registered && !ceremony
	for _, group := range append(key, other...) {
		// "status/last-deny" notes the latest refusal; it lists nothing.
		latest := slices.ContainsFunc(group, func(w string) bool { return latestWord().MatchString(w) })
		for i, w := range group {
			ev.revocationList = ev.revocationList || !latest && revocationList().MatchString(w)
			ev.revocation = ev.revocation || revocation().MatchString(w)
			// A plain token gives way to a later word that says which
			// (tenant token, then apitokens: an API key).
			open := ev.credential == "" || article(ev.credential) == article("token")
			switch {
			case open && i+1 < len(group) && c.credentials.MatchString(w+group[i+1]) && (ev.credential == "" || article(w+group[i+1]) != article("token")):
				ev.credential = strings.ToLower(w + " " + group[i+1])
			case open && c.credentials.MatchString(w) && (ev.credential == "" || article(w) != article("token")):
				ev.credential = strings.ToLower(w)
			case ev.state == "" && c.state.MatchString(w):
				ev.state = strings.ToLower(w)
			}
		}
	}
	if ev.credential == "" && flowState(pass, model, key, fnWords, op) {
		ev.credential = "sso state"
	}
	if ev.credential == "" && ev.state == "" {
		// A key whose text abbreviates what the code around it names in
		// full: "at:" + id in a method that decodes an AccessToken,
		// "rt:" + old in CreateAccessAndRefreshTokens.
		names := append(slices.Clip(other), fnWords)
		if op.Method.Role == kvapi.Delete {
			names = append(names, readInto(model, op)...)
		}
		ev.credential = c.abbreviated(texts, names)
	}
	if op.Method.Role == kvapi.Delete && ev.credential == "" && ev.state == "" {
		// What the function calls the value it read before the delete
		// names what the key held: secret, err := s.ns.Get(ctx, k).
		for _, w := range readAs(model, op) {
			if c.credentials.MatchString(w) {
				ev.credential = strings.ToLower(w)
			}
		}
	}
	if op.Method.Role == kvapi.Delete && ev.credential == "" && ev.state == "" {
		// So does the type it decoded that value into: json.Unmarshal(raw,
		// &ec) of an EntryCode, then Delete(key), spends an entry code.
		for _, group := range decodedAs(model, op) {
			for i, w := range group {
				if i+1 < len(group) && c.credentials.MatchString(w+group[i+1]) {
					ev.credential = strings.ToLower(w + " " + group[i+1])
				} else if c.credentials.MatchString(w) && ev.credential == "" {
					ev.credential = strings.ToLower(w)
				}
			}
		}
	}
	if op.Method.Role == kvapi.Delete && ev.credential == "" && ev.state == "" && slices.ContainsFunc(key, namedCode) && readThenDeleted(model, op) {
		// A key named "code" and nothing else (code :=
		// r.FormValue("code")), read and then deleted: a code redeemed,
		// as a key whose text starts with "code" holds codes.
		ev.credential = "otp code"
	}
	if op.Method.Role == kvapi.Delete && ev.credential == "" && ev.state == "" && consumed(model, op) {
		ev.credential = "single use"
	}
	if op.Method.Role == kvapi.Put && ev.credential == "" && ev.state == "" && rotates(model, op) {
		// A rotation on a type named for credentials (Tokens.Rotate
		// writing the device's current token hash) replaces one.
		if recv := kvapi.Outermost(op.Call.Parent()).Signature.Recv(); recv != nil {
			for _, group := range typeWords(recv.Type()) {
				if i := slices.IndexFunc(group, c.credentials.MatchString); i >= 0 {
					ev.credential = strings.ToLower(group[i])
				}
			}
		}
	}
	if op.Method.Role == kvapi.Put && ev.credential != "" && !ev.revocationList {
		fn := kvapi.Outermost(op.Call.Parent())
		ev.disabled = slices.ContainsFunc(kvapi.Words(fn.Name()), disablingVerb().MatchString)
	}
	return ev
}

// abbreviated returns the credential that a word of a key's text
// abbreviates: the words of one of names whose starts, run together, spell
// it ("at" for access token, "authreq" for auth request).
func (c *checker) abbreviated(texts, names [][]string) string {
	for _, g := range texts {
		for _, w := range g {
			if len(w) < 2 {
				continue
			}
			for _, name := range names {
				for i := range name {
					if n := spelledBy(strings.ToLower(w), name[i:]); n >= 2 && c.credentials.MatchString(strings.Join(name[i:i+n], "")) {
						return strings.ToLower(strings.Join(name[i:i+n], " "))
					}
				}
			}
		}
	}
	return ""
}

// spelledBy returns how many of words, from the first, the abbreviation
// abbr is made of, a start of each in turn (0 when it is not).
func spelledBy(abbr string, words []string) int {
	if len(words) == 0 {
		return 0
	}
	first := strings.ToLower(words[0])
	for n := min(len(abbr), len(first)); n >= 1; n-- {
		if abbr[:n] != first[:n] {
			continue
		}
		if n == len(abbr) {
			return 1
		}
		if rest := spelledBy(abbr[n:], words[1:]); rest > 0 {
			return 1 + rest
		}
	}
	return 0
}

// readInto returns the words of the types into which gets of the key that
// del deletes, in del's function and before it, decode what they read:
// s.getJSON(ctx, "at:"+id, &t) of an AccessToken.
func readInto(model *kvapi.Result, del *kvapi.Op) [][]string {
	fn := kvapi.Outermost(del.Call.Parent())
	var groups [][]string
	for _, get := range model.GetsOf(del) {
		if kvapi.Outermost(get.Call.Parent()) != fn || !kvapi.Before(get.Call, del.Call) {
			continue
		}
		if get.Wrapped != nil {
			for _, i := range get.Wrapped.Out {
				if i < len(get.Args) {
					arg := get.Args[i]
					if mi, ok := arg.(*ssa.MakeInterface); ok {
						arg = mi.X
					}
					groups = append(groups, typeWords(arg.Type())...)
				}
			}
		}
	}
	return append(groups, decodedAs(model, del)...)
}

// readByGet reports whether v is what a get returned, or one of its
// results.
func readByGet(model *kvapi.Result, v ssa.Value) bool {
	if ex, ok := v.(*ssa.Extract); ok {
		v = ex.Tuple
	}
	call, ok := v.(*ssa.Call)
	return ok && slices.ContainsFunc(model.OpsAt(call), func(op *kvapi.Op) bool { return op.Method.Role == kvapi.Get })
}

// flowState reports whether a key that names a state ("state:" + state)
// is kept by a sign-in flow: the function, its receiver's type or its
// package names OAuth, OIDC, SSO or SAML (SSO.Callback). That state is
// the OAuth state parameter, single use.
func flowState(pass *analysis.Pass, model *kvapi.Result, key [][]string, fnWords []string, op *kvapi.Op) bool {
	if !slices.ContainsFunc(key, func(g []string) bool {
		return slices.ContainsFunc(g, func(w string) bool { w = strings.ToLower(w); return w == "state" || w == "states" })
	}) {
		return false
	}
	// "checkout:state:" + state: keyed by the state value itself, the
	// token a redirect carries there and back.
	for _, src := range op.Sources(keyOperand(op)) {
		if src.Expr == nil {
			continue
		}
		byState := false
		ast.Inspect(initializer(pass, model, src.Expr), func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && strings.EqualFold(id.Name, "state") {
				byState = true
			}
			return !byState
		})
		if byState {
			return true
		}
	}
	names := slices.Clone(fnWords)
	fn := kvapi.Outermost(op.Call.Parent())
	if recv := fn.Signature.Recv(); recv != nil {
		if named, _ := derefNamedStruct(recv.Type()); named != nil {
			names = append(names, kvapi.Words(named.Obj().Name())...)
		}
	}
	if fn.Pkg != nil {
		names = append(names, kvapi.Words(fn.Pkg.Pkg.Name())...)
	}
	return slices.ContainsFunc(names, func(w string) bool {
		switch strings.ToLower(w) {
		case "oauth", "oidc", "sso", "saml":
			return true
		}
		return false
	})
}

// readAs returns the words of the names that the function holding del
// gives to what a get of the same key read before it.
func readAs(model *kvapi.Result, del *kvapi.Op) []string {
	fn := kvapi.Outermost(del.Call.Parent())
	var words []string
	for _, get := range model.GetsOf(del) {
		if kvapi.Outermost(get.Call.Parent()) != fn || !kvapi.Before(get.Call, del.Call) || get.Expr == nil {
			continue
		}
		for _, n := range model.Path(get.Expr.Pos()) {
			as, ok := n.(*ast.AssignStmt)
			if !ok {
				continue
			}
			if len(as.Rhs) == 1 && ast.Unparen(as.Rhs[0]) == get.Expr {
				for _, lhs := range as.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && id.Name != "_" && id.Name != "err" {
						words = append(words, kvapi.Words(id.Name)...)
					}
				}
			}
			break
		}
	}
	return words
}

// decodedAs returns the words of the types that the function holding del
// decodes into what a get of the same key read before it.
func decodedAs(model *kvapi.Result, del *kvapi.Op) [][]string {
	fn := kvapi.Outermost(del.Call.Parent())
	var groups [][]string
	for _, get := range model.GetsOf(del) {
		if get.Call.Parent() != del.Call.Parent() || kvapi.Outermost(get.Call.Parent()) != fn || !kvapi.Before(get.Call, del.Call) {
			continue
		}
		for _, b := range get.Call.Parent().Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok || len(call.Call.Args) != 2 || !isDecoder(kvapi.CalleeName(call)) {
					continue
				}
				mi, ok := call.Call.Args[1].(*ssa.MakeInterface)
				if !ok || !model.DependsOn(call.Call.Args[0], call, get.Results()) || deletedWhen(del, mi.X) {
					continue
				}
				groups = append(groups, typeWords(mi.X.Type())...)
			}
		}
	}
	return groups
}

// deletedWhen reports whether del runs only when a test of the record at
// addr holds: if c.Stale { delete } tidies a record up in that state,
// where a delete past the checks that turn a code away uses it up.
func deletedWhen(del *kvapi.Op, addr ssa.Value) bool {
	for b := del.Call.Block(); b != nil; b = b.Idom() {
		if len(b.Preds) != 1 {
			continue
		}
		br, ok := b.Preds[0].Instrs[len(b.Preds[0].Instrs)-1].(*ssa.If)
		if ok && br.Block().Succs[0] == b && readsRecord(br.Cond, addr) {
			return true
		}
	}
	return false
}

// readsRecord reports whether v is computed, in its function, from a
// field of the record at addr.
func readsRecord(v ssa.Value, addr ssa.Value) bool {
	return kvapi.ComputedHere(v, func(x ssa.Value) (bool, bool) {
		fa, ok := x.(*ssa.FieldAddr)
		return ok && fa.X == addr, false
	})
}

// isDecoder reports whether the function named name decodes its first
// argument into the second: json.Unmarshal(raw, &v).
func isDecoder(name string) bool {
	switch name {
	case "encoding/json.Unmarshal", "encoding/xml.Unmarshal":
		return true
	}
	return false
}

// notCodes are short words for codes that are no credential.
var notCodes = map[string]bool{"zipcode": true, "barcode": true, "opcode": true, "encode": true, "decode": true}

// keyBuilderWord words make up the names of functions that build keys of
// any kind: KeyOf, MakeKey, Key, keyFor, BuildPath.
var keyBuilderWord = map[string]bool{"key": true, "keys": true, "of": true, "for": true, "make": true, "build": true,
	"new": true, "path": true, "join": true, "format": true, "string": true, "to": true, "storage": true, "kv": true}

// deletesGivenKey reports whether op, a wrapper's call, always deletes
// the key its caller passes whole: not one the wrapper builds itself
// (keys.LoginAttempts(email)), nor one an executor's argument may or may
// not choose.
func deletesGivenKey(op *kvapi.Op) bool {
	if op.Method.Role != kvapi.Delete || op.ByExecutor() {
		return false
	}
	// (So is the key of a record it is given: Remove(ctx, st, rec).)
	return op.Wrapped.KeyGiven() || slices.ContainsFunc(op.Sources(kvapi.Key), func(src kvapi.Source) bool { return src.KeyRecord() != nil })
}

// namedCode reports whether a key's name is the word "code" alone.
func namedCode(g []string) bool {
	return len(g) == 1 && strings.EqualFold(strings.TrimSuffix(g[0], "s"), "code")
}

// consumingVerb words in a function's name say that it uses up what it
// reads: Redeem a gift code, Confirm a subscription, Claim a reward.
var consumingVerb = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(redeem|redeems|consume|consumes|confirm|confirms|verify|verifies|claim|claims|accept|accepts|activate|activates|spend|spends)$`)
})

// consumed reports whether the delete ends a value that its function,
// named for using something up, read first from the same key: a code
// redeemed with a get and then a delete is single use only at the
// location that deleted it.
func consumed(model *kvapi.Result, del *kvapi.Op) bool {
	fn := kvapi.Outermost(del.Call.Parent())
	return (slices.ContainsFunc(kvapi.Words(fn.Name()), consumingVerb().MatchString) || singleUseOnly(del)) && readThenDeleted(model, del)
}

// readThenDeleted reports whether the function holding del reads the same
// key first and never writes it back: the get and the delete of a value
// used once.
func readThenDeleted(model *kvapi.Result, del *kvapi.Op) bool {
	fn := kvapi.Outermost(del.Call.Parent())
	if slices.ContainsFunc(model.OpsIn(fn, kvapi.Put), func(put *kvapi.Op) bool { return model.Same(put, del, kvapi.Key) }) {
		return false // written back on another path: a stack of items used up in part, not a code
	}
	return slices.ContainsFunc(model.GetsOf(del), func(get *kvapi.Op) bool {
		return kvapi.Outermost(get.Call.Parent()) == fn && kvapi.Before(get.Call, del.Call) && !readsOther(get)
	})
}

// pointsToDeleted reports whether the delete removes an index entry: a
// key whose value, read first in the same function, names the key of
// another delete there (get the token's hash by its ID, delete the token,
// then the entry). The revocation is the other delete.
func pointsToDeleted(model *kvapi.Result, del *kvapi.Op) bool {
	fn := kvapi.Outermost(del.Call.Parent())
	for _, get := range model.GetsOf(del) {
		if kvapi.Outermost(get.Call.Parent()) != fn || !kvapi.Before(get.Call, del.Call) {
			continue
		}
		for _, other := range model.OpsIn(fn, kvapi.Delete) {
			if other == del {
				continue
			}
			// The value as a whole, not a field of a record read (a
			// refresh token's family, deleted with it on reuse).
			for _, src := range other.Sources(kvapi.Key) {
				for _, in := range src.Inputs() {
					if model.BackwardPruned(in, other.Call, isFieldRead, func(s kvapi.Step) bool { return slices.Contains(get.Results(), s.Value) }) {
						return true
					}
				}
			}
		}
	}
	return false
}

// indexBeside reports whether another delete of del's function removes a
// key made of fewer of the same parts: the session itself (sess:<token>)
// beside the entry of its player's index that del removes
// (player-sess:<player>:<token>). The revocation is the other delete's,
// so the other must be one: a courier's location (courier:<id>:loc),
// cleared beside the session it names, is not.
func indexBeside(model *kvapi.Result, del *kvapi.Op, revocation func(*kvapi.Op) bool) bool {
	mine := keyLeaves(model, del)
	fn := kvapi.Outermost(del.Call.Parent())
	for _, role := range []kvapi.Role{kvapi.Delete, kvapi.BulkDelete} {
		for _, other := range model.OpsIn(fn, role) {
			if other == del {
				continue
			}
			theirs := keyLeaves(model, other)
			if len(theirs) == 0 || len(theirs) >= len(mine) || readFrom(model, del, other) || !revocation(other) {
				continue
			}
			// (Or of other fields of the record the other key names: its
			// name's entry, "apikey:name:<org>:<name>" beside
			// "apikey:rec:<id>".)
			if oneRecord(model, slices.Concat(mine, theirs)) || !slices.ContainsFunc(theirs, func(v ssa.Value) bool {
				return !slices.ContainsFunc(mine, func(w ssa.Value) bool { return model.SameValue(v, w) })
			}) {
				return true
			}
		}
	}
	return false
}

// readFrom reports whether the key del deletes is made of what a get of
// other's key read: the feed token a subscription record holds, deleted
// beside that record, is no entry of an index that the record's key names.
func readFrom(model *kvapi.Result, del, other *kvapi.Op) bool {
	var read []ssa.Value
	for _, get := range model.OpsIn(kvapi.Outermost(del.Call.Parent()), kvapi.Get) {
		if model.Same(get, other, kvapi.Key) {
			read = append(read, get.Results()...)
		}
	}
	return len(read) > 0 && slices.ContainsFunc(del.Sources(keyOperand(del)), func(src kvapi.Source) bool {
		return model.DependsOnAny(src.Inputs(), del.Call, read)
	})
}

// oneRecord reports whether every one of leaves is a field read of one
// record: k.ID, k.OrgID and k.Name of one *Key.
func oneRecord(model *kvapi.Result, leaves []ssa.Value) bool {
	var record ssa.Value
	for _, leaf := range leaves {
		var base ssa.Value
		switch v := leaf.(type) {
		case *ssa.Field:
			base = v.X
		case *ssa.UnOp:
			if fa, ok := v.X.(*ssa.FieldAddr); ok {
				base = fa.X
			}
		}
		if base == nil || record != nil && !model.SameValue(base, record) {
			return false
		}
		record = base
	}
	return record != nil
}

// keyLeaves returns the parameters and the fields read that the key op
// deletes is made from, one of each value.
func keyLeaves(model *kvapi.Result, op *kvapi.Op) []ssa.Value {
	var out []ssa.Value
	for _, src := range op.Sources(keyOperand(op)) {
		for _, in := range src.Inputs() {
			model.Backward(in, op.Call, func(s kvapi.Step) bool {
				switch v := s.Value.(type) {
				case *ssa.Parameter, *ssa.Field:
				case *ssa.UnOp:
					if _, field := v.X.(*ssa.FieldAddr); !field || v.Op != token.MUL {
						return false
					}
				default:
					return false
				}
				if !kvapi.IsString(s.Value.Type()) || slices.ContainsFunc(out, func(w ssa.Value) bool { return model.SameValue(s.Value, w) }) {
					return false
				}
				out = append(out, s.Value)
				return false
			})
		}
	}
	return out
}

// listedEntry reports whether the delete removes a listed name as it is,
// beside a delete of a key made from part of that name with a prefix of
// its own: an index entry ("grants/<user>/<client>/<token>") whose
// credential ("rt/<token>") is the other delete.
func listedEntry(model *kvapi.Result, del *kvapi.Op) bool {
	fn := del.Call.Parent()
	for _, list := range enclosingLists(model, fn) {
		asListed := func(src kvapi.Source) bool {
			return model.DependsOnAny(src.Inputs(), del.Call, list.Results()) && !reprefixed(model, src, del, list)
		}
		if !slices.ContainsFunc(del.Sources(keyOperand(del)), asListed) {
			continue
		}
		for _, other := range model.OpsIn(fn, kvapi.Delete) {
			if other != del && slices.ContainsFunc(other.Sources(keyOperand(other)), func(src kvapi.Source) bool {
				return model.DependsOnAny(src.Inputs(), other.Call, list.Results()) && reprefixed(model, src, other, list)
			}) {
				return true
			}
		}
	}
	return false
}

// isFieldRead reports whether the step reads a field: rec.FamilyID.
func isFieldRead(s kvapi.Step) bool {
	switch v := s.Value.(type) {
	case *ssa.Field, *ssa.FieldAddr:
		return true
	case *ssa.UnOp:
		_, field := v.X.(*ssa.FieldAddr)
		return field
	}
	return false
}

// singleUseOnly reports whether the delete runs only when a field that
// says so is set: if code.SingleUse { delete }.
func singleUseOnly(del *kvapi.Op) bool {
	for b := del.Call.Block(); b != nil; b = b.Idom() {
		if len(b.Preds) != 1 {
			continue
		}
		br, ok := b.Preds[0].Instrs[len(b.Preds[0].Instrs)-1].(*ssa.If)
		if !ok || br.Block().Succs[0] != b {
			continue
		}
		load, ok := br.Cond.(*ssa.UnOp)
		if !ok {
			continue
		}
		if fa, ok := load.X.(*ssa.FieldAddr); ok && kvapi.FieldOf(fa) != nil {
			name := strings.ToLower(kvapi.FieldOf(fa).Name())
			if strings.Contains(name, "singleuse") || strings.Contains(name, "onetime") || strings.Contains(name, "useonce") {
				return true
			}
		}
	}
	return false
}

// readsOther reports whether the get reads a record whose type says it is
// something other than a credential: a Hold that a booking confirms.
func readsOther(get *kvapi.Op) bool {
	for _, v := range get.Results() {
		for _, group := range typeWords(v.Type()) {
			if slices.ContainsFunc(group, notCredential().MatchString) {
				return true
			}
		}
	}
	return false
}

// disablingVerb, in the name of a function that writes a credential's
// record, says the write ends it: Revoke writing a tombstone, Disable a
// flag.
var disablingVerb = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(revoke|revokes|disable|disables|deactivate|deactivates|invalidate|invalidates|suspend|suspends|logout|signout|logoff)$`)
})

// markerWritten reports whether every value the put writes is known at
// compile time: a marker such as "1" or "revoked".
func markerWritten(model *kvapi.Result, op *kvapi.Op) bool {
	srcs := op.Sources(kvapi.Value)
	for _, src := range srcs {
		if vals, free := model.EvalSource(src, nil); len(vals) == 0 || len(free) > 0 {
			return false
		}
	}
	return len(srcs) > 0
}

// stringArgWords returns the words of the string arguments of the call
// of a wrapper: links.Delete(ctx, token).
func stringArgWords(pass *analysis.Pass, call *ast.CallExpr) [][]string {
	var groups [][]string
	for _, arg := range stringArgs(pass, call) {
		if sel, ok := ast.Unparen(arg).(*ast.SelectorExpr); ok {
			arg = sel.Sel // sess.CartID names a cart
		}
		groups = append(groups, keyNameWords(pass.TypesInfo, arg)...)
	}
	return groups
}

// revokingVerb words in a function's name say that it ends a credential.
var revokingVerb = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(revoke|revokes|logout|signout|logoff|redeem|redeems|consume|consumes|invalidate|invalidates|rotate|rotates|destroy|destroys|terminate|terminates|end|ends|delete|deletes|remove|removes|expire|expires|kill)$`)
})

// revokerName words in a helper's name say that it revokes what it is
// given, whatever its callers give it: revokeKeys, logoutAll.
var revokerName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(revoke|revokes|logout|signout|logoff|invalidate|invalidates|terminate|terminates)$`)
})

// revokingHelper reports whether op calls an unexported helper of this
// package whose name says it revokes (revokeKeys), and which deletes
// the keys it is given: the mistake is the helper's delete, wherever the
// credentials it revokes are named.
func revokingHelper(model *kvapi.Result, op *kvapi.Op) bool {
	callee := op.Call.Common().StaticCallee()
	if op.Wrapped == nil || callee == nil || callee.Object() == nil || callee.Object().Exported() || model.Inside(op) == op {
		return false
	}
	words := kvapi.Words(callee.Name())
	for i := range words {
		// signOutAll: sign and out run together.
		if revokerName().MatchString(words[i]) || i > 0 && revokerName().MatchString(words[i-1]+words[i]) {
			return true
		}
	}
	return false
}

// revokerWords returns, for a delete in a function whose name says it
// revokes or consumes something (Revoke, Logout, RevokeDevices), the
// words of that function's name, its receiver's type and its package:
// what the function revokes, when the key itself does not say
// (apikeys.Revoke deletes an API key; sessions.Manager.RevokeDevices a
// device's session).
func revokerWords(op *kvapi.Op) [][]string {
	fn := kvapi.Outermost(op.Call.Parent())
	name := kvapi.Words(fn.Name())
	if !slices.ContainsFunc(name, revokingVerb().MatchString) {
		return nil
	}
	groups := [][]string{name}
	if recv := fn.Signature.Recv(); recv != nil {
		groups = append(groups, typeWords(recv.Type())...)
	}
	if fn.Pkg != nil {
		groups = append(groups, kvapi.Words(fn.Pkg.Pkg.Name()))
	}
	return groups
}

// onlyFieldsRead reports whether v, a struct or a pointer to one, is used
// only for its fields: sessionFrom(ctx).Email in a line of a campaign's
// history names no session record.
func onlyFieldsRead(v ssa.Value) bool {
	refs := v.Referrers()
	if refs == nil || len(*refs) == 0 {
		return false
	}
	for _, ref := range *refs {
		switch ref := ref.(type) {
		case *ssa.Field, *ssa.FieldAddr, *ssa.DebugRef:
		case *ssa.MakeInterface:
			if !filledByDecoder(ref) {
				return false
			}
		case *ssa.Store:
			// The variable's own start, or the value put in a variable
			// that is then only read for its fields (inv, err := get()).
			alloc, isAlloc := ref.Addr.(*ssa.Alloc)
			if ref.Addr != v && !(isAlloc && ref.Val == v && onlyFieldsRead(alloc)) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// readInside reports whether in is an argument of op's wrapper, a
// function of this package, that the wrapper only reads fields of:
// importSaved(w, r, b, sess) keys what it writes by sess.EmployerID, and
// writes no session.
func readInside(op *kvapi.Op, in ssa.Value) bool {
	callee := op.Call.Common().StaticCallee()
	if op.Wrapped == nil || callee == nil || callee.Blocks == nil {
		return false
	}
	i := slices.Index(op.Call.Common().Args, in)
	return i >= 0 && i < len(callee.Params) && onlyFieldsRead(callee.Params[i])
}

// namesType reports whether a word of the key is one of the type's words,
// in the singular or the plural: members for Member.
func namesType(key [][]string, typeWords []string) bool {
	singular := func(w string) string { return strings.TrimSuffix(strings.ToLower(w), "s") }
	for _, group := range key {
		for _, k := range group {
			if slices.ContainsFunc(typeWords, func(t string) bool { return singular(t) == singular(k) }) {
				return true
			}
		}
	}
	return false
}

// filledByDecoder reports whether mi, a pointer boxed as any, is only
// given to decoders to fill: json.Unmarshal(raw, &inv).
func filledByDecoder(mi *ssa.MakeInterface) bool {
	refs := mi.Referrers()
	if refs == nil || len(*refs) == 0 {
		return false
	}
	for _, ref := range *refs {
		call, ok := ref.(*ssa.Call)
		if !ok {
			return false
		}
		switch kvapi.CalleeName(call) {
		case "encoding/json.Unmarshal", "(*encoding/json.Decoder).Decode", "(*encoding/gob.Decoder).Decode", "encoding/xml.Unmarshal":
		default:
			return false
		}
	}
	return true
}

// basic reports whether t is a string, a number or a bool, or a pointer
// to one.
func basic(t types.Type) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	_, ok := t.Underlying().(*types.Basic)
	return ok
}

// derefNamedStruct reports whether t is a named struct or a pointer to one.
func derefNamedStruct(t types.Type) (*types.Named, bool) {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return nil, false
	}
	_, isStruct := named.Underlying().(*types.Struct)
	return named, isStruct
}

// unnamedStruct reports whether t is a struct type literal, or a
// pointer to one.
func unnamedStruct(t types.Type) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	_, ok := types.Unalias(t).(*types.Struct)
	return ok
}

// callerNames reports whether the caller of op, a wrapper's operation,
// gives the key src: a key built from an argument, not one the wrapper
// keeps in its receiver.
func callerNames(op *kvapi.Op, src kvapi.Source) bool {
	if src.Term == nil {
		return true
	}
	method := op.Wrapper != nil && op.Wrapper.Signature().Recv() != nil
	return src.Term.Find(func(t *kvapi.Term) bool { return t.Op == kvapi.TermParam && (t.Index > 0 || !method) }) != nil
}

// listedPrefixes returns the words of the prefixes of the lists whose
// keys op's key comes from, and of the helpers that build them:
// Delete(k.Name) in a loop over a list of "sess:" + uid deletes sessions.
func listedPrefixes(info *types.Info, model *kvapi.Result, op *kvapi.Op) [][]string {
	var groups [][]string
	for _, list := range enclosingLists(model, op.Call.Parent()) {
		for _, src := range op.Sources(keyOperand(op)) {
			if model.DependsOnAny(src.Inputs(), op.Call, list.Results()) && !reprefixed(model, src, op, list) {
				for _, prefix := range list.Sources(kvapi.Prefix) {
					groups = append(groups, kvapi.Words(model.KeyText(prefix)))
					if !hasLiteral(info, prefix.Expr) {
						groups = append(groups, keyNameWords(info, prefix.Expr)...) // keys.StaffSession(tenant, id, "")
					}
				}
			}
		}
	}
	return groups
}

// enclosingLists returns the lists made in fn and in the functions that
// enclose it: a closure run for each listed key (to recover, or under a
// lock) deletes what its enclosing function listed.
func enclosingLists(model *kvapi.Result, fn *ssa.Function) []*kvapi.Op {
	var lists []*kvapi.Op
	for ; fn != nil; fn = fn.Parent() {
		lists = append(lists, model.OpsIn(fn, kvapi.List)...)
	}
	return lists
}

// reprefixed reports whether src is a key made by putting a prefix of
// its own in front of part of a listed name: cfg.Session.Prefix + sid,
// sid trimmed from an index entry, deletes a session, not the entry.
func reprefixed(model *kvapi.Result, src kvapi.Source, op *kvapi.Op, list *kvapi.Op) bool {
	for _, in := range src.Inputs() {
		switch x := kvapi.Unconverted(in).(type) {
		case *ssa.BinOp:
			if x.Op == token.ADD && !model.DependsOnAny([]ssa.Value{x.X}, op.Call, list.Results()) {
				return true
			}
		case *ssa.Call:
			// keys.Session(id) of an id trimmed from an index entry: the
			// helper writes words of its own.
			if ownWords(model, x) {
				return true
			}
		}
	}
	return false
}

// ownWords reports whether the key that call builds has words that none
// of its arguments has: the text of a key helper, "sess:" of
// keys.Session(id), not what strings.TrimPrefix hands back.
func ownWords(model *kvapi.Result, call *ssa.Call) bool {
	given := map[string]bool{}
	for _, a := range call.Call.Args {
		for _, w := range kvapi.Words(model.KeyText(kvapi.Source{Value: a})) {
			given[strings.ToLower(w)] = true
		}
	}
	for _, w := range kvapi.Words(model.KeyText(kvapi.Source{Value: call})) {
		if !given[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

// keyOperand is the operand that names what op deletes or writes: its
// key, or a bulk delete's keys.
func keyOperand(op *kvapi.Op) kvapi.Operand {
	if op.Method.Role == kvapi.BulkDelete {
		return kvapi.Keys
	}
	return kvapi.Key
}

// appended reports whether the keys of a bulk delete are collected with
// append: as many as the function finds, not one it is told to delete.
func appended(model *kvapi.Result, op *kvapi.Op) bool {
	return slices.ContainsFunc(op.Sources(kvapi.Keys), func(src kvapi.Source) bool {
		return slices.ContainsFunc(src.Inputs(), func(v ssa.Value) bool {
			return model.Backward(v, op.Call, func(s kvapi.Step) bool {
				call, ok := s.Value.(*ssa.Call)
				return ok && kvapi.IsAppend(call)
			})
		})
	})
}

// namedKeys returns the sources of what op deletes or writes, with a bulk
// delete's keys written out in a slice literal taken one by one
// ([]string{sessKey(id), userIndexKey(uid, id)}): each names what it
// holds, as a delete of it alone would.
func namedKeys(model *kvapi.Result, op *kvapi.Op) []kvapi.Source {
	srcs := op.Sources(keyOperand(op))
	if op.Method.Role != kvapi.BulkDelete {
		return srcs
	}
	var out []kvapi.Source
	for _, src := range srcs {
		lit, ok := ast.Unparen(src.Expr).(*ast.CompositeLit)
		var elems []ssa.Value
		if ok && src.Term == nil && src.Value != nil && len(lit.Elts) > 1 {
			elems = model.Elements(src.Value)
		}
		if len(elems) == 0 {
			out = append(out, src)
			continue
		}
		for _, elem := range elems {
			one := kvapi.Source{Value: elem, Pos: elem.Pos()}
			for _, e := range lit.Elts {
				if e.Pos() <= elem.Pos() && elem.Pos() < e.End() {
					one.Expr, one.Pos = e, e.Pos()
				}
			}
			out = append(out, one)
		}
	}
	return out
}

// hasLiteral reports whether e contains a string literal.
func hasLiteral(info *types.Info, e ast.Expr) bool {
	found := false
	if e != nil {
		ast.Inspect(e, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				found = found || n.Kind == token.STRING
			case *ast.CallExpr:
				// The text given to a key builder (ks.Revoked(sender +
				// ":" + name)) is not the key's own; a format's is.
				if _, escape := kvapi.EscapedKey(info, n); !escape && !kvapi.FormatsKey(info, n) {
					return false
				}
			}
			return !found
		})
	}
	return found
}

// definition returns, for a local variable that holds a key, the call
// that computed it where the variable is declared with it
// (old := RefreshToken.storageKey(refresh)), and else e itself.
func definition(pass *analysis.Pass, model *kvapi.Result, e ast.Expr) ast.Expr {
	if init := initializer(pass, model, e); init != e {
		if _, isCall := ast.Unparen(init).(*ast.CallExpr); isCall {
			return init
		}
	}
	return e
}

// initializer returns what e, a local variable, was declared with
// (x := expr, or the first of x, ok := f()), or e itself.
func initializer(pass *analysis.Pass, model *kvapi.Result, e ast.Expr) ast.Expr {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return e
	}
	obj, ok := pass.TypesInfo.Uses[id].(*types.Var)
	if !ok || obj.Parent() == nil || obj.Parent() == pass.Pkg.Scope() {
		return e
	}
	for _, n := range model.Path(obj.Pos()) {
		as, ok := n.(*ast.AssignStmt)
		if !ok {
			continue
		}
		if as.Tok == token.DEFINE && len(as.Lhs) == len(as.Rhs) {
			for i, lhs := range as.Lhs {
				if l, ok := lhs.(*ast.Ident); ok && pass.TypesInfo.Defs[l] == obj {
					return as.Rhs[i]
				}
			}
		}
		// key, ok := sessionKey(cookie): the first of a call's results.
		if as.Tok == token.DEFINE && len(as.Rhs) == 1 && len(as.Lhs) > 1 {
			if l, ok := as.Lhs[0].(*ast.Ident); ok && pass.TypesInfo.Defs[l] == obj {
				if _, isCall := ast.Unparen(as.Rhs[0]).(*ast.CallExpr); isCall {
					return as.Rhs[0]
				}
			}
		}
		break
	}
	return e
}

// stringArgs returns the arguments of call that are strings.
func stringArgs(pass *analysis.Pass, call *ast.CallExpr) []ast.Expr {
	var args []ast.Expr
	for _, arg := range call.Args {
		if b, ok := pass.TypesInfo.TypeOf(arg).Underlying().(*types.Basic); ok && b.Info()&types.IsString != 0 {
			args = append(args, arg)
		}
	}
	return args
}

// keyNameWords returns the words that name a key written without text of
// its own: the helper that builds it, tokenKey(id), or the variable that
// holds it, sessionID; not the helper's arguments, cartKey(sessionOf(r)).
func keyNameWords(info *types.Info, e ast.Expr) [][]string {
	if lit, ok := ast.Unparen(e).(*ast.CompositeLit); ok {
		// The keys of a bulk operation, []string{deviceKey(c),
		// userCodeKey(u)}, are named by each.
		var groups [][]string
		for _, elt := range lit.Elts {
			groups = append(groups, keyNameWords(info, elt)...)
		}
		return groups
	}
	var recv [][]string
	if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
		if _, escape := kvapi.EscapedKey(info, call); escape || spells(info, call) {
			return keyNameWords(info, call.Args[0]) // url.PathEscape(id); hex.EncodeToString(t.TokenHash) keeps a token
		}
		e = call.Fun
		// A kind of key named by a constant, keys.Build(keys.MagicLink,
		// code) over a table of layouts, is named by the constant.
		for _, arg := range call.Args {
			if _, isConst := info.Uses[identOf(arg)].(*types.Const); isConst {
				recv = append(recv, kvapi.Words(identOf(arg).Name))
			}
		}
		// A method that says which key it builds names it, whatever its
		// receiver: sess.ListenerID.SubscriptionsKey() keeps
		// subscriptions, not a session.
		if sel, ok := e.(*ast.SelectorExpr); ok && namesItsKey(info, sel) {
			return append(recv, kvapi.Words(sel.Sel.Name))
		}
		// A key a value gives of itself is named by the value's type:
		// dc.Key() of an ident.DeviceCode.
		if sel, ok := e.(*ast.SelectorExpr); ok && len(call.Args) == 0 {
			if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodVal && !types.IsInterface(s.Recv()) {
				if named, _ := derefNamedStruct(s.Recv()); named != nil {
					recv = append(recv, kvapi.Words(named.Obj().Name()))
				}
			}
		}
	}
	return append(exprWords(e), recv...)
}

// spells reports whether call is of one of encodings, with one argument.
func spells(info *types.Info, call *ast.CallExpr) bool {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	return ok && len(call.Args) == 1 && encodings[fn.FullName()]
}

// encodings are the functions that spell their argument another way: the
// key they make is named by what they are given.
var encodings = map[string]bool{
	"encoding/hex.EncodeToString":                true,
	"(*encoding/base64.Encoding).EncodeToString": true,
	"(*encoding/base32.Encoding).EncodeToString": true,
	"strings.ToLower":                            true,
	"strings.ToUpper":                            true,
	"strings.TrimSpace":                          true,
}

// concatenated returns e and the operands it is concatenated from.
func concatenated(e ast.Expr) []ast.Expr {
	parts := []ast.Expr{e}
	if bin, ok := ast.Unparen(e).(*ast.BinaryExpr); ok && bin.Op == token.ADD {
		parts = append(parts, concatenated(bin.X)...)
		parts = append(parts, concatenated(bin.Y)...)
	}
	return parts
}

// requestParamWords returns the words of the names under which e takes
// request parameters: r.URL.Query().Get("token"), r.FormValue("code"),
// r.PathValue("sid"), r.Header.Get("X-Session"), r.Cookie("session").
func requestParamWords(info *types.Info, e ast.Expr) [][]string {
	if e == nil {
		return nil
	}
	var groups [][]string
	ast.Inspect(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return true
		}
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return true
		}
		fn, ok := info.Uses[sel.Sel].(*types.Func)
		if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "net/http" && fn.Pkg().Path() != "net/url" {
			return true
		}
		switch fn.Name() {
		case "Get", "FormValue", "PostFormValue", "PathValue", "Cookie":
			if lit, ok := ast.Unparen(call.Args[0]).(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if name, err := strconv.Unquote(lit.Value); err == nil {
					groups = append(groups, kvapi.Words(name))
				}
			}
		}
		return true
	})
	return groups
}

// namesItsKey reports whether sel is a method whose name has a word of
// its own besides the words of any key builder: SubscriptionsKey, not Key.
func namesItsKey(info *types.Info, sel *ast.SelectorExpr) bool {
	if s := info.Selections[sel]; s == nil || s.Kind() != types.MethodVal {
		return false
	}
	if _, isConst := info.Uses[identOf(sel.X)].(*types.Const); isConst {
		return false // a kind of key, named by the constant: SessionToken.storageKey(secret)
	}
	return slices.ContainsFunc(kvapi.Words(sel.Sel.Name), func(w string) bool { return !keyBuilderWord[strings.ToLower(w)] })
}

// identOf returns the name e is, package-qualified or not, or nil.
func identOf(e ast.Expr) *ast.Ident {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	}
	return nil
}

// textNamed reports whether a key's constant text has a word of its own,
// three letters or more, other than a key builder's: "recent:" does,
// "s:" does not.
func textNamed(texts [][]string) bool {
	return slices.ContainsFunc(texts, func(g []string) bool {
		return slices.ContainsFunc(g, func(w string) bool { return len(w) >= 3 && !keyBuilderWord[strings.ToLower(w)] })
	})
}

// exprWords returns the words of each name and string literal in e, but
// the generic names of a key variable.
func exprWords(e ast.Expr) [][]string {
	if e == nil {
		return nil
	}
	var groups [][]string
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			// A one-letter name is a receiver or a loop variable: m.key(id).
			if !genericName[strings.ToLower(n.Name)] && len(n.Name) > 1 {
				groups = append(groups, kvapi.Words(n.Name))
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				if s, err := strconv.Unquote(n.Value); err == nil {
					groups = append(groups, kvapi.Words(s))
				}
			}
		case *ast.FuncLit:
			return false
		case *ast.CompositeLit:
			// A record asked for its key, (&Member{ID: sess.Member}).Key():
			// named by its type, not by where its fields come from.
			groups = append(groups, exprWords(n.Type)...)
			return false
		}
		return true
	})
	return groups
}

// genericName are names that say nothing of what a key names.
var genericName = map[string]bool{"key": true, "k": true, "keys": true, "name": true, "id": true,
	"fmt": true, "sprintf": true, "strings": true, "join": true, "path": true}

// typeWords returns the words of a named type's name and of its type
// arguments, one group each, through pointers and slices: *Repo[Session]
// is Repo, then Session.
func typeWords(t types.Type) [][]string {
	for {
		switch u := t.(type) {
		case *types.Pointer:
			t = u.Elem()
			continue
		case *types.Slice:
			t = u.Elem()
			continue
		}
		break
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return nil
	}
	groups := [][]string{kvapi.Words(named.Obj().Name())}
	for arg := range named.TypeArgs().Types() {
		// A record type is read with its package: Repo[enroll.Code] keeps
		// enrolment codes.
		if n, ok := types.Unalias(arg).(*types.Named); ok && n.Obj().Pkg() != nil {
			groups = append(groups, append(kvapi.Words(n.Obj().Pkg().Name()), kvapi.Words(n.Obj().Name())...))
		}
		groups = append(groups, typeWords(arg)...)
	}
	return groups
}

// kinds name what a matched word stands for, in messages.
var kinds = []struct{ prefix, kind string }{
	{"authchallenge", "challenge"}, {"loginchallenge", "challenge"}, {"mfachallenge", "challenge"}, {"signinchallenge", "challenge"},
	{"magic", "magic link"}, {"refresh", "refresh token"}, {"oauth", "OAuth state or code"}, {"oidc", "OAuth state or code"}, {"sso", "OAuth state or code"}, {"saml", "OAuth state or code"}, {"devtok", "device token"}, {"devicetok", "device token"},
	{"pkce", "OAuth state or code"}, {"authreq", "authorization request"}, {"authorizationreq", "authorization request"}, {"authcode", "authorization code"}, {"authorization", "authorization code"},
	{"otp", "one-time code"}, {"otc", "one-time code"}, {"totp", "one-time code"}, {"hotp", "one-time code"}, {"mfa", "one-time code"}, {"2fa", "one-time code"}, {"twofactor", "one-time code"},
	{"verif", "one-time code"}, {"login", "one-time code"}, {"api", "API key"}, {"pat", "personal access token"}, {"password", "password reset token"},
	{"reset", "password reset token"}, {"pwreset", "password reset token"}, {"pwdreset", "password reset token"}, {"csrf", "CSRF token"}, {"xsrf", "CSRF token"}, {"nonce", "nonce"},
	{"challenge", "challenge"}, {"webauthn", "challenge"}, {"passkey", "passkey"}, {"sess", "session"}, {"sid", "session"},
	{"cart", "cart"}, {"basket", "cart"}, {"jwt", "token"}, {"jti", "token"}, {"credential", "credential"}, {"secret", "secret"},
	{"singleuse", "single-use code"}, {"confirm", "confirmation token"}, {"invite", "invite code"}, {"joincode", "join code"}, {"invitation", "invitation"}, {"enrol", "enrolment code"}, {"activation", "activation code"},
	{"pair", "pairing code"}, {"device", "device code"}, {"devauth", "device code"}, {"usercode", "device code"}, {"recovery", "recovery code"}, {"backup", "recovery code"}, {"email", "one-time code"}, {"mail", "one-time code"}, {"sms", "one-time code"}, {"phone", "one-time code"}, {"text", "one-time code"},
	{"checkincode", "entry code"}, {"doorcode", "entry code"}, {"entrycode", "entry code"}, {"accesscode", "entry code"}, {"admissioncode", "entry code"}, {"qrcode", "entry code"}, {"pin", "PIN"}, {"captcha", "captcha"}, {"remember", "remember-me token"},
}

// article names the credential that a matched word stands for, with its
// article, capitalised: "A session", "An API key".
func article(word string) string {
	kind := "token"
	w := strings.ReplaceAll(strings.ToLower(word), " ", "")
	for _, k := range kinds {
		if strings.HasPrefix(w, k.prefix) {
			kind = k.kind
			break
		}
	}
	if strings.HasPrefix(kind, "API") || strings.HasPrefix(kind, "OAuth") || strings.ContainsAny(kind[:1], "aeiu") {
		return "An " + kind
	}
	return "A " + kind
}
