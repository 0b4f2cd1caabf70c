// Command controlplane serves the console and CLI API. Only the routes that
// the console uses directly are mounted here; the rest of the API is served
// by the same packages behind the API gateway.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/frogmouth-dev/frogmouth/internal/deploy"
	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
	"github.com/frogmouth-dev/frogmouth/internal/logtail"
	"github.com/frogmouth-dev/frogmouth/internal/session"
)

type server struct {
	log      *slog.Logger
	sessions *session.Manager
	deploys  *deploy.Service
	logs     *logtail.Tail
	state    *kvstore.Store
	hookKey  []byte
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *server) fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, session.ErrNoSession):
		http.Error(w, "sign in required", http.StatusUnauthorized)
	case errors.Is(err, deploy.ErrRouteTaken):
		http.Error(w, err.Error(), http.StatusConflict)
	default:
		s.log.Error("request failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// tenantSession authenticates r and checks that it may act for the tenant in
// the path.
func (s *server) tenantSession(w http.ResponseWriter, r *http.Request) (*session.Session, bool) {
	sess, err := s.sessions.Authenticate(r)
	if err != nil {
		s.fail(w, err)
		return nil, false
	}
	if sess.Tenant != r.PathValue("tenant") {
		http.Error(w, "forbidden", http.StatusForbidden)
		return nil, false
	}
	return sess, true
}

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /v1/login/magic/{token}", func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.sessions.RedeemMagicLink(r.Context(), r.PathValue("token"), lookupUser)
		if err != nil {
			s.fail(w, err)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "fm_session", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/console", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /v1/logout", func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.sessions.Authenticate(r)
		if err != nil {
			s.fail(w, err)
			return
		}
		if err := s.sessions.Logout(r.Context(), sess); err != nil {
			s.fail(w, err)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "fm_session", Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /v1/tenants/{tenant}/functions/{name}/versions", func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.tenantSession(w, r)
		if !ok {
			return
		}
		code, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rt := deploy.Runtime(r.URL.Query().Get("runtime"))
		v, err := s.deploys.Publish(r.Context(), deploy.PublishCommand{
			Tenant: sess.Tenant, Name: r.PathValue("name"), Author: sess.Email,
			Runtime: rt, Code: code, Promote: r.URL.Query().Get("promote") == "1",
		})
		if err != nil {
			s.fail(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, v)
	})
	mux.HandleFunc("GET /v1/tenants/{tenant}/functions/{name}/logs/{tail}", func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.tenantSession(w, r)
		if !ok {
			return
		}
		if err := s.logs.Stream(w, r, sess.Tenant, r.PathValue("name"), r.PathValue("tail")); err != nil {
			s.log.Warn("log tail", "err", err)
		}
	})
	mux.HandleFunc("POST /v1/hooks/github", s.githubHook)
	return mux
}

// githubHook receives push events from the GitHub app and queues a build.
func (s *server) githubHook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, s.hookKey)
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Hub-Signature-256"))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	delivery := r.Header.Get("X-GitHub-Delivery")
	if err := s.state.Put(r.Context(), "build-queue:"+delivery, body, 24*time.Hour); err != nil {
		s.fail(w, err)
		return
	}
	status, _ := json.Marshal(map[string]string{"delivery": delivery, "at": time.Now().UTC().Format(time.RFC3339)})
	if err := s.state.Put(r.Context(), "hooks:github:last-delivery", status, 0); err != nil { // EXPECT kvhotkey
		s.log.Warn("hook status", "err", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func lookupUser(email string) (string, error) {
	sum := sha256.Sum256([]byte(email))
	return "u_" + hex.EncodeToString(sum[:8]), nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	api := kvstore.NewClient(os.Getenv("CF_API_TOKEN"))
	account := os.Getenv("CF_ACCOUNT_ID")
	ns := func(name string) *kvstore.Store { return kvstore.New(api, account, os.Getenv(name)) }

	s := &server{
		log:      log,
		sessions: session.NewManager(ns("KV_AUTH")),
		deploys:  deploy.NewService(ns("KV_FUNCTIONS"), ns("KV_ROUTES")),
		logs:     logtail.New(ns("KV_LOGS")),
		state:    ns("KV_STATE"),
		hookKey:  []byte(os.Getenv("GITHUB_HOOK_SECRET")),
	}
	srv := &http.Server{Addr: ":8080", Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	log.Info("control plane listening", "addr", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
