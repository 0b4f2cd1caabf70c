package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"golang.org/x/sync/errgroup"

	"example.com/storefront/internal/keys"
	"example.com/storefront/internal/kvstore/cfkv"
)

// ErrReindexRunning is returned when another instance holds the lock.
var ErrReindexRunning = errors.New("catalog: reindex already running")

// Reindexer rebuilds the search documents from the published catalogue.
type Reindexer struct {
	pub     *Publisher
	workers int
	now     func() time.Time
}

// NewReindexer returns a job bound to pub's namespace.
func NewReindexer(pub *Publisher, workers int) *Reindexer {
	return &Reindexer{pub: pub, workers: workers, now: time.Now}
}

type searchDoc struct {
	SKU    string   `json:"sku"`
	Slug   string   `json:"slug"`
	Tokens []string `json:"tokens"`
	Price  float64  `json:"price"`
}

func (r *Reindexer) acquire(ctx context.Context) error {
	p := r.pub
	_, err := p.cf.KV.Namespaces.Values.Get(ctx, p.ns, keys.ReindexLock, kv.NamespaceValueGetParams{AccountID: cloudflare.F(p.account)})
	if err == nil {
		return ErrReindexRunning
	}
	if !cfkv.IsNotFound(err) {
		return err
	}
	host, _ := os.Hostname()
	_, err = p.cf.KV.Namespaces.Values.Update(ctx, p.ns, keys.ReindexLock, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(p.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(host)),
		ExpirationTTL: cloudflare.F(float64(2 * 60 * 60)),
	})
	return err
}

func (r *Reindexer) release(ctx context.Context) {
	p := r.pub
	_, _ = p.cf.KV.Namespaces.Values.Delete(ctx, p.ns, keys.ReindexLock, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(p.account)})
}

// Run is scheduled nightly at 03:00 UTC.
func (r *Reindexer) Run(ctx context.Context) (int, error) {
	if err := r.acquire(ctx); err != nil {
		return 0, err
	}
	defer r.release(context.WithoutCancel(ctx))

	p := r.pub
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.workers)

	iter := p.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, p.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(p.account),
		Prefix:    cloudflare.F(keys.ProductPrefix),
		Limit:     cloudflare.F(1000.0),
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		g.Go(func() error { return r.indexOne(gctx, k) })
		n++
		if err := p.putText(ctx, keys.ReindexProgress, k.Name, nil); err != nil { // EXPECT kvhotkey
			return n, err
		}
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	if err := g.Wait(); err != nil {
		return n, err
	}
	return n, p.putText(ctx, keys.ReindexLastRun, r.now().UTC().Format(time.RFC3339), map[string]int{"documents": n})
}

// indexOne builds the search document from list metadata; the product body
// is not needed, so there is no read per key.
func (r *Reindexer) indexOne(ctx context.Context, k kv.Key) error {
	sku := strings.TrimPrefix(k.Name, keys.ProductPrefix)
	meta, _ := k.Metadata.(map[string]any)
	slug, _ := meta["slug"].(string)
	price, _ := meta["price"].(float64)
	doc, err := json.Marshal(searchDoc{SKU: sku, Slug: slug, Tokens: strings.Split(slug, "-"), Price: price})
	if err != nil {
		return err
	}
	if err := r.pub.putText(ctx, keys.SearchDocPrefix+sku, string(doc), nil); err != nil {
		return fmt.Errorf("index %s: %w", sku, err)
	}
	return nil
}
