// Package httpapi exposes the storefront JSON API.
package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"example.com/storefront/internal/auth"
	"example.com/storefront/internal/cart"
	"example.com/storefront/internal/checkout"
	"example.com/storefront/internal/coupon"
	"example.com/storefront/internal/inventory"
	"example.com/storefront/internal/keys"
	"example.com/storefront/internal/kvstore"
	"example.com/storefront/internal/orders"
	"example.com/storefront/internal/ratelimit"
	"example.com/storefront/internal/search"
)

// SaveFunc stores a raw value; it is usually a kvstore.Store's Put.
type SaveFunc func(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error

// Deps is everything the handlers need.
type Deps struct {
	Log       *slog.Logger
	Store     kvstore.Store
	Save      SaveFunc
	Carts     *cart.Service
	Sessions  *checkout.Sessions
	Placer    *checkout.Placer
	Coupons   *coupon.Service
	Orders    *orders.Service
	Tracking  *orders.TrackingReader
	Search    *search.Service
	OTP       *auth.OTPService
	Tokens    *auth.Tokens
	Profiles  *auth.Profiles
	Inventory *inventory.Service
	Limiter   *ratelimit.Limiter
}

type handlers struct{ d Deps }

var statusFor = []struct {
	err    error
	status int
}{
	{kvstore.ErrNotFound, http.StatusNotFound},
	{checkout.ErrNoSession, http.StatusNotFound},
	{coupon.ErrUnknown, http.StatusNotFound},
	{coupon.ErrTaken, http.StatusConflict},
	{auth.ErrCodeInvalid, http.StatusUnauthorized},
	{auth.ErrCodeExpired, http.StatusUnauthorized},
	{auth.ErrTokenInvalid, http.StatusUnauthorized},
	{auth.ErrLocked, http.StatusTooManyRequests},
	{checkout.ErrDailyCap, http.StatusTooManyRequests},
}

// respond writes v as JSON, or maps err to a status code.
func respond(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		status = http.StatusInternalServerError
		for _, m := range statusFor {
			if errors.Is(err, m.err) {
				status = m.status
				break
			}
		}
		v = map[string]string{"error": err.Error()}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func decode[T any](w http.ResponseWriter, r *http.Request) (T, bool) {
	var in T
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return in, false
	}
	return in, true
}

// customerIDFor derives a stable customer id from the login email until the
// accounts service assigns real ids.
func customerIDFor(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "c_" + hex.EncodeToString(sum[:10])
}

// Routes returns the route table.
func (h handlers) Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /api/products/{sku}/stock":  h.stock,
		"POST /api/products/{sku}/view":  h.viewed,
		"POST /api/cart/{id}/items":      h.addItem,
		"POST /api/checkout":             h.startCheckout,
		"POST /api/checkout/place":       h.place,
		"POST /api/coupons/{code}/claim": h.claimCoupon,
		"GET /api/orders/{id}":           h.orderStatus,
		"GET /api/orders/{id}/tracking":  h.tracking,
		"GET /api/customers/{id}/orders": h.customerOrders,
		"GET /api/search/suggest":        h.suggest,
		"POST /api/login":                h.loginStart,
		"POST /api/login/verify":         h.loginVerify,
		"POST /api/token/refresh":        h.refresh,
		"POST /api/logout":               h.logout,
		"GET /admin/carts":               h.adminCarts,
		"GET /admin/coupons/claims.csv":  h.exportClaims,
	}
}

// New builds the root handler.
func New(d Deps) http.Handler {
	h := handlers{d: d}
	mux := http.NewServeMux()
	for pattern, fn := range h.Routes() {
		mux.Handle(pattern, fn)
	}
	mux.Handle("GET /api/search", d.Search.LastQueryHandler(h.searchResults))
	return Chain(mux, Recover(d.Log), AccessLog(d.Log), Heartbeat(d.Store), d.Limiter.Middleware, d.Sessions.Middleware)
}

func (h handlers) stock(w http.ResponseWriter, r *http.Request) {
	n, err := h.d.Inventory.Available(r.Context(), r.PathValue("sku"))
	respond(w, http.StatusOK, map[string]int{"available": n}, err)
}

