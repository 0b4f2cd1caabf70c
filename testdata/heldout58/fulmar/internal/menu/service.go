// Package menu publishes venue menus to KV and serves them to the API.
package menu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"

	"fulmar/internal/keys"
	"fulmar/internal/kvstore"
	"fulmar/internal/ttl"
)

// Item is one dish on a menu.
type Item struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	PriceCts int      `json:"price_cents"`
	Allergen []string `json:"allergens,omitempty"`
	SoldOut  bool     `json:"sold_out"`
}

// Doc is the menu document stored per venue and locale.
type Doc struct {
	Venue     keys.Venue `json:"venue"`
	Locale    string     `json:"locale"`
	Sections  []Section  `json:"sections"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Section groups items under a heading.
type Section struct {
	Title string `json:"title"`
	Items []Item `json:"items"`
}

// Service reads and edits menus.
type Service struct {
	store    kvstore.Store
	upstream string
	http     *http.Client
}

// New stacks the menu layers on base.
func New(base kvstore.Store, upstream string) *Service {
	return &Service{
		store:    kvstore.Stack(base, kvstore.Cached(20*time.Second), kvstore.Namespaced("menu"), kvstore.Retry(3)),
		upstream: upstream,
		http:     &http.Client{Timeout: 5 * time.Second},
	}
}

// Routes mounts the menu endpoints.
func (s *Service) Routes(r chi.Router) {
	r.Get("/venues/{venue}/menu/{locale}", s.handleGet)
	r.Post("/venues/{venue}/items/{item}/sold-out", s.handleSoldOut)
	r.Post("/venues/{venue}/menu/{locale}/refresh", s.handleRefresh)
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) {
	key := keys.Menu{Venue: keys.Venue(chi.URLParam(r, "venue")), Locale: chi.URLParam(r, "locale")}
	doc, err := s.Get(r.Context(), key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

// Get returns the menu, loading it from the POS and caching it on a miss.
func (s *Service) Get(ctx context.Context, key keys.Menu) (*Doc, error) {
	k := fmt.Sprint(key)
	raw, err := s.store.Get(ctx, k)
	if err == nil {
		var doc Doc
		if err := json.Unmarshal(raw, &doc); err == nil {
			return &doc, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	body, hdr, err := s.fetch(ctx, key)
	if err != nil {
		return nil, err
	}
	life, ok := ttl.MaxAge(hdr)
	life = max(lo.Ternary(ok, life, 10*time.Minute), ttl.Floor)
	if err := kvstore.PutFor(ctx, s.store, k, body, life); err != nil {
		return nil, err
	}
	var doc Doc
	return &doc, json.Unmarshal(body, &doc)
}

func (s *Service) fetch(ctx context.Context, key keys.Menu) ([]byte, http.Header, error) {
	u := fmt.Sprintf("%s/v1/venues/%[2]s/menus/%[3]s?locale=%[3]s", s.upstream, string(key.Venue), key.Locale)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	res, err := s.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable {
		_ = s.store.Put(ctx, kvstore.Entry{
			Key:   "unavailable:" + string(key.Venue),
			Value: []byte(res.Status),
			TTL:   kvstore.Seconds(ttl.RetryAfter(res.Header)), // EXPECT kvttl
		})
		return nil, nil, fmt.Errorf("pos: %s", res.Status)
	}
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("pos: %s", res.Status)
	}
	body, err := io.ReadAll(res.Body)
	return body, res.Header, err
}

func (s *Service) handleRefresh(w http.ResponseWriter, r *http.Request) {
	key := keys.Menu{Venue: keys.Venue(chi.URLParam(r, "venue")), Locale: chi.URLParam(r, "locale")}
	body, hdr, err := s.fetch(r.Context(), key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	life := 30 * time.Minute
	if exp, ok := ttl.Expires(hdr); ok {
		life = time.Until(exp)
	}
	if err := kvstore.PutFor(r.Context(), s.store, key.String(), body, life); err != nil { // EXPECT kvttl
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) handleSoldOut(w http.ResponseWriter, r *http.Request) {
	venue := keys.Venue(chi.URLParam(r, "venue"))
	item := chi.URLParam(r, "item")
	soldOut := r.URL.Query().Get("value") != "false"
	if err := s.SetSoldOut(r.Context(), venue, item, soldOut); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SetSoldOut flips an item's availability in every locale of a venue's menu.
func (s *Service) SetSoldOut(ctx context.Context, venue keys.Venue, itemID string, soldOut bool) error {
	for locale := range slices.Values([]string{"en", "fr", "de"}) {
		k := keys.Menu{Venue: venue, Locale: locale}.String()
		raw, err := s.store.Get(ctx, k)
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		var doc Doc
		if err := json.Unmarshal(raw, &doc); err != nil {
			return err
		}
		for si := range doc.Sections {
			for ii := range doc.Sections[si].Items {
				if doc.Sections[si].Items[ii].ID == itemID {
					doc.Sections[si].Items[ii].SoldOut = soldOut
				}
			}
		}
		doc.UpdatedAt = time.Now()
		out := lo.Must(json.Marshal(doc))
		if err := s.store.Put(ctx, kvstore.Entry{Key: k, Value: out}); err != nil { // EXPECT kvrace
			return err
		}
	}
	return nil
}

// Publish writes a venue's menus for all locales in one bulk request.
func (s *Service) Publish(ctx context.Context, venue keys.Venue, docs map[string]Doc) error {
	locales := lo.Uniq(lo.Keys(docs))
	slices.Sort(locales)
	entries := lo.Map(locales, func(loc string, _ int) kvstore.Entry {
		d := docs[loc]
		d.UpdatedAt = time.Now()
		return kvstore.Entry{Key: keys.Menu{Venue: venue, Locale: loc}.String(), Value: lo.Must(json.Marshal(d))}
	})
	return s.store.PutMany(ctx, entries)
}
