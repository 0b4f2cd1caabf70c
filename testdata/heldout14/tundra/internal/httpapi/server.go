// Package httpapi exposes Tundra's public and partner API over HTTP.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"example.com/tundra/internal/apikeys"
	"example.com/tundra/internal/catalog"
	"example.com/tundra/internal/coupons"
	"example.com/tundra/internal/idempotency"
	"example.com/tundra/internal/invites"
	"example.com/tundra/internal/metering"
	"example.com/tundra/internal/partners"
	"example.com/tundra/internal/ratelimit"
	"example.com/tundra/internal/storage"
)

// Server holds the use cases the handlers call.
type Server struct {
	Keys      *apikeys.Service
	IPLimit   *ratelimit.FixedWindow
	KeyLimit  *ratelimit.Sliding
	Quota     *metering.QuotaGuard
	Usage     *metering.Recorder
	Catalog   *catalog.Catalog
	Onboard   *partners.Onboarding
	Profiles  partners.UpdateProfile
	Directory *partners.Directory
	Invite    invites.CreateInvite
	Redeem    invites.RedeemInvite
	Coupons   *coupons.Book
	Idem      *idempotency.Middleware
	Status    storage.Store
	Log       *slog.Logger
}

// Routes returns the API mux.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/usage", s.ingest)
	mux.Handle("POST /v1/partners", s.Idem.Wrap(handle(s, http.StatusCreated, s.Onboard.Execute)))
	mux.HandleFunc("PATCH /v1/partners", handle(s, http.StatusOK, s.Profiles.Execute))
	mux.HandleFunc("POST /v1/invites", handle(s, http.StatusCreated, s.Invite.Execute))
	mux.HandleFunc("POST /v1/invites/redeem", handle(s, http.StatusOK, s.Redeem.Execute))
	mux.HandleFunc("POST /v1/coupons/redeem", handle(s, http.StatusOK, s.redeemCoupon))
	mux.HandleFunc("GET /v1/plans/{name}", s.plan)
	mux.HandleFunc("GET /p/{slug}", s.publicPage)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, apikeys.ErrUnknownKey), errors.Is(err, apikeys.ErrRevoked):
		code = http.StatusUnauthorized
	case errors.Is(err, metering.ErrQuotaExceeded):
		code = http.StatusPaymentRequired
	case errors.Is(err, partners.ErrSlugTaken), errors.Is(err, partners.ErrStaleVersion),
		errors.Is(err, invites.ErrAlreadyRedeemed), errors.Is(err, coupons.ErrAlreadyUsed):
		code = http.StatusConflict
	case errors.Is(err, partners.ErrNoPartner), errors.Is(err, invites.ErrNoInvite), errors.Is(err, coupons.ErrUnknownCoupon):
		code = http.StatusNotFound
	case errors.Is(err, partners.ErrBadSlug), errors.Is(err, invites.ErrExpired), errors.Is(err, invites.ErrWrongRecipient):
		code = http.StatusBadRequest
	}
	if code == http.StatusInternalServerError {
		s.Log.Error("request failed", "err", err)
	}
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

type usageBody struct {
	Route string `json:"route"`
	Units int64  `json:"units"`
}

// ingest meters calls reported by a partner's gateway.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !s.IPLimit.AllowWithin(ctx, clientIP(r), 150*time.Millisecond) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	rec, err := s.Keys.Handle(ctx, apikeys.Lookup{Secret: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")})
	if err != nil {
		s.fail(w, err)
		return
	}
	key := rec.(apikeys.Record)
	if ok, _, err := s.KeyLimit.Allow(ctx, key.ID); err == nil && !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	var body usageBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Units <= 0 {
		http.Error(w, "bad usage report", http.StatusBadRequest)
		return
	}
	left, err := s.Quota.Consume(ctx, key.PartnerID, key.Plan, body.Units)
	if err != nil {
		s.fail(w, err)
		return
	}
	now := time.Now()
	ev := metering.Event{KeyID: key.ID, TenantID: key.PartnerID, Route: body.Route, Units: body.Units, At: now}
	if err := s.Usage.Record(ctx, ev); err != nil {
		s.fail(w, err)
		return
	}
	if err := s.Status.Put(ctx, "ingest:last_seen", []byte(now.UTC().Format(time.RFC3339Nano)), storage.WriteOpts{}); err != nil { // EXPECT kvhotkey
		s.Log.Warn("status write failed", "err", err)
	}
	writeJSON(w, http.StatusAccepted, map[string]int64{"remaining": left})
}

// handle adapts a use case taking a JSON body to an HTTP handler.
func handle[In, Out any](s *Server, code int, fn func(context.Context, In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "bad request body", http.StatusBadRequest)
			return
		}
		out, err := fn(r.Context(), in)
		if err != nil {
			s.fail(w, err)
			return
		}
		writeJSON(w, code, out)
	}
}

type couponRedemption struct{ PartnerID, Campaign, Code string }

func (s *Server) redeemCoupon(ctx context.Context, in couponRedemption) (coupons.Coupon, error) {
	return s.Coupons.Redeem(ctx, in.PartnerID, in.Campaign, in.Code)
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Catalog.Plan(r.Context(), r.PathValue("name"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) publicPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	id, err := s.Directory.Resolve(r.Context(), slug)
	if err != nil {
		s.fail(w, err)
		return
	}
	if err := s.Directory.RecordView(r.Context(), slug); err != nil {
		s.Log.Warn("view count failed", "slug", slug, "err", err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"partner_id": id, "slug": slug})
}
