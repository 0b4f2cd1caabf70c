// Package billing receives payment provider webhooks, caches each account's
// plan and meters API usage against the plan's monthly quota.
package billing

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/gen"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

type Plan struct {
	Name         string `json:"name"`
	MonthlyCalls uint64 `json:"monthly_calls"`
}

var freePlan = Plan{Name: "free", MonthlyCalls: 10_000}

type Billing struct {
	cf        *cloudflare.Client
	accountID string
	ns        string
	secret    []byte
	planTTL   time.Duration

	usage kvstore.Store
	keys  config.KeyFormats
}

func New(cf *cloudflare.Client, accountID, namespaceID string, usage kvstore.Store, cfg *config.Config) *Billing {
	return &Billing{cf: cf, accountID: accountID, ns: namespaceID, secret: []byte(cfg.Billing.WebhookSecret),
		planTTL: cfg.Billing.PlanTTL.D(), usage: usage, keys: cfg.Keys}
}

type webhookEvent struct {
	ID      string        `json:"id"`
	Type    string        `json:"type"`
	Account ids.AccountID `json:"account"`
	Plan    *Plan         `json:"plan,omitempty"`
}

// HandleWebhook receives subscription events from the payment provider.
func (b *Billing) HandleWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, b.secret)
	mac.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Signature"))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev webhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if ev.Plan != nil {
		if err := b.StorePlan(ctx, ev.Account, *ev.Plan); err != nil {
			slog.ErrorContext(ctx, "billing: storing plan", "account", ev.Account, "err", err)
			http.Error(w, "retry", http.StatusServiceUnavailable)
			return
		}
	}
	_, err = b.cf.KV.Namespaces.Values.Update(ctx, b.ns, "billing/last-webhook", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
		AccountID: cloudflare.F(b.accountID),
		Value:     cloudflare.F(fmt.Sprintf(`{"id":%q,"type":%q,"at":%d}`, ev.ID, ev.Type, time.Now().Unix())),
	})
	if err != nil {
		slog.WarnContext(ctx, "billing: recording webhook", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func planKey(acct ids.AccountID) string { return "plan/" + acct.String() }

// StorePlan caches the account's plan. The provider resends the plan on
// every renewal, so the copy only needs to outlive one billing cycle check.
func (b *Billing) StorePlan(ctx context.Context, acct ids.AccountID, p Plan) error {
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = b.cf.KV.Namespaces.Values.Update(ctx, b.ns, planKey(acct), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(b.accountID),
		Value:         cloudflare.F(string(v)),
		ExpirationTTL: cloudflare.F(float64(gen.Seconds(b.planTTL))), // EXPECT kvttl
	})
	return err
}

// PlanFor returns the account's plan, or the free plan when none is cached.
func (b *Billing) PlanFor(ctx context.Context, acct ids.AccountID) (Plan, error) {
	res, err := b.cf.KV.Namespaces.Values.Get(ctx, b.ns, planKey(acct), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(b.accountID),
	})
	if err != nil {
		return Plan{}, fmt.Errorf("billing: plan %s: %w", acct, err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return freePlan, nil
	}
	var p Plan
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// ErrQuotaExceeded is returned by Meter when the month's calls are used up.
var ErrQuotaExceeded = errors.New("billing: monthly quota exceeded")