func (h handlers) viewed(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	if err := h.d.Save(r.Context(), keys.LastSeenSKU, []byte(sku)); err != nil { // EXPECT kvhotkey
		h.d.Log.WarnContext(r.Context(), "last seen", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h handlers) addItem(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[struct {
		SKU   string `json:"sku"`
		Qty   int    `json:"qty"`
		Price int64  `json:"price_cents"`
	}](w, r)
	if ok {
		c, err := h.d.Carts.Add(r.Context(), r.PathValue("id"), in.SKU, in.Qty, in.Price)
		respond(w, http.StatusOK, c, err)
	}
}

func (h handlers) startCheckout(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[struct{ CartID, Customer, Email string }](w, r)
	if !ok {
		return
	}
	sess, err := h.d.Sessions.Start(r.Context(), in.CartID, in.Customer, in.Email)
	if err == nil {
		http.SetCookie(w, &http.Cookie{Name: "co_sid", Value: sess.ID, HttpOnly: true, Secure: true, Path: "/"})
	}
	respond(w, http.StatusCreated, sess, err)
}

func (h handlers) place(w http.ResponseWriter, r *http.Request) {
	sess, ok := checkout.FromContext(r.Context())
	if !ok {
		respond(w, 0, nil, checkout.ErrNoSession)
		return
	}
	in, ok := decode[struct {
		Quote  checkout.Quote `json:"quote"`
		Coupon string         `json:"coupon"`
	}](w, r)
	if !ok {
		return
	}
	id, err := h.d.Placer.Place(r.Context(), sess.ID, in.Quote)
	if err == nil && in.Coupon != "" {
		if cerr := h.d.Coupons.Redeem(r.Context(), in.Coupon, id); cerr != nil {
			h.d.Log.WarnContext(r.Context(), "coupon redeem after order", "order", id, "err", cerr)
		}
	}
	respond(w, http.StatusCreated, map[string]string{"order_id": id}, err)
}

func (h handlers) claimCoupon(w http.ResponseWriter, r *http.Request) {
	err := h.d.Coupons.Claim(r.Context(), r.PathValue("code"), r.Header.Get("X-Affiliate"))
	respond(w, http.StatusCreated, nil, err)
}

func (h handlers) orderStatus(w http.ResponseWriter, r *http.Request) {
	respond(w, http.StatusOK, h.d.Orders.StatusPage(r.Context(), r.PathValue("id")), nil)
}

func (h handlers) tracking(w http.ResponseWriter, r *http.Request) {
	tr, err := h.d.Tracking.Lookup(r.Context(), r.PathValue("id"))
	respond(w, http.StatusOK, tr, err)
}

func (h handlers) customerOrders(w http.ResponseWriter, r *http.Request) {
	list, next, err := h.d.Orders.ForCustomer(r.Context(), r.PathValue("id"), r.URL.Query().Get("cursor"))
	respond(w, http.StatusOK, map[string]any{"orders": list, "cursor": next}, err)
}

func (h handlers) suggest(w http.ResponseWriter, r *http.Request) {
	out, err := h.d.Search.Suggest(r.Context(), r.URL.Query().Get("q"))
	respond(w, http.StatusOK, out, err)
}

func (h handlers) searchResults(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if err := h.d.Search.Learn(r.Context(), q); err != nil {
		h.d.Log.WarnContext(r.Context(), "learn term", "err", err)
	}
	trending, _ := h.d.Search.Trending(r.Context())
	respond(w, http.StatusOK, map[string]any{"q": q, "trending": trending}, nil)
}

func (h handlers) loginStart(w http.ResponseWriter, r *http.Request) {
	if in, ok := decode[struct{ Email string }](w, r); ok {
		respond(w, http.StatusAccepted, nil, h.d.OTP.Start(r.Context(), in.Email))
	}
}

func (h handlers) loginVerify(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[struct{ Email, Code string }](w, r)
	if !ok {
		return
	}
	if err := h.d.OTP.Verify(r.Context(), in.Email, in.Code); err != nil {
		respond(w, 0, nil, err)
		return
	}
	cid := customerIDFor(in.Email)
	prof, err := h.d.Profiles.LoadOrCreate(r.Context(), cid, in.Email)
	if err != nil {
		respond(w, 0, nil, err)
		return
	}
	tok, err := h.d.Tokens.Mint(r.Context(), cid, "")
	respond(w, http.StatusOK, map[string]any{"refresh_token": tok, "profile": prof}, err)
}

func (h handlers) refresh(w http.ResponseWriter, r *http.Request) {
	if in, ok := decode[struct{ Token string }](w, r); ok {
		tok, cid, err := h.d.Tokens.Rotate(r.Context(), in.Token)
		respond(w, http.StatusOK, map[string]string{"refresh_token": tok, "customer_id": cid}, err)
	}
}

// logout revokes the presented token, or every token of its owner when
// "everywhere" is set (the "sign out of all devices" button).
func (h handlers) logout(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[struct {
		Token      string
		Everywhere bool
	}](w, r)
	if !ok {
		return
	}
	if !in.Everywhere {
		respond(w, http.StatusNoContent, nil, h.d.Tokens.Revoke(r.Context(), in.Token))
		return
	}
	cid, err := h.d.Tokens.Owner(r.Context(), in.Token)
	if err == nil {
		err = h.d.Tokens.RevokeAllBefore(r.Context(), cid)
	}
	respond(w, http.StatusNoContent, nil, err)
}

func (h handlers) adminCarts(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	page, err := h.d.Store.List(r.Context(), "cart:", r.URL.Query().Get("cursor"), limit)
	respond(w, http.StatusOK, page, err)
}

func (h handlers) exportClaims(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv")
	if err := h.d.Coupons.ExportClaims(r.Context(), w); err != nil {
		h.d.Log.ErrorContext(r.Context(), "export claims", "err", err)
	}
}
