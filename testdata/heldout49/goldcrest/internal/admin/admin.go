// Package admin is the operations console's HTTP API on the backend.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"goldcrest/internal/cfkv"
	"goldcrest/internal/clock"
	"goldcrest/internal/model"
)

// Config wires the admin API.
type Config struct {
	DispatchKV *cfkv.Namespace
	TrackingKV *cfkv.Namespace
	API        *cloudflare.Client
	AccountID  string
	DispatchNS string
	TrackingNS string
	Clock      clock.Clock
	RateWindow time.Duration
	RateLimit  int
}

// Handler serves /admin.
type Handler struct {
	cfg     Config
	mux     *http.ServeMux
	limiter *limiter
}

// New returns the admin handler.
func New(cfg Config) *Handler {
	h := &Handler{
		cfg: cfg,
		mux: http.NewServeMux(),
		limiter: &limiter{
			kv:     cfg.DispatchKV,
			clock:  cfg.Clock,
			window: cfg.RateWindow,
			limit:  cfg.RateLimit,
			counts: make(map[string]int),
		},
	}
	h.mux.HandleFunc("GET /admin/parcels", h.listParcels)
	h.mux.HandleFunc("GET /admin/plans/{depot}/{day}/preview", h.planPreview)
	h.mux.HandleFunc("GET /admin/export/links", h.exportLinks)
	h.mux.HandleFunc("POST /admin/depots/{id}/slug", h.claimSlug)
	h.mux.HandleFunc("POST /admin/notices/{depot}", h.postNotice)
	h.mux.HandleFunc("GET /admin/capacity/{depot}/{day}", h.capacity)
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	if !h.limiter.allow(r.Context(), ip) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// limiter counts requests per client in fixed windows and publishes the
// count so the edge Worker can refuse the same clients.
type limiter struct {
	kv     *cfkv.Namespace
	clock  clock.Clock
	window time.Duration
	limit  int

	mu     sync.Mutex
	counts map[string]int
	reset  time.Time
}

func (l *limiter) allow(ctx context.Context, ip string) bool {
	l.mu.Lock()
	now := l.clock.Now()
	if now.After(l.reset) {
		l.counts = make(map[string]int)
		l.reset = now.Add(l.window)
	}
	l.counts[ip]++
	n := l.counts[ip]
	l.mu.Unlock()

	ttl := max(2*l.window, 10*time.Second)                                                     // EXPECT kvttl
	if err := l.kv.Put(ctx, "ratelimit:admin:"+ip, []byte(strconv.Itoa(n)), ttl); err != nil { // EXPECT kvcounter
		log.Printf("admin: publish rate: %v", err)
	}
	return n <= l.limit
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// audit records who did what.
func (h *Handler) audit(ctx context.Context, r *http.Request, action string) {
	now := h.cfg.Clock.Now()
	entry := fmt.Sprintf("%s %s %s", now.Format(time.RFC3339), r.Header.Get("X-Admin-User"), action)
	key := fmt.Sprintf("audit:%s:%s", now.Format("20060102T150405.000"), model.NewID(4))
	if err := h.cfg.DispatchKV.Put(ctx, key, []byte(entry), 90*24*time.Hour); err != nil {
		log.Printf("admin: audit: %v", err)
	}
	if err := h.cfg.DispatchKV.Put(ctx, "admin:last-action", []byte(entry), 0); err != nil { // EXPECT kvhotkey
		log.Printf("admin: audit: %v", err)
	}
}

type keyPage struct {
	Keys   []string `json:"keys"`
	Cursor string   `json:"cursor,omitempty"`
}

// listParcels returns one page of cached parcel views.
func (h *Handler) listParcels(w http.ResponseWriter, r *http.Request) {
	keys, next, err := h.cfg.TrackingKV.Page(r.Context(), "pview:", r.URL.Query().Get("cursor"), 100)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	page := keyPage{Cursor: next}
	for _, k := range keys {
		page.Keys = append(page.Keys, strings.TrimPrefix(k.Name, "pview:"))
	}
	writeJSON(w, http.StatusOK, page)
}

// planPreview shows the first few routes of a depot day.
func (h *Handler) planPreview(w http.ResponseWriter, r *http.Request) {
	prefix := "plan:" + r.PathValue("depot") + "-" + r.PathValue("day") + "-"
	keys, next, err := h.cfg.DispatchKV.Page(r.Context(), prefix, "", 5) // EXPECT kvlimits
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name)
	}
	values, err := h.cfg.DispatchKV.BulkGet(r.Context(), names)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	plans := make([]model.RoutePlan, 0, len(values))
	for _, raw := range values {
		var p model.RoutePlan
		if err := p.UnmarshalBinary([]byte(raw)); err == nil {
			plans = append(plans, p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"plans": plans, "more": next != ""})
}

// exportLinks streams every tracking link key with its expiry.
func (h *Handler) exportLinks(w http.ResponseWriter, r *http.Request) {
	iter := h.cfg.API.KV.Namespaces.Keys.ListAutoPaging(r.Context(), h.cfg.TrackingNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(h.cfg.AccountID),
		Prefix:    cloudflare.F("link:"),
	})
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for iter.Next() {
		k := iter.Current()
		_ = enc.Encode(map[string]any{"token": strings.TrimPrefix(k.Name, "link:"), "expires": int64(k.Expiration)})
	}
	if err := iter.Err(); err != nil {
		log.Printf("admin: export links: %v", err)
	}
}

