package enrol

import (
	"errors"
	"net/http"

	"veery/internal/httpx"
)

// Handler exposes the enrolment service over HTTP.
type Handler struct {
	Svc Service
}

// Routes registers the enrolment endpoints.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /fleets/{fleet}/enrol-tokens", h.mint)
	mux.HandleFunc("DELETE /enrol-tokens/{token}", h.revoke)
	mux.HandleFunc("POST /enrol/{token}", h.redeem)
	mux.HandleFunc("GET /devices/{id}/registry", h.lookup)
}

func (h *Handler) mint(w http.ResponseWriter, r *http.Request) {
	t, err := h.Svc.Mint(r.Context(), r.PathValue("fleet"), r.Header.Get("X-Operator"))
	httpx.Reply(w, r, http.StatusCreated, t, err)
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	httpx.NoContent(w, r, h.Svc.Revoke(r.Context(), r.PathValue("token")))
}

func (h *Handler) redeem(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Serial string `json:"serial"`
		Model  string `json:"model"`
	}
	if err := httpx.Decode(r, &body); err != nil || body.Serial == "" {
		httpx.Error(w, http.StatusBadRequest, "serial and model are required")
		return
	}
	d, err := h.Svc.Redeem(r.Context(), r.PathValue("token"), body.Serial, body.Model)
	switch {
	case errors.Is(err, ErrUnknownToken):
		httpx.Error(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrSerialTaken):
		httpx.Error(w, http.StatusConflict, err.Error())
	case err != nil:
		httpx.Internal(w, r, err)
	default:
		httpx.JSON(w, http.StatusCreated, d)
	}
}

func (h *Handler) lookup(w http.ResponseWriter, r *http.Request) {
	d, err := h.Svc.Lookup(r.Context(), r.PathValue("id"))
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	model, err := h.Svc.Model(r.Context(), d.ID)
	httpx.Reply(w, r, http.StatusOK, map[string]any{"device": d, "enrolled_model": model}, err)
}
