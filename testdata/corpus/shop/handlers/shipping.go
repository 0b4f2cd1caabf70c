package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
	"example.com/shop/internal/kvstore"
)

type Quote struct {
	Carrier  string `json:"carrier"`
	Cents    int    `json:"cents"`
	Days     int    `json:"days"`
	QuotedAt int64  `json:"quoted_at"`
}

type Shipping struct {
	CarrierURL string
}

func (s Shipping) fetchQuote(ctx context.Context, from, to string, grams int) (*Quote, error) {
	url := fmt.Sprintf("%s/v2/rates?from=%s&to=%s&grams=%d", s.CarrierURL, from, to, grams)
	req, err := fetch.NewRequest(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("carrier: %s", res.Status)
	}
	var q Quote
	if err := json.NewDecoder(res.Body).Decode(&q); err != nil {
		return nil, err
	}
	q.QuotedAt = time.Now().Unix()
	return &q, nil
}

func (s Shipping) Quote(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	grams, err := strconv.Atoi(q.Get("grams"))
	if err != nil || grams <= 0 {
		http.Error(w, "grams required", http.StatusBadRequest)
		return
	}
	ns, err := kv.NewNamespace(config.CatalogKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := fmt.Sprintf("shipquote:%s:%s:%d", q.Get("from"), q.Get("to"), grams/100)
	if v, _ := ns.GetString(key, nil); v != "<null>" && v != "" {
		writeRaw(w, v)
		return
	}

	quote, err := s.fetchQuote(r.Context(), q.Get("from"), q.Get("to"), grams)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	b, _ := json.Marshal(quote)
	err = ns.PutString(key, string(b), &kv.PutOptions{
		ExpirationTTL: config.ShippingQuoteTTL, // EXPECT kvttl
	})
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeRaw(w, string(b))
}

type cutoffNotice struct {
	Message string `json:"message"`
	Until   int64  `json:"until"`
}

// Cutoff publishes the "order by ... for delivery before ..." notice. The
// back office posts the deadline; the notice disappears on its own after it.
func (s Shipping) Cutoff(w http.ResponseWriter, r *http.Request) {
	var n cutoffNotice
	if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	until := time.Unix(n.Until, 0)
	if time.Until(until) < 5*time.Minute {
		http.Error(w, "deadline too close", http.StatusUnprocessableEntity)
		return
	}
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	b, _ := json.Marshal(n)
	if err := st.PutUntil("notice:shipping-cutoff", string(b), until); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Holidays returns the carrier holiday calendar, which changes once a year.
func (s Shipping) Holidays(w http.ResponseWriter, r *http.Request) {
	st, err := kvstore.Open(config.CatalogKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	v, err := st.GetCached("carrier:holidays", 12*time.Hour)
	if errors.Is(err, kvstore.ErrNotFound) {
		writeRaw(w, "[]")
		return
	}
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	writeRaw(w, v)
}
