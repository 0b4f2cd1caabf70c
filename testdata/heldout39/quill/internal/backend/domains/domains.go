// Package domains lets writers serve their publication from their own domain.
// The edge resolves Host headers through the "domain:" keys written here.
package domains

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"quill/internal/keys"
	"quill/internal/kvstore"
)

// ClaimError reports a domain that already belongs to someone else.
type ClaimError struct{ Host, Owner string }

func (e *ClaimError) Error() string {
	return fmt.Sprintf("domain %s already belongs to %s", e.Host, e.Owner)
}

// Registry reads and writes domain mappings in the shared namespace.
type Registry struct {
	api     *kv.NamespaceService
	account string
	ns      string
}

func New(client *cloudflare.Client, account, ns string) *Registry {
	return &Registry{api: client.KV.Namespaces, account: account, ns: ns}
}

// Resolve returns the writer serving host.
func (g *Registry) Resolve(ctx context.Context, host string) (string, bool, error) {
	res, err := g.api.Values.Get(ctx, g.ns, url.PathEscape(keys.Domain(host)), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(g.account),
	})
	if kvstore.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("domains: resolve %s: %w", host, err)
	}
	defer res.Body.Close()
	owner, err := io.ReadAll(res.Body)
	return string(owner), err == nil, err
}

// Claim maps a verified host to writer.
func (g *Registry) Claim(ctx context.Context, host, writer string) error {
	key := keys.Domain(host)
	res, err := g.api.Values.Get(ctx, g.ns, url.PathEscape(key), kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(g.account),
	})
	if err == nil {
		defer res.Body.Close()
		owner, _ := io.ReadAll(res.Body)
		if string(owner) != writer {
			return &ClaimError{Host: host, Owner: string(owner)}
		}
		return nil
	}
	_, err = g.api.Values.Update(ctx, g.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(g.account),
		Value:     cloudflare.F(writer),
	})
	if err != nil {
		return fmt.Errorf("domains: claim %s: %w", host, err)
	}
	return nil
}
