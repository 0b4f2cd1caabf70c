// Package portal serves the customer portal: logins, magic-link invoice
// approvals and the session plumbing behind them.
package portal

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"stonechat/internal/audit"
	"stonechat/internal/cache"
	"stonechat/internal/config"
	"stonechat/internal/events"
	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
	"stonechat/internal/tally"
)

// Session is what the portal keeps per signed-in user.
type Session struct {
	ID        string         `json:"id"`
	Customer  ids.CustomerID `json:"customer"`
	Email     string         `json:"email"`
	OrgID     string         `json:"org_id,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	LastSeen  time.Time      `json:"last_seen"`
}

// Profile is the cached customer profile shown in the header.
type Profile struct {
	Customer ids.CustomerID `json:"customer"`
	Name     string         `json:"name"`
	Plan     string         `json:"plan"`
}

// Directory is the billing database as the portal sees it.
type Directory interface {
	Authenticate(ctx context.Context, email, password string) (ids.CustomerID, error)
	Profile(ctx context.Context, c ids.CustomerID) (Profile, error)
	CustomerByEmail(ctx context.Context, email string) (ids.CustomerID, error)
}

// Server holds the portal's dependencies.
type Server struct {
	cfg      config.Config
	sessions *kvstore.Store
	billing  *kvstore.Store
	bus      *events.Bus
	dir      Directory
	trail    *audit.Trail
	profiles *cache.Cache[ids.CustomerID, Profile]
	log      *slog.Logger

	logins     func(ctx context.Context, by int) error
	loginCount func(ctx context.Context) (int, error)
}

// NewServer wires the portal.
func NewServer(cfg config.Config, sessions, billing *kvstore.Store, bus *events.Bus, dir Directory, log *slog.Logger) *Server {
	s := &Server{cfg: cfg, sessions: sessions, billing: billing, bus: bus, dir: dir, log: log, trail: audit.New(billing)}

	pc := cfg.Cache
	pc.TTL = 45 * time.Second // EXPECT kvttl
	s.profiles = cache.New(billing, ids.CustomerID.Key, pc.TTL, dir.Profile)

	s.logins, s.loginCount = tally.NewTally(billing, "portal-logins")

	bus.On("user.logout", s.onLogout)
	bus.On("user.password_changed", s.onPasswordChanged)
	bus.On("user.org_switched", s.onUserEvent)
	bus.On("user.login", s.onUserEvent)
	return s
}

// Routes registers the portal endpoints.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /portal/login", s.handleLogin())
	mux.HandleFunc("POST /portal/logout", s.handleLogout())
	mux.HandleFunc("GET /portal/me", s.handleMe())
	mux.HandleFunc("POST /portal/magic-link", s.handleMagicLink())
	mux.HandleFunc("POST /portal/magic-link/resend", s.handleResendCooldown())
	mux.HandleFunc("GET /portal/approve/{token}", s.handleApprove())
	mux.HandleFunc("POST /portal/csrf", s.handleCSRF())
	mux.HandleFunc("POST /portal/slug", s.handleClaimSlug())
	mux.HandleFunc("GET /portal/open", s.handleOpenPixel())
	mux.HandleFunc("PUT /portal/banner", s.handleBanner())
	mux.HandleFunc("GET /portal/oauth/start", s.handleOAuthStart())
	mux.HandleFunc("GET /portal/oauth/callback", s.handleOAuthCallback())
	mux.HandleFunc("POST /portal/token/refresh", s.handleRefresh())
	mux.HandleFunc("POST /portal/invoices/{id}/notes", s.handleAddNote())
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func sessionCookie(r *http.Request) (ids.CustomerID, string, bool) {
	c, err := r.Cookie("sc_session")
	if err != nil {
		return "", "", false
	}
	cust, sid, ok := cutSession(c.Value)
	return ids.CustomerID(cust), sid, ok
}

func cutSession(v string) (string, string, bool) {
	for i := 0; i < len(v); i++ {
		if v[i] == '.' {
			return v[:i], v[i+1:], i > 0 && i < len(v)-1
		}
	}
	return "", "", false
}
