// Package noshow tracks missed appointments per patient. Patients with
// three or more no-shows in the last year must pay a deposit to book.
package noshow

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/kvstore/cfkv"
)

// DepositThreshold is the number of no-shows after which a deposit is due.
const DepositThreshold = 3

type Tracker struct {
	store kvstore.Store
	kb    keys.Builder
}

func NewTracker(store kvstore.Store) *Tracker {
	return &Tracker{store: store, kb: keys.New("noshow")}
}

// Record adds one no-show and returns the new total.
func (t *Tracker) Record(ctx context.Context, patientID string) (int, error) {
	key := t.kb.With(patientID).String()
	n := 0
	b, err := t.store.Get(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(b)); err != nil {
			return 0, fmt.Errorf("noshow: corrupt value at %s: %w", key, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return 0, err
	}
	n++
	if err := t.store.Put(ctx, key, []byte(strconv.Itoa(n)), kvstore.WithMetadata(map[string]any{"n": n})); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

// DepositRequired is called on every booking attempt.
func (t *Tracker) DepositRequired(ctx context.Context, patientID string, forgiven int) bool {
	b, _ := t.store.Get(ctx, t.kb.With(patientID).String()) // EXPECT kvnull
	n, _ := strconv.Atoi(string(b))
	return n-forgiven >= DepositThreshold
}

// Count is shown on the patient's record in the staff UI.
func (t *Tracker) Count(ctx context.Context, patientID string) (int, error) {
	b, err := t.store.Get(ctx, t.kb.With(patientID).String())
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

// Reporter lists patients over the threshold for the monthly review.
type Reporter struct {
	ns       cfkv.Namespace
	maxPages int
}

func NewReporter(ns cfkv.Namespace, maxPages int) *Reporter {
	return &Reporter{ns: ns, maxPages: maxPages}
}

func (r *Reporter) Offenders(ctx context.Context) ([]string, error) {
	prefix := keys.New("noshow").Prefix()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.ns.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(500.0),
	}
	var out []string
	for i := 0; i < r.maxPages; i++ {
		page, err := r.ns.API.KV.Namespaces.Keys.List(ctx, r.ns.ID, params) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range page.Result {
			if m, ok := k.Metadata.(map[string]any); ok {
				if n, _ := m["n"].(float64); int(n) >= DepositThreshold {
					out = append(out, k.Name[len(prefix):])
				}
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(r.ns.AccountID),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
			Limit:     cloudflare.F(500.0),
		}
	}
	return out, nil
}
