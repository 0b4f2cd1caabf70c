package kvlimits

import (
	"context"
	"os"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Metadata made in a local variable first, then given to the write.
func (c *client) tagLicensed(ctx context.Context, key string, tags []string) error {
	meta := map[string]any{"tags": tags, "licence": licence, "summary": licence}
	meta["channel"] = "stable" // entries added later only make it longer
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v")),
		Metadata:  cloudflare.F[any](meta), // want `this metadata serialises to at least \d+ bytes`
	})
	return err
}

// Quiet: the long entry is deleted before the write, and a variable set
// again may hold anything.
func (c *client) tagTrimmed(ctx context.Context, key string, tags []string) error {
	meta := map[string]any{"tags": tags, "licence": licence, "summary": licence}
	delete(meta, "licence")
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v")),
		Metadata:  cloudflare.F[any](meta),
	})
	return err
}

func (c *client) tagShort(ctx context.Context, key string, tags []string) error {
	meta := map[string]any{"tags": tags, "licence": licence, "summary": licence}
	if os.Getenv("SHORT") != "" {
		meta = map[string]any{"tags": tags}
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v")),
		Metadata:  cloudflare.F[any](meta),
	})
	return err
}

// An entry added on one path makes the metadata too big there: the full
// terms, for first-party apps only.
func (c *client) tagFirstParty(ctx context.Context, key, name string, firstParty bool) error {
	meta := map[string]any{"name": name, "first_party": firstParty}
	if firstParty {
		meta["terms"] = licence + "\n\n" + licence // want `this metadata serialises to at least \d+ bytes`
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v")),
		Metadata:  cloudflare.F[any](meta),
	})
	return err
}

// Quiet: the entries added are short.
func (c *client) tagChannel(ctx context.Context, key, name string, beta bool) error {
	meta := map[string]any{"name": name}
	if beta {
		meta["channel"] = "beta"
	} else {
		meta["channel"] = "stable"
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("v")),
		Metadata:  cloudflare.F[any](meta),
	})
	return err
}
