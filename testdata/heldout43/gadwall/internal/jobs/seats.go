package jobs

import (
	"context"
	"encoding/json"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"gadwall/internal/keys"
	"gadwall/internal/license"
	"gadwall/internal/tenant"
)

// SeatReport summarises seat use of one tenant.
type SeatReport struct {
	Tenant       string           `json:"tenant"`
	Licenses     int              `json:"licenses"`
	SeatsSold    int              `json:"seats_sold"`
	SeatsUsed    int              `json:"seats_used"`
	OverAssigned []keys.LicenseID `json:"over_assigned,omitempty"`
}

// ReconcileSeats compares sold and used seats for every tenant.
func (j *Jobs) ReconcileSeats(ctx context.Context) ([]SeatReport, error) {
	var (
		mu      sync.Mutex
		reports []SeatReport
	)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(j.concurrency)
	for _, t := range j.tenants.All() {
		g.Go(func() error {
			r, err := j.reconcileTenant(ctx, t)
			if err != nil {
				return err
			}
			mu.Lock()
			reports = append(reports, r)
			mu.Unlock()
			return nil
		})
	}
	err := g.Wait()
	sort.Slice(reports, func(a, b int) bool { return reports[a].Tenant < reports[b].Tenant })
	return reports, err
}

func (j *Jobs) reconcileTenant(ctx context.Context, t *tenant.Tenant) (SeatReport, error) {
	r := SeatReport{Tenant: t.ID}
	page, err := t.KV.List(ctx, keys.LicensePrefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return r, err
	}
	for _, k := range page.Keys {
		raw, err := t.KV.Get(ctx, keys.Raw(k.Name)) // EXPECT kvlist
		if err != nil {
			return r, err
		}
		var l license.License
		if err := json.Unmarshal(raw, &l); err != nil {
			continue
		}
		r.Licenses++
		r.SeatsSold += l.Seats
		r.SeatsUsed += len(l.Machines)
		if len(l.Machines) > l.Seats {
			r.OverAssigned = append(r.OverAssigned, l.ID)
		}
	}
	return r, nil
}

// PublishFlags writes the same feature-flag document to every tenant's
// namespace, reporting the tenants that failed on a channel.
func (j *Jobs) PublishFlags(ctx context.Context, flags map[string]bool) []string {
	b, _ := json.Marshal(flags)
	failed := make(chan string, len(j.tenants.All()))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(j.concurrency)
	for _, t := range j.tenants.All() {
		g.Go(func() error {
			if err := t.KV.Put(ctx, keys.Static("config/flags"), b); err != nil {
				failed <- t.ID
			}
			return nil
		})
	}
	_ = g.Wait()
	close(failed)
	var out []string
	for id := range failed {
		out = append(out, id)
	}
	return out
}
