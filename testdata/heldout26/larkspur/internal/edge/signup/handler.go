package signup

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
)

// Handler serves the public subscription endpoints.
type Handler struct {
	svc    *Service
	st     kvstore.Store
	ks     keys.Space
	router *httpx.Router
}

// NewHandler wires the routes of svc.
func NewHandler(svc *Service, ks keys.Space) *Handler {
	h := &Handler{svc: svc, ks: ks, router: httpx.NewRouter()}
	h.router.Handle(http.MethodPost, "/subscribe", http.HandlerFunc(h.subscribe))
	h.router.Handle(http.MethodGet, "/confirm", http.HandlerFunc(h.confirm))
	h.router.Handle(http.MethodPost, "/unsubscribe", http.HandlerFunc(h.unsubscribe))
	return h
}

// SetStore injects the storage adapter into the handler and its service.
func (h *Handler) SetStore(st kvstore.Store) {
	h.st = st
	h.svc.SetStore(st)
}

// Use adds middleware in front of every subscription route.
func (h *Handler) Use(mws ...httpx.Middleware) { h.router.Use(mws...) }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

func (h *Handler) subscribe(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ListID string `json:"list_id"`
		Email  string `json:"email"`
		Source string `json:"source"`
	}
	if err := httpx.Decode(r, &req); err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	switch err := h.svc.Subscribe(r.Context(), req.ListID, req.Email, req.Source); {
	case errors.Is(err, ErrInvalidEmail):
		httpx.Error(w, http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, ErrAlreadySubscribed):
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "subscribed"})
	case err != nil:
		httpx.Fail(w, err)
	default:
		httpx.JSON(w, http.StatusAccepted, map[string]string{"status": "check your inbox"})
	}
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	sub, err := h.svc.Confirm(r.Context(), r.URL.Query().Get("t"))
	if errors.Is(err, ErrLinkExpired) {
		httpx.Error(w, http.StatusGone, err.Error())
		return
	}
	if err != nil {
		httpx.Fail(w, err)
		return
	}
	latest, _ := json.Marshal(map[string]any{"list_id": sub.ListID, "at": time.Now().UTC()})
	if err := h.st.Put(r.Context(), h.ks.LatestSignup(), latest); err != nil { // EXPECT kvhotkey
		httpx.Fail(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"status": "confirmed", "list_id": sub.ListID})
}

func (h *Handler) unsubscribe(w http.ResponseWriter, r *http.Request) {
	undo, err := h.svc.Unsubscribe(r.Context(), r.URL.Query().Get("t"))
	switch {
	case errors.Is(err, ErrUnknownToken):
		httpx.Error(w, http.StatusNotFound, err.Error())
	case err != nil:
		httpx.Fail(w, err)
	default:
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "unsubscribed", "undo": undo})
	}
}
