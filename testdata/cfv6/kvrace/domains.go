package kvrace

import (
	"context"
	"fmt"
	"io"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type domains struct {
	client  *cloudflare.Client
	account string
	ns      string
}

// A host claimed for a writer: the owner found is read from the body in
// line, refused unless it is the writer, and the claim written when the
// get failed.
func (d *domains) claim(ctx context.Context, host, writer string) error {
	key := "domain:" + host
	res, err := d.client.KV.Namespaces.Values.Get(ctx, d.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(d.account)})
	if err == nil {
		defer res.Body.Close()
		owner, _ := io.ReadAll(res.Body)
		if string(owner) != writer {
			return fmt.Errorf("%s belongs to %s", host, owner)
		}
		return nil
	}
	_, err = d.client.KV.Namespaces.Values.Update(ctx, d.ns, key, kv.NamespaceValueUpdateParams{ // want `check-then-create on one KV key`
		AccountID: cloudflare.F(d.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(writer)),
	})
	return err
}

// Quiet: the body found is what the function returns, a read-through
// cache of the owner.
func (d *domains) owner(ctx context.Context, host string, lookup func(string) string) (string, error) {
	key := "domain:" + host
	res, err := d.client.KV.Namespaces.Values.Get(ctx, d.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(d.account)})
	if err == nil {
		defer res.Body.Close()
		owner, err := io.ReadAll(res.Body)
		return string(owner), err
	}
	owner := lookup(host)
	_, err = d.client.KV.Namespaces.Values.Update(ctx, d.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(d.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(owner)),
	})
	return owner, err
}
