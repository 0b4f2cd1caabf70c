package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cf6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ops/internal/config"
)

// Banner is what the storefront worker renders at the top of the page.
type Banner struct {
	Text  string `json:"text"`
	Link  string `json:"link,omitempty"`
	Level string `json:"level"`
}

// Promo is a scheduled campaign from the marketing calendar.
type Promo struct {
	Slug     string
	Banner   Banner
	StartsAt time.Time
	EndsAt   time.Time
}

func bannerValue(b Banner) (kv.NamespaceValueUpdateParamsValueUnion, error) {
	out, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return shared.UnionString(out), nil
}

func (r *Runner) putBanner(ctx context.Context, key string, params kv.NamespaceValueUpdateParams) error {
	params.AccountID = cf6.F(r.Account)
	_, err := r.V6.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, key, params)
	return err
}

// SchedulePromos publishes the campaigns that are running now; each one
// disappears on its own when it ends.
func (r *Runner) SchedulePromos(ctx context.Context, promos []Promo) error {
	now := time.Now()
	for _, p := range promos {
		if now.Before(p.StartsAt) || !now.Before(p.EndsAt.Add(-5*time.Minute)) {
			continue
		}
		v, err := bannerValue(p.Banner)
		if err != nil {
			return err
		}
		var params kv.NamespaceValueUpdateParams
		params.Value = cf6.F(v)
		params.Expiration = cf6.F(float64(p.EndsAt.Unix()))
		if err := r.putBanner(ctx, "promo:"+p.Slug, params); err != nil {
			return err
		}
	}
	return nil
}

// MaintenanceBanner announces planned maintenance for the length of the
// window given on the command line.
func (r *Runner) MaintenanceBanner(ctx context.Context, text string, window time.Duration) error {
	v, err := bannerValue(Banner{Text: text, Level: "warning"})
	if err != nil {
		return err
	}
	return r.putBanner(ctx, "banner:maintenance", kv.NamespaceValueUpdateParams{
		Value:      cf6.F(v),
		Expiration: cf6.F(float64(time.Now().Add(window).Unix())),
	})
}

// DeployNotice shows "a new version is rolling out" while a deploy runs.
func (r *Runner) DeployNotice(ctx context.Context, version string) error {
	v, err := bannerValue(Banner{Text: "Rolling out " + version + ", you may need to reload.", Level: "info"})
	if err != nil {
		return err
	}
	return r.putBanner(ctx, "banner:deploy", kv.NamespaceValueUpdateParams{
		Value:      cf6.F(v),
		Expiration: cf6.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
}

// FlashSaleCountdown shows the "last chance" banner just before a flash sale
// closes.
func (r *Runner) FlashSaleCountdown(ctx context.Context, slug string) error {
	v, err := bannerValue(Banner{Text: "Last chance!", Link: "/sale/" + slug, Level: "promo"})
	if err != nil {
		return err
	}
	var params kv.NamespaceValueUpdateParams
	params.Value = cf6.F(v)
	params.Expiration = cf6.F(float64(time.Now().Unix() + 45)) // EXPECT kvttl
	return r.putBanner(ctx, "banner:countdown:"+slug, params)
}

// DailyDeal publishes today's deal, good for 24 hours.
func (r *Runner) DailyDeal(ctx context.Context, b Banner) error {
	v, err := bannerValue(b)
	if err != nil {
		return err
	}
	return r.putBanner(ctx, "banner:daily-deal", kv.NamespaceValueUpdateParams{
		Value:      cf6.F(v),
		Expiration: cf6.F(float64(time.Now().Add(24 * time.Hour).Unix())),
	})
}

// StatusPing marks the storefront as reachable for the status widget, which
// treats a missing key as "degraded". Runs every 30 seconds.
func (r *Runner) StatusPing(ctx context.Context) error {
	return r.putBanner(ctx, "status:storefront", kv.NamespaceValueUpdateParams{
		Value:         cf6.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("ok")),
		ExpirationTTL: cf6.F(60.0),
	})
}

// PinBanner adds a banner to the list pinned above the product grid.
func (r *Runner) PinBanner(ctx context.Context, b Banner) error {
	const key = "banner:pinned"
	var pinned []Banner
	res, err := r.V6.KV.Namespaces.Values.Get(ctx, config.NamespaceEdge, key, kv.NamespaceValueGetParams{
		AccountID: cf6.F(r.Account),
	})
	var apiErr *cf6.Error
	switch {
	case err == nil:
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&pinned); err != nil {
			return err
		}
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
	default:
		return err
	}
	pinned = append(pinned, b)
	out, err := json.Marshal(pinned)
	if err != nil {
		return err
	}
	_, err = r.V6.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cf6.F(r.Account),
		Value:     cf6.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(out)),
	})
	return err
}

// holidaySaleEnds is 2025-01-01T00:00:00Z.
const holidaySaleEnds = 1735689600

// RepublishHolidayBanner restores the holiday banner from the legacy admin's
// export.
func (r *Runner) RepublishHolidayBanner(ctx context.Context, text string) error {
	b, err := json.Marshal(Banner{Text: text, Link: "/holiday", Level: "promo"})
	if err != nil {
		return err
	}
	_, err = r.Legacy.WriteWorkersKVEntries(ctx, r.RC, cfv0.WriteWorkersKVEntriesParams{
		NamespaceID: config.NamespaceEdge,
		KVs: []*cfv0.WorkersKVPair{{
			Key:        "promo:holiday",
			Value:      string(b),
			Expiration: holidaySaleEnds, // EXPECT kvttl
		}},
	})
	return err
}
