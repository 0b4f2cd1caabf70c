// Package loaders batches KV reads made by the portal's resolvers.
package loaders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/vikstrous/dataloadgen"

	"github.com/pelicanhq/pelican/internal/kvstore"
	"github.com/pelicanhq/pelican/internal/models"
)

// KeyStatus is what the portal shows for one API key.
type KeyStatus struct {
	Hash      string
	Published bool
	Record    models.EdgeKey
}

// Loaders holds the per-request loaders.
type Loaders struct {
	Keys  *dataloadgen.Loader[string, KeyStatus]
	Plans *dataloadgen.Loader[string, *models.EdgePlan]
	Views *dataloadgen.Loader[string, int]
}

type fetcher struct {
	store *kvstore.Store
}

// New builds a fresh set of loaders; create one per request.
func New(store *kvstore.Store) *Loaders {
	f := &fetcher{store: store}
	return &Loaders{
		Keys: dataloadgen.NewLoader(f.fetchKeys,
			dataloadgen.WithWait(2*time.Millisecond),
			dataloadgen.WithBatchCapacity(100)),
		Plans: dataloadgen.NewLoader(f.fetchPlans,
			dataloadgen.WithWait(time.Millisecond)),
		Views: dataloadgen.NewLoader(f.fetchViews,
			dataloadgen.WithWait(5*time.Millisecond),
			dataloadgen.WithBatchCapacity(50)),
	}
}

func (f *fetcher) fetchKeys(ctx context.Context, hashes []string) ([]KeyStatus, []error) {
	names := make([]string, len(hashes))
	for i, h := range hashes {
		names[i] = models.KeyName(h)
	}
	out := make([]KeyStatus, len(hashes))
	errs := make([]error, len(hashes))
	values, err := f.store.BulkGet(ctx, names)
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	for i, h := range hashes {
		out[i].Hash = h
		raw, ok := values[names[i]]
		if !ok {
			continue
		}
		out[i].Published = true
		errs[i] = json.Unmarshal([]byte(raw), &out[i].Record)
	}
	return out, errs
}

func (f *fetcher) fetchPlans(ctx context.Context, codes []string) ([]*models.EdgePlan, []error) {
	cf, account, ns := f.store.Client()
	out := make([]*models.EdgePlan, len(codes))
	errs := make([]error, len(codes))
	for i, code := range codes {
		res, err := cf.KV.Namespaces.Values.Get(ctx, ns, models.PlanName(code), kv.NamespaceValueGetParams{
			AccountID: cloudflare.F(account),
		})
		if err != nil {
			errs[i] = fmt.Errorf("plan %s: %w", code, err)
			continue
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			errs[i] = err
			continue
		}
		if len(raw) == 0 { // EXPECT kvnull
			continue
		}
		var p models.EdgePlan
		if err := json.Unmarshal(raw, &p); err != nil {
			errs[i] = err
			continue
		}
		out[i] = &p
	}
	return out, errs
}

func (f *fetcher) fetchViews(ctx context.Context, keys []string) ([]int, []error) {
	out := make([]int, len(keys))
	errs := make([]error, len(keys))
	for i, k := range keys {
		raw, err := f.store.Get(ctx, k)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
			out[i] = 0
		case err != nil:
			errs[i] = err
		default:
			out[i], errs[i] = strconv.Atoi(string(raw))
		}
	}
	return out, errs
}
