// Package httpapi is the JSON API of Lantern. It depends only on the storage
// ports, so it runs unchanged against memstore in tests.
package httpapi

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"

	"example.com/lantern/internal/config"
	"example.com/lantern/internal/events"
	"example.com/lantern/internal/export"
	"example.com/lantern/internal/rsvp"
	"example.com/lantern/internal/store"
	"example.com/lantern/internal/tenant"
	"example.com/lantern/internal/tickets"
)

// SessionStore is what the session middleware needs.
type SessionStore interface {
	store.Getter
	store.Setter
}

// Handlers holds the dependencies of the API. cmd/lantern hands the same
// KV adapter to several fields through the narrow ports.
type Handlers struct {
	Profiles   store.Getter
	Signups    store.Setter
	Sessions   SessionStore
	Data       store.Store
	Idempotent store.Store
	Export     export.Options
	Config     *config.Config
	NewID      func() string
	Clock      func() time.Time
}

// Routes registers the API on mux.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/profiles/{id}", h.getProfile)
	mux.HandleFunc("POST /api/signup", h.signup)
	mux.HandleFunc("POST /api/subdomains/{name}", h.withSession(h.claimSubdomain))
	mux.HandleFunc("GET /api/events", h.withSession(h.listEvents))
	mux.HandleFunc("POST /api/events/{id}/rsvp", h.withSession(h.attend))
	mux.HandleFunc("GET /api/events/{id}/attendees.csv", h.withSession(h.attendeesCSV))
	mux.HandleFunc("POST /api/events/{id}/tickets", h.withSession(h.buyTicket))
}

// tenantOf resolves the organiser from the Host header ("acme.lantern.events")
// or the X-Lantern-Tenant header used by the dashboard.
func tenantOf(r *http.Request) string {
	if t := r.Header.Get("X-Lantern-Tenant"); t != "" {
		return t
	}
	host, _, _ := strings.Cut(r.Host, ":")
	if sub, _, ok := strings.Cut(host, "."); ok {
		return sub
	}
	return "default"
}

func (h *Handlers) scoped(r *http.Request) store.Store {
	return tenant.Scope(h.Data, tenantOf(r))
}

func (h *Handlers) eventService(st store.Store) *events.Service {
	r := events.NewRepo(st)
	audit := &events.AuditTrail{Store: st, Clock: h.Clock}
	return &events.Service{
		Create:  events.CreateEvent{Events: r, Slugs: st, Audit: audit, NewID: h.NewID, Clock: h.Clock},
		Update:  events.UpdateEvent{Events: r, Audit: audit, Clock: h.Clock},
		Preview: events.PreviewDraft{Drafts: st, NewID: h.NewID},
		Events:  r,
		Slugs:   st,
	}
}

func (h *Handlers) rsvpService(st store.Store) *rsvp.Service {
	return &rsvp.Service{Store: st, Clock: h.Clock}
}

func (h *Handlers) exporter(st store.Store) *export.Exporter {
	return &export.Exporter{
		Store: st,
		Opts:  h.Export,
		Clock: h.Clock,
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("httpapi: encode: %v", err)
	}
}

func writeError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, events.ErrNotFound), errors.Is(err, store.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, events.ErrConflict), errors.Is(err, rsvp.ErrFull), errors.Is(err, errTaken):
		code = http.StatusConflict
	case errors.Is(err, events.ErrInvalid), errors.Is(err, tickets.ErrBadQuantity):
		code = http.StatusBadRequest
	case errors.Is(err, errQuota):
		code = http.StatusTooManyRequests
	case errors.Is(err, errUnauthenticated):
		code = http.StatusUnauthorized
	}
	if code == http.StatusInternalServerError {
		log.Printf("httpapi: %v", err)
	}
	writeJSON(w, code, map[string]string{"error": err.Error()})
}
