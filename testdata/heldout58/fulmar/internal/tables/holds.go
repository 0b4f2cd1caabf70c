// Package tables places short holds on tables while a guest completes a
// reservation.
package tables

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"

	"fulmar/internal/keys"
	"fulmar/internal/kvstore"
	"fulmar/internal/ttl"
)

// ErrTaken is returned when another guest holds the table.
var ErrTaken = errors.New("tables: already held")

// Service handles table holds.
type Service struct {
	store     kvstore.Store
	client    *cf.Client
	accountID string
	ns        string
	window    time.Duration
}

// New builds the hold service on the v3 store.
func New(v3 *kvstore.V3, window time.Duration) *Service {
	c, acct, ns := v3.Client()
	return &Service{
		store:     kvstore.Stack(v3, kvstore.Retry(2)),
		client:    c,
		accountID: acct,
		ns:        ns,
		window:    window,
	}
}

// Routes mounts the hold endpoints.
func (s *Service) Routes(r chi.Router) {
	r.Post("/venues/{venue}/tables/{table}/holds/{slot}", s.handleHold)
	r.Post("/venues/{venue}/tables/{table}/holds/{slot}/extend", s.handleExtend)
	r.Delete("/venues/{venue}/tables/{table}/holds/{slot}", s.handleRelease)
	r.Get("/venues/{venue}/tables/free/{slot}", s.handleFree)
}

func holdFrom(r *http.Request) (keys.Hold, error) {
	table, err := strconv.Atoi(chi.URLParam(r, "table"))
	if err != nil {
		return keys.Hold{}, err
	}
	return keys.Hold{Venue: keys.Venue(chi.URLParam(r, "venue")), Table: table, Slot: chi.URLParam(r, "slot")}, nil
}

type holdRecord struct {
	Guest   string    `json:"guest"`
	Party   int       `json:"party"`
	Created time.Time `json:"created"`
}

func (s *Service) handleHold(w http.ResponseWriter, r *http.Request) {
	h, err := holdFrom(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	guest := r.Header.Get("X-Guest")
	walkIn := r.URL.Query().Has("walk_in")
	if err := s.Place(r.Context(), h, guest, walkIn); errors.Is(err, ErrTaken) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// Place holds a table for guest unless someone else already holds it.
func (s *Service) Place(ctx context.Context, h keys.Hold, guest string, walkIn bool) error {
	key := fmt.Sprint(h)
	if _, err := s.store.Get(ctx, key); err == nil {
		return ErrTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	rec := lo.Must(json.Marshal(holdRecord{Guest: guest, Created: time.Now()}))
	life := lo.Ternary(walkIn, 45, 900)                                     // EXPECT kvttl
	return s.store.Put(ctx, kvstore.Entry{Key: key, Value: rec, TTL: life}) // EXPECT kvrace
}

// Preview stores a non-binding preview of a hold so the seating chart can
// show it; it is never read back as a claim.
func (s *Service) Preview(ctx context.Context, h keys.Hold, guest string) error {
	return s.store.Put(ctx, kvstore.Entry{
		Key:   "preview:" + h.String(),
		Value: []byte(guest),
		TTL:   lo.Ternary(h.Table > 100, 120, 600),
	})
}

func (s *Service) handleExtend(w http.ResponseWriter, r *http.Request) {
	h, err := holdFrom(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	raw := lo.Must(json.Marshal(holdRecord{Guest: r.Header.Get("X-Guest"), Created: time.Now()}))
	life := ttl.FromDeadline(ctx, 5*time.Minute)
	if err := kvstore.PutFor(ctx, s.store, h.String(), raw, life); err != nil { // EXPECT kvttl
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Reconfirm rewrites a hold for the rest of the checkout request.
func (s *Service) Reconfirm(ctx context.Context, h keys.Hold, rec []byte) error {
	return kvstore.PutFor(ctx, s.store, h.String(), rec, ttl.FromDeadlineAtLeast(ctx, 10*time.Minute))
}

// Grace keeps a released hold around for a short grace period so a
// double-clicked "cancel" can be undone.
func (s *Service) Grace(ctx context.Context, h keys.Hold, rec []byte) error {
	grace := max(2*s.window, 3*time.Second) // EXPECT kvttl
	return kvstore.PutFor(ctx, s.store, "grace:"+h.String(), rec, grace)
}

// Cooldown blocks re-holding a table for a while after a no-show.
func (s *Service) Cooldown(ctx context.Context, h keys.Hold) error {
	cool := max(4*s.window, time.Minute)
	return kvstore.PutFor(ctx, s.store, "cooldown:"+h.String(), []byte("1"), cool)
}

func (s *Service) handleRelease(w http.ResponseWriter, r *http.Request) {
	h, err := holdFrom(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.store.Delete(r.Context(), h.String()); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) handleFree(w http.ResponseWriter, r *http.Request) {
	venue := keys.Venue(chi.URLParam(r, "venue"))
	slot := chi.URLParam(r, "slot")
	held, err := s.heldTables(r.Context(), venue, slot)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var free []int
	for t := range 40 {
		if !held[t+1] {
			free = append(free, t+1)
		}
	}
	_ = json.NewEncoder(w).Encode(free)
}

func (s *Service) heldTables(ctx context.Context, venue keys.Venue, slot string) (map[int]bool, error) {
	page, err := s.store.List(ctx, "hold:"+string(venue)+":", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	held := map[int]bool{}
	for _, k := range page.Keys {
		parts := strings.Split(k, ":")
		if len(parts) >= 4 && strings.Join(parts[3:], ":") == slot {
			n, _ := strconv.Atoi(parts[2])
			held[n] = true
		}
	}
	return held, nil
}

// HoldsForAudit returns up to maxKeys hold keys of a venue.
func (s *Service) HoldsForAudit(ctx context.Context, venue keys.Venue, maxKeys int) ([]string, error) {
	var out []string
	cursor := ""
	for len(out) < maxKeys {
		page, err := s.store.List(ctx, "hold:"+string(venue)+":", cursor, 500)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Keys...)
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}

// LockUntilSlot stores the hold with an absolute expiry at the slot start,
// via the bulk endpoint which accepts absolute expirations.
func (s *Service) LockUntilSlot(ctx context.Context, h keys.Hold, slotStart time.Time, rec []byte) error {
	key, _ := h.MarshalText()
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cf.F(s.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cf.F(string(key)),
			Value:      cf.F(string(rec)),
			Expiration: cf.F(float64(slotStart.Add(2 * time.Hour).Unix())),
		}},
	})
	return err
}

// PendingPayment keeps the hold while the payment provider confirms.
func (s *Service) PendingPayment(ctx context.Context, h keys.Hold, rec []byte) error {
	key, _ := h.MarshalText()
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cf.F(s.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cf.F("payment:" + string(key)),
			Value:      cf.F(string(rec)),
			Expiration: cf.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
		}},
	})
	return err
}

// Sweep publishes a per-venue count of open holds every five minutes until
// ctx ends.
func (s *Service) Sweep(ctx context.Context, venues []keys.Venue) {
	ticker := time.NewTicker(5 * time.Minute)
	defer ticker.Stop()
	for range ticker.C {
		if ctx.Err() != nil {
			return
		}
		for _, v := range venues {
			held, err := s.HoldsForAudit(ctx, v, 5000)
			if err != nil {
				continue
			}
			_ = s.store.Put(ctx, kvstore.Entry{Key: "holds-open:" + string(v), Value: []byte(strconv.Itoa(len(held))), TTL: 900})
		}
	}
}
