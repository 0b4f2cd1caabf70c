package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pintail-eats/pintail/internal/cfkv"
	"github.com/pintail-eats/pintail/internal/couriers"
	"github.com/pintail-eats/pintail/internal/orders"
	"github.com/pintail-eats/pintail/internal/promo"
	"github.com/pintail-eats/pintail/internal/quota"
)

// httpError carries a status through a panic raised by mustDecode.
type httpError struct {
	code int
	msg  string
}

func (e httpError) Error() string { return e.msg }

func mustDecode[T any](r *http.Request) T {
	var v T
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		panic(httpError{code: http.StatusBadRequest, msg: "bad json: " + err.Error()})
	}
	return v
}

// recoverer answers panics raised by must-style helpers.
func (h *handler) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if he, ok := cfkv.As[httpError](rec); ok {
				http.Error(w, he.msg, he.code)
				return
			}
			h.app.deps.log.Error("panic", "path", r.URL.Path, "value", fmt.Sprint(rec))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}()
		next.ServeHTTP(w, r)
	})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

func (h *handler) placeOrder(w http.ResponseWriter, r *http.Request) {
	o := mustDecode[orders.Order](r)
	ctx := r.Context()
	switch err := h.app.quota.Take(ctx, o.RestaurantID); {
	case errors.Is(err, quota.ErrFull):
		http.Error(w, err.Error(), http.StatusConflict)
		return
	case err != nil:
		fail(w, err)
		return
	}
	o.Status, o.UpdatedAt = orders.Placed, time.Now().UTC()
	o.Timeline = []orders.Event{{At: o.UpdatedAt, Status: orders.Placed, Actor: "customer"}}
	if err := h.app.orders.Publish(ctx, o); err != nil {
		fail(w, err)
		return
	}
	h.app.quota.Note(o.RestaurantID)
	w.WriteHeader(http.StatusCreated)
}

