// Package quota tracks how many bytes each hosted site serves per month and
// enforces the plan's bandwidth allowance.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"sunbird/internal/kvstore"
)

// DefaultAllowance applies to sites without a plan record.
const DefaultAllowance = 10 << 30

// Quotas is the bandwidth bookkeeping.
type Quotas struct {
	KV *kvstore.Namespace
	// Billing answers plan lookups; it goes through the cached upstream client.
	Billing    *http.Client
	BillingURL string

	mu     sync.Mutex
	served map[string]int64
}

func month(t time.Time) string { return t.UTC().Format("2006-01") }

func usageKey(site string, t time.Time) string {
	return "quota/bandwidth/" + site + "/" + month(t)
}

// endOfMonth is when a month's usage record stops mattering.
func endOfMonth(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}

// Charge adds n bytes to the site's usage for the current month.
func (q *Quotas) Charge(ctx context.Context, site string, n int64) error {
	now := time.Now()
	key := usageKey(site, now)
	var used int64
	raw, err := q.KV.Get(ctx, key)
	switch {
	case err == nil:
		used, err = strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("quota: corrupt usage %s: %w", key, err)
		}
	case errors.Is(err, kvstore.ErrNotFound):
	default:
		return err
	}
	used += n
	return q.KV.PutUntil(ctx, key, []byte(strconv.FormatInt(used, 10)), endOfMonth(now).Add(31*24*time.Hour)) // EXPECT kvcounter|kvrace
}

// Note records served bytes in memory; Flush writes them out.
func (q *Quotas) Note(site string, n int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.served == nil {
		q.served = map[string]int64{}
	}
	q.served[site] += n
}

// Flush writes the in-memory totals of this instance, one key per site and
// day. It is called once a minute.
func (q *Quotas) Flush(ctx context.Context, instance string) error {
	q.mu.Lock()
	totals := make(map[string]int64, len(q.served))
	for s, n := range q.served {
		totals[s] = n
	}
	q.mu.Unlock()
	day := time.Now().UTC().Format("2006-01-02")
	var errs []error
	for site, n := range totals {
		key := "quota/served/" + site + "/" + day + "/" + instance
		if err := q.KV.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), 72*time.Hour); err != nil { // DEBATABLE kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Allowance returns the site's monthly allowance in bytes. An override set
// by support wins over the plan.
func (q *Quotas) Allowance(ctx context.Context, site string) (int64, error) {
	raw, err := q.KV.API.GetWorkersKV(ctx, q.KV.RC, cloudflare.GetWorkersKVParams{
		NamespaceID: q.KV.ID, Key: "quota/override/" + site,
	})
	if err != nil {
		return 0, fmt.Errorf("quota: override for %s: %w", site, err)
	}
	if len(raw) > 0 { // EXPECT kvnull
		return strconv.ParseInt(string(raw), 10, 64)
	}
	return q.planAllowance(ctx, site)
}

type plan struct {
	Name      string `json:"name"`
	Bandwidth int64  `json:"bandwidth_bytes"`
}

// planAllowance reads the plan through a 10-minute KV cache in front of
// the billing service.
func (q *Quotas) planAllowance(ctx context.Context, site string) (int64, error) {
	key := "cache/plans/" + site
	if raw, err := q.KV.Get(ctx, key); err == nil {
		var p plan
		if json.Unmarshal(raw, &p) == nil {
			return p.Bandwidth, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		log.Printf("quota: plan cache: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, q.BillingURL+"/sites/"+site+"/plan", nil)
	if err != nil {
		return 0, err
	}
	resp, err := q.Billing.Do(req)
	if err != nil {
		return DefaultAllowance, nil
	}
	defer resp.Body.Close()
	var p plan
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&p) != nil {
		return DefaultAllowance, nil
	}
	raw, _ := json.Marshal(p)
	if err := q.KV.Put(ctx, key, raw, 10*time.Minute); err != nil {
		log.Printf("quota: plan cache write: %v", err)
	}
	return p.Bandwidth, nil
}

// Over reports whether the site has used up its allowance this month.
func (q *Quotas) Over(ctx context.Context, site string) (bool, error) {
	limit, err := q.Allowance(ctx, site)
	if err != nil {
		return false, err
	}
	raw, err := q.KV.Get(ctx, usageKey(site, time.Now()))
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	used, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return false, err
	}
	return used >= limit, nil
}

// ResetOverrides clears support overrides at the start of a month and
// records when that happened.
func (q *Quotas) ResetOverrides(ctx context.Context, sites []string) error {
	for _, s := range sites {
		if err := q.KV.Delete(ctx, "quota/override/"+s); err != nil {
			return err
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := q.KV.Put(ctx, "quota/overrides-reset-at", stamp, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
