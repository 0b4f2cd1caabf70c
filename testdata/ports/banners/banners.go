// Package banners keeps its one read in a function value whose type
// implements a reader interface, converted where the struct is built.
package banners

import (
	"context"
	"io"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"kvlint.test/ports/store"
)

type getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

type Board struct {
	banner getter
}

func New(client *cloudflare.Client, account, ns string) *Board {
	return &Board{
		banner: store.GetterFunc(func(ctx context.Context, key string) ([]byte, error) {
			resp, err := client.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)})
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			return io.ReadAll(resp.Body)
		}),
	}
}

// Banner is the notice shown above the page, or "".
func (b *Board) Banner(ctx context.Context) string {
	raw, err := b.banner.Get(ctx, "banner")
	if err != nil {
		return ""
	}
	return string(raw)
}
