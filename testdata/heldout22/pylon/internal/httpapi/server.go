// Package httpapi exposes the services over HTTP for the portal, the
// courier app, freezer gateways and partner labs.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/pylon/internal/barcode"
	"example.com/pylon/internal/courier"
	"example.com/pylon/internal/custody"
	"example.com/pylon/internal/partner"
	"example.com/pylon/internal/portal"
	"example.com/pylon/internal/telemetry"
)

// Deps are the services the handlers call.
type Deps struct {
	Tracker  *custody.Tracker
	Barcodes *barcode.Registry
	Monitor  *telemetry.Monitor
	Couriers *courier.Service
	Sessions *portal.Sessions
	Verifier *portal.Verifier
	Keys     *partner.Keys
	Quota    *partner.Quota
	Log      *slog.Logger
}

type ctxKey int

const (
	keySession ctxKey = iota
	keyPartner
)

// Handler builds the routed handler.
func Handler(d Deps) http.Handler {
	partnerMux := http.NewServeMux()
	partnerMux.HandleFunc("POST /v1/transitions", d.transition)
	partnerMux.HandleFunc("POST /v1/claims", d.claim)

	portalMux := http.NewServeMux()
	portalMux.HandleFunc("POST /portal/logout", d.logout)

	mux := http.NewServeMux()
	mux.Handle("/v1/", d.partnerAuth(partnerMux))
	mux.Handle("/portal/", d.portalAuth(portalMux))
	mux.HandleFunc("POST /gateway/readings", d.readings)
	mux.HandleFunc("POST /courier/ping", d.ping)
	mux.HandleFunc("GET /verify", d.verify)
	return d.logging(mux)
}

func (d Deps) logging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		d.Log.Info("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
	})
}

func (d Deps) partnerAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, err := d.Keys.Verify(r.Context(), r.Header.Get("X-Api-Key"))
		if err != nil {
			fail(w, http.StatusUnauthorized, err)
			return
		}
		left, err := d.Quota.Take(r.Context(), key.PartnerID)
		if errors.Is(err, partner.ErrOverQuota) {
			fail(w, http.StatusTooManyRequests, err)
			return
		} else if err != nil {
			fail(w, http.StatusBadGateway, err)
			return
		}
		w.Header().Set("X-Quota-Remaining", strconv.Itoa(left))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyPartner, key)))
	})
}

func (d Deps) portalAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("pylon_session")
		if err != nil {
			fail(w, http.StatusUnauthorized, err)
			return
		}
		sess, err := d.Sessions.Authenticate(r.Context(), c.Value)
		if err != nil {
			fail(w, http.StatusUnauthorized, err)
			return
		}
		if err := d.Sessions.Touch(r.Context(), sess); err != nil {
			d.Log.Warn("session not extended", "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keySession, sess)))
	})
}

func fail(w http.ResponseWriter, code int, err error) {
	http.Error(w, err.Error(), code)
}

func decode[T any](r *http.Request) (T, error) {
	var v T
	err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&v)
	return v, err
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
