package commands

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"veery/internal/httpx"
	"veery/internal/kvstore"
)

// Handler exposes the queues over HTTP.
type Handler struct {
	Q Queue
}

// Routes registers the command endpoints.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /devices/{id}/commands", h.enqueue)
	mux.HandleFunc("GET /devices/{id}/commands", h.list)
	mux.HandleFunc("GET /devices/{id}/commands/pending", h.pending)
	mux.HandleFunc("POST /devices/{id}/commands/{cmd}/ack", h.ack)
	mux.HandleFunc("POST /devices/{id}/commands/{cmd}/reschedule", h.reschedule)
	mux.HandleFunc("POST /fleets/{fleet}/commands", h.broadcast)
}

func (h *Handler) enqueue(w http.ResponseWriter, r *http.Request) {
	var c Command
	if err := httpx.Decode(r, &c); err != nil || c.Kind == "" {
		httpx.Error(w, http.StatusBadRequest, "kind is required")
		return
	}
	c.IssuedBy = r.Header.Get("X-Operator")
	device := r.PathValue("id")
	if r.URL.Query().Get("legacy") == "1" {
		c.ID = newCommandID(time.Now())
		c.IssuedAt = time.Now().UTC()
		if err := h.Q.EnqueueLegacy(r.Context(), device, c); err != nil {
			httpx.Internal(w, r, err)
			return
		}
		httpx.JSON(w, http.StatusCreated, c)
		return
	}
	c, err := h.Q.Enqueue(r.Context(), device, c)
	httpx.Reply(w, r, http.StatusCreated, c, err)
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	l, err := h.Q.List(r.Context(), r.PathValue("id"), r.URL.Query().Get("cursor"))
	httpx.Reply(w, r, http.StatusOK, l, err)
}

func (h *Handler) pending(w http.ResponseWriter, r *http.Request) {
	cmds, err := h.Q.Pending(r.Context(), r.PathValue("id"))
	httpx.Reply(w, r, http.StatusOK, cmds, err)
}

func (h *Handler) ack(w http.ResponseWriter, r *http.Request) {
	device, id := r.PathValue("id"), r.PathValue("cmd")
	var err error
	if r.URL.Query().Get("legacy") == "1" {
		err = h.Q.AckLegacy(r.Context(), device, id)
	} else {
		err = h.Q.Ack(r.Context(), device, id)
	}
	if errors.Is(err, ErrNotQueued) {
		httpx.Error(w, http.StatusNotFound, err.Error())
		return
	}
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) reschedule(w http.ResponseWriter, r *http.Request) {
	var body struct {
		In string `json:"in"`
	}
	if err := httpx.Decode(r, &body); err != nil {
		httpx.Error(w, http.StatusBadRequest, `body must be {"in": "<duration>"}`)
		return
	}
	d, err := time.ParseDuration(body.In)
	if err != nil || d <= 0 {
		httpx.Error(w, http.StatusBadRequest, "in must be a positive duration")
		return
	}
	device, id := r.PathValue("id"), r.PathValue("cmd")
	raw, err := h.Q.KV.Get(r.Context(), h.Q.NS, cmdKey(device, id))
	if kvstore.IsMissing(err) {
		httpx.Error(w, http.StatusNotFound, "command not queued")
		return
	}
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	var c Command
	if err := json.Unmarshal(raw, &c); err != nil {
		httpx.Internal(w, r, err)
		return
	}
	c, err = h.Q.Reschedule(r.Context(), device, c, time.Now().Add(d))
	httpx.Reply(w, r, http.StatusOK, c, err)
}

func (h *Handler) broadcast(w http.ResponseWriter, r *http.Request) {
	var c Command
	if err := httpx.Decode(r, &c); err != nil || c.Kind == "" {
		httpx.Error(w, http.StatusBadRequest, "kind is required")
		return
	}
	c.IssuedBy = r.Header.Get("X-Operator")
	c.IssuedAt = time.Now().UTC()
	c.ID = newCommandID(c.IssuedAt)
	n, err := h.Q.Broadcast(r.Context(), r.PathValue("fleet"), c)
	if err != nil {
		httpx.JSON(w, http.StatusMultiStatus, map[string]any{"queued": n, "error": err.Error()})
		return
	}
	httpx.JSON(w, http.StatusCreated, map[string]int{"queued": n})
}
