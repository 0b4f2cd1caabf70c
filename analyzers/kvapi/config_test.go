package kvapi

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"
)

func TestInterfacesFlag(t *testing.T) {
	var c Interfaces
	const good = "example.com/store.Cache.Get=get(key=1); example.com/store.Cache.Put=put(key=1,value=2,ttl=3.Seconds)"
	if err := c.Set(good); err != nil {
		t.Fatalf("Set(%q): %v", good, err)
	}
	if len(c.rows) != 2 || c.rows[1].Operands[TTL] != (Arg{Index: 3, Field: "Seconds"}) || c.rows[0].Operands[Namespace] != recv {
		t.Errorf("Set(%q) = %+v", good, c.rows)
	}
	if c.String() != good {
		t.Errorf("String() = %q, want the flag's value", c.String())
	}
	for _, bad := range []struct{ value, want string }{
		{"example.com/store.Cache.Get", "want PKG.TYPE.METHOD=ROLE"},
		{"Get=get(key=1)", "want the method as PKG.TYPE.METHOD"},
		{"example.com/store.Cache.Get=fetch(key=1)", `unknown role "fetch"`},
		{"example.com/store.Cache.Get=get(id=1)", `unknown operand "id"`},
		{"example.com/store.Cache.Get=get(key=first)", "want a parameter index"},
		{"example.com/store.Cache.Get=get key=1", "want ROLE(OPERAND=INDEX,...)"},
		{"example.com/store.Cache.Put=put(key=1,key=2)", "operand key is given twice"},
		{"example.com/store.PutOptions.Key=put(key)", `operand "key" cannot be read from a field`},
		{"example.com/store.PutOptions.TTL=store(ttl)", `unknown role "store"`},
	} {
		if err := c.Set(bad.value); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Set(%q) = %v, want an error containing %q", bad.value, err, bad.want)
		}
	}
}

// An entry may name the analyzers that reported inside the method's
// implementation, as the kvlint command prints them for go vet.
func TestInterfacesReported(t *testing.T) {
	var c Interfaces
	if err := c.Set("example.com/auth.Sessions.Revoke=delete(key=1,reported=kvsession);example.com/auth.Sessions.Rotate=put(key=2,reported=kvsession,reported=kvrace)"); err != nil {
		t.Fatal(err)
	}
	if got := c.reportedRows["example.com/auth.Sessions.Rotate"]; len(got) != 2 || got[0] != "kvsession" || got[1] != "kvrace" {
		t.Errorf("Rotate reported by %v, want kvsession and kvrace", got)
	}
	if len(c.rows) != 2 || c.rows[0].Operands[Key] != (Arg{Index: 1}) {
		t.Errorf("rows %+v", c.rows)
	}
}

// A field entry: an operation reads the operand from the field.
func TestInterfacesFieldEntry(t *testing.T) {
	var c Interfaces
	if err := c.Set("example.com/store.PutOptions.TTL=put(ttl);example.com/config.Reports.PageSize=list(limit)"); err != nil {
		t.Fatal(err)
	}
	if len(c.rows) != 0 || len(c.configured) != 2 {
		t.Fatalf("rows %v, fields %v", c.rows, c.configured)
	}
	w := c.configured["example.com/store.PutOptions.TTL"]
	if len(w) != 1 || w[0].Role != Put || w[0].Operands[0].Operand != TTL {
		t.Errorf("PutOptions.TTL = %+v", w)
	}
}

