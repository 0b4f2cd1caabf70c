// Package httpapi exposes the public and admin HTTP API of the worker.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"example.com/tickets/internal/auth"
	"example.com/tickets/internal/booking"
	"example.com/tickets/internal/domain"
	"example.com/tickets/internal/events"
	"example.com/tickets/internal/promo"
	"example.com/tickets/internal/ratelimit"
	"example.com/tickets/internal/stats"
)

// Deps is everything the server needs; built in main.
type Deps struct {
	Catalog       *events.Catalog
	Slugs         *events.Slugs
	Holds         *booking.HoldService
	Checkout      *booking.Checkout
	Promos        *promo.Service
	Auth          *auth.Service
	Views         *stats.Recorder
	KV            domain.FullStore
	Carts         domain.Store
	EnqueueTicket func(body string) error
	PublicLimit   ratelimit.Allower
	LoginLimit    ratelimit.Allower
	CheckoutLimit ratelimit.Allower
	KVBinding     string
	AdminToken    string
	Log           *slog.Logger
}

type Server struct {
	Deps
	mux *http.ServeMux
}

func New(d Deps) *Server {
	s := &Server{Deps: d, mux: http.NewServeMux()}
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() {
	public := ratelimit.NewMiddleware(s.PublicLimit, ratelimit.ClientIP, s.Log)
	login := ratelimit.NewMiddleware(s.LoginLimit, ratelimit.ClientIP, s.Log)
	checkout := ratelimit.NewMiddleware(s.CheckoutLimit, ratelimit.ClientIP, s.Log)
	checkout.FailOpen = false

	s.mux.Handle("GET /events/{id}", public.Wrap(http.HandlerFunc(s.getEvent)))
	s.mux.Handle("GET /e/{slug}", public.Wrap(http.HandlerFunc(s.resolveSlug)))
	s.mux.Handle("GET /promo/{code}", public.Wrap(http.HandlerFunc(s.previewPromo)))

	s.mux.Handle("POST /login/link", login.Wrap(http.HandlerFunc(s.requestLink)))
	s.mux.Handle("POST /login/password", login.Wrap(http.HandlerFunc(s.passwordLogin)))
	s.mux.HandleFunc("GET /login/callback", s.loginCallback)
	s.mux.Handle("POST /logout", s.authed(s.logout))

	s.mux.Handle("POST /events/{id}/holds", s.authed(s.placeHold))
	s.mux.Handle("POST /events/{id}/holds/{seat}/extend", s.authed(s.extendHold))
	s.mux.Handle("DELETE /events/{id}/holds/{seat}", s.authed(s.releaseHold))
	s.mux.Handle("GET /cart", s.authed(s.getCart))
	s.mux.Handle("POST /cart/items", s.authed(s.addToCart))
	s.mux.Handle("DELETE /cart", s.authed(s.clearCart))
	s.mux.Handle("POST /orders", checkout.Wrap(s.authed(s.placeOrder)))
	s.mux.Handle("POST /orders/{id}/cancel", s.authed(s.cancelOrder))
	s.mux.Handle("POST /orders/{id}/download", s.authed(s.downloadLink))
	s.mux.HandleFunc("POST /webhooks/payment", s.paymentWebhook)

	s.adminRoutes()
}

type ctxKey struct{}

func sessionFrom(ctx context.Context) *domain.Session {
	sess, _ := ctx.Value(ctxKey{}).(*domain.Session)
	return sess
}

// authed resolves the session cookie and rejects anonymous callers.
func (s *Server) authed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		sess, err := s.Auth.Session(r.Context(), c.Value)
		if errors.Is(err, auth.ErrNoSession) {
			http.Error(w, "session expired", http.StatusUnauthorized)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.Log.Warn("encode response", "err", err)
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, promo.ErrUnknownCode):
		status = http.StatusNotFound
	case errors.Is(err, domain.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, domain.ErrSeatHeld), errors.Is(err, events.ErrSlugTaken), errors.Is(err, promo.ErrCodeTaken):
		status = http.StatusConflict
	case errors.Is(err, domain.ErrSoldOut), errors.Is(err, domain.ErrQuotaExceeded),
		errors.Is(err, promo.ErrExhausted), errors.Is(err, promo.ErrExpired), errors.Is(err, domain.ErrEventStarted):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, auth.ErrLockedOut):
		status = http.StatusTooManyRequests
	}
	if status == http.StatusInternalServerError {
		s.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", status)
		return
	}
	s.writeJSON(w, status, map[string]string{"error": err.Error()})
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	ev, err := s.Catalog.Get(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.Catalog.Overrides(ctx, id)
	if err != nil {
		s.Log.WarnContext(ctx, "overrides unavailable", "event", id, "err", err)
		page = &domain.PageOverrides{}
	}
	if page.Hidden {
		http.NotFound(w, r)
		return
	}
	if err := s.Views.PageView(ctx, id); err != nil {
		s.Log.WarnContext(ctx, "page view not recorded", "event", id, "err", err)
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"event": ev, "page": page})
}

