package promo

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/fleetbite/woodcock/internal/kvstore"
)

const maxFeaturedPages = 20

// Sweeper is the EventBridge-scheduled Lambda (rate(15 minutes)).
type Sweeper struct {
	KV *kvstore.Namespace
}

type sweepStatus struct {
	StartedAt time.Time `json:"startedAt"`
	Deadline  time.Time `json:"deadline"`
	Expired   int       `json:"expired,omitempty"`
}

func (s *Sweeper) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	status, _ := json.Marshal(sweepStatus{StartedAt: ev.Time, Deadline: deadline})
	if err := s.KV.Put(ctx, "promo:sweep:running", status, time.Until(deadline)); err != nil { // EXPECT kvttl
		slog.WarnContext(ctx, "sweep status not written", "err", err)
	}

	expired, err := s.expiredCodes(ctx, ev.Time)
	if err != nil {
		return err
	}
	for start := 0; start < len(expired); start += kvstore.MaxBulk {
		end := min(start+kvstore.MaxBulk, len(expired))
		if _, err := s.KV.API().KV.Namespaces.BulkDelete(ctx, s.KV.ID(), kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.KV.AccountID()),
			Body:      expired[start:end],
		}); err != nil {
			return err
		}
	}
	if err := s.refreshFeatured(ctx); err != nil {
		return err
	}
	done, _ := json.Marshal(sweepStatus{StartedAt: ev.Time, Deadline: deadline, Expired: len(expired)})
	return s.KV.Put(ctx, "promo:sweep:last-run", done, 0)
}

// expiredCodes finds promo records whose end date has passed.
func (s *Sweeper) expiredCodes(ctx context.Context, now time.Time) ([]string, error) {
	api := s.KV.API()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.KV.AccountID()),
		Prefix:    cloudflare.F(codePrefix),
		Limit:     cloudflare.F(1000.0),
	}
	var expired []string
	for {
		page, err := api.KV.Namespaces.Keys.List(ctx, s.KV.ID(), params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			raw, err := s.KV.Get(ctx, k.Name) // EXPECT kvlist
			if errors.Is(err, kvstore.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			var p Promo
			if json.Unmarshal(raw, &p) == nil && p.EndsAt.Before(now) {
				expired = append(expired, k.Name)
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return expired, nil
}

// refreshFeatured rebuilds the list of restaurants that currently show a
// banner; banner keys carry the promo code in their metadata.
func (s *Sweeper) refreshFeatured(ctx context.Context) error {
	var featured []string
	cursor := ""
	for range maxFeaturedPages {
		page, err := s.KV.ListPage(ctx, "promo:banner:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			featured = append(featured, k.Name[len("promo:banner:"):])
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	raw, _ := json.Marshal(featured)
	return s.KV.Put(ctx, "promo:featured", raw, 0)
}
