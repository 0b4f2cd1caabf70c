// Package catalogsync mirrors the plan catalog into the namespace read by the
// v1 gateway workers. It predates the storage port and still uses the older
// SDK generation those workers were deployed with.
package catalogsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/tollgate/internal/authority"
	"example.com/tollgate/internal/domain"
)

// legacyTermsMetadata is attached to every plan's terms for the v1 workers,
// which render the summary straight from key metadata.
const legacyTermsMetadata = `{"format":"v1","summary":"Usage is metered per successful API call and ` +
	`per megabyte of response payload. Calls that return 4xx errors caused by invalid credentials are not ` +
	`metered. Calls rejected by rate limiting are not metered. Monthly quotas reset at 00:00 UTC on the first ` +
	`day of each billing period. Unused quota does not roll over. Overage is billed at the plan's overage ` +
	`rate in arrears on the next invoice. Rate limits are enforced per tenant across all API keys; bursts ` +
	`above the per-minute rate are allowed up to the plan's burst factor for at most ten seconds. Webhook ` +
	`deliveries are retried with exponential backoff for up to 72 hours. Data is retained for 400 days on ` +
	`enterprise plans and 30 days on all other plans. Service credits for missed availability targets must ` +
	`be requested within 30 days of the incident and are capped at 25 percent of the monthly fee. Taxes are ` +
	`not included in listed prices. Prices are listed in US dollars; invoices for tenants billed in other ` +
	`currencies use the exchange rate published on the invoice date.","version":3}`

// Syncer copies plans into the legacy namespace.
type Syncer struct {
	cf          *cloudflare.Client
	accountID   string
	namespaceID string
	ttl         time.Duration
	db          *authority.DB
	log         *slog.Logger
}

// New builds a syncer with its own client.
func New(apiToken, accountID, namespaceID string, ttl time.Duration, db *authority.DB, log *slog.Logger) *Syncer {
	cf := cloudflare.NewClient(option.WithAPIToken(apiToken))
	return &Syncer{cf: cf, accountID: accountID, namespaceID: namespaceID, ttl: ttl, db: db, log: log}
}

func planKey(id domain.PlanID) string { return "legacy-plan:" + string(id) }

// Sync writes every plan in one bulk request, then the plan index.
func (s *Syncer) Sync(ctx context.Context) error {
	plans, err := s.db.Plans(ctx)
	if err != nil {
		return err
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(plans))
	for _, p := range plans {
		raw, err := json.Marshal(p)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(planKey(p.ID)),
			Value:         cloudflare.F(string(raw)),
			ExpirationTTL: cloudflare.F(float64(s.ttl.Milliseconds())), // EXPECT kvttl
			Metadata:      cloudflare.F(map[string]interface{}{"name": p.Name}),
		})
	}
	if _, err := s.cf.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	}); err != nil {
		return fmt.Errorf("catalogsync: bulk update: %w", err)
	}

	index := make([]domain.PlanID, 0, len(plans))
	for _, p := range plans {
		index = append(index, p.ID)
		raw, err := json.Marshal(index)
		if err != nil {
			return err
		}
		if _, err := s.cf.KV.Namespaces.Values.Update(ctx, s.namespaceID, "legacy-plan-index", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(s.accountID),
			Value:     cloudflare.F(string(raw)),
			Metadata:  cloudflare.F(`{"source":"catalogsync"}`),
		}); err != nil {
			return err
		}
	}
	return s.bumpGeneration(ctx)
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// bumpGeneration tells the v1 workers that a new catalog is available.
func (s *Syncer) bumpGeneration(ctx context.Context) error {
	const key = "legacy-sync:generation"
	gen := 0
	res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	switch {
	case err == nil:
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if gen, err = strconv.Atoi(string(b)); err != nil {
			return err
		}
	case !notFound(err):
		return err
	}
	gen++
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(strconv.Itoa(gen)),
		Metadata:  cloudflare.F(`{"source":"catalogsync"}`),
	})
	return err
}

// PublishTerms stores a plan's terms text for the v1 workers.
func (s *Syncer) PublishTerms(ctx context.Context, id domain.PlanID, terms string) error {
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.namespaceID, "legacy-terms:"+string(id), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(terms),
		Metadata:  cloudflare.F(legacyTermsMetadata), // EXPECT kvlimits
	})
	return err
}

// ReadPlan returns a plan as the v1 workers see it.
func (s *Syncer) ReadPlan(ctx context.Context, id domain.PlanID) (domain.Plan, error) {
	var p domain.Plan
	res, _ := s.cf.KV.Namespaces.Values.Get(ctx, s.namespaceID, planKey(id), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)}) // EXPECT kvnull
	defer res.Body.Close()
	return p, json.NewDecoder(res.Body).Decode(&p)
}

// Audit compares at most maxPages pages of mirrored plans with the database
// and returns the ids that differ.
func (s *Syncer) Audit(ctx context.Context, maxPages int) ([]domain.PlanID, error) {
	var drift []domain.PlanID
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID), Prefix: cloudflare.F("legacy-plan:"), Limit: cloudflare.F(100.0)}
	for range maxPages {
		page, err := s.cf.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
		if err != nil {
			return drift, err
		}
		for _, k := range page.Result {
			res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.namespaceID, k.Name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)}) // EXPECT kvlist
			if err != nil {
				return drift, err
			}
			var mirrored domain.Plan
			err = json.NewDecoder(res.Body).Decode(&mirrored)
			res.Body.Close()
			if err != nil {
				return drift, err
			}
			truth, err := s.db.Plan(ctx, mirrored.ID)
			if err != nil || truth.PriceCents != mirrored.PriceCents || truth.RatePerMinute != mirrored.RatePerMinute {
				drift = append(drift, mirrored.ID)
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return drift, nil
}