func (h *handler) orderStatus(w http.ResponseWriter, r *http.Request) {
	in := mustDecode[struct {
		OrderID string        `json:"order_id"`
		Status  orders.Status `json:"status"`
		Actor   string        `json:"actor"`
	}](r)
	ev := orders.Event{At: time.Now().UTC(), Status: in.Status, Actor: in.Actor}
	if err := h.app.orders.Record(r.Context(), in.OrderID, ev); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) publishETA(w http.ResponseWriter, r *http.Request) {
	e := mustDecode[orders.ETA](r)
	var err error
	if r.URL.Query().Has("grace") {
		grace, perr := time.ParseDuration(r.URL.Query().Get("grace"))
		if perr != nil {
			http.Error(w, perr.Error(), http.StatusBadRequest)
			return
		}
		err = h.app.eta.PutWithGrace(r.Context(), e, grace)
	} else {
		err = h.app.eta.Put(r.Context(), e)
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// courierPing is called by every courier app every few seconds with its
// position.
func (h *handler) courierPing(w http.ResponseWriter, r *http.Request) {
	in := mustDecode[struct {
		CourierID string  `json:"courier_id"`
		Lat       float64 `json:"lat"`
		Lng       float64 `json:"lng"`
	}](r)
	ctx := r.Context()
	pos := []byte(strconv.FormatFloat(in.Lat, 'f', 5, 64) + "," + strconv.FormatFloat(in.Lng, 'f', 5, 64))
	if err := h.app.deps.kv.Put(ctx, "courier-pos:"+in.CourierID, pos, 10*time.Minute); err != nil {
		fail(w, err)
		return
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := h.app.deps.kv.Put(ctx, "fleet:last-ping", stamp, 0); err != nil { // EXPECT kvhotkey
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// courierStatus records "available", "on break" or "offline".
func (h *handler) courierStatus(w http.ResponseWriter, r *http.Request) {
	in := mustDecode[struct {
		CourierID string `json:"courier_id"`
		Status    string `json:"status"`
	}](r)
	err := h.app.deps.kv.Put(r.Context(), "courier-status:"+in.CourierID, []byte(in.Status), 30*time.Second) // EXPECT kvttl
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) bookShift(w http.ResponseWriter, r *http.Request) {
	in := mustDecode[struct {
		ID        string    `json:"id"`
		CourierID string    `json:"courier_id"`
		Zone      string    `json:"zone"`
		Start     time.Time `json:"start"`
		End       time.Time `json:"end"`
		CheckIn   bool      `json:"check_in"`
	}](r)
	ctx := r.Context()
	sh := h.app.shifts.New(in.ID, in.CourierID, in.Zone, in.Start, in.End)
	if err := sh.Claim(ctx); errors.Is(err, couriers.ErrSlotTaken) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	} else if err != nil {
		fail(w, err)
		return
	}
	if err := sh.Save(ctx); err != nil {
		fail(w, err)
		return
	}
	if in.CheckIn {
		if err := sh.CheckIn(ctx); err != nil {
			fail(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusCreated)
}

func (h *handler) openSession(w http.ResponseWriter, r *http.Request) {
	in := mustDecode[struct {
		CourierID string `json:"courier_id"`
		Trusted   bool   `json:"trusted"`
		Sliding   bool   `json:"sliding"`
	}](r)
	var m couriers.Mode
	if in.Trusted {
		m |= couriers.Trusted
	}
	if in.Sliding {
		m |= couriers.Sliding
	}
	sess, refresh, err := h.app.sessions.Open(r.Context(), in.CourierID, m)
	if err != nil {
		fail(w, err)
		return
	}
	reply(w, map[string]any{"session": sess.ID, "refresh": refresh, "expires": sess.Expires})
}

// session loads the caller's session and extends it when it slides.
func (h *handler) session(r *http.Request) (*couriers.Session, error) {
	id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, errors.New("no bearer token")
	}
	sess, err := h.app.sessions.Find(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if sess.Mode&couriers.Sliding != 0 {
		if err := sess.Touch(r.Context()); err != nil {
			h.app.deps.log.Warn("touch session", "err", err)
		}
	}
	return sess, nil
}

func (h *handler) closeSession(w http.ResponseWriter, r *http.Request) {
	sess, err := h.session(r)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := sess.Revoke(r.Context()); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) refresh(w http.ResponseWriter, r *http.Request) {
	in := mustDecode[struct {
		Refresh string `json:"refresh"`
	}](r)
	sess, next, err := h.app.sessions.Rotate(r.Context(), in.Refresh)
	if errors.Is(err, couriers.ErrUnknownRefresh) {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	reply(w, map[string]any{"session": sess.ID, "refresh": next})
}

func (h *handler) redeem(w http.ResponseWriter, r *http.Request) {
	in := mustDecode[struct {
		Code       string `json:"code"`
		CustomerID string `json:"customer_id"`
	}](r)
	c, err := h.app.promo.Find(r.Context(), in.Code)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	switch err := c.Redeem(r.Context(), in.CustomerID); {
	case errors.Is(err, promo.ErrAlreadyUsed), errors.Is(err, promo.ErrExhausted), errors.Is(err, promo.ErrExpired):
		http.Error(w, err.Error(), http.StatusConflict)
	case err != nil:
		fail(w, err)
	default:
		reply(w, map[string]int{"percent_off": c.PercentOff})
	}
}

// listKeys returns one page of keys and the cursor of the next one; the
// support console pages through it on demand.
func (h *handler) listKeys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	limit = min(max(limit, 10), 1000)
	page, err := h.app.deps.kv.ListPage(r.Context(), q.Get("prefix"), q.Get("cursor"), limit)
	if err != nil {
		fail(w, err)
		return
	}
	reply(w, page)
}

// banner sets the maintenance banner the apps show; the body says for how
// many seconds.
func (h *handler) banner(w http.ResponseWriter, r *http.Request) {
	in := mustDecode[struct {
		Text       string `json:"text"`
		TTLSeconds string `json:"ttl_seconds"`
	}](r)
	secs, err := strconv.ParseInt(in.TTLSeconds, 10, 64)
	if err != nil {
		http.Error(w, "ttl_seconds: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := h.app.deps.kv.Put(r.Context(), "banner:maintenance", []byte(in.Text), time.Duration(secs)*time.Second); err != nil { // DEBATABLE kvhotkey
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
