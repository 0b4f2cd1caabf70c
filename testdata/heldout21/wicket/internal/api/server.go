// Package api is the HTTP surface of the edge service used by the OPAC,
// the mobile app and the kiosks.
package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/doorlock"
	"example.com/wicket/internal/httpx"
	"example.com/wicket/internal/kiosk"
	"example.com/wicket/internal/kvport"
	"example.com/wicket/internal/loans"
	"example.com/wicket/internal/seats"
	"example.com/wicket/internal/sessions"
)

// Directory verifies patrons against the ILS.
type Directory interface {
	VerifyPIN(ctx context.Context, card patron.CardNumber, pin patron.PIN) (patron.Patron, error)
	ByCard(ctx context.Context, card patron.CardNumber) (patron.Patron, error)
	SetPIN(ctx context.Context, card patron.CardNumber, pin patron.PIN) error
}

// SignInGuard throttles sign-in attempts; the edge binds it to guard.Guard.
type SignInGuard interface {
	AllowSignIn(r *http.Request) error
}

// Mailer sends transactional email.
type Mailer interface {
	SendResetCode(ctx context.Context, to patron.Email, code string) error
}

// Server holds the use cases the handlers call.
type Server struct {
	Loans    *loans.Service
	Seats    *seats.Booker
	Sessions *sessions.Manager
	Doors    doorlock.Registry
	Kiosks   *kiosk.Registry
	Dir      Directory
	Guard    SignInGuard
	Mail     Mailer
	KV       kvport.Store
}

type ctxKey struct{}

func sessionFrom(ctx context.Context) (sessions.Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(sessions.Session)
	return s, ok
}

// requireSession resolves the cookie and keeps the session alive.
func (s *Server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.Sessions.CookieName())
		if err != nil {
			httpx.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in first"})
			return
		}
		sess, err := s.Sessions.Lookup(r.Context(), c.Value)
		if err != nil {
			httpx.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "session expired"})
			return
		}
		if sess, err = s.Sessions.Extend(r.Context(), sess); err == nil {
			http.SetCookie(w, s.Sessions.Cookie(sess))
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}

// lastActivity records when the edge last served a patron, for the
// branch's out-of-hours dashboard.
func (s *Server) lastActivity(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		_ = s.KV.Put(context.WithoutCancel(r.Context()), "edge:last-patron-activity", stamp) // EXPECT kvhotkey
	})
}

// Routes is the route table.
func (s *Server) Routes() []httpx.Route {
	auth := []httpx.Middleware{s.requireSession}
	return []httpx.Route{
		{Pattern: "POST /v1/signin", Handler: httpx.Handler(s.signIn)},
		{Pattern: "POST /v1/signout", Handler: httpx.Handler(s.signOut), Mw: auth},
		{Pattern: "POST /v1/loans", Handler: s.copyAction(s.checkout), Mw: auth},
		{Pattern: "POST /v1/loans/{copy}/renew", Handler: httpx.JSON(s.renew), Mw: auth},
		{Pattern: "POST /v1/holds", Handler: httpx.Handler(s.placeHold), Mw: auth},
		{Pattern: "GET /v1/holds/{isbn}", Handler: httpx.JSON(s.holdStatus), Mw: auth},
		{Pattern: "POST /v1/basket", Handler: s.copyAction(s.scan), Mw: auth},
		{Pattern: "POST /v1/seats/hold", Handler: s.seatAction(s.holdSeat), Mw: auth},
		{Pattern: "POST /v1/seats/bookings", Handler: s.seatAction(s.bookSeat), Mw: auth},
		{Pattern: "GET /v1/rooms/{room}/bookings", Handler: httpx.JSON(s.roomBookings)},
		{Pattern: "POST /v1/pin-reset", Handler: httpx.Handler(s.requestReset)},
		{Pattern: "POST /v1/pin-reset/redeem", Handler: httpx.Handler(s.redeemReset)},
		{Pattern: "POST /staff/doors/{lock}/codes/{code}/revoke", Handler: httpx.Handler(s.revokeDoorCode)},
		{Pattern: "GET /staff/doors/{lock}/codes", Handler: httpx.JSON(s.doorCodes)},
		{Pattern: "POST /staff/kiosks", Handler: httpx.Handler(s.registerKiosk)},
		{Pattern: "GET /staff/kiosks", Handler: httpx.JSON(s.listKiosks)},
	}
}

// Handler builds the mux with the common middleware.
func (s *Server) Handler(extra ...httpx.Route) http.Handler {
	mux := http.NewServeMux()
	httpx.Mount(mux, append(s.Routes(), extra...), s.lastActivity)
	return mux
}

// mapErr turns domain errors into HTTP statuses.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, loans.ErrLoanLimit), errors.Is(err, seats.ErrQuota):
		return httpx.Status(http.StatusForbidden, err.Error(), err)
	case errors.Is(err, loans.ErrUnknownLoan):
		return httpx.Status(http.StatusNotFound, err.Error(), err)
	case errors.Is(err, loans.ErrAlreadyQueued), errors.Is(err, seats.ErrSeatTaken),
		errors.Is(err, seats.ErrOnHold), errors.Is(err, kiosk.ErrNameTaken):
		return httpx.Status(http.StatusConflict, err.Error(), err)
	case errors.Is(err, loans.ErrNotRenewable), errors.Is(err, loans.ErrBlocked), errors.Is(err, seats.ErrInThePast):
		return httpx.Status(http.StatusUnprocessableEntity, err.Error(), err)
	case errors.Is(err, sessions.ErrBadCode), errors.Is(err, sessions.ErrNoSession):
		return httpx.Status(http.StatusUnauthorized, err.Error(), err)
	case errors.Is(err, sessions.ErrTooMany):
		return httpx.Status(http.StatusTooManyRequests, err.Error(), err)
	default:
		return err
	}
}