func (s *Server) resolveSlug(w http.ResponseWriter, r *http.Request) {
	id, err := s.Slugs.Resolve(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/events/"+id, http.StatusFound)
}

func (s *Server) previewPromo(w http.ResponseWriter, r *http.Request) {
	p, err := s.Promos.Preview(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"code": p.Code, "percent_off": p.PercentOff, "description": p.Description})
}

func (s *Server) placeHold(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Seat string `json:"seat"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Seat == "" {
		http.Error(w, "seat required", http.StatusBadRequest)
		return
	}
	h, err := s.Holds.Hold(r.Context(), r.PathValue("id"), body.Seat, sessionFrom(r.Context()).UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, h)
}

func (s *Server) extendHold(w http.ResponseWriter, r *http.Request) {
	h, err := s.Holds.Extend(r.Context(), r.PathValue("id"), r.PathValue("seat"), sessionFrom(r.Context()).UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, h)
}

func (s *Server) releaseHold(w http.ResponseWriter, r *http.Request) {
	if err := s.Holds.Release(r.Context(), r.PathValue("id"), r.PathValue("seat"), sessionFrom(r.Context()).UserID); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) placeOrder(w http.ResponseWriter, r *http.Request) {
	var req booking.OrderRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	req.UserID = sessionFrom(r.Context()).UserID
	o, err := s.Checkout.PlaceOrder(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, o)
}

func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) {
	o, err := s.Checkout.Cancel(r.Context(), r.PathValue("id"), sessionFrom(r.Context()).UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, o)
}

type downloadGrant struct {
	OrderID string `json:"order_id"`
	UserID  string `json:"user_id"`
	Format  string `json:"format"`
}

// downloadLink mints a short-lived link to the PDF tickets and, for paid
// orders, a wallet pass link valid for a day.
func (s *Server) downloadLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess := sessionFrom(ctx)
	o, err := s.Checkout.Order(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if o.UserID != sess.UserID {
		s.fail(w, r, domain.ErrForbidden)
		return
	}
	pdfTok, walletTok := randomToken(), randomToken()
	pdf, _ := json.Marshal(downloadGrant{OrderID: o.ID, UserID: sess.UserID, Format: "pdf"})
	expires := time.Now().Add(15 * time.Minute)
	if err := s.KV.SetExpireAt(ctx, "download:"+pdfTok, pdf, expires.Unix()*1000); err != nil { // EXPECT kvttl
		s.fail(w, r, err)
		return
	}
	out := map[string]string{"pdf": "/dl/" + pdfTok}
	if o.Status == domain.OrderPaid {
		wallet, _ := json.Marshal(downloadGrant{OrderID: o.ID, UserID: sess.UserID, Format: "pkpass"})
		if err := s.KV.SetExpireAt(ctx, "download:"+walletTok, wallet, time.Now().Add(24*time.Hour).Unix()); err != nil {
			s.fail(w, r, err)
			return
		}
		out["wallet"] = "/dl/" + walletTok
	}
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) paymentWebhook(w http.ResponseWriter, r *http.Request) {
	var ev struct {
		OrderID    string `json:"order_id"`
		PaymentRef string `json:"payment_ref"`
		Email      string `json:"email"`
		Status     string `json:"status"`
	}
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	if ev.Status != "succeeded" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	o, err := s.Checkout.MarkPaid(r.Context(), ev.OrderID, ev.PaymentRef)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	job, _ := json.Marshal(map[string]any{"order_id": o.ID, "event_id": o.EventID, "email": ev.Email, "qty": o.Qty, "kind": "eticket"})
	if err := s.EnqueueTicket(string(job)); err != nil {
		s.Log.ErrorContext(r.Context(), "could not enqueue delivery", "order", o.ID, "err", err)
		http.Error(w, "retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func randomToken() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
