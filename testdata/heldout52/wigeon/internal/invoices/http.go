package invoices

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"wigeon/internal/billing"
	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
)

// Handler serves the invoice API of portald.
type Handler struct {
	Store *Store
	Meta  *kvstore.Client // portal namespace, for webhook bookkeeping
}

// Register adds the invoice routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/invoices", h.list)
	mux.HandleFunc("GET /v1/invoices/{id}", h.get)
	mux.HandleFunc("POST /v1/invoices/{id}/payments", h.addPayment)
	mux.HandleFunc("POST /v1/invoices/{id}/notes", h.addNote)
	mux.HandleFunc("POST /v1/webhooks/billing", h.billingWebhook)
}

func reply(w http.ResponseWriter, v any, err error) {
	var nf *kvstore.NotFoundError
	switch {
	case errors.As(err, &nf), errors.Is(err, billing.ErrNoRows):
		http.Error(w, "not found", http.StatusNotFound)
	case err != nil:
		slog.Error("invoices", "err", err)
		http.Error(w, "internal", http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}

// save stores v as JSON under key.
func save(st interface {
	Put(context.Context, string, []byte) error
}, ctx context.Context, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return st.Put(ctx, key, raw)
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	ids, next, err := h.Store.IDs(r.Context(), r.URL.Query().Get("cursor"), 100)
	reply(w, struct {
		IDs    []string `json:"ids"`
		Cursor string   `json:"cursor,omitempty"`
	}{ids, next}, err)
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v, err := h.Store.Get(r.Context(), id)
	if err == nil && r.URL.Query().Get("from") == "portal" {
		if verr := h.Store.MarkViewed(r.Context(), id); verr != nil {
			slog.WarnContext(r.Context(), "view not counted", "invoice", id, "err", verr)
		}
	}
	reply(w, v, err)
}

func (h *Handler) addPayment(w http.ResponseWriter, r *http.Request) {
	var p billing.Payment
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.Amount <= 0 {
		http.Error(w, "invalid payment", http.StatusBadRequest)
		return
	}
	if p.At.IsZero() {
		p.At = time.Now().UTC()
	}
	v, err := h.Store.AddPayment(r.Context(), r.PathValue("id"), p)
	reply(w, v, err)
}

func (h *Handler) addNote(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<10))
	if err != nil || len(body) == 0 {
		http.Error(w, "empty note", http.StatusBadRequest)
		return
	}
	id, author := r.PathValue("id"), r.Header.Get("X-Portal-User")
	ctx := context.WithoutCancel(r.Context())
	go func() {
		if err := h.Store.AppendNote(ctx, id, author, string(body)); err != nil {
			slog.ErrorContext(ctx, "note lost", "invoice", id, "err", err)
		}
	}()
	w.WriteHeader(http.StatusAccepted)
}

type billingEvent struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	InvoiceID string    `json:"invoice_id"`
	At        time.Time `json:"at"`
}

func (h *Handler) billingWebhook(w http.ResponseWriter, r *http.Request) {
	var ev billingEvent
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if ev.Type == "invoice.updated" || ev.Type == "invoice.paid" {
		if _, err := h.Store.Refresh(ctx, ev.InvoiceID); err != nil {
			reply(w, nil, err)
			return
		}
	}
	if err := save(h.Meta, ctx, kvkeys.Raw("webhooks", "billing", "last-event"), ev); err != nil { // EXPECT kvhotkey
		slog.WarnContext(ctx, "webhook bookkeeping", "err", err)
	}
	if err := save(h.Meta, ctx, kvkeys.Key("webhooks", "billing", "events", ev.ID), ev); err != nil {
		slog.WarnContext(ctx, "webhook bookkeeping", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}
