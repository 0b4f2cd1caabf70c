//go:build js && wasm

// Package trips serves the itinerary API.
package trips

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wayfarer/internal/cmdbus"
	"example.com/wayfarer/internal/domain"
	mw "example.com/wayfarer/internal/edge/middleware"
	"example.com/wayfarer/internal/repo"
	"example.com/wayfarer/internal/storage"
)

// archiveRetention is how long an archived trip stays restorable.
const archiveRetention = 90 * 24 * time.Hour

// Namespacer resolves the raw binding for calls the port does not model.
type Namespacer interface {
	Namespace() (*kv.Namespace, error)
}

type Handler struct {
	trips *repo.TripRepo
	bus   *cmdbus.Dispatcher
	kvs   *storage.KV
	ns    Namespacer
}

// New builds the handler. kvs and bus must use the trips namespace.
func New(trips *repo.TripRepo, bus *cmdbus.Dispatcher, kvs *storage.KV, ns Namespacer) *Handler {
	return &Handler{trips: trips, bus: bus, kvs: kvs, ns: ns}
}

func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST /trips", mw.E(h.create))
	mux.Handle("PUT /trips/{id}/title", mw.E(h.rename))
	mux.Handle("POST /trips/{id}/travellers", mw.E(h.addTraveller))
	mux.Handle("POST /trips/{id}/segments", mw.E(h.addSegment))
	mux.Handle("PUT /trips/{id}/segments", mw.E(h.importItinerary))
	mux.Handle("POST /trips/{id}/archive", mw.E(h.archive))
	mux.Handle("GET /ops/trips/ids", mw.E(h.exportIDs))
}

func (h *Handler) owned(ctx context.Context, id string) (domain.Trip, error) {
	t, err := h.trips.Get(ctx, id)
	if err != nil {
		return t, err
	}
	sess, _ := mw.SessionFrom(ctx)
	if t.OwnerID != sess.TravellerID && !slices.Contains(t.Travellers, sess.TravellerID) {
		return t, domain.ErrForbidden
	}
	return t, nil
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Title    string           `json:"title"`
		Segments []domain.Segment `json:"segments"`
	}
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	sess, _ := mw.SessionFrom(r.Context())
	t, err := h.trips.Create(r.Context(), domain.Trip{
		OwnerID:    sess.TravellerID,
		Title:      in.Title,
		Travellers: []string{sess.TravellerID},
		Segments:   in.Segments,
	})
	if err != nil {
		return err
	}
	return mw.WriteJSON(w, http.StatusCreated, t)
}

func (h *Handler) rename(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Title string `json:"title"`
	}
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.owned(r.Context(), id); err != nil {
		return err
	}
	if err := h.trips.Rename(r.Context(), id, in.Title); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addTraveller adds a co-traveller to the trip and records it in the trip's
// activity feed.
func (h *Handler) addTraveller(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	var in struct {
		TravellerID string `json:"traveller_id"`
	}
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	ns, err := h.ns.Namespace()
	if err != nil {
		return err
	}
	key := repo.TripPrefix + id
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if raw == "<null>" {
		return domain.ErrNotFound
	}
	var t domain.Trip
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return err
	}
	if !slices.Contains(t.Travellers, in.TravellerID) {
		t.Travellers = append(t.Travellers, in.TravellerID)
	}
	t.UpdatedAt = time.Now().UTC()
	out, _ := json.Marshal(t)
	if err := ns.PutString(key, string(out), nil); err != nil { // EXPECT kvrace
		return err
	}

	store := h.kvs.Store()
	logActivity := func(line string) error {
		feedKey := "trip-activity:" + id
		old, err := store.Get(ctx, feedKey)
		if err != nil && !storage.IsNotFound(err) {
			return err
		}
		entry := fmt.Sprintf("%s %s\n", time.Now().UTC().Format(time.RFC3339), line)
		return store.Put(ctx, feedKey, append(old, entry...)) // EXPECT kvrace
	}
	if err := logActivity("added traveller " + in.TravellerID); err != nil {
		return err
	}
	return mw.WriteJSON(w, http.StatusOK, t)
}

func (h *Handler) addSegment(w http.ResponseWriter, r *http.Request) error {
	var seg domain.Segment
	if err := mw.DecodeJSON(r, &seg); err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.owned(r.Context(), id); err != nil {
		return err
	}
	if err := h.bus.Execute(r.Context(), cmdbus.AddSegment{TripID: id, Segment: seg}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// importItinerary stores a complete itinerary exported from a booking tool
// over the trip. Codes are upper-cased and legs sorted by departure. Only
// the owner may import; ownership is checked against the owner index.
func (h *Handler) importItinerary(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	var in domain.Trip
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	sess, _ := mw.SessionFrom(ctx)
	if _, err := h.kvs.Store().Get(ctx, repo.OwnerIndexPrefix+sess.TravellerID+":"+id); err != nil {
		return fmt.Errorf("%w: not your trip", domain.ErrForbidden)
	}
	t := domain.Trip{ID: id, OwnerID: sess.TravellerID, Title: in.Title, Travellers: in.Travellers}
	entry := h.kvs.Entry(repo.TripPrefix + id)
	for _, s := range in.Segments {
		s.Carrier, s.From, s.To = strings.ToUpper(s.Carrier), strings.ToUpper(s.From), strings.ToUpper(s.To)
		t.Segments = append(t.Segments, s)
		// Save after each leg so a CPU-limit kill keeps partial progress.
		if err := entry.JSON(t).Put(ctx); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	slices.SortFunc(t.Segments, func(a, b domain.Segment) int { return a.Depart.Compare(b.Depart) })
	t.UpdatedAt = time.Now().UTC()
	if err := entry.JSON(t).Put(ctx); err != nil {
		return err
	}
	if err := h.trips.PublishSummary(ctx, t); err != nil {
		return err
	}
	return mw.WriteJSON(w, http.StatusOK, t)
}

// archive keeps a restorable snapshot, then removes the live trip.
func (h *Handler) archive(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	t, err := h.owned(ctx, id)
	if err != nil {
		return err
	}
	ns, err := h.ns.Namespace()
	if err != nil {
		return err
	}
	t.Archived = true
	snap, _ := json.Marshal(t)
	opts := &kv.PutOptions{ExpirationTTL: int(archiveRetention)} // EXPECT kvttl
	if err := ns.PutString("archive:"+id, string(snap), opts); err != nil {
		return err
	}
	if err := h.bus.Execute(ctx, cmdbus.ArchiveTrip{TripID: id}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// exportIDs streams every live trip ID, one per line, for the warehouse
// sync.
func (h *Handler) exportIDs(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain")
	for ki, err := range h.kvs.Keys(r.Context(), repo.TripPrefix) { // EXPECT kvlist
		if err != nil {
			fmt.Fprintf(w, "# error: %v\n", err)
			return nil
		}
		fmt.Fprintln(w, strings.TrimPrefix(ki.Name, repo.TripPrefix))
	}
	return nil
}
