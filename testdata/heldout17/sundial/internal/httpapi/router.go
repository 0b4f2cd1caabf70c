// Package httpapi exposes sundial's use cases over HTTP.
package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"example.com/sundial/internal/app"
	"example.com/sundial/internal/catalog"
	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/d1"
	"example.com/sundial/internal/orders"
	"example.com/sundial/internal/organiser"
	"example.com/sundial/internal/quota"
	"example.com/sundial/internal/storage"
	"example.com/sundial/internal/storage/decorate"
	"example.com/sundial/internal/tickets"
	"example.com/sundial/internal/venue"
)

// ViewRecorder counts event page views.
type ViewRecorder interface {
	Record(eventID string) error
}

// API holds the dependencies of the HTTP handlers.
type API struct {
	Store      storage.Store
	Venues     *venue.Service
	Catalog    *catalog.Service
	Tickets    *tickets.Service
	Orders     *orders.Service
	Webhooks   *orders.Webhooks
	Organisers *organiser.Service
	Quota      *quota.Service
	Bus        *app.Bus
	Views      ViewRecorder
	Counter    d1.Counter
	Search     *decorate.ReadThrough[[]SearchHit]
	Clock      clock.Clock
	Log        *slog.Logger

	SessionCookie string
	BuyerCookie   string
}

// Handler returns the routes of the API.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /venues", a.listVenues)
	mux.HandleFunc("GET /venues/{slug}", a.getVenue)
	mux.Handle("POST /venues", a.authed(a.registerVenue))
	mux.Handle("PUT /venues/{slug}/sections", a.authed(a.updateSeating))

	mux.HandleFunc("GET /events/{id}", a.eventPage)
	mux.HandleFunc("GET /search", a.search)
	mux.Handle("GET /account/export", a.authed(a.exportEvents))
	mux.Handle("GET /account/usage", a.authed(a.usage))

	mux.HandleFunc("POST /events/{id}/holds", makePlaceHold(a.Tickets, a.BuyerCookie))
	mux.HandleFunc("POST /events/{id}/holds/{hold}/seats", makeAddSeats(a.Tickets, a.BuyerCookie))
	mux.HandleFunc("POST /events/{id}/holds/{hold}/pay", makeBeginCheckout(a.Tickets))
	mux.HandleFunc("POST /events/{id}/holds/{hold}/checkout", makeCheckout(a.Tickets, a.Quota, a.Store, a.Clock, a.BuyerCookie))
	mux.Handle("POST /events/{id}/checkin", a.authed(makeCheckin(a.Store)))

	mux.HandleFunc("POST /webhooks/{provider}", a.webhook)

	mux.HandleFunc("POST /auth/verify", a.confirmEmail)
	mux.HandleFunc("POST /auth/recovery", makeRedeem(a.Organisers, a.SessionCookie))
	return mux
}

type problem struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// fail maps domain errors to HTTP statuses.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, venue.ErrNotFound), errors.Is(err, catalog.ErrNotFound),
		errors.Is(err, orders.ErrNotFound), errors.Is(err, tickets.ErrHoldNotFound):
		status = http.StatusNotFound
	case errors.Is(err, venue.ErrSlugTaken), errors.Is(err, orders.ErrDuplicate),
		errors.Is(err, orders.ErrAlreadyOrdered), errors.Is(err, catalog.ErrNotDraft):
		status = http.StatusConflict
	case errors.Is(err, venue.ErrBadSlug), errors.Is(err, catalog.ErrInvalid),
		errors.Is(err, tickets.ErrTooManySeats):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, tickets.ErrSoldOut), errors.Is(err, quota.ErrExceeded):
		status = http.StatusGone
	case errors.Is(err, tickets.ErrNotYours), errors.Is(err, organiser.ErrNoSession):
		status = http.StatusForbidden
	case errors.Is(err, organiser.ErrWrongCode), errors.Is(err, organiser.ErrCodeExpired), errors.Is(err, orders.ErrSignature):
		status = http.StatusUnauthorized
	}
	if status == http.StatusInternalServerError {
		a.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "error", err)
	}
	writeJSON(w, status, problem{Error: err.Error()})
}
