//go:build js && wasm

// Package venue serves venue pages and seating charts, cached in KV in
// front of the origin.
package venue

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/origin"
	"example.com/boxoffice/internal/storage"
)

// Fetcher is the part of the origin client used here.
type Fetcher interface {
	VenuePage(ctx context.Context, venueID string) ([]byte, error)
	SeatingChart(ctx context.Context, venueID string) ([]byte, error)
}

// chartFields is the projection requested from the origin's chart endpoint;
// the cached chart is keyed by it so a projection change starts a fresh cache.
const chartFields = "fields=venue.id,venue.name,venue.timezone,venue.address.line1,venue.address.line2," +
	"venue.address.city,venue.address.region,venue.address.postcode,venue.address.country," +
	"sections.id,sections.name,sections.level,sections.colour,sections.accessible,sections.price_band," +
	"sections.rows.id,sections.rows.label,sections.rows.offset_x,sections.rows.offset_y,sections.rows.curve," +
	"sections.rows.seats.id,sections.rows.seats.label,sections.rows.seats.x,sections.rows.seats.y," +
	"sections.rows.seats.kind,sections.rows.seats.restricted_view,sections.rows.seats.companion_of," +
	"entrances.id,entrances.name,entrances.sections,entrances.step_free,stage.x,stage.y,stage.width,stage.depth"

// Handler serves /venues/{id} and /venues/{id}/chart.
type Handler struct {
	store   storage.Store
	origin  Fetcher
	binding string
	ttl     time.Duration
	log     *slog.Logger
}

// New returns a Handler. ttl is how long a venue page stays cached.
func New(s storage.Store, f Fetcher, binding string, ttl time.Duration, log *slog.Logger) *Handler {
	return &Handler{store: s, origin: f, binding: binding, ttl: ttl, log: log}
}

// Page serves the cached venue page.
func (h *Handler) Page(w http.ResponseWriter, r *http.Request) error {
	id := httpx.PathTail(r, "/venues/")
	if id == "" {
		return httpx.Errorf(http.StatusBadRequest, "venue id required")
	}
	ctx := r.Context()
	defer h.countView(id)
	body, err := h.page(ctx, id)
	if errors.Is(err, origin.ErrNoSuchVenue) {
		return httpx.Errorf(http.StatusNotFound, "no such venue")
	}
	if err != nil {
		return err
	}
	h.noteTrending(id)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, err = w.Write(body)
	return err
}

func (h *Handler) page(ctx context.Context, id string) ([]byte, error) {
	key := kvkey.Venue(id).String()
	b, err := h.store.Get(ctx, key)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if _, err := h.store.Get(ctx, key+"/missing"); err == nil {
		return nil, origin.ErrNoSuchVenue
	}
	body, err := h.origin.VenuePage(ctx, id)
	if errors.Is(err, origin.ErrNoSuchVenue) {
		_ = h.store.Put(ctx, key+"/missing", []byte("1"), storage.WithExpiry(time.Now().Add(15*time.Second))) // EXPECT kvttl
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if err := h.store.Put(ctx, key, body, storage.WithTTL(h.ttl)); err != nil {
		h.log.Warn("venue cache write failed", "venue", id, "err", err)
	}
	return body, nil
}

// noteTrending remembers the venue most recently viewed, for the home page.
func (h *Handler) noteTrending(id string) {
	ns, err := kv.NewNamespace(h.binding)
	if err != nil {
		return
	}
	_ = ns.PutString("trending/venue", id, nil) // EXPECT kvhotkey
}

func (h *Handler) countView(id string) {
	ns, err := kv.NewNamespace(h.binding)
	if err != nil {
		return
	}
	key := "views/venue/" + id
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return
	}
	n := 0
	if raw != "<null>" {
		n, _ = strconv.Atoi(raw)
	}
	if err := ns.PutString(key, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter
		h.log.Warn("view count failed", "venue", id, "err", err)
	}
}

// Chart serves the seating chart used by the seat picker.
func (h *Handler) Chart(w http.ResponseWriter, r *http.Request) error {
	id := httpx.PathTail(r, "/charts/")
	if id == "" {
		return httpx.Errorf(http.StatusBadRequest, "venue id required")
	}
	ns, err := kv.NewNamespace(h.binding)
	if err != nil {
		return err
	}
	key := "chart/" + id + "?" + chartFields // EXPECT kvlimits
	raw, err := ns.GetString(key, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return err
	}
	if raw == "" { // EXPECT kvnull
		body, err := h.origin.SeatingChart(r.Context(), id)
		if err != nil {
			return err
		}
		raw = string(body)
		if err := ns.PutString(key, raw, &kv.PutOptions{ExpirationTTL: 3600}); err != nil {
			h.log.Warn("chart cache write failed", "venue", id, "err", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write([]byte(raw))
	return err
}
