//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"example.com/wayfarer/internal/accounts"
	"example.com/wayfarer/internal/domain"
	mw "example.com/wayfarer/internal/edge/middleware"
	"example.com/wayfarer/internal/edge/profile"
)

// backends talks to the identity, mail, loyalty and GDS services, which
// sit behind one internal gateway.
type backends struct {
	base   string
	client *http.Client
}

func (b backends) call(ctx context.Context, method, path string, in, out any) (int, error) {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := b.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return res.StatusCode, fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	if out == nil {
		return res.StatusCode, nil
	}
	return res.StatusCode, json.NewDecoder(res.Body).Decode(out)
}

func (b backends) Verify(ctx context.Context, email, password string) (string, error) {
	var out struct {
		TravellerID string `json:"traveller_id"`
	}
	status, err := b.call(ctx, http.MethodPost, "/identity/verify", map[string]string{"email": email, "password": password}, &out)
	if status == http.StatusUnauthorized {
		return "", profile.ErrBadCredentials
	}
	return out.TravellerID, err
}

func (b backends) LookupEmail(ctx context.Context, email string) (string, error) {
	var out struct {
		TravellerID string `json:"traveller_id"`
	}
	_, err := b.call(ctx, http.MethodGet, "/identity/by-email?email="+url.QueryEscape(email), nil, &out)
	return out.TravellerID, err
}

func (b backends) SendMagicLink(ctx context.Context, email, link string) error {
	_, err := b.call(ctx, http.MethodPost, "/mail/magic-link", map[string]string{"to": email, "link": link}, nil)
	return err
}

func (b backends) Hold(ctx context.Context, q domain.Quote) (string, time.Time, error) {
	var rep struct {
		PNR      string    `json:"pnr"`
		Deadline time.Time `json:"ticketing_deadline"`
	}
	_, err := b.call(ctx, http.MethodPost, "/gds/holds", q, &rep)
	return rep.PNR, rep.Deadline, err
}

func (b backends) Extend(ctx context.Context, pnr string) (domain.FareHold, error) {
	var fh domain.FareHold
	_, err := b.call(ctx, http.MethodPost, "/gds/holds/"+url.PathEscape(pnr)+"/extend", struct{}{}, &fh)
	return fh, err
}

func (b backends) Balance(ctx context.Context, travellerID string) (domain.LoyaltyAccount, error) {
	var acct domain.LoyaltyAccount
	_, err := b.call(ctx, http.MethodGet, "/loyalty/accounts/"+url.PathEscape(travellerID), nil, &acct)
	return acct, err
}

// accrualHandler lets partners credit points for completed bookings.
func accrualHandler(loyalty *accounts.LoyaltyRepo) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := mw.PartnerFrom(r.Context()); !ok {
			http.Error(w, "partner key required", http.StatusUnauthorized)
			return
		}
		var in struct {
			TravellerID string `json:"traveller_id"`
			Points      int64  `json:"points"`
		}
		if err := mw.DecodeJSON(r, &in); err != nil || in.Points <= 0 || in.Points > 50_000 {
			mw.WriteError(w, domain.ErrInvalidInput)
			return
		}
		acct, err := loyalty.AddPoints(r.Context(), in.TravellerID, in.Points)
		if err != nil {
			mw.WriteError(w, err)
			return
		}
		mw.WriteJSON(w, http.StatusOK, acct)
	}
}

// opMetrics counts operations and failures for the debug log.
type opMetrics struct {
	mu  sync.Mutex
	ops map[string][2]int
}

func (m *opMetrics) Observe(op string, _ time.Duration, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.ops[op]
	c[0]++
	if err != nil {
		c[1]++
	}
	m.ops[op] = c
}
