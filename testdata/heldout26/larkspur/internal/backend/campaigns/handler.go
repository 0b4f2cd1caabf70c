package campaigns

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/httpx"
)

// Recipients resolves the active, unsuppressed addresses of a list.
type Recipients interface {
	Active(ctx context.Context, listID string) ([]string, error)
}

// Handler serves the campaign endpoints of the dashboard API and the
// internal dispatch endpoint the Worker's scheduler calls.
type Handler struct {
	svc  *Service
	rcpt Recipients
}

// NewHandler returns a Handler; the recipient resolver is injected with
// SetRecipients.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// SetRecipients injects the recipient resolver.
func (h *Handler) SetRecipients(r Recipients) { h.rcpt = r }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, action, _ := strings.Cut(httpx.Tail(r, "/campaigns/"), "/")
	var err error
	switch {
	case r.URL.Path == "/internal/dispatch":
		err = h.dispatch(w, r)
	case id == "":
		drafts, next, lerr := h.svc.ListDrafts(r.Context(), r.URL.Query().Get("cursor"))
		if err = lerr; err == nil {
			httpx.JSON(w, http.StatusOK, map[string]any{"drafts": drafts, "cursor": next})
		}
	case action == "schedule":
		err = h.schedule(w, r, id)
	default:
		http.NotFound(w, r)
	}
	switch {
	case err == nil:
	case errors.Is(err, ErrNotFound):
		httpx.Error(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrLocked):
		httpx.Error(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrInPast), errors.Is(err, ErrNoMailable):
		httpx.Error(w, http.StatusUnprocessableEntity, err.Error())
	default:
		httpx.Fail(w, err)
	}
}

func (h *Handler) schedule(w http.ResponseWriter, r *http.Request, id string) error {
	var req struct {
		ListID string    `json:"list_id"`
		SendAt time.Time `json:"send_at"`
	}
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	d, err := h.svc.Draft(r.Context(), id)
	if err != nil {
		return err
	}
	sch := domain.Schedule{CampaignID: id, SenderID: d.SenderID, ListID: req.ListID, SendAt: req.SendAt}
	if err := h.svc.Schedule(r.Context(), sch); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusAccepted, sch)
	return nil
}

// dispatch sends a campaign whose time has come. The send runs detached
// from the request, bounded by its own deadline.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		CampaignID string `json:"campaign_id"`
	}
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(r.Context()), time.Now().Add(30*time.Minute))
	d, err := h.svc.Draft(ctx, req.CampaignID)
	if err != nil {
		cancel()
		return err
	}
	rcpts, err := h.rcpt.Active(ctx, d.ListID)
	if err != nil {
		cancel()
		return err
	}
	go func() {
		defer cancel()
		if err := h.svc.Send(ctx, req.CampaignID, rcpts); err != nil {
			_ = h.svc.audit.Append(ctx, req.CampaignID, "send failed: "+err.Error())
		}
	}()
	w.WriteHeader(http.StatusAccepted)
	return nil
}
