package entitlements

import (
	"context"
	"errors"
	"fmt"

	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
)

// Plan is one paid tier offered by a publication.
type Plan struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	PriceCents int      `json:"price_cents"`
	Interval   string   `json:"interval"` // "month" or "year"
	Perks      []string `json:"perks,omitempty"`
}

func (p Plan) validate() error {
	switch {
	case p.ID == "" || p.Name == "":
		return errors.New("plan needs an id and a name")
	case p.PriceCents < 0:
		return fmt.Errorf("plan %s: negative price", p.ID)
	case p.Interval != "month" && p.Interval != "year":
		return fmt.Errorf("plan %s: interval %q", p.ID, p.Interval)
	}
	return nil
}

func planKey(id string) string { return keys.Join("plan", id) }

// PublishCatalog stores each plan and the catalog of valid plans.
func PublishCatalog(ctx context.Context, b *storage.Bucket, plans []Plan) error {
	var errs []error
	published := make([]Plan, 0, len(plans))
	for _, p := range plans {
		if err := p.validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := b.Write(planKey(p.ID)).JSON(p).Meta("price", p.PriceCents).Do(ctx); err != nil {
			errs = append(errs, err)
			continue
		}
		published = append(published, p)
		if err := b.Write(keys.PlanCatalog).JSON(published).Do(ctx); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
