package httpapi

import (
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"time"

	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/orders"
	"example.com/sundial/internal/quota"
	"example.com/sundial/internal/storage"
	"example.com/sundial/internal/tickets"
)

// buyerID returns the anonymous buyer id of the request, issuing one when
// the browser has none.
func buyerID(w http.ResponseWriter, r *http.Request, cookie string) string {
	if c, err := r.Cookie(cookie); err == nil && c.Value != "" {
		return c.Value
	}
	id := rand.Text()
	http.SetCookie(w, &http.Cookie{Name: cookie, Value: id, Path: "/", HttpOnly: true, Secure: true, MaxAge: 365 * 24 * 3600})
	return id
}

func makePlaceHold(t *tickets.Service, cookie string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Email    string   `json:"email"`
			Seats    []string `json:"seats"`
			Price    int64    `json:"price"`
			Currency string   `json:"currency"`
		}
		if err := readJSON(r, &in); err != nil {
			writeJSON(w, http.StatusBadRequest, problem{Error: err.Error()})
			return
		}
		h, err := t.Place(r.Context(), r.PathValue("id"), buyerID(w, r, cookie), in.Email, in.Seats, in.Price, in.Currency)
		if err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, problem{Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusCreated, h)
	}
}

func makeAddSeats(t *tickets.Service, cookie string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Seats []string `json:"seats"`
		}
		if err := readJSON(r, &in); err != nil {
			writeJSON(w, http.StatusBadRequest, problem{Error: err.Error()})
			return
		}
		h, err := t.AddSeats(r.Context(), r.PathValue("id"), r.PathValue("hold"), buyerID(w, r, cookie), in.Seats...)
		if err != nil {
			status := http.StatusUnprocessableEntity
			if errors.Is(err, tickets.ErrHoldNotFound) {
				status = http.StatusNotFound
			}
			writeJSON(w, status, problem{Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, h)
	}
}

func makeBeginCheckout(t *tickets.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := t.BeginCheckout(r.Context(), r.PathValue("id"), r.PathValue("hold")); err != nil {
			writeJSON(w, http.StatusNotFound, problem{Error: err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func makeCheckout(t *tickets.Service, q *quota.Service, st storage.Store, clk clock.Clock, cookie string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		tenant := r.Header.Get("X-Sundial-Tenant")
		o, err := t.Checkout(ctx, tenant, r.PathValue("id"), r.PathValue("hold"), buyerID(w, r, cookie))
		if err != nil {
			writeJSON(w, http.StatusConflict, problem{Error: err.Error()})
			return
		}
		if _, err := q.Consume(ctx, tenant, len(o.Seats)); err != nil {
			writeJSON(w, http.StatusPaymentRequired, problem{Error: err.Error()})
			return
		}
		stamp := []byte(clk.Now().Format(time.RFC3339Nano))
		if err := st.Put(ctx, "stats:last-checkout", stamp, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			writeJSON(w, http.StatusInternalServerError, problem{Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusCreated, o)
	}
}

// makeCheckin records a ticket scanned at the venue door.
func makeCheckin(st storage.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		k := "checkins:" + r.PathValue("id")
		n, err := storage.GetAs(ctx, st, k, codec.Int{})
		if err != nil && !storage.IsNotFound(err) {
			writeJSON(w, http.StatusBadGateway, problem{Error: err.Error()})
			return
		}
		n++
		if err := storage.PutAs(ctx, st, k, n, codec.Int{}, storage.PutOptions{}); err != nil { // EXPECT kvcounter
			writeJSON(w, http.StatusBadGateway, problem{Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]int64{"checked_in": n})
	}
}

func (a *API) webhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 256<<10))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, problem{Error: err.Error()})
		return
	}
	provider := r.PathValue("provider")
	evt, err := a.Webhooks.Verify(provider, r.Header.Get("Sundial-Signature"), body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	switch provider {
	case "stripe":
		err = a.Webhooks.HandleStripe(r.Context(), evt)
	case "paypal":
		err = a.Webhooks.HandlePayPal(r.Context(), evt)
	default:
		http.NotFound(w, r)
		return
	}
	if errors.Is(err, orders.ErrDuplicate) {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
