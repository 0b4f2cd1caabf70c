//go:build js && wasm

// Package web is the Worker's HTTP surface.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/queues"

	"example.com/avocet/internal/bus"
	"example.com/avocet/internal/config"
	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/edge/kvstore"
	"example.com/avocet/internal/feeds"
	"example.com/avocet/internal/migrate"
	"example.com/avocet/internal/ops"
	"example.com/avocet/internal/ports"
	"example.com/avocet/internal/presence"
	"example.com/avocet/internal/quota"
	"example.com/avocet/internal/repo"
	"example.com/avocet/internal/wizard"
)

// Deps is everything the handlers need; main fills it.
type Deps struct {
	Config     config.Edge
	Log        *slog.Logger
	Store      *kvstore.Adapter
	Exec       ops.Exec
	Sessions   ports.SessionStore
	Catalog    ports.Catalog
	Docs       ports.Documents
	Tokens     ports.TokenCache
	Feeds      *feeds.Cache
	Preview    *feeds.Cache
	FeedTokens *feeds.Tokens
	Directory  *feeds.Directory
	Shows      *repo.Repo[domain.Show]
	Slots      *repo.Repo[domain.SponsorSlot]
	Bus        *bus.Bus
	Limiter    quota.Limiter
	Presence   *presence.Tracker
	Migrations *migrate.Runner
	Wizard     *wizard.Service
	Downloads  *queues.Producer
	Mail       *queues.Producer
	IDKey      []byte
	IdP        string // identity provider base URL
	Upstream   string // media CDN API base URL
	BaseURL    string
	Now        func() time.Time
}

type server struct {
	d     Deps
	touch func(ctx context.Context, key string, v []byte) error
}

func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

func Routes(d Deps) http.Handler {
	s := &server{d: d, touch: ops.Writer(d.Exec)("edge")(time.Hour)}
	registerCommands(s)

	mux := http.NewServeMux()
	creator := func(h http.HandlerFunc) http.Handler { return s.requireSession(h) }

	mux.HandleFunc("POST /login/magic", s.requestMagicLink)
	mux.HandleFunc("GET /login/magic/{code}", s.redeemMagicLink)
	mux.HandleFunc("GET /oauth/start", s.oauthStart)
	mux.HandleFunc("GET /oauth/callback", s.oauthCallback)
	mux.Handle("POST /logout", creator(s.logout))
	mux.Handle("GET /media/sign", creator(s.mediaSigningToken))

	mux.HandleFunc("GET /feeds/{show}", s.publicFeed)
	mux.HandleFunc("GET /private/{show}/{token}", s.privateFeed)
	mux.Handle("GET /preview/{show}", creator(s.previewFeed))
	mux.Handle("POST /shows/{show}/tokens", creator(s.issueFeedToken))
	mux.HandleFunc("GET /dl/{show}/{episode}", s.download)
	mux.HandleFunc("GET /discover/{country}", s.discover)
	mux.HandleFunc("GET /stats/{episode}", s.episodeStats)

	mux.HandleFunc("GET /shows/{show}", s.showPage)
	mux.HandleFunc("GET /shows/{show}/banner", s.banner)
	mux.HandleFunc("GET /episodes/{episode}/transcript", s.transcript)
	mux.Handle("GET /shows/{show}/settings", creator(s.getSettings))
	mux.Handle("PATCH /shows/{show}/settings", creator(s.patchSettings))
	mux.Handle("POST /shows/{show}/slug", creator(s.claimSlug))
	mux.Handle("POST /shows/{show}/audit", creator(s.audit))
	mux.Handle("GET /shows/{show}/episodes/full", creator(s.episodesFull))

	mux.Handle("GET /sponsors/{sponsor}/bookings", creator(s.sponsorBookings))
	mux.Handle("POST /shows/{show}/slots/{week}/{pos}", creator(s.bookSlot))
	mux.Handle("GET /slots/search", creator(s.searchSlots))
	mux.Handle("GET /slots/export", creator(s.exportSlots))

	mux.Handle("POST /wizard/start", creator(bus.Handle(d.Bus, withCreator[wizard.StartCommand](func(c *wizard.StartCommand, id string) { c.Creator = id }))))
	mux.Handle("POST /wizard/step", creator(bus.Handle(d.Bus, withCreator[wizard.StepCommand](func(c *wizard.StepCommand, id string) { c.Creator = id }))))

	mux.HandleFunc("GET /live/{episode}/events", d.Presence.Listen)
	mux.Handle("POST /live/{episode}/host", creator(d.Presence.Host))

	mux.Handle("POST /admin/migrate", creator(s.runMigrations))

	return chain(mux, s.logRequests, s.rateLimit)
}

func unavailable(w http.ResponseWriter) {
	http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
}

func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.d.Now()
		next.ServeHTTP(w, r)
		s.d.Log.Info("request", "method", r.Method, "path", r.URL.Path, "took", s.d.Now().Sub(start))
	})
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func (s *server) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := s.d.Limiter.Allow(r.Context(), clientIP(r))
		if err != nil {
			s.d.Log.Warn("rate limiter", "err", err)
		} else if !ok {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type sessionKey struct{}

func sessionFrom(ctx context.Context) domain.Session {
	s, _ := ctx.Value(sessionKey{}).(domain.Session)
	return s
}

const sessionCookie = "avo_sess"

// requireSession loads the creator's session and keeps it alive: every
// request pushes the idle deadline forward, up to the absolute maximum.
func (s *server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		ctx := r.Context()
		now := s.d.Now()
		sess, err := s.d.Sessions.Load(ctx, c.Value)
		if err != nil || sess.Expired(now) {
			http.Error(w, "session expired", http.StatusUnauthorized)
			return
		}
		sess.ExpiresAt = now.Add(s.d.Config.SessionIdle.Std())
		if limit := sess.IssuedAt.Add(s.d.Config.SessionMax.Std()); sess.ExpiresAt.After(limit) {
			sess.ExpiresAt = limit
		}
		if err := s.d.Sessions.Save(ctx, sess); err != nil { // EXPECT kvsession
			s.d.Log.Warn("session refresh", "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, sessionKey{}, sess)))
	})
}

// withCreator decodes a JSON command and stamps the signed-in creator on it.
func withCreator[C any](set func(*C, string)) bus.Decoder[C] {
	return func(r *http.Request) (C, error) {
		c, err := bus.JSONBody[C](r)
		if err == nil {
			set(&c, sessionFrom(r.Context()).CreatorID)
		}
		return c, err
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *server) runMigrations(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Migrations.Run(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	v, _ := s.d.Migrations.Current(r.Context())
	writeJSON(w, http.StatusOK, map[string]int{"version": v})
}

func registerCommands(s *server) {
	bus.Register(s.d.Bus, s.d.Wizard.Start)
	bus.Register(s.d.Bus, func(ctx context.Context, c wizard.StepCommand) error {
		err := s.d.Wizard.Advance(ctx, c)
		if errors.Is(err, wizard.ErrOutOfOrder) {
			return bus.Fail(http.StatusConflict, err)
		}
		return err
	})
}
