package kvlimits

import (
	"context"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Metadata made in a variable, one entry of which holds a long notice:
// reported at that entry.
func (c *client) receipt(ctx context.Context, key, account string, cents int) error {
	meta := map[string]any{
		"account": account,
		"cents":   cents,
		"notice":  strings.Repeat("Refunds are processed within ten working days. ", 25), // want `this metadata serialises to at least \d+ bytes`
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(account)),
		Metadata:  cloudflare.F[any](meta),
	})
	return err
}

// Many short entries, none of which is most of it: reported at the
// literal.
func (c *client) tags(ctx context.Context, key string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(key)),
		Metadata: cloudflare.F[any](map[string]string{ // want `this metadata serialises to at least \d+ bytes`
			"a": strings.Repeat("x", 300),
			"b": strings.Repeat("y", 300),
			"c": strings.Repeat("z", 300),
			"d": strings.Repeat("w", 300),
		}),
	})
	return err
}

// Entries written together on one line below the literal's: reported at
// the literal.
func (c *client) banner(ctx context.Context, key, title string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(title)),
		Metadata: cloudflare.F[any](map[string]any{ // want `this metadata serialises to at least \d+ bytes`
			"title": title, "body": strings.Repeat("Scheduled maintenance tonight. ", 40),
		}),
	})
	return err
}
