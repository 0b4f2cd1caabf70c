// Package checkout turns a cart into a checkout session: a priced snapshot,
// a stock pre-check and a short payment window.
package checkout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"godwit/internal/cart"
	"godwit/internal/config"
	"godwit/internal/kvstore"
	"godwit/internal/stock"
	"godwit/internal/web"
)

// Session is a checkout in progress.
type Session struct {
	ID         string    `json:"id"`
	CartID     string    `json:"cart_id"`
	Email      string    `json:"email"`
	TotalCents int64     `json:"total_cents"`
	SKUs       []string  `json:"skus"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Hold reserves stock for a session until it expires.
type Hold struct {
	SKUs  []string  `json:"skus"`
	Until time.Time `json:"until"`
}

var sessionCodec kvstore.Codec[Session] = kvstore.JSON[Session]{}

// Handler serves the /checkout routes.
type Handler struct {
	sessions    kvstore.Namespace
	limits      kvstore.Store
	stock       kvstore.Getter
	carts       kvstore.Getter
	payWindow   time.Duration
	maxAttempts int
}

// NewHandler builds the checkout stacks over the SHOP namespace.
func NewHandler(shop kvstore.Namespace, log *slog.Logger, m *kvstore.Metrics, payWindow time.Duration, maxAttempts int) *Handler {
	return &Handler{
		sessions:    kvstore.Stack(shop, kvstore.WithPrefix("checkout:"), kvstore.WithMetrics(m), kvstore.WithLogging(log)),
		limits:      kvstore.Stack(shop, kvstore.WithPrefix("ratelimit:checkout:")),
		stock:       kvstore.Stack(shop, kvstore.WithPrefix(stock.HintPrefix), kvstore.ReadOnly()),
		carts:       kvstore.Stack(shop, kvstore.WithPrefix("cart:"), kvstore.ReadOnly()),
		payWindow:   cmp.Or(payWindow, 20*time.Second),
		maxAttempts: cmp.Or(maxAttempts, 5),
	}
}

// Register adds the checkout routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /checkout", h.start)
	mux.HandleFunc("GET /checkout/{id}", h.show)
	mux.HandleFunc("POST /checkout/{id}/hold", h.hold)
	mux.HandleFunc("POST /checkout/{id}/complete", h.complete)
}

func (h *Handler) start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if ok, err := h.allow(ctx, cmp.Or(r.Header.Get("CF-Connecting-IP"), "unknown")); err != nil || !ok {
		web.Fail(w, r, http.StatusTooManyRequests, err)
		return
	}
	c, err := cart.Lookup(ctx, h.carts, r.FormValue("cart_id"))
	if err != nil || c == nil || len(c.Lines) == 0 {
		web.Fail(w, r, http.StatusConflict, err)
		return
	}
	if short, err := h.checkStock(ctx, c.Lines); err != nil || len(short) > 0 {
		web.JSON(w, http.StatusConflict, map[string]any{"out_of_stock": short})
		return
	}

	s := Session{ID: web.NewID(), CartID: c.ID, Email: r.FormValue("email"), TotalCents: c.Total(),
		ExpiresAt: time.Now().Add(config.CheckoutTTL)}
	for _, l := range c.Lines {
		s.SKUs = append(s.SKUs, l.SKU)
	}
	if err := kvstore.Save(ctx, h.sessions, kvstore.Key(s.ID), s, sessionCodec, config.CheckoutTTL); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	ttl := max(2*h.payWindow, 3*time.Second) // EXPECT kvttl
	if err := h.sessions.Put(ctx, kvstore.Key(s.ID).Child("pending"), s.Email, ttl); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusCreated, s)
}

// allow admits at most maxAttempts checkout starts per IP and minute.
func (h *Handler) allow(ctx context.Context, ip string) (bool, error) {
	key := kvstore.Key("").Child(ip)
	cur, err := h.limits.Get(ctx, key)
	if err != nil {
		return false, err
	}
	n := 0
	if cur != kvstore.Missing {
		if n, err = strconv.Atoi(cur); err != nil {
			return false, fmt.Errorf("rate limit %s: %w", key, err)
		}
	}
	if n >= h.maxAttempts {
		return false, nil
	}
	return true, h.limits.Put(ctx, key, strconv.Itoa(n+1), config.MinTTL) // EXPECT kvcounter
}

type stockResult struct {
	sku   string
	short bool
	err   error
}

// checkStock reads the stock hint of every line concurrently and returns the
// SKUs whose hinted level is below the quantity asked for.
func (h *Handler) checkStock(ctx context.Context, lines []cart.Line) ([]string, error) {
	sem := make(chan struct{}, 6)
	results := make(chan stockResult, len(lines))
	var wg sync.WaitGroup
	for _, l := range lines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			hint, err := kvstore.Load(ctx, h.stock, kvstore.Key(l.SKU), stock.HintCodec)
			results <- stockResult{sku: l.SKU, short: hint.SKU != "" && hint.Level < l.Qty, err: err}
		}()
	}
	wg.Wait()
	close(results)

	var short []string
	var errs []error
	for res := range results {
		errs = append(errs, res.err)
		if res.short {
			short = append(short, res.sku)
		}
	}
	return short, errors.Join(errs...)
}

func (h *Handler) load(w http.ResponseWriter, r *http.Request) (Session, bool) {
	s, err := kvstore.Load(r.Context(), h.sessions, kvstore.Key(r.PathValue("id")), sessionCodec)
	if err != nil || s.ID == "" {
		web.Fail(w, r, http.StatusNotFound, err)
		return s, false
	}
	return s, true
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	s, ok := h.load(w, r)
	if !ok {
		return
	}
	s.ExpiresAt = time.Now().Add(config.CheckoutTTL)
	if err := kvstore.Save(r.Context(), h.sessions, kvstore.Key(s.ID), s, sessionCodec, config.CheckoutTTL); err != nil { // EXPECT kvsession
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusOK, s)
}

func (h *Handler) hold(w http.ResponseWriter, r *http.Request) {
	s, ok := h.load(w, r)
	if !ok {
		return
	}
	hold := Hold{SKUs: s.SKUs, Until: s.ExpiresAt}
	ttl := time.Until(s.ExpiresAt) // EXPECT kvttl
	if err := kvstore.Save(r.Context(), h.sessions, kvstore.Key(s.ID).Child("hold"), hold, kvstore.JSON[Hold]{}, ttl); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusOK, hold)
}

func (h *Handler) complete(w http.ResponseWriter, r *http.Request) {
	s, ok := h.load(w, r)
	if !ok {
		return
	}
	if err := h.sessions.Delete(r.Context(), kvstore.Key(s.ID)); err != nil { // EXPECT kvsession
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusAccepted, map[string]string{"checkout": s.ID, "status": "payment pending"})
}
