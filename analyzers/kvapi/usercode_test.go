package kvapi

import (
	"go/types"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// A package of the module being analysed is the program's own, whether
// or not its module path has a dot; the standard library and downloaded
// modules are not.
func TestUserCode(t *testing.T) {
	for _, tc := range []struct {
		pkg, module, version string
		want                 bool
	}{
		{"kittiwake/internal/keys", "kittiwake", "", true},
		{"example.com/shop/keys", "example.com/shop", "", true},
		{"example.com/shop/keys", "", "", true}, // no module known: by its path
		{"github.com/cloudflare/cloudflare-go/v6/kv", "github.com/cloudflare/cloudflare-go/v6", "v6.10.0", false},
		{"strings", "std", "", false},
		{"strings", "", "", false},
	} {
		pass := &analysis.Pass{Pkg: types.NewPackage(tc.pkg, "p"), TypesInfo: new(types.Info)}
		if tc.module != "" {
			pass.Module = &analysis.Module{Path: tc.module, Version: tc.version}
		}
		if got := userCode(pass); got != tc.want {
			t.Errorf("userCode(%s in module %q %s) = %v, want %v", tc.pkg, tc.module, tc.version, got, tc.want)
		}
	}
}
