package main

// testdata/ports is a service that sees KV only through an interface of
// its own (store.Store), with a KV adapter and an in-memory fake that
// main wires, a mockgen-shaped mock that a test imports (whose test
// variant go/packages type-checks without function bodies: kvlint once
// panicked building SSA on it), and a package whose test does not
// type-check.

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func portsDir(t *testing.T) string {
	t.Helper()
	if kvlintBin == "" {
		t.Skip("end-to-end test (-short)")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "ports"))
	runCmd(t, dir, hostEnv(), "go", "mod", "download")
	return dir
}

// Calls through a storage port are KV operations once the program's
// implementation wraps KV, with no configuration; the fake hides nothing.
// The package whose test is broken still gives its findings, the broken
// test gets the only line on stderr (the mock's variant none), and the
// exit code says something failed.
func TestPortsAndPartialResults(t *testing.T) {
	dir := portsDir(t)
	res := kvlint(t, dir, "./...")
	if res.code != exitError {
		t.Fatalf("want exit code 2 (a package failed), got %v", res)
	}
	want := map[string]string{
		"broken/broken.go:13": "kvttl",
		// A port whose adapter builds the SDK's parameters in a helper.
		"archives/archives.go:22": "kvttl",
		"limiter/limiter.go:24":   "kvcounter",
		// Revocations inside a port's implementation, not at its callers.
		"revoke/kvsessions/kvsessions.go:23": "kvsession",
		"revoke/kvsessions/kvsessions.go:36": "kvsession",
		"limiter/limiter.go:29":              "kvttl",
		// A per-call option of the port's package, applied by the adapter.
		"sessions/sessions.go:15": "kvttl",
		// A lifetime kept by a constructor and passed on to that option;
		// the test that gives the constructor a fake has no finding.
		"cmd/app/main.go:42": "kvttl",
		// A lifetime set in a field of an unnamed struct (Job.Limit.TTL)
		// that main reads for its put.
		"jobs/jobs.go:17": "kvttl",
		// Function-typed fields that main fills with the adapter's
		// method values.
		"visits/visits.go:26": "kvcounter",
		// A table of closures that main fills; a test's fakes in the
		// same fields hide nothing.
		"tally/tally.go:25": "kvcounter",
		// Generic helpers that take the port's halves, Getter and Setter.
		"profiles/profiles.go:24": "kvrace",
		"profiles/profiles.go:36": "kvcounter",
		// A generic repository over the port whose records carry their
		// own key, built at the call from the name that was checked.
		"handles/handles.go:42": "kvrace",
		// An expiration in the options of a port whose adapter sends it
		// only when it is set, given through a helper of the caller's.
		"codes/codes.go:22": "kvttl",
		// Function values that the port's factories make, given to a
		// constructor by main, or made by the constructor itself.
		"feeds/feeds.go:28": "kvrace",
		"feeds/feeds.go:47": "kvrace",
		// A port whose implementation writes through another port, given
		// a countdown that nothing keeps at 60 seconds.
		"invites/invites.go:48": "kvttl",
		// A lifetime a configuration method of another package returns,
		// kept in a field for a later put: reported at its return.
		"settings/settings.go:12": "kvttl",
		// A Getter and a Setter held in two fields, wired to one adapter.
		"halves/halves.go:25": "kvcounter",
		// A port embedded in a struct, read through a helper given the
		// struct and written through its promoted method.
		"embedded/embedded.go:38": "kvrace",
		// Function values whose types implement the port's halves
		// (GetterFunc, SetterFunc), set by no one in the program.
		"meters/meters.go:20": "kvttl",
		// A floor of the limiter's own, reported there and not where main
		// keeps the limiter.
		"windows/windows.go:33": "kvttl",
		// A listing port's query rebuilt for the next page without its
		// prefix, in a bounded loop.
		"sweeps/sweeps.go:74": "kvlist",
		// Range-over-func iterators: a Lister port served by an adapter
		// that is one, drained; and a helper that hands it on, whose
		// range gets each listed key.
		"listing/listing.go:68": "kvlist",
		"listing/listing.go:87": "kvlist",
		// A constant key written on every request through the port,
		// whose adapter prefixes every key with one of its own.
		"activity/activity.go:15": "kvhotkey",
		// A generic port, Store[K, V], whose generic implementation takes
		// its codec as a type parameter; the count also goes into a ticket.
		"typed/typed.go:98": "kvcounter",
		// Per-call options that the adapter converts with a helper of the
		// port's package (LeaseOptions.Seconds), which reads the field.
		"seats/seats.go:14": "kvttl",
		"seats/seats.go:18": "kvttl",
		// Operations described as values, run through a named function
		// type that the adapter's Exec method implements and an
		// interceptor wraps: a count, and a lifetime in the operation.
		"quotas/quotas.go:25": "kvcounter",
		"quotas/quotas.go:42": "kvttl",
		// The same, through an executor the adapter hands out as a closure.
		"quotas/quotas.go:56": "kvcounter",
		// A port of function fields whose closures build keys with a
		// key function made once: a session loaded and saved back is one
		// key, and the delete that ends it is judged at the caller,
		// not inside the closure.
		"logins/logins.go:30": "kvsession",
		"logins/logins.go:34": "kvsession",
		// A read and a write started by a port's methods, whose adapter
		// builds them in steps (s.Write(key).JSON(t).Do(ctx)).
		"tallies/tallies.go:26": "kvcounter",
		// Stacks of decorators on the port: a put asking for 30 s through
		// a layer that raises lifetimes to a minute is fine (holds.go:32,
		// :36, :50); through a stack with no such layer, or one whose floor
		// is itself too low (reported where it is given), it is not.
		"holds/holds.go:27": "kvttl",
		"holds/holds.go:40": "kvttl",
		"holds/holds.go:44": "kvttl",
		// A record whose own TTL method counts down to a moment, saved by
		// a generic helper of another package: reported at that method.
		"slots/slots.go:16": "kvttl",
		// A seat count read and written back through a port keyed by a
		// fmt.Stringer.
		"stringers/keyed/keyed.go:18": "kvcounter",
		// Not memstore.go's Touch: the options it builds go to the fake's
		// own Write.
		// A generic port's instance reaches only the implementations that
		// fit it: Cache[string, ETA] the one that raises 30 s to a minute
		// (etas.go:50 is quiet), Cache[string, []byte] also raw bytes.
		"etas/etas.go:55": "kvttl",
		// A board whose caller builds its namespace: through a stack with
		// a floor layer 30 s is fine (main.go:23), straight onto the
		// adapter it is not.
		"cmd/boards/main.go:24": "kvttl",
		// A lifetime chosen by lo.Ternary, and a write run by lo.ForEach
		// once per element: the command reads the library's source for
		// the facts of its helpers and runners.
		"picks/picks.go:16": "kvttl",
		"picks/picks.go:29": "kvhotkey",
		// Undo and redo stacks that take commands from each other, whose
		// Do is a port: a key's text is searched through them once per
		// command, so the run ends, and the count is found.
		"undostack/undostack.go:120": "kvcounter",
	}
	got := make(map[string]string)
	for f, analyzer := range textFindings(t, res.stdout) {
		file, rest, _ := strings.Cut(f, ":")
		line, _, _ := strings.Cut(rest, ":")
		got[file+":"+line] = analyzer
	}
	if !sameKeys(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	for at, analyzer := range want {
		if got[at] != analyzer {
			t.Errorf("%s: got %s, want %s", at, got[at], analyzer)
		}
	}
	stderr := regexp.MustCompile(`^kvlint: kvlint.test/ports/broken \[kvlint.test/ports/broken.test\]: type error: broken/broken_test.go:5:\d+: undefined: undefinedHelper\n$`)
	if !stderr.MatchString(res.stderr) {
		t.Errorf("stderr: want one line naming the broken test, got %q", res.stderr)
	}

	// Without tests nothing fails.
	if res := kvlint(t, dir, "--tests=false", "./..."); res.code != exitFindings || res.stderr != "" {
		t.Errorf("--tests=false: want exit code 1 and no errors, got %v", res)
	}
}

// --print-interfaces says what the command found, so that go vet, which
// sees one package at a time, reaches the same findings.
func TestPrintInterfaces(t *testing.T) {
	dir := portsDir(t)
	res := kvlint(t, dir, "--tests=false", "--print-interfaces", "./...")
	// The port's methods (whose adapter escapes and prefixes the key), the
	// option field its adapter reads a TTL from, and a config field of an
	// unnamed struct, and the generic port over the port (typed.Store),
	// which only encodes, and a port keyed by a fmt.Stringer (stringers.KV),
	// and a generic port with a raw implementation (etas.Cache: the value
	// cannot say which instances each implementation serves).
	// Not upstream.Provider, whose one implementation
	// with KV is a cache that holds a Provider itself.
	const want = "kvlint.test/ports/banners.getter.Get=get(key=1);kvlint.test/ports/etas.Cache.Put=put(key=1,ttl=3,value=2);kvlint.test/ports/jobs.Job.Limit.TTL=put(ttl);kvlint.test/ports/ops.Op.TTL=put(ttl);kvlint.test/ports/revoke.Sessions.Revoke=delete(key=1,reported=kvsession);kvlint.test/ports/revoke.Sessions.Rotate=delete(key=1,reported=kvsession);kvlint.test/ports/revoke.Sessions.Rotate=put(key=2,value=3,reported=kvsession);kvlint.test/ports/store.ArchiveOptions.Keep=put(ttl);kvlint.test/ports/store.ArchiveOptions.Until=put(expiration);kvlint.test/ports/store.Archiver.Archive=put(expiration=3.Until,key=1,ttl=3.Keep);kvlint.test/ports/store.Cache.Put=put(key=1,value=2);kvlint.test/ports/store.Getter.Get=get(key=1);kvlint.test/ports/store.LeaseOptions.TTL=put(ttl);kvlint.test/ports/store.Leases.Lease=put(key=1,value=2);kvlint.test/ports/store.PutOptions.TTL=put(ttl);kvlint.test/ports/store.Setter.Set=put(key=1,ttl=3,value=2);kvlint.test/ports/store.Store.Get=get(key=1);kvlint.test/ports/store.Store.Set=put(key=1,ttl=3,value=2);kvlint.test/ports/store.WriteOptions.ExpireAt=put(expiration);kvlint.test/ports/store.WriteOptions.TTL=put(ttl);kvlint.test/ports/store.Writer.Write=put(expiration=3.ExpireAt,key=1,ttl=3.TTL,value=2);kvlint.test/ports/stringers.KV.Get=get(key=1);kvlint.test/ports/stringers.KV.Put=put(key=1,value=2);kvlint.test/ports/sweeps.Pages.Delete=delete(key=1);kvlint.test/ports/sweeps.Pages.List=list(cursor=1.Cursor,limit=1.Limit,prefix=1.Prefix);kvlint.test/ports/typed.Store.Delete=put(key=1);kvlint.test/ports/typed.Store.Get=get(key=1);kvlint.test/ports/typed.Store.Put=put(key=1)\n"
	if res.code != exitClean || res.stdout != want {
		t.Fatalf("--print-interfaces: want %q and exit code 0, got %v", want, res)
	}
	vet := runCmd(t, dir, hostEnv(), "go", "vet", "-vettool="+kvlintBin, "-kvapi.interfaces="+strings.TrimSpace(res.stdout), "./limiter", "./sessions", "./jobs", "./codes", "./feeds", "./archives", "./meters", "./sweeps", "./seats", "./stringers/keyed", "./picks", "./revoke/logout")
	found := make(map[string]bool)
	for f := range vetTextFindings(t, vet.stderr) {
		at, _, _ := strings.Cut(f, ": ")
		found[at] = true
	}
	// sessions.go:15 passes 20 s to the port package's WithTTL option,
	// which go vet knows a TTL only from the printed field.
	for _, at := range []string{"limiter/limiter.go:24:15", "limiter/limiter.go:29:30", "sessions/sessions.go:15:62", "jobs/jobs.go:17:16", "codes/codes.go:22:13", "feeds/feeds.go:47:9", "archives/archives.go:22:78", "meters/meters.go:20:81", "sweeps/sweeps.go:74:16", "seats/seats.go:14:59", "seats/seats.go:18:59", "stringers/keyed/keyed.go:18:9", "picks/picks.go:16:29", "picks/picks.go:29:7"} {
		if !found[at] {
			t.Errorf("go vet with the printed interfaces: no finding at %s in %v", at, found)
		}
	}
	// Known gap: under go vet the test's keeper, built on a fake, is
	// reported too (sessions_test.go:20); the command tells the fake apart.
	delete(found, "sessions/sessions_test.go:20:30")
	// revoke/logout calls a port that kvsession reported inside, as the
	// printed entry says: nothing there.
	// feeds.go:47 reads and writes through functions its constructor
	// makes with the port's factories; feeds.go:28's come from main,
	// which go vet does not see. meters.go:20 calls a function value whose
	// type implements a printed port. picks.go's lo.Ternary and lo.ForEach
	// are known from the facts go vet gave them when it ran on the library.
	if len(found) != 14 {
		t.Errorf("go vet with the printed interfaces: want 14 findings, got %v", found)
	}
}
