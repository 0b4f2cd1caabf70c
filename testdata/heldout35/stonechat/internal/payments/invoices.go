package payments

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
)

// Prefs are a customer's invoicing preferences.
type Prefs struct {
	Currency string `json:"currency"`
	NetDays  int    `json:"net_days"`
	Locale   string `json:"locale"`
}

var defaultPrefs = Prefs{Currency: "EUR", NetDays: 30, Locale: "en"}

// prefs returns the customer's preferences, writing the defaults the first
// time a customer invoices.
func (p *Service) prefs(ctx context.Context, cust ids.CustomerID) (Prefs, error) {
	key := path.Join(cust.Key(), "prefs")
	raw, err := p.store.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		buf, _ := json.Marshal(defaultPrefs)
		return defaultPrefs, p.store.Put(ctx, key, buf)
	}
	var pr Prefs
	return pr, json.Unmarshal(raw, &pr)
}

// branding returns the logo and colours used on the customer's PDFs.
func (p *Service) branding(ctx context.Context, cust ids.CustomerID) (map[string]string, error) {
	api := p.store.API()
	raw, err := api.GetWorkersKV(ctx, p.store.Account(), cloudflare.GetWorkersKVParams{
		NamespaceID: p.store.Namespace(),
		Key:         path.Join(cust.Key(), "branding"),
	})
	if err != nil {
		return nil, err
	}
	out := map[string]string{"color": "#1f6feb"}
	if len(raw) == 0 { // EXPECT kvnull
		return out, nil
	}
	return out, json.Unmarshal(raw, &out)
}

type idemRecord struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// handleCreateInvoice is the public API's invoice creation, idempotent on
// the Idempotency-Key header.
func (p *Service) handleCreateInvoice() http.HandlerFunc {
	ttl := p.cfg.IdemTTL
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		apiKey := ids.APIKeyID(r.Header.Get("X-Api-Key-Id"))
		idem := r.Header.Get("Idempotency-Key")
		if apiKey == "" || idem == "" {
			http.Error(w, "api key and Idempotency-Key required", http.StatusBadRequest)
			return
		}
		key := path.Join("idem", "api", string(apiKey), idem)
		if raw, err := p.store.Get(ctx, key); err == nil {
			var rec idemRecord
			if json.Unmarshal(raw, &rec) == nil {
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(rec.Status)
				_, _ = w.Write(rec.Body)
				return
			}
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}

		cust := ids.CustomerID(r.FormValue("customer"))
		pr, err := p.prefs(ctx, cust)
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		brand, _ := p.branding(ctx, cust)
		inv := InvoiceRecord{ID: ids.InvoiceID(ids.NewToken(12)), Customer: cust, Status: "open"}
		buf, _ := json.Marshal(inv)
		if err := p.store.Put(ctx, inv.ID.Key(), buf); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		body, _ := json.Marshal(map[string]any{"invoice": inv, "prefs": pr, "branding": brand, "created": time.Now()})
		rec, _ := json.Marshal(idemRecord{Status: http.StatusCreated, Body: body})
		_ = p.store.PutTTL(ctx, key, rec, ttl) // DEBATABLE kvrace
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	}
}
