package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ouzel-commerce/ouzel/internal/cart"
	"github.com/ouzel-commerce/ouzel/internal/coupons"
	"github.com/ouzel-commerce/ouzel/internal/holds"
	"github.com/ouzel-commerce/ouzel/internal/kvstore"
	"github.com/ouzel-commerce/ouzel/internal/limits"
	"github.com/ouzel-commerce/ouzel/internal/recent"
	"github.com/ouzel-commerce/ouzel/internal/session"
)

const checkoutWindow = 15 * time.Minute

type api struct {
	kv       *kvstore.Store
	carts    *cart.Service
	holds    *holds.Service
	coupons  *coupons.Service
	limiter  *limits.Limiter
	quota    *limits.Quota
	recent   *recent.Service
	sessions *session.Store
}

func (a *api) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sessions", a.signIn)
	mux.HandleFunc("DELETE /sessions/current", a.signOut)
	mux.HandleFunc("POST /carts", a.createCart)
	mux.HandleFunc("POST /carts/{id}/lines", a.addLine)
	mux.HandleFunc("GET /carts/{id}/badge", a.badge)
	mux.HandleFunc("POST /carts/{id}/checkout", a.checkout)
	mux.HandleFunc("POST /products/{sku}/viewed", a.viewed)
	mux.HandleFunc("POST /admin/holds/sweep", a.sweep)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, cart.ErrNoCart), errors.Is(err, session.ErrNoSession):
		status = http.StatusNotFound
	case errors.Is(err, limits.ErrLimited):
		status = http.StatusTooManyRequests
	case errors.Is(err, holds.ErrOutOfStock), errors.Is(err, coupons.ErrAlreadyUsed):
		status = http.StatusConflict
	}
	http.Error(w, err.Error(), status)
}

func (a *api) currentSession(r *http.Request) (*session.Session, error) {
	c, err := r.Cookie("sid")
	if err != nil {
		return nil, session.ErrNoSession
	}
	return a.sessions.Touch(r.Context(), c.Value)
}

func (a *api) signIn(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID   string `json:"user_id"`
		Code     string `json:"code"`
		Remember bool   `json:"remember"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := a.sessions.VerifyOTP(r.Context(), in.UserID, in.Code); err != nil {
		http.Error(w, "invalid code", http.StatusUnauthorized)
		return
	}
	sess, err := a.sessions.Create(r.Context(), in.UserID, r.UserAgent(), in.Remember)
	if err != nil {
		fail(w, err)
		return
	}
	if guest, err := r.Cookie("guest"); err == nil {
		_ = a.recent.MergeGuest(r.Context(), guest.Value, in.UserID)
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	writeJSON(w, http.StatusCreated, map[string]string{"session": sess.ID})
}

func (a *api) signOut(w http.ResponseWriter, r *http.Request) {
	sess, err := a.currentSession(r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.sessions.Logout(r.Context(), sess); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) createCart(w http.ResponseWriter, r *http.Request) {
	customer := ""
	if sess, err := a.currentSession(r); err == nil {
		customer = sess.UserID
	}
	c, err := a.carts.Create(r.Context(), customer, "EUR")
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (a *api) addLine(w http.ResponseWriter, r *http.Request) {
	sess, err := a.currentSession(r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.limiter.Allow(r.Context(), sess.UserID); err != nil {
		fail(w, err)
		return
	}
	a.quota.Record(sess.UserID)
	var line cart.Line
	if err := json.NewDecoder(r.Body).Decode(&line); err != nil || line.Qty <= 0 {
		http.Error(w, "bad line", http.StatusBadRequest)
		return
	}
	c, err := a.carts.AddLine(r.Context(), r.PathValue("id"), line)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *api) badge(w http.ResponseWriter, r *http.Request) {
	n, err := a.carts.Badge(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"count": n})
}

func (a *api) checkout(w http.ResponseWriter, r *http.Request) {
	sess, err := a.currentSession(r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.limiter.Burst(r.Context(), sess.UserID); err != nil {
		fail(w, err)
		return
	}
	c, err := a.carts.Load(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	orderID := fmt.Sprintf("o-%s-%d", c.ID[:8], time.Now().UnixNano())
	lines := make(map[string]int, len(c.Lines))
	for _, l := range c.Lines {
		lines[l.SKU] += l.Qty
	}
	deadline := time.Now().Add(checkoutWindow)
	if _, err := a.holds.Reserve(r.Context(), orderID, lines, deadline); err != nil {
		fail(w, err)
		return
	}
	if code := r.URL.Query().Get("coupon"); code != "" {
		ok, err := a.coupons.Claim(r.Context(), code, sess.UserID)
		if err != nil {
			fail(w, err)
			return
		}
		if !ok {
			fail(w, coupons.ErrAlreadyUsed)
			return
		}
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	_ = a.kv.Put(r.Context(), "stats:last-checkout", []byte(stamp), 0) // EXPECT kvhotkey
	writeJSON(w, http.StatusAccepted, map[string]any{"order": orderID, "hold_until": deadline})
}

func (a *api) viewed(w http.ResponseWriter, r *http.Request) {
	customer := ""
	if sess, err := a.currentSession(r); err == nil {
		customer = sess.UserID
	} else if g, err := r.Cookie("guest"); err == nil {
		customer = g.Value
	}
	if customer == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ctx := context.WithoutCancel(r.Context())
	go func() { _ = a.recent.Viewed(ctx, customer, r.PathValue("sku")) }()
	w.WriteHeader(http.StatusAccepted)
}

func (a *api) sweep(w http.ResponseWriter, r *http.Request) {
	late, err := a.holds.Sweep(r.Context(), 10)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"late": late})
}