func TestMatchPath(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{cfKV, "github.com/cloudflare/cloudflare-go/v6/kv", true},
		{cfKV, "github.com/cloudflare/cloudflare-go/v12/kv", true},
		{cfKV, "github.com/cloudflare/cloudflare-go/v1/kv", false},
		{cfKV, "github.com/cloudflare/cloudflare-go/v06/kv", false},
		{cfKV, "github.com/cloudflare/cloudflare-go/kv", false},
		{cfKV, "github.com/cloudflare/cloudflare-go/v6/kv/sub", false},
		{cfV0, "github.com/cloudflare/cloudflare-go", true},
		{cfV0, "github.com/cloudflare/cloudflare-go/v6", false},
	} {
		if got := matchPath(tc.pattern, tc.path); got != tc.want {
			t.Errorf("matchPath(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// The SDKs' own packages are not KV's users; their examples, modules of
// their own under the SDK's path, are.
func TestInSDK(t *testing.T) {
	for _, c := range []struct {
		pkg, module string
		want        bool
	}{
		{"github.com/syumai/workers/cloudflare/kv", "", true},
		{"github.com/cloudflare/cloudflare-go", "", true},
		{"github.com/cloudflare/cloudflare-go/v6/kv", "", true},
		{"github.com/syumai/workers/_examples/kv-counter", "", false},
		{"github.com/syumai/workers/_examples/kv-counter", "github.com/syumai/workers/_examples/kv-counter", false},
		{"github.com/syumai/workers/cloudflare/kv", "github.com/syumai/workers", true},
		{"github.com/syumai/workersx/kv", "", false},
		{"example.com/app/kv", "example.com/app", false},
	} {
		if got := InSDK(c.pkg, c.module); got != c.want {
			t.Errorf("InSDK(%q, %q) = %v, want %v", c.pkg, c.module, got, c.want)
		}
	}
}

// An entry is checked against the interface it names, where that is
// declared: one that does not fit would match nothing and say nothing, or
// hand an analyzer an operand of a type it cannot read.
func TestInterfacesCheck(t *testing.T) {
	const src = `package store

import (
	"fmt"
	"time"
)

type Options struct{ TTL time.Duration }

type Cache interface {
	Get(key string) (string, error)
	Put(key, value string, ttl time.Duration) error
	PutWith(key, value string, opts Options) error
	Tag(key, ttl string) error
	Keyed(key fmt.Stringer, value string) error
	Counted(key fmt.Stringer, n int) error
}

// Typed is a generic port: a key of type K ~string is a string.
type Typed[K ~string, V any] interface {
	Put(key K, v V) error
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "store.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("example.com/store", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ entry, want string }{
		{"example.com/store.Cache.Put=put(key=0,value=1,ttl=2)", ""},
		{"example.com/store.Cache.PutWith=put(key=0,value=1,ttl=2.TTL)", ""},
		{"example.com/other.Cache.Put=put(key=0,ttl=9)", ""}, // checked where it is declared
		{"example.com/store.Store.Put=put(key=0)", "declares no type Store"},
		{"example.com/store.Cache.Set=put(key=0)", "has no method Set"},
		{"example.com/store.Cache.Put=put(key=0,value=1,ttl=3)", "ttl=3, but the method has 3 parameters"},
		{"example.com/store.Cache.PutWith=put(key=0,ttl=2.Expiry)", "has no field Expiry"},
		{"example.com/store.Cache.Tag=put(key=0,ttl=1)", "ttl is parameter 1 of type string, not a number"},
		{"example.com/store.Cache.Put=put(key=2)", "key is parameter 2 of type time.Duration, not a string"},
		{"example.com/store.Typed.Put=put(key=0,value=1)", ""},
		{"example.com/store.Cache.Keyed=put(key=0,value=1)", ""}, // a key that builds its own text
		{"example.com/store.Cache.Counted=put(key=0,ttl=0)", "ttl is parameter 0 of type fmt.Stringer, not a number"},
		{"example.com/store.Typed.Put=put(key=1)", "key is parameter 1 of type V, not a string"},
	} {
		var c Interfaces
		if err := c.Set(tc.entry); err != nil {
			t.Fatalf("Set(%q): %v", tc.entry, err)
		}
		err := c.check(pkg)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("check(%q) = %v, want %q", tc.entry, err, tc.want)
		}
	}
}
