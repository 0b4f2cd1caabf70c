package apikeys

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sanderling/internal/httpx"
	"sanderling/internal/kvstore"
	"sanderling/internal/ratelimit"
)

// Handler serves the key management API and the gateway's verify endpoint.
type Handler struct {
	svc     *Service
	limiter *ratelimit.Limiter
	stats   kvstore.Store // state namespace, prefixed "stats:"
}

// NewHandler returns a Handler.
func NewHandler(svc *Service, l *ratelimit.Limiter, stats kvstore.Store) *Handler {
	return &Handler{svc: svc, limiter: l, stats: stats}
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/accounts/{acct}/keys", h.issue)
	mux.HandleFunc("GET /v1/accounts/{acct}/keys", h.list)
	mux.HandleFunc("GET /v1/accounts/{acct}/keys/{id}/secret", h.reveal)
	mux.HandleFunc("POST /v1/accounts/{acct}/keys/{id}/rotate", h.rotate)
	mux.HandleFunc("DELETE /v1/accounts/{acct}/keys/{id}", h.revoke)
	mux.HandleFunc("POST /v1/verify", h.verify)
	mux.HandleFunc("GET /v1/keys/{id}/limits", h.limits)
}

func fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrNameTaken):
		httpx.Error(w, http.StatusConflict, "name_taken")
	case errors.Is(err, ErrGone):
		httpx.Error(w, http.StatusGone, "already_shown")
	case kvstore.IsNotFound(err):
		httpx.Error(w, http.StatusNotFound, "not_found")
	default:
		httpx.Error(w, http.StatusBadGateway, "storage_error")
	}
}

func (h *Handler) issue(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
	}
	if err := httpx.Decode(r, &body); err != nil || body.Name == "" {
		httpx.Error(w, http.StatusBadRequest, "invalid_request")
		return
	}
	_, rec, err := h.svc.Issue(r.Context(), r.PathValue("acct"), body.Name, body.Scopes)
	if err != nil {
		fail(w, err)
		return
	}
	_ = h.stats.Put(r.Context(), "last-issued", []byte(rec.CreatedAt.Format(time.RFC3339)), kvstore.PutOptions{}) // EXPECT kvhotkey
	httpx.JSON(w, http.StatusCreated, map[string]string{"id": rec.ID})
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	keys, cursor, err := h.svc.ListKeys(r.Context(), r.PathValue("acct"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		fail(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"keys": keys, "cursor": cursor})
}

func (h *Handler) reveal(w http.ResponseWriter, r *http.Request) {
	if secret, err := h.svc.Reveal(r.Context(), r.PathValue("id")); err != nil {
		fail(w, err)
	} else {
		httpx.JSON(w, http.StatusOK, map[string]string{"secret": secret})
	}
}

func (h *Handler) rotate(w http.ResponseWriter, r *http.Request) {
	if secret, next, err := h.svc.Rotate(r.Context(), r.PathValue("acct"), r.PathValue("id")); err != nil {
		fail(w, err)
	} else {
		httpx.JSON(w, http.StatusOK, map[string]string{"id": next.ID, "secret": secret})
	}
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	reason := cmp.Or(r.URL.Query().Get("reason"), "revoked by owner")
	if err := h.svc.Revoke(r.Context(), r.PathValue("acct"), r.PathValue("id"), reason); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// verify is called by the edge gateway for every API request.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	secret, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	rec, err := h.svc.Verify(ctx, secret)
	if err != nil {
		httpx.Error(w, http.StatusUnauthorized, "invalid_token")
		return
	}
	d, err := h.limiter.Allow(ctx, rec.ID, rec.Plan)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	if !d.Allowed {
		if !d.CoolingDown {
			_ = h.limiter.Penalize(ctx, rec.ID, time.Until(d.Reset))
		}
		httpx.Error(w, http.StatusTooManyRequests, "rate_limited")
		return
	}
	if err := h.countHit(ctx, rec); err != nil {
		fail(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"account": rec.AccountID, "key": rec.ID, "scopes": rec.Scopes})
}

// countHit adds one to the key's daily hit count shown on the dashboard.
func (h *Handler) countHit(ctx context.Context, rec Record) error {
	k := kvstore.Key("hits").Escaped(rec.AccountID).Child(rec.ID).Child(time.Now().UTC().Format("20060102"))
	var n int64
	raw, err := h.stats.Get(ctx, k)
	if err == nil {
		n, err = strconv.ParseInt(string(raw), 10, 64)
	}
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	return h.stats.Put(ctx, k, strconv.AppendInt(nil, n+1, 10), kvstore.PutOptions{TTL: 35 * 24 * time.Hour}) // EXPECT kvcounter
}

func (h *Handler) limits(w http.ResponseWriter, r *http.Request) {
	plan := cmp.Or(r.URL.Query().Get("plan"), "free")
	httpx.JSON(w, http.StatusOK, map[string]int{"remaining": h.limiter.Remaining(r.Context(), r.PathValue("id"), plan)})
}
