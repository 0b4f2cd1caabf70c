//go:build js && wasm

// Package portal is the patient portal served from the edge worker.
package portal

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/gannet/edge/booking"
	"example.com/gannet/edge/kvstore"
	"example.com/gannet/edge/otp"
	"example.com/gannet/edge/session"
	"example.com/gannet/edge/videojoin"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/ttl"
)

// App holds the portal's dependencies.
type App struct {
	Sessions *session.SessionService
	Codes    *otp.Service
	Joins    *videojoin.Service
	Booking  *booking.Service
	Store    *kvstore.Store // portal records
	Presence *kvstore.Store // clinician check-ins
	Edge     *kvstore.Store // flags, limits, revocations
	Patients func(ctx context.Context, email string) (string, error)
	Log      *slog.Logger
}

type ctxKey struct{}

func sessionFrom(ctx context.Context) (domain.Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(domain.Session)
	return s, ok
}

// Routes returns the portal's handler.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /login", a.handleLogin())
	mux.Handle("POST /login/verify", a.handleVerify())
	mux.Handle("POST /logout", a.authed(a.handleLogout()))
	mux.Handle("GET /flags", a.handleFlags())
	mux.Handle("GET /summaries/{visit}", a.authed(a.handleSummary()))
	mux.Handle("POST /summaries/{visit}/ack", a.authed(a.handleAck()))
	mux.Handle("PATCH /preferences", a.authed(a.handlePrefs()))
	mux.Handle("POST /consent", a.authed(a.handleConsent()))
	mux.Handle("GET /badge", a.authed(a.handleBadge()))
	mux.Handle("POST /book", a.authed(a.handleBook()))
	mux.Handle("GET /join/{token}", a.handleJoin())
	mux.Handle("POST /clinicians/{id}/heartbeat", a.handleHeartbeat())
	return a.lastSeen(mux)
}

// lastSeen records when the portal last served a request, for the status
// page's "portal reachable" indicator.
func (a *App) lastSeen(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ns, err := a.Edge.Namespace(); err == nil {
			_ = ns.PutString("portal:last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
		}
		next.ServeHTTP(w, r)
	})
}

// authed loads the caller's session and keeps it alive.
func (a *App) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		sess, ok, err := a.Sessions.Lookup(r.Context(), c.Value)
		if err != nil {
			a.fail(w, err)
			return
		}
		if !ok {
			http.Error(w, "session expired", http.StatusUnauthorized)
			return
		}
		if err := a.Sessions.Touch(r.Context(), sess); err != nil {
			a.Log.Warn("touch session", "err", err)
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	}
}

func (a *App) fail(w http.ResponseWriter, err error) {
	a.Log.Error("portal", "err", err)
	http.Error(w, "something went wrong", http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (a *App) handleHeartbeat() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
		if err := a.Presence.Put(r.Context(), "presence:"+r.PathValue("id"), stamp); err != nil {
			a.fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *App) handleFlags() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := a.Edge.Namespace()
		if err != nil {
			a.fail(w, err)
			return
		}
		raw, err := ns.GetString("flags:portal", &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
		if err != nil {
			a.fail(w, err)
			return
		}
		if raw == kvstore.Null {
			raw = "{}"
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age="+strconv.Itoa(int(ttl.ScheduleCache/time.Second)))
		w.Write([]byte(raw))
	}
}
