package backoffice

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/config"
	"example.com/thistle/internal/recipes"
	"example.com/thistle/internal/store"
)

// bulkChunk is how many pairs the catalogue import sends per request.
const bulkChunk = 20000

// safeChunk is the batch size used by the menu publisher.
const safeChunk = 5000

// allergenNotice is attached to every recipe key so that the allergen
// banner can be rendered from a listing without reading values.
const allergenNotice = "This recipe is prepared in a kitchen that also handles celery, cereals containing gluten " +
	"(wheat, rye, barley, oats), crustaceans, eggs, fish, lupin, milk, molluscs, mustard, tree nuts (almonds, " +
	"hazelnuts, walnuts, cashews, pecans, Brazil nuts, pistachios, macadamia nuts), peanuts, sesame seeds, soya " +
	"and sulphur dioxide and sulphites at concentrations of more than ten parts per million. Although we follow " +
	"strict procedures to keep ingredients separate, we cannot guarantee that any recipe is free from traces of " +
	"these allergens. Ingredients are packed in a facility that processes all fourteen major allergens and cross " +
	"contamination may occur during harvesting, transport, storage, portioning and packing. Always read the label " +
	"on each ingredient bag, as suppliers may change without notice and the printed recipe card may not reflect " +
	"the latest formulation. If you have a severe allergy, please contact our customer care team before ordering " +
	"so that we can advise you on suitable recipes, and never rely on this notice alone when preparing meals for " +
	"someone with a food allergy or intolerance. Nutritional values are estimates."

// Service runs back-office jobs.
type Service struct {
	kv            *KV
	clock         clock.Clock
	cfg           config.Config
	compactCursor string
}

// NewService builds a Service.
func NewService(k *KV, c clock.Clock, cfg config.Config) *Service {
	return &Service{kv: k, clock: c, cfg: cfg}
}

// ImportCatalogue loads every recipe from the kitchen export into KV.
func (s *Service) ImportCatalogue(ctx context.Context, recs []recipes.Recipe) error {
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(recs))
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(r.StorageKey()), Value: cloudflare.F(string(b))})
	}
	for start := 0; start < len(pairs); start += bulkChunk {
		end := min(start+bulkChunk, len(pairs))
		if err := s.kv.BulkWrite(ctx, pairs[start:end]); err != nil { // EXPECT kvlimits
			return fmt.Errorf("import %d..%d: %w", start, end, err)
		}
	}
	return nil
}

// PublishCards writes recipe cards with a one-week TTL, in safe batches.
func (s *Service) PublishCards(ctx context.Context, recs []recipes.Recipe) error {
	for start := 0; start < len(recs); start += safeChunk {
		batch := recs[start:min(start+safeChunk, len(recs))]
		pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, r := range batch {
			b, _ := json.Marshal(recipes.Summary{ID: r.ID, Title: r.Title, Minutes: r.Minutes})
			pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F("recipe-card/" + r.ID),
				Value:         cloudflare.F(string(b)),
				ExpirationTTL: cloudflare.F(float64(7 * 24 * 3600)),
				Metadata:      cloudflare.F[any](map[string]any{"minutes": r.Minutes, "premium": r.Premium}),
			})
		}
		if err := s.kv.BulkWrite(ctx, pairs); err != nil {
			return err
		}
	}
	return nil
}

// TagAllergens attaches the allergen notice and tags as metadata.
func (s *Service) TagAllergens(ctx context.Context, r recipes.Recipe) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	meta := map[string]any{"allergens": r.Allergens, "notice": allergenNotice}
	_, err = s.kv.api.KV.Namespaces.Values.Update(ctx, s.kv.namespace, url.PathEscape(r.StorageKey()), kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.kv.account), Value: cloudflare.F(string(b)), Metadata: cloudflare.F[any](meta)}) // EXPECT kvlimits
	return err
}

// AuditExpiring reports keys that expire within a day.
func (s *Service) AuditExpiring(ctx context.Context) error {
	soon := s.clock.Now().Add(24 * time.Hour)
	iter := s.kv.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.kv.namespace, kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.kv.account)}) // EXPECT kvlist
	n := 0
	for iter.Next() {
		k := iter.Current()
		if k.Expiration > 0 && time.Unix(int64(k.Expiration), 0).Before(soon) {
			n++
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	log.Printf("audit: %d keys expire within a day", n)
	return nil
}

// SampleKeys returns up to max keys under prefix for the admin console.
func (s *Service) SampleKeys(ctx context.Context, prefix string, max int) ([]string, error) {
	iter := s.kv.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.kv.namespace, kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.kv.account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(100.0)})
	var out []string
	for len(out) < max && iter.Next() {
		out = append(out, iter.Current().Name)
	}
	return out, iter.Err()
}

// PeekKeys returns the first few keys under prefix for a quick look.
func (s *Service) PeekKeys(ctx context.Context, prefix string) ([]string, string, error) {
	res, err := s.kv.api.KV.Namespaces.Keys.List(ctx, s.kv.namespace, kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.kv.account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(5.0)}) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, res.ResultInfo.Cursor, nil
}

