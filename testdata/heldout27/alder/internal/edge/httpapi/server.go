//go:build js && wasm

// Package httpapi serves the member portal, the lobby tablets and the door
// keypads from the Worker.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"example.com/alder/internal/config"
	"example.com/alder/internal/domain"
	"example.com/alder/internal/edge/kvstore"
	"example.com/alder/internal/service/access"
	"example.com/alder/internal/service/bookings"
	"example.com/alder/internal/service/occupancy"
	"example.com/alder/internal/service/passes"
	"example.com/alder/internal/service/sessions"
	"example.com/alder/internal/service/visitors"
	"example.com/alder/internal/storage"
)

// nullText is how syscall/js renders the binding's null for a missing key.
const nullText = "<null>"

const sessionCookie = "alder_sid"

// Mailer delivers transactional mail.
type Mailer interface {
	Send(ctx context.Context, to domain.Email, subject, body string) error
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg       config.Config
	store     *kvstore.Store
	binding   string
	sessions  *sessions.Service
	bookings  *bookings.Service
	access    *access.Service
	passes    *passes.Service
	visitors  *visitors.Service
	occupancy *occupancy.Service
	mail      Mailer
}

// ProvideServer assembles the HTTP layer.
func ProvideServer(cfg config.Config, st *kvstore.Store, ss *sessions.Service, bs *bookings.Service,
	as *access.Service, ps *passes.Service, vs *visitors.Service, occ *occupancy.Service, m Mailer) *Server {
	return &Server{
		cfg: cfg, store: st, binding: st.Binding(),
		sessions: ss, bookings: bs, access: as, passes: ps, visitors: vs, occupancy: occ, mail: m,
	}
}

// Handler returns the routed handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/login/start", s.loginStart)
	mux.HandleFunc("/login/verify", s.loginVerify)
	mux.HandleFunc("/logout", s.withSession(s.logout))
	mux.HandleFunc("/me/profile", s.withSession(s.profile))
	mux.HandleFunc("/desks/", s.withSession(s.desks))
	mux.HandleFunc("/rooms/book", s.withSession(s.bookRoom))
	mux.HandleFunc("/rooms/capacity", s.roomCapacity)
	mux.HandleFunc("/door/check", s.doorCheck)
	mux.HandleFunc("/door/revoke", s.withSession(s.doorRevoke))
	mux.HandleFunc("/checkin", s.checkin)
	mux.HandleFunc("/passes/redeem", s.redeemPass)
	mux.HandleFunc("/visitors/", s.visitorRoutes)
	mux.HandleFunc("/dashboard", s.dashboard)
	mux.HandleFunc("/features", s.features)
	mux.HandleFunc("/admin/keys", s.adminKeys)
	mux.HandleFunc("/admin/notice", s.adminNotice)
	return s.withHeartbeat(mux)
}

type sessionHandler func(w http.ResponseWriter, r *http.Request, sess *domain.Session)

// withSession resolves the session cookie, refuses blocked members and keeps
// the session alive while it is used.
func (s *Server) withSession(next sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		sess, err := s.sessions.Lookup(r.Context(), c.Value)
		if errors.Is(err, sessions.ErrNoSession) {
			http.Error(w, "session expired", http.StatusUnauthorized)
			return
		}
		if err != nil {
			fail(w, err)
			return
		}
		if _, err := s.store.Get(r.Context(), "revoked:"+string(sess.Member)); err == nil {
			http.Error(w, "membership ended", http.StatusForbidden)
			return
		} else if !storage.IsNotFound(err) {
			fail(w, err)
			return
		}
		if err := s.sessions.Touch(r.Context(), sess); err != nil {
			fail(w, err)
			return
		}
		next(w, r, sess)
	}
}

// withHeartbeat records that the Worker is serving traffic, for the status
// page.
func (s *Server) withHeartbeat(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		_ = s.store.PutString(r.Context(), "edge:heartbeat", time.Now().UTC().Format(time.RFC3339), 10*time.Minute) // EXPECT kvhotkey
	})
}

// banner returns the announcement shown above member pages.
func (s *Server) banner(ctx context.Context) string {
	raw, err := s.store.Raw(ctx, "site:banner")
	if err != nil || len(raw) == 0 { // EXPECT kvnull
		return ""
	}
	return raw
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var nf *storage.NotFoundError
	switch {
	case errors.As(err, &nf):
		status = http.StatusNotFound
	case errors.Is(err, bookings.ErrTaken), errors.Is(err, bookings.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, access.ErrDenied), errors.Is(err, access.ErrLockedOut):
		status = http.StatusForbidden
	case errors.Is(err, passes.ErrExhausted), errors.Is(err, passes.ErrExpired):
		status = http.StatusGone
	case errors.Is(err, visitors.ErrQuota):
		status = http.StatusTooManyRequests
	case errors.Is(err, domain.ErrInvalid), errors.Is(err, access.ErrWindowTooShort):
		status = http.StatusBadRequest
	}
	http.Error(w, err.Error(), status)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}
