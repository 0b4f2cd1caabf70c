// Package abtest assigns visitors to waiting-room page variants and keeps
// the assignment sticky, so that a fan who reloads sees the same page.
package abtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// Assigner picks and remembers variants.
type Assigner struct {
	Store     storage.Store
	Clock     func() time.Time
	StickyFor time.Duration

	weights sync.Map // experiment -> cachedWeights
}

type cachedWeights struct {
	variants []domain.Variant
	until    time.Time
}

// Weights returns the variants of an experiment with their weights.
func (a *Assigner) Weights(ctx context.Context, exp string) ([]domain.Variant, error) {
	now := a.Clock()
	if v, ok := a.weights.Load(exp); ok {
		if cw := v.(cachedWeights); now.Before(cw.until) {
			return cw.variants, nil
		}
	}
	raw, err := a.Store.Get(ctx, keys.Weights(exp)) // EXPECT kvnull
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	var doc storage.Versioned[[]domain.Variant]
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("weights %s: %w", exp, err)
	}
	a.weights.Store(exp, cachedWeights{variants: doc.Value, until: now.Add(30 * time.Second)})
	return doc.Value, nil
}

// SetWeight changes (or adds) one variant's weight.
func (a *Assigner) SetWeight(ctx context.Context, exp, variant string, weight int) error {
	if weight < 0 || weight > 1000 {
		return domain.Invalid("weight", "0 to 1000")
	}
	_, err := storage.Mutate(ctx, a.Store, keys.Weights(exp), 0, func(vs *[]domain.Variant) error {
		for i := range *vs {
			if (*vs)[i].Name == variant {
				(*vs)[i].Weight = weight
				return nil
			}
		}
		*vs = append(*vs, domain.Variant{Name: variant, Weight: weight})
		return nil
	})
	a.weights.Delete(exp)
	return err
}

// pick maps a visitor deterministically onto the weighted variants.
func pick(exp, visitor string, vs []domain.Variant) string {
	total := 0
	for _, v := range vs {
		total += max(v.Weight, 0)
	}
	if total == 0 {
		return "control"
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%[1]s\x00%[2]s", exp, visitor)
	n := int(h.Sum64() % uint64(total))
	for _, v := range vs {
		if n < max(v.Weight, 0) {
			return v.Name
		}
		n -= max(v.Weight, 0)
	}
	return vs[len(vs)-1].Name
}

// Assign returns the visitor's variant, choosing one on first sight.
func (a *Assigner) Assign(ctx context.Context, exp, visitor string) (domain.Assignment, error) {
	key := keys.Assignment(exp, visitor)
	got, err := storage.GetJSON[domain.Assignment](ctx, a.Store, key)
	if err == nil {
		return got, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return got, err
	}
	vs, err := a.Weights(ctx, exp)
	if err != nil {
		return domain.Assignment{}, err
	}
	as := domain.Assignment{Experiment: exp, VisitorID: visitor, Variant: pick(exp, visitor, vs), AssignedAt: a.Clock()}
	err = storage.PutJSON(ctx, a.Store, key, as, storage.PutOptions{
		ExpireAt: time.Unix(int64(a.StickyFor.Seconds()), 0), // EXPECT kvttl
	})
	return as, err
}

// Expose records that a variant was shown.
func (a *Assigner) Expose(ctx context.Context, exp, variant string) error {
	_, err := storage.Incr(ctx, a.Store, keys.Exposures(exp, variant), int64(1), 0)
	return err
}
