package holds

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvstore/cfkv"
)

// Sweeper finds holds written without an expiry by older releases so ops
// can clean them up.
type Sweeper struct {
	ns       cfkv.Namespace
	maxPages int
}

func NewSweeper(ns cfkv.Namespace, maxPages int) *Sweeper {
	return &Sweeper{ns: ns, maxPages: maxPages}
}

func (w *Sweeper) Immortal(ctx context.Context) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(w.ns.AccountID),
		Prefix:    cloudflare.F(keys.HoldPrefix),
		Limit:     cloudflare.F(1000.0),
	}
	var out []string
	for page := 0; page < w.maxPages; page++ {
		res, err := w.ns.API.KV.Namespaces.Keys.List(ctx, w.ns.ID, params) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		if len(res.Result) == 0 {
			break
		}
		for _, k := range res.Result {
			if k.Expiration == 0 {
				out = append(out, k.Name)
			}
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return out, nil
}

// Expiring returns the holds on the first page that lapse within d. The
// dashboard only shows a handful, so one page is plenty; the cursor is
// returned for the "more" link.
func (w *Sweeper) Expiring(ctx context.Context, d time.Duration) ([]string, string, error) {
	res, err := w.ns.API.KV.Namespaces.Keys.List(ctx, w.ns.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(w.ns.AccountID),
		Prefix:    cloudflare.F(keys.HoldPrefix),
		Limit:     cloudflare.F(100.0),
	})
	if err != nil {
		return nil, "", err
	}
	cutoff := float64(time.Now().Add(d).Unix())
	var names []string
	for _, k := range res.Result {
		if k.Expiration > 0 && k.Expiration < cutoff {
			names = append(names, k.Name)
		}
	}
	return names, res.ResultInfo.Cursor, nil
}
