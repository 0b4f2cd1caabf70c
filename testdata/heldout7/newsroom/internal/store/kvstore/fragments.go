package kvstore

import (
	"context"

	"github.com/syumai/workers/cloudflare/kv"
)

// Fragments serves editor-managed HTML snippets (hero copy, breaking banner)
// straight from KV. Snippets change a few times a day, so a one minute edge
// cache is plenty.
type Fragments struct {
	ns *kv.Namespace
}

// NewFragments wraps the namespace that holds the snippets.
func NewFragments(n *Namespace) Fragments { return Fragments{ns: n.ns} }

// Fragment returns the raw snippet text.
func (f Fragments) Fragment(_ context.Context, name string) (string, error) {
	return f.ns.GetString("fragment:"+name, &kv.GetOptions{CacheTTL: 60})
}
