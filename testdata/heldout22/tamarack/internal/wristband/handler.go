package wristband

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"example.com/tamarack/internal/httpx"
	"example.com/tamarack/internal/platform/reqctx"
	"example.com/tamarack/internal/platform/store"
)

// Handler serves the activation kiosk API.
type Handler struct {
	svc *Service
	st  store.Store
	log *slog.Logger
}

// NewHandler returns a Handler.
func NewHandler(svc *Service, st store.Store, log *slog.Logger) *Handler {
	return &Handler{svc: svc, st: st, log: log}
}

type activateRequest struct {
	Code     string `json:"code"`
	TicketID string `json:"ticket_id"`
}

// Activate handles POST /wristbands/activate.
func (h *Handler) Activate(w http.ResponseWriter, r *http.Request) {
	var req activateRequest
	if err := httpx.DecodeJSON(r, &req); err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	b, err := h.svc.Activate(r.Context(), req.Code, req.TicketID)
	switch {
	case errors.Is(err, ErrAlreadyActive):
		httpx.Error(w, http.StatusConflict, err.Error())
		return
	case errors.Is(err, ErrBadCode):
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		reqctx.Logger(r.Context(), h.log).Error("activation failed", "err", err)
		httpx.Error(w, http.StatusInternalServerError, "activation failed")
		return
	}
	if err := h.st.Put(r.Context(), "wb:last-activation", b.ActivatedAt.Format(time.RFC3339)); err != nil { // EXPECT kvhotkey
		h.log.Warn("last activation stamp failed", "err", err)
	}
	httpx.WriteJSON(w, http.StatusCreated, b)
}
