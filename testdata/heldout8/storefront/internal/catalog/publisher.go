package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/keys"
	"example.com/storefront/internal/kvstore/cfkv"
)

// Publisher pushes product documents to the edge namespace.
type Publisher struct {
	cf      *cloudflare.Client
	account string
	ns      string
	edgeTTL time.Duration
	chunk   int
	log     *slog.Logger
}

// NewPublisher wires a publisher from config.
func NewPublisher(cf *cloudflare.Client, cfg config.Config, log *slog.Logger) *Publisher {
	return &Publisher{
		cf:      cf,
		account: cfg.Cloudflare.AccountID,
		ns:      cfg.Cloudflare.EdgeNSID,
		edgeTTL: cfg.Catalog.EdgeTTL,
		chunk:   cfg.Catalog.PublishChunk,
		log:     log,
	}
}

func (p *Publisher) putText(ctx context.Context, key, value string, meta any) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if meta != nil {
		params.Metadata = cloudflare.F(meta)
	}
	_, err := p.cf.KV.Namespaces.Values.Update(ctx, p.ns, key, params)
	return err
}

// PublishAll writes every product document, chunked to the bulk API size.
func (p *Publisher) PublishAll(ctx context.Context, src Source) error {
	products, err := src.AllProducts(ctx)
	if err != nil {
		return err
	}
	version := strconv.FormatInt(time.Now().Unix(), 10)
	for start := 0; start < len(products); start += p.chunk {
		end := min(start+p.chunk, len(products))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, prod := range products[start:end] {
			doc, err := json.Marshal(prod)
			if err != nil {
				return err
			}
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(keys.ProductPrefix + prod.SKU),
				Value:         cloudflare.F(string(doc)),
				ExpirationTTL: cloudflare.F(float64(p.edgeTTL)), // EXPECT kvttl
				Metadata:      cloudflare.F[any](map[string]any{"slug": prod.Slug, "price": prod.PriceCents}),
			})
		}
		res, err := p.cf.KV.Namespaces.BulkUpdate(ctx, p.ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(p.account),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("bulk publish %d-%d: %w", start, end, err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			p.log.WarnContext(ctx, "publish: keys not written", "n", len(res.UnsuccessfulKeys))
		}
		// let edge readers know a new generation is landing
		if err := p.putText(ctx, keys.CatalogVersion, version, nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := p.putText(ctx, keys.CatalogSize, strconv.Itoa(len(products)), nil); err != nil {
		return err
	}
	return p.putText(ctx, keys.PublishedAt, time.Now().UTC().Format(time.RFC3339), nil)
}

// PublishManifest writes the schema manifest consumed by the edge workers.
func (p *Publisher) PublishManifest(ctx context.Context, version string) error {
	_, err := p.cf.KV.Namespaces.Values.Update(ctx, p.ns, "catalog:manifest", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(version)),
		Metadata:  cloudflare.F[any](map[string]string{"version": version, "schema": manifestSchema}), // EXPECT kvlimits
	})
	return err
}

// PublishCategoryTree writes the navigation tree: the root node lists the
// top-level categories, and each category node lists its children.
func (p *Publisher) PublishCategoryTree(ctx context.Context, src Source) error {
	tree, err := src.CategoryTree(ctx)
	if err != nil {
		return err
	}
	for parent, children := range tree {
		doc, _ := json.Marshal(children)
		key := parent
		if parent == "" {
			if err := p.putText(ctx, keys.CategoryRoot, string(doc), nil); err != nil { // EXPECT kvlimits
				return err
			}
			continue
		}
		if err := p.putText(ctx, "cat/"+key, string(doc), nil); err != nil {
			return err
		}
	}
	full, err := json.Marshal(tree)
	if err != nil {
		return err
	}
	return p.putText(ctx, keys.CategoryTree, string(full), nil)
}

// defaultTree is served until the first full publish has run.
var defaultTree = map[string][]string{"": {"new-in", "sale"}}

// EnsureCategoryTree makes sure a fresh namespace has a navigation tree.
func (p *Publisher) EnsureCategoryTree(ctx context.Context) error {
	res, err := p.cf.KV.Namespaces.Values.Get(ctx, p.ns, keys.CategoryTree, kv.NamespaceValueGetParams{AccountID: cloudflare.F(p.account)}) // EXPECT kvnull
	if err != nil {
		p.log.InfoContext(ctx, "category tree missing, seeding defaults")
		doc, _ := json.Marshal(defaultTree)
		return p.putText(ctx, keys.CategoryTree, string(doc), nil)
	}
	return res.Body.Close()
}

// SetPrice applies an admin price change to the edge copy immediately,
// without waiting for the next full publish.
func (p *Publisher) SetPrice(ctx context.Context, sku string, cents int64) error {
	key := keys.ProductPrefix + sku
	res, err := p.cf.KV.Namespaces.Values.Get(ctx, p.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(p.account)})
	if cfkv.IsNotFound(err) {
		return fmt.Errorf("sku %s not published", sku)
	} else if err != nil {
		return err
	}
	defer res.Body.Close()
	var prod Product
	if err := json.NewDecoder(res.Body).Decode(&prod); err != nil {
		return err
	}
	prod.PriceCents = cents
	prod.UpdatedAt = time.Now().UTC()
	doc, _ := json.Marshal(prod)
	_, err = p.cf.KV.Namespaces.Values.Update(ctx, p.ns, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(p.account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(doc))}) // EXPECT kvrace
	return err
}

// RefreshProduct re-reads one product from the source and overwrites its
// edge copy (used by the admin "republish" button).
func (p *Publisher) RefreshProduct(ctx context.Context, src Source, sku string) error {
	prod, err := src.Product(ctx, sku)
	if err != nil {
		return err
	}
	doc, _ := json.Marshal(prod)
	return p.putText(ctx, keys.ProductPrefix+sku, string(doc), map[string]any{"slug": prod.Slug, "price": prod.PriceCents})
}
