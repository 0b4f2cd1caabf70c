// Command quetzald is the analytics backend: the server-side ingest API, the
// admin API behind the dashboard, and the report jobs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/quetzal-analytics/quetzal/internal/auditlog"
	"github.com/quetzal-analytics/quetzal/internal/auth"
	"github.com/quetzal-analytics/quetzal/internal/ingest"
	"github.com/quetzal-analytics/quetzal/internal/kvstore"
	"github.com/quetzal-analytics/quetzal/internal/reports"
	"github.com/quetzal-analytics/quetzal/internal/settings"
	"github.com/quetzal-analytics/quetzal/internal/sites"
)

type app struct {
	st       *kvstore.Store
	sites    *sites.Service
	auth     *auth.Manager
	reports  *reports.Reporter
	ingest   *ingest.Server
	liveTTL  time.Duration
	pageSize int
	exports  atomic.Int64
}

func main() {
	configPath := flag.String("config", os.Getenv("QUETZAL_CONFIG"), "configuration file")
	liveTTL := settings.Seconds(45) // DEBATABLE kvttl
	flag.Var(&liveTTL, "live-ttl", "lifetime of the live-visitors snapshot (seconds or duration)")
	pageSize := settings.PageSize(500)
	flag.Var(&pageSize, "page-size", "keys per list call in admin listings")
	flag.Parse()

	cfg, err := settings.Load(*configPath)
	if err != nil {
		slog.Error("config", "err", err)
		os.Exit(1)
	}
	st := kvstore.Dial(os.Getenv("CLOUDFLARE_API_TOKEN"), cfg.AccountID, cfg.NamespaceID)
	logger := auditlog.Install(st, slog.NewJSONHandler(os.Stderr, nil), cfg.AuditRetention.Duration)

	siteSvc := sites.NewService(st, logger)
	a := &app{
		st:       st,
		sites:    siteSvc,
		auth:     auth.NewManager(st, cfg.SessionLifetime.Duration, logger),
		reports:  reports.New(st, cfg.SnapshotTTL.Duration),
		ingest:   ingest.NewServer(st, siteSvc, logger, cfg.EventRetention.Duration, cfg.DedupeWindow.Duration, cfg.DailyQuota),
		liveTTL:  liveTTL.Duration(),
		pageSize: int(pageSize),
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go a.ingest.Run(ctx, cfg.FlushEvery.Duration)

	srv := &http.Server{Addr: cfg.Listen, Handler: a.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	slog.Info("listening", "addr", cfg.Listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/event", a.ingest)
	mux.HandleFunc("POST /auth/magic", a.magicLink)
	mux.HandleFunc("GET /auth/magic/{token}", a.redeem)
	mux.HandleFunc("POST /auth/logout", a.withSession(a.logout))
	mux.HandleFunc("POST /sites", a.withSession(a.createSite))
	mux.HandleFunc("DELETE /sites/{id}", a.withSession(a.deleteSite))
	mux.HandleFunc("POST /sites/{id}/goals", a.withSession(a.addGoal))
	mux.HandleFunc("POST /sites/{id}/export", a.withSession(a.export))
	mux.HandleFunc("POST /sites/{id}/live", a.withSession(a.live))
	mux.HandleFunc("GET /sites/{id}/preview", a.withSession(a.preview))
	mux.HandleFunc("GET /admin/keys", a.withSession(a.listKeys))
	return mux
}

type sessionHandler func(http.ResponseWriter, *http.Request, *auth.Session)

func (a *app) withSession(h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("qz_session")
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		s, err := a.auth.Load(r.Context(), c.Value)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		if err := a.auth.Touch(r.Context(), &s); err != nil {
			slog.WarnContext(r.Context(), "session touch", "err", err)
		}
		h(w, r, &s)
	}
}

func (a *app) magicLink(w http.ResponseWriter, r *http.Request) {
	email := r.FormValue("email")
	if err := a.auth.CheckLock(r.Context(), email); err != nil {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	tok, err := a.auth.SendMagicLink(r.Context(), email)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	slog.DebugContext(r.Context(), "magic link issued", "len", len(tok))
	w.WriteHeader(http.StatusAccepted)
}

func (a *app) redeem(w http.ResponseWriter, r *http.Request) {
	email, err := a.auth.RedeemMagicLink(r.Context(), r.PathValue("token"))
	if err != nil {
		_ = a.auth.RecordFailure(r.Context(), r.URL.Query().Get("email"))
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	s, err := a.auth.Start(r.Context(), email)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	_ = a.auth.LogSignIn(r.Context(), email, r.RemoteAddr)
	http.SetCookie(w, &http.Cookie{Name: "qz_session", Value: s.ID, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, Path: "/"})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request, s *auth.Session) {
	if err := a.auth.End(r.Context(), *s); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "qz_session", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) createSite(w http.ResponseWriter, r *http.Request, s *auth.Session) {
	site, err := a.sites.Create(r.Context(), r.FormValue("domain"), s.UserID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if sub := r.FormValue("subdomain"); sub != "" {
		if err := a.sites.ClaimSubdomain(r.Context(), sub, site.ID); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
	}
	writeJSON(w, site)
}

func (a *app) deleteSite(w http.ResponseWriter, r *http.Request, s *auth.Session) {
	if err := a.sites.Delete(r.Context(), r.PathValue("id"), s.UserID); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) addGoal(w http.ResponseWriter, r *http.Request, s *auth.Session) {
	var g sites.Goal
	if err := json.NewDecoder(r.Body).Decode(&g); err != nil {
		http.Error(w, "bad goal", http.StatusBadRequest)
		return
	}
	if err := a.sites.AddGoal(r.Context(), r.PathValue("id"), g, s.UserID); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (a *app) export(w http.ResponseWriter, r *http.Request, s *auth.Session) {
	id := r.PathValue("id")
	totals, err := a.reports.DailyTotals(r.Context(), id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	key, err := a.reports.ExportSite(r.Context(), id, totals)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	slog.InfoContext(r.Context(), "export.created", "site", id, "actor", s.UserID,
		"seq", a.exports.Add(1), "key", key)
	writeJSON(w, map[string]string{"key": key})
}

// live stores the visitors currently on the site, as reported by the
// dashboard's websocket hub.
func (a *app) live(w http.ResponseWriter, r *http.Request, s *auth.Session) {
	var visitors []string
	if err := json.NewDecoder(r.Body).Decode(&visitors); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	b, _ := json.Marshal(visitors)
	if err := a.st.Put(r.Context(), "live:"+r.PathValue("id"), b, a.liveTTL); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) preview(w http.ResponseWriter, r *http.Request, s *auth.Session) {
	id := r.PathValue("id")
	sum := reports.Summary{Site: id, Day: time.Now().UTC().Format("20060102"), Built: time.Now()}
	if err := a.reports.Preview(r.Context(), sum); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	slog.InfoContext(r.Context(), "preview.opened", "site", id, "actor", s.UserID,
		slog.Duration("retention", 30*time.Second)) // EXPECT kvttl
	writeJSON(w, sum)
}

func (a *app) listKeys(w http.ResponseWriter, r *http.Request, s *auth.Session) {
	names, next, err := a.reports.Page(r.Context(), r.URL.Query().Get("prefix"), r.URL.Query().Get("cursor"), a.pageSize)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]any{"keys": names, "cursor": next})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
