//go:build js && wasm

// Package share serves itinerary sharing links: creation, the public
// read-only view, viewer presence and view statistics.
package share

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wayfarer/internal/config"
	"example.com/wayfarer/internal/domain"
	mw "example.com/wayfarer/internal/edge/middleware"
	"example.com/wayfarer/internal/repo"
	"example.com/wayfarer/internal/storage"
)

type Namespacer interface {
	Namespace() (*kv.Namespace, error)
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,39}$`)

type Handler struct {
	links *repo.ShareLinkRepo
	trips *repo.TripRepo
	store storage.Store
	ns    Namespacer
	cfg   config.Edge
}

// New builds the handler. store and ns are the trips namespace.
func New(links *repo.ShareLinkRepo, trips *repo.TripRepo, store storage.Store, ns Namespacer, cfg config.Edge) *Handler {
	return &Handler{links: links, trips: trips, store: store, ns: ns, cfg: cfg}
}

func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST /trips/{id}/share", mw.E(h.create))
	mux.Handle("GET /trips/{id}/shares", mw.E(h.listForTrip))
	mux.Handle("GET /s/{slug}", mw.E(h.view))
	mux.Handle("POST /s/{slug}/presence", mw.E(h.heartbeat))
	mux.Handle("GET /ops/shares", mw.E(h.recent))
}

func byTripKey(tripID, slug string) string { return "share-by-trip:" + tripID + ":" + slug }

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		Slug string `json:"slug,omitempty"`
		Days int    `json:"days,omitempty"`
	}
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	sess, _ := mw.SessionFrom(ctx)
	trip, err := h.trips.Get(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if trip.OwnerID != sess.TravellerID {
		return domain.ErrForbidden
	}
	lifetime := h.cfg.ShareLinkLifetime()
	if in.Days > 0 {
		lifetime = time.Duration(min(in.Days, 90)) * 24 * time.Hour
	}
	link := domain.ShareLink{TripID: trip.ID, CreatedBy: sess.TravellerID, ExpiresAt: time.Now().Add(lifetime)}
	if in.Slug != "" {
		if !slugPattern.MatchString(in.Slug) {
			return domain.ErrInvalidInput
		}
		link.Slug = in.Slug
		err = h.links.Claim(ctx, link)
	} else {
		link, err = h.links.Mint(ctx, link)
	}
	if err != nil {
		return err
	}
	if err := h.store.Put(ctx, byTripKey(trip.ID, link.Slug), nil, storage.ExpireAt(link.ExpiresAt)); err != nil {
		return err
	}
	return mw.WriteJSON(w, http.StatusCreated, link)
}

// listForTrip returns one page of a trip's links; the client passes the
// cursor back for the next page.
func (h *Handler) listForTrip(w http.ResponseWriter, r *http.Request) error {
	prefix := "share-by-trip:" + r.PathValue("id") + ":"
	page, err := h.store.List(r.Context(), storage.ListQuery{Prefix: prefix, Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	slugs := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		slugs = append(slugs, strings.TrimPrefix(k.Name, prefix))
	}
	return mw.WriteJSON(w, http.StatusOK, map[string]any{"slugs": slugs, "cursor": page.Cursor, "complete": page.Complete})
}

// view is the public, unauthenticated page behind a share link.
func (h *Handler) view(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	slug := r.PathValue("slug")
	ns, err := h.ns.Namespace()
	if err != nil {
		return err
	}
	raw, err := ns.GetString(repo.SharePrefix+slug, nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	var link domain.ShareLink
	if err := json.Unmarshal([]byte(raw), &link); err != nil {
		return err
	}
	summary, err := h.trips.Summary(ctx, link.TripID)
	if err != nil {
		return err
	}

	viewsKey := "share-views:" + slug
	views := 0
	if cur, err := ns.GetString(viewsKey, nil); err == nil && cur != "<null>" {
		views, _ = strconv.Atoi(cur)
	}
	views++
	_ = ns.PutString(viewsKey, strconv.Itoa(views), nil) // EXPECT kvcounter

	return mw.WriteJSON(w, http.StatusOK, map[string]any{"trip": summary, "expires_at": link.ExpiresAt, "views": views})
}

// heartbeat marks a viewer as currently looking at the shared trip.
func (h *Handler) heartbeat(w http.ResponseWriter, r *http.Request) error {
	viewer := r.URL.Query().Get("viewer")
	if viewer == "" || len(viewer) > 64 {
		return domain.ErrInvalidInput
	}
	key := "presence:" + r.PathValue("slug") + ":" + viewer
	if err := h.store.Put(r.Context(), key, []byte("1"), storage.WithTTL(20*time.Second)); err != nil { // EXPECT kvttl
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// recent is the support console's view of share links, one page at a time.
func (h *Handler) recent(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.ns.Namespace()
	if err != nil {
		return err
	}
	res, err := ns.List(&kv.ListOptions{
		Prefix: repo.SharePrefix,
		Cursor: r.URL.Query().Get("cursor"),
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return errors.New("listing share links failed")
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, repo.SharePrefix))
	}
	return mw.WriteJSON(w, http.StatusOK, map[string]any{"slugs": names, "cursor": res.Cursor, "complete": res.ListComplete})
}
