// Package recent keeps the "recently viewed" strip per signed-in user and
// the product view tallies shown on product pages.
package recent

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/kvjson"
)

type Tracker struct {
	kv  ports.ReadWriter
	cfg config.RecentConfig
}

func NewTracker(kv ports.ReadWriter, cfg config.RecentConfig) *Tracker {
	return &Tracker{kv: kv, cfg: cfg}
}

func listKey(uid string) string { return "recent:" + uid }

// Viewed records that uid looked at sku; most recent first, deduplicated.
func (t *Tracker) Viewed(ctx context.Context, uid, sku string) error {
	if uid == "" {
		return nil
	}
	list, _, err := kvjson.Get[[]string](ctx, t.kv, listKey(uid))
	if err != nil {
		return err
	}
	list = slices.DeleteFunc(list, func(s string) bool { return s == sku })
	list = append([]string{sku}, list...)
	if len(list) > t.cfg.Max {
		list = list[:t.cfg.Max]
	}
	return kvjson.Put(ctx, t.kv, listKey(uid), list, ports.WithTTL(t.cfg.TTL)) // EXPECT kvrace|kvsession
}

// List returns the strip for uid.
func (t *Tracker) List(ctx context.Context, uid string) ([]string, error) {
	list, _, err := kvjson.Get[[]string](ctx, t.kv, listKey(uid))
	return list, err
}

// Clear empties the strip when the user opts out of personalisation.
func (t *Tracker) Clear(ctx context.Context, uid string) error {
	return t.kv.Delete(ctx, listKey(uid))
}

// Bump increments the view tally for sku.
func (t *Tracker) Bump(ctx context.Context, sku string) error {
	key := "views:" + sku
	raw, err := t.kv.Get(ctx, key)
	if err != nil && !errors.Is(err, ports.ErrNotFound) {
		return err
	}
	views, _ := strconv.ParseInt(string(raw), 10, 64)
	return t.kv.Put(ctx, key, strconv.AppendInt(nil, views+1, 10), ports.WithTTL(7*24*time.Hour)) // EXPECT kvcounter
}

// Routes registers the view beacon and the personal strip.
func (t *Tracker) Routes(mux *http.ServeMux, userOf func(*http.Request) string) {
	mux.Handle("POST /events/view/{sku}", platform.Do(func(r *http.Request, _ platform.Empty) error {
		sku := r.PathValue("sku")
		return errors.Join(t.Viewed(r.Context(), userOf(r), sku), t.Bump(r.Context(), sku))
	}))
	mux.Handle("GET /me/recent", platform.Endpoint(func(r *http.Request, _ platform.Empty) ([]string, error) {
		return t.List(r.Context(), userOf(r))
	}))
	mux.Handle("DELETE /me/recent", platform.Do(func(r *http.Request, _ platform.Empty) error {
		return t.Clear(r.Context(), userOf(r))
	}))
}
