// Package rates publishes nightly rates to the edge namespace read by the
// partners' booking widgets, and keeps the published keys in sync.
package rates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"pochard/internal/kv"
	"pochard/internal/opt"
)

// Store is the slice of the edge namespace this package needs.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, o kv.PutOptions) error
	PutPairs(ctx context.Context, pairs []kv.Pair) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, o kv.ListOptions) (kv.Page, error)
}

// Source is the rate engine.
type Source interface {
	Hotels(ctx context.Context) ([]string, error)
	Nightly(ctx context.Context, hotelID string, from time.Time, nights int) ([]Rate, error)
}

// Rate is one published nightly rate.
type Rate struct {
	HotelID  string  `json:"hotel_id"`
	RoomType string  `json:"room_type"`
	Night    string  `json:"night"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Version  int     `json:"v"`
}

// Key is the edge key of a rate.
func (r Rate) Key() string { return "rates:" + r.HotelID + ":" + r.RoomType + ":" + r.Night }

const (
	horizon      = 365
	publishBatch = 20_000 // EXPECT kvlimits
	publishTTL   = 26 * time.Hour
)

// Publisher runs once per scheduler tick.
type Publisher struct {
	Store  Store
	Source Source

	mu    sync.Mutex
	views map[string]int
}

// NewPublisher returns a publisher.
func NewPublisher(store Store, src Source) *Publisher {
	return &Publisher{Store: store, Source: src, views: make(map[string]int)}
}

// RecordView counts a widget view reported by the edge log tail.
func (p *Publisher) RecordView(hotelID string) {
	p.mu.Lock()
	p.views[hotelID]++
	p.mu.Unlock()
}

// OnTick publishes every hotel's rates for the next year.
func (p *Publisher) OnTick(ctx context.Context, at time.Time) error {
	hotels, err := p.Source.Hotels(ctx)
	if err != nil {
		return err
	}
	var pairs []kv.Pair
	manifest := make(map[string]int, len(hotels))
	for _, h := range hotels {
		rs, err := p.Source.Nightly(ctx, h, at, horizon)
		if err != nil {
			slog.Warn("rate engine", "hotel", h, "err", err)
			continue
		}
		for _, r := range rs {
			raw, _ := json.Marshal(r)
			pairs = append(pairs, kv.Pair{Key: r.Key(), Value: raw, ExpirationTTL: opt.Seconds(publishTTL)})
		}
		manifest[h] = len(rs)
		doc, _ := json.Marshal(manifest)
		if err := p.Store.Put(ctx, "rates:manifest", doc, kv.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
		if err := p.appendChangelog(ctx, h, fmt.Sprintf("%s published %d nights", at.Format(time.RFC3339), len(rs))); err != nil {
			slog.Warn("changelog", "hotel", h, "err", err)
		}
	}
	for start := 0; start < len(pairs); start += publishBatch {
		end := min(start+publishBatch, len(pairs))
		if err := p.Store.PutPairs(ctx, pairs[start:end]); err != nil {
			return err
		}
	}
	p.flushViews(ctx)
	return p.Store.Put(ctx, "rates:published-at", []byte(at.UTC().Format(time.RFC3339)), kv.PutOptions{})
}

func (p *Publisher) flushViews(ctx context.Context) {
	p.mu.Lock()
	snapshot := p.views
	p.views = make(map[string]int, len(snapshot))
	p.mu.Unlock()
	for hotel, n := range snapshot {
		_ = p.Store.Put(ctx, "views:"+hotel, []byte(fmt.Sprint(n)), kv.PutOptions{TTL: opt.Ptr(48 * time.Hour)}) // EXPECT kvcounter
	}
}

func (p *Publisher) appendChangelog(ctx context.Context, hotelID, line string) error {
	key := "rates:changelog:" + hotelID
	old, err := p.Store.Get(ctx, key)
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	next := string(old) + line + "\n"
	return p.Store.Put(ctx, key, []byte(next), kv.PutOptions{TTL: opt.Ptr(30 * 24 * time.Hour)}) // EXPECT kvrace
}

// Preview writes an unpublished rate so revenue managers can check it
// in the widget before the next tick.
func (p *Publisher) Preview(ctx context.Context, r Rate) error {
	raw, _ := json.Marshal(r)
	return p.Store.Put(ctx, "preview:"+r.Key(), raw, kv.PutOptions{TTL: opt.Ptr(30 * time.Second)})
}

// Baseline is the hotel's public "from" price.
type Baseline struct {
	From     float64 `json:"from"`
	Currency string  `json:"currency"`
}

// BaselineFor reads a hotel's baseline, computing it on a miss.
func (p *Publisher) BaselineFor(ctx context.Context, hotelID string, compute func() Baseline) (Baseline, error) {
	key := "rates:baseline:" + hotelID
	raw, err := p.Store.Get(ctx, key)
	switch {
	case errors.Is(err, kv.ErrNotFound):
		b := compute()
		out, _ := json.Marshal(b)
		return b, p.Store.Put(ctx, key, out, kv.PutOptions{TTL: opt.Ptr(6 * time.Hour)})
	case err != nil:
		return Baseline{}, err
	}
	var b Baseline
	return b, json.Unmarshal(raw, &b)
}

// Currency reports the currency of a hotel's baseline for the widget.
func (p *Publisher) Currency(ctx context.Context, hotelID string) string {
	raw, _ := p.Store.Get(ctx, "rates:baseline:"+hotelID) // EXPECT kvnull
	var b Baseline
	_ = json.Unmarshal(raw, &b)
	return b.Currency
}

// PublishNowHandler lets a revenue manager force a publish from the
// extranet.
type PublishNowHandler struct {
	Publisher *Publisher
}

func (h PublishNowHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	if err := h.Publisher.OnTick(r.Context(), at); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	by := r.Header.Get("X-Extranet-User")
	_ = h.Publisher.Store.Put(r.Context(), "rates:last-manual-publish", []byte(by), kv.PutOptions{}) // EXPECT kvhotkey
	w.WriteHeader(http.StatusNoContent)
}
