package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"time"

	"hawfinch/internal/restkv"
)

// Payouts settles tutor payouts and publishes the results to KV for the
// tutor dashboard.
type Payouts struct {
	KV      restkv.Scope
	API     *API
	Pricing *Pricing
}

func (p *Payouts) Run(ctx context.Context) error {
	release, err := restkv.Acquire(ctx, p.KV, "payout-run", 30*time.Minute)
	if err != nil {
		return err
	}
	defer release()

	settled, err := p.API.Settle(ctx)
	if err != nil {
		return err
	}
	for _, st := range settled {
		tutor := p.KV.Scope("tutor", st.TutorID)
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		if err := tutor.Scope("payout").Put(ctx, st.PayoutID, b); err != nil {
			return err
		}
		var recent []Settlement
		raw, err := tutor.Get(ctx, "recent-payouts")
		switch {
		case err == nil:
			if err := json.Unmarshal(raw, &recent); err != nil {
				return err
			}
		case !errors.Is(err, restkv.ErrNotFound):
			return err
		}
		recent = append([]Settlement{st}, recent...)
		recent = recent[:min(len(recent), 10)]
		rb, _ := json.Marshal(recent)
		if err := tutor.Put(ctx, "recent-payouts", rb); err != nil { // EXPECT kvrace
			return err
		}
	}

	counts, err := p.API.LessonCounts(ctx)
	if err != nil {
		return err
	}
	items := make([]restkv.Item, 0, len(counts))
	for _, id := range slices.Sorted(maps.Keys(counts)) {
		fee := p.Pricing.Commission(id)
		items = append(items, restkv.Item{
			Name:  id,
			Value: strconv.Itoa(counts[id]) + " lessons, " + strconv.FormatFloat(fee*100, 'f', 1, 64) + "% fee",
			TTL:   25 * time.Hour,
		})
	}
	return p.KV.Scope("stats", "lessons-count").PutMany(ctx, items) // DEBATABLE kvcounter
}
