//go:build js && wasm

// Package httpapi exposes the worker's HTTP API.
package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/edge/codes"
	"example.com/saffron/internal/edge/guest"
	"example.com/saffron/internal/edge/menu"
	"example.com/saffron/internal/edge/orders"
	"example.com/saffron/internal/edge/slots"
	"example.com/saffron/internal/edge/waitlist"
	"example.com/saffron/internal/storage"
)

// Routes maps method patterns to handlers.
type Routes map[string]http.HandlerFunc

// Merge copies other into r.
func (r Routes) Merge(other Routes) Routes {
	for k, v := range other {
		r[k] = v
	}
	return r
}

// Patterns returns the registered patterns in a stable order.
func (r Routes) Patterns() []string {
	out := make([]string, 0, len(r))
	for k := range r {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Mount registers every route on mux; authed routes are wrapped with wrap.
func (r Routes) Mount(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	for _, p := range r.Patterns() {
		var h http.Handler = r[p]
		if wrap != nil {
			h = wrap(h)
		}
		mux.Handle(p, h)
	}
}

// API bundles the services behind the handlers.
type API struct {
	Codes    codes.Service
	Slots    slots.Service
	Orders   orders.Service
	Waitlist waitlist.Service
	NS       *kv.Namespace
}

// Public are the routes that need no session.
func (a *API) Public() Routes {
	return Routes{
		"GET /v1/venues/{venue}/menu":         menu.Handler,
		"GET /v1/venues/{venue}/availability": a.availability,
		"POST /v1/auth/code":                  a.requestCode,
		"POST /v1/auth/verify":                a.verifyCode,
		"POST /v1/venues/{venue}/waitlist":    a.joinWaitlist,
		"GET /v1/venues/{venue}/waitlist":     a.listWaitlist,
		"GET /v1/venues/{venue}/orders/{id}":  a.orderStatus,
	}
}

// Private are the routes that require a session.
func (a *API) Private() Routes {
	return Routes{
		"POST /v1/logout":                           a.logout,
		"POST /v1/venues/{venue}/holds":             a.hold,
		"POST /v1/venues/{venue}/cart":              a.addToCart,
		"POST /v1/venues/{venue}/orders":            a.submitOrder,
		"GET /v1/venues/{venue}/holds":              a.listHolds,
		"POST /v1/venues/{venue}/orders/{id}/ready": a.markReady,
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, domain.ErrUnauthorized), errors.Is(err, domain.ErrBadCode):
		http.Error(w, err.Error(), http.StatusUnauthorized)
	case errors.Is(err, domain.ErrTooMany):
		http.Error(w, err.Error(), http.StatusTooManyRequests)
	case errors.Is(err, domain.ErrNoTable), errors.Is(err, domain.ErrAlreadyTaken):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, storage.ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	default:
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (a *API) availability(w http.ResponseWriter, r *http.Request) {
	day, err := time.Parse("2006-01-02", r.URL.Query().Get("day"))
	if err != nil {
		http.Error(w, "bad day", http.StatusBadRequest)
		return
	}
	ts, err := a.Slots.Availability(r.Context(), r.PathValue("venue"), day)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ts)
}

func (a *API) requestCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Phone == "" {
		http.Error(w, "phone required", http.StatusBadRequest)
		return
	}
	if err := a.Codes.Issue(r.Context(), in.Phone, "login"); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *API) verifyCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	ch, err := a.Codes.Verify(r.Context(), in.Phone, in.Code)
	if err != nil {
		fail(w, err)
		return
	}
	s, err := guest.Create(r.Context(), "g_"+ch.PhoneHash[:16], in.Phone, r)
	if err != nil {
		fail(w, err)
		return
	}
	guest.SetCookie(w, s)
	writeJSON(w, http.StatusOK, map[string]string{"guest_id": s.GuestID})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if err := guest.Logout(r.Context(), guest.FromRequest(r)); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: guest.CookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) hold(w http.ResponseWriter, r *http.Request) {
	s, _ := guest.Current(r.Context())
	var in struct {
		Start time.Time `json:"start"`
		Party int       `json:"party"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Party <= 0 {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	t, err := a.Slots.Hold(r.Context(), r.PathValue("venue"), in.Start, in.Party, s.GuestID)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (a *API) addToCart(w http.ResponseWriter, r *http.Request) {
	s, _ := guest.Current(r.Context())
	var line domain.CartLine
	if err := json.NewDecoder(r.Body).Decode(&line); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	c, err := a.Orders.AddToCart(r.Context(), s.GuestID, r.PathValue("venue"), line)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) submitOrder(w http.ResponseWriter, r *http.Request) {
	s, _ := guest.Current(r.Context())
	at, err := time.Parse(time.RFC3339, r.URL.Query().Get("pickup_at"))
	if err != nil {
		http.Error(w, "bad pickup_at", http.StatusBadRequest)
		return
	}
	o, err := a.Orders.Submit(r.Context(), s.GuestID, r.PathValue("venue"), at)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

func (a *API) orderStatus(w http.ResponseWriter, r *http.Request) {
	o, err := a.Orders.Status(r.Context(), r.PathValue("venue"), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (a *API) markReady(w http.ResponseWriter, r *http.Request) {
	if err := a.Orders.MarkReady(r.Context(), r.PathValue("venue"), r.PathValue("id")); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) joinWaitlist(w http.ResponseWriter, r *http.Request) {
	var e domain.WaitlistEntry
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil || e.Party <= 0 {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	pos, err := a.Waitlist.Join(r.Context(), r.PathValue("venue"), e)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int{"position": pos})
}

func (a *API) listWaitlist(w http.ResponseWriter, r *http.Request) {
	parties, next, err := a.Waitlist.Parties(r.Context(), r.PathValue("venue"), r.URL.Query().Get("cursor"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Parties []domain.WaitlistEntry `json:"parties"`
		Next    string                 `json:"next,omitempty"`
	}{parties, next})
}

// listHolds shows the venue's current holds to staff, at most five pages.
func (a *API) listHolds(w http.ResponseWriter, r *http.Request) {
	prefix := "hold:" + r.PathValue("venue") + ":"
	opts := &kv.ListOptions{Prefix: prefix, Limit: 200}
	var names []string
	for page := 0; page < 5; page++ {
		res, err := a.NS.List(opts) // EXPECT kvlist
		if err != nil {
			fail(w, err)
			return
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 200}
	}
	writeJSON(w, http.StatusOK, map[string]any{"holds": names, "count": strconv.Itoa(len(names))})
}