// claimSlug gives a depot a short public name for its pickup page.
func (h *Handler) claimSlug(w http.ResponseWriter, r *http.Request) {
	depotID := r.PathValue("id")
	slug := strings.ToLower(strings.TrimSpace(r.FormValue("slug")))
	if slug == "" || len(slug) > 40 {
		http.Error(w, "bad slug", http.StatusBadRequest)
		return
	}
	key := "slug:" + slug
	_, err := h.cfg.DispatchKV.Get(r.Context(), key)
	switch {
	case err == nil:
		http.Error(w, "slug taken", http.StatusConflict)
		return
	case !errors.Is(err, cfkv.ErrNotFound):
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := h.cfg.DispatchKV.Put(r.Context(), key, []byte(depotID), 0); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	h.audit(r.Context(), r, "slug "+slug+" -> "+depotID)
	w.WriteHeader(http.StatusCreated)
}

type noticeRequest struct {
	Text  string    `json:"text"`
	Until time.Time `json:"until"`
}

// postNotice publishes a banner on the tracking pages of a depot.
func (h *Handler) postNotice(w http.ResponseWriter, r *http.Request) {
	depot := r.PathValue("depot")
	var req noticeRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Text == "" {
		http.Error(w, "bad notice", http.StatusBadRequest)
		return
	}
	if !req.Until.After(h.cfg.Clock.Now().Add(time.Hour)) {
		http.Error(w, "a notice must stay up for at least an hour", http.StatusBadRequest)
		return
	}
	if err := h.cfg.TrackingKV.PutAt(r.Context(), "notice:"+depot, []byte(req.Text), req.Until.UnixMilli()); err != nil { // EXPECT kvttl
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	h.audit(r.Context(), r, "notice "+depot)
	w.WriteHeader(http.StatusNoContent)
}

// capacity returns a depot day's raw capacity record.
func (h *Handler) capacity(w http.ResponseWriter, r *http.Request) {
	key := "capacity:" + r.PathValue("depot") + ":" + r.PathValue("day")
	resp, err := h.cfg.API.KV.Namespaces.Values.Get(r.Context(), h.cfg.DispatchNS, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(h.cfg.AccountID),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if len(raw) == 0 { // EXPECT kvnull
		writeJSON(w, http.StatusOK, map[string]any{"open": false})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(raw)
}