// ExportPage returns one large page of keys for the nightly export.
func (s *Service) ExportPage(ctx context.Context, prefix, cursor string) (store.Page, error) {
	return s.kv.List(ctx, store.ListQuery{Prefix: prefix, Cursor: cursor, Limit: 5000}) // EXPECT kvlimits
}

// SupplierIndex maps ingredient codes to suppliers.
type SupplierIndex struct {
	Entries map[string]string `json:"entries"`
	Updated time.Time         `json:"updated"`
}

// AddSupplier records a supplier for an ingredient.
func (s *Service) AddSupplier(ctx context.Context, ingredient, supplier string) error {
	const key = "suppliers/index"
	idx := SupplierIndex{Entries: map[string]string{}}
	b, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &idx); err != nil {
			return err
		}
	case !store.IsNotFound(err):
		return err
	}
	idx.Entries[ingredient] = supplier
	idx.Updated = s.clock.Now()
	nb, _ := json.Marshal(idx)
	_, err = s.kv.api.KV.Namespaces.Values.Update(ctx, s.kv.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.kv.account), Value: cloudflare.F(string(nb))}) // EXPECT kvrace
	return err
}

// SeedDefaults writes the default storefront settings for a region when
// they are absent.
func (s *Service) SeedDefaults(ctx context.Context, region string, defaults map[string]string) error {
	key := "settings/" + region
	_, err := s.kv.api.KV.Namespaces.Values.Get(ctx, s.kv.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.kv.account)}) // EXPECT kvnull
	if err == nil {
		return nil
	}
	b, _ := json.Marshal(defaults)
	_, err = s.kv.api.KV.Namespaces.Values.Update(ctx, s.kv.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.kv.account), Value: cloudflare.F(string(b))})
	return err
}

// CloseAccount removes a customer's sessions after an account closure.
func (s *Service) CloseAccount(ctx context.Context, customerID string, sessionIDs []string) error {
	for _, id := range sessionIDs {
		_, err := s.kv.api.KV.Namespaces.Values.Delete(ctx, s.kv.namespace, url.PathEscape("session/"+id), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.kv.account)}) // EXPECT kvsession
		if err != nil && !isNotFound(err) {
			return err
		}
	}
	return s.kv.Delete(ctx, "profile/"+customerID)
}

// ReconcileStock copies stock levels from the warehouse feed and records
// progress for the admin console.
func (s *Service) ReconcileStock(ctx context.Context, levels map[string]int) error {
	codes := make([]string, 0, len(levels))
	for c := range levels {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for i, code := range codes {
		if err := s.kv.Put(ctx, "stock/"+code, []byte(fmt.Sprint(levels[code])), store.PutOptions{TTL: 6 * time.Hour}); err != nil {
			return err
		}
		status := fmt.Sprintf(`{"done":%d,"total":%d}`, i+1, len(codes))
		_, err := s.kv.api.KV.Namespaces.Values.Update(ctx, s.kv.namespace, "sync%2Fstock-status", kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.kv.account), Value: cloudflare.F(status)}) // EXPECT kvhotkey
		if err != nil {
			return err
		}
	}
	return nil
}

// HoldCutoffBanner shows the "order by" banner until the week's cutoff.
func (s *Service) HoldCutoffBanner(ctx context.Context, week string, cutoff time.Time) error {
	ttl := max(cutoff.Sub(s.clock.Now()), 5*time.Second) // EXPECT kvttl
	_, err := s.kv.api.KV.Namespaces.Values.Update(ctx, s.kv.namespace, url.PathEscape("cutoff-banner/"+week), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.kv.account),
		Value:         cloudflare.F("Order by " + cutoff.Format("Mon 2 Jan 15:04")),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

// RefreshFeatured rewrites the featured-recipes list. It runs once an hour.
func (s *Service) RefreshFeatured(ctx context.Context) error {
	ids := []string{"r-101", "r-204", "r-318"}
	b, _ := json.Marshal(ids)
	return s.kv.PutMeta(ctx, "storefront/featured", b, map[string]any{"count": len(ids)}, 2*time.Hour)
}

// Compact deletes stale order drafts, one page per run, resuming where
// the previous run stopped.
func (s *Service) Compact(ctx context.Context) error {
	page, err := s.kv.List(ctx, store.ListQuery{Prefix: "order-draft/", Cursor: s.compactCursor, Limit: 1000})
	if err != nil {
		return err
	}
	s.compactCursor = page.Cursor
	if page.Complete {
		s.compactCursor = ""
	}
	var stale []string
	for _, e := range page.Entries {
		if strings.HasPrefix(e.Key, "order-draft/") && e.Expiration.IsZero() {
			stale = append(stale, e.Key)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	_, err = s.kv.api.KV.Namespaces.BulkDelete(ctx, s.kv.namespace, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(s.kv.account), Body: stale})
	return err
}
