package main

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/httpx"
	"example.com/grebe/internal/store"
)

func siteID(s string) domain.SiteID { return domain.SiteID(s) }

type handler func(w http.ResponseWriter, r *http.Request) error

// routes builds the backend's HTTP API. Internal routes are called by the
// Worker; admin routes by the admin console. Both use the admin key.
func routes(d deps) http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h handler) {
		mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			if d.adminKey == "" || subtle.ConstantTimeCompare([]byte(key), []byte(d.adminKey)) != 1 {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			if err := h(w, r); err != nil {
				httpx.Error(w, err)
			}
		}))
	}
	ok := func(w http.ResponseWriter, v any, err error) error {
		if err == nil {
			if v == nil {
				w.WriteHeader(http.StatusNoContent)
			} else {
				httpx.JSON(w, http.StatusOK, v)
			}
		}
		return err
	}

	handle("GET /internal/members", func(w http.ResponseWriter, r *http.Request) error {
		email := strings.ToLower(r.URL.Query().Get("email"))
		idx, err := d.kv.Get(r.Context(), "member-email:"+email)
		if errors.Is(err, store.ErrNotFound) {
			return domain.ErrUnknown
		}
		if err != nil {
			return err
		}
		m, err := store.GetJSON[domain.Member](r.Context(), d.kv, "member:"+string(idx))
		return ok(w, m, err)
	})
	handle("POST /internal/mail/{kind}", func(w http.ResponseWriter, r *http.Request) error {
		var msg map[string]string
		if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
			return err
		}
		d.log.InfoContext(r.Context(), "mail queued", "kind", r.PathValue("kind"), "to", msg["to"])
		return ok(w, nil, nil)
	})
	handle("POST /webhooks/payments", func(w http.ResponseWriter, r *http.Request) error {
		p, err := httpx.Decode[domain.DayPassPurchase](r)
		if err != nil {
			return err
		}
		if p.PurchasedAt.IsZero() {
			p.PurchasedAt = time.Now()
		}
		if err := d.daypass.Record(r.Context(), p); err != nil {
			return err
		}
		return ok(w, nil, d.daypass.Receipt(r.Context(), p))
	})

	handle("GET /admin/passes/active", func(w http.ResponseWriter, r *http.Request) error {
		ps, err := d.passes.Active(r.Context(), 5)
		return ok(w, ps, err)
	})
	handle("POST /admin/members/{id}/suspend", func(w http.ResponseWriter, r *http.Request) error {
		body, err := httpx.Decode[struct {
			Pass     string
			Sessions []string
		}](r)
		if err != nil {
			return err
		}
		return ok(w, nil, d.passes.Suspend(r.Context(), domain.MemberID(r.PathValue("id")), body.Pass, body.Sessions))
	})
	handle("POST /admin/members/{id}/close", func(w http.ResponseWriter, r *http.Request) error {
		return ok(w, nil, d.tombstones.Close(r.Context(), domain.MemberID(r.PathValue("id")), time.Now()))
	})

	handle("GET /admin/daypass/export", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/csv")
		return d.daypass.Export(r.Context(), w)
	})
	handle("GET /admin/daypass/{site}/{day}/arrivals", func(w http.ResponseWriter, r *http.Request) error {
		names, cursor, err := d.daypass.FirstArrivals(r.Context(), siteID(r.PathValue("site")), r.PathValue("day"))
		return ok(w, map[string]any{"receipts": names, "next_page_token": httpx.EncodePageToken("arrivals", cursor)}, err)
	})
	handle("POST /admin/daypass/{day}/codes", func(w http.ResponseWriter, r *http.Request) error {
		return ok(w, nil, d.daypass.PregenerateCodes(r.Context(), r.PathValue("day")))
	})

	return httpx.Chain(mux, httpx.Logging(d.log))
}
