// Package formulary caches the insurer formulary lookups that the refill
// screen makes for every prescription, in front of the PBM's slow API.
package formulary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

const (
	coverageTTL = 6 * time.Hour
	tiersTTL    = 24 * time.Hour
)

// tierQuery is the PBM report that lists every tier with its copay rules.
// Its result is cached under the text of the query itself.
const tierQuery = `SELECT t.tier_code, t.tier_name, t.copay_retail_30, t.copay_retail_90, ` +
	`t.copay_mail_90, t.coinsurance_pct, t.deductible_applies, t.prior_auth_required, ` +
	`t.step_therapy_required, t.quantity_limit_applies, t.specialty_pharmacy_only, ` +
	`p.plan_id, p.plan_year, p.group_number, p.formulary_version ` +
	`FROM formulary_tiers t JOIN plan_formularies p ON p.formulary_id = t.formulary_id ` +
	`WHERE p.plan_year = EXTRACT(YEAR FROM CURRENT_DATE) AND p.status = 'ACTIVE' ` +
	`AND t.effective_from <= CURRENT_DATE AND (t.effective_to IS NULL OR t.effective_to >= CURRENT_DATE) ` +
	`ORDER BY p.plan_id, t.tier_code, t.copay_retail_30 DESC, t.copay_mail_90 DESC`

// counselingNotice travels with every cached coverage answer so that the
// terminal can show it without another request.
const counselingNotice = "Coverage information is provided by the patient's pharmacy benefit manager " +
	"and is an estimate only. The final patient responsibility is determined at adjudication and may " +
	"differ because of deductibles, coinsurance, accumulators, prior authorization requirements, step " +
	"therapy, quantity limits, or plan changes that have not yet reached the pharmacy. Pharmacists must " +
	"offer counseling on every new prescription and on any change in dose, strength, or manufacturer. " +
	"Generic substitution is permitted unless the prescriber has indicated that the brand is medically " +
	"necessary. Patients may request the price of the drug without insurance, and the pharmacy must " +
	"charge the lower of the two amounts. Controlled substances are subject to state prescription drug " +
	"monitoring program checks before dispensing and may not be transferred between stores except as " +
	"permitted by federal and state law. Questions about a denied claim can be directed to the member " +
	"services number printed on the back of the patient's insurance card. Do not share this estimate with third parties."

// Upstream is the PBM client.
type Upstream interface {
	Coverage(ctx context.Context, planID, ndc string) (Coverage, error)
	Tiers(ctx context.Context, query string) ([]byte, error)
}

// Coverage is the PBM's answer for one drug on one plan.
type Coverage struct {
	PlanID  string  `json:"plan_id"`
	NDC     string  `json:"ndc"`
	Tier    string  `json:"tier"`
	Copay   float64 `json:"copay"`
	NeedsPA bool    `json:"needs_pa"`
}

// Cache is a read-through cache in a KV namespace.
type Cache struct {
	cf          *cloudflare.Client
	accountID   string
	namespaceID string
	upstream    Upstream
}

// New returns a Cache.
func New(cf *cloudflare.Client, accountID, namespaceID string, up Upstream) *Cache {
	return &Cache{cf: cf, accountID: accountID, namespaceID: namespaceID, upstream: up}
}

func (c *Cache) get(ctx context.Context, key string) ([]byte, bool, error) {
	res, err := c.cf.KV.Namespaces.Values.Get(ctx, c.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, false, nil
		}
		return nil, false, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return raw, err == nil, err
}

func (c *Cache) put(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.accountID),
		Value:         cloudflare.F(string(value)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	}
	if meta != nil {
		params.Metadata = cloudflare.F(meta)
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.namespaceID, key, params)
	return err
}

// Coverage returns the cached coverage for a drug on a plan, asking the PBM
// on a miss.
func (c *Cache) Coverage(ctx context.Context, planID, ndc string) (Coverage, error) {
	key := fmt.Sprintf("coverage:%s:%s", planID, ndc)
	raw, ok, err := c.get(ctx, key)
	if err != nil {
		return Coverage{}, err
	}
	var cov Coverage
	if ok && json.Unmarshal(raw, &cov) == nil {
		return cov, nil
	}
	cov, err = c.upstream.Coverage(ctx, planID, ndc)
	if err != nil {
		return Coverage{}, err
	}
	data, _ := json.Marshal(cov)
	meta := map[string]any{"tier": cov.Tier, "pa": cov.NeedsPA}
	return cov, c.put(ctx, key, data, meta, coverageTTL)
}

// CoverageWithNotice is Coverage for the counseling terminal, which lists
// cached answers together with the notice it has to display.
func (c *Cache) CoverageWithNotice(ctx context.Context, planID, ndc string) (Coverage, error) {
	cov, err := c.Coverage(ctx, planID, ndc)
	if err != nil {
		return cov, err
	}
	data, _ := json.Marshal(cov)
	key := fmt.Sprintf("coverage_notice:%s:%s", planID, ndc)
	return cov, c.put(ctx, key, data, map[string]string{"tier": cov.Tier, "notice": counselingNotice}, coverageTTL) // EXPECT kvlimits
}

// Tiers returns the plan tier table.
func (c *Cache) Tiers(ctx context.Context) ([]byte, error) {
	key := "formulary:tiers:" + tierQuery // EXPECT kvlimits
	res, err := c.cf.KV.Namespaces.Values.Get(ctx, c.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.accountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return raw, nil
	}
	fresh, err := c.upstream.Tiers(ctx, tierQuery)
	if err != nil {
		return nil, err
	}
	return fresh, c.put(ctx, key, fresh, nil, tiersTTL)
}
