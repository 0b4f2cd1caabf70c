// Package httpapi is the HTTP surface of the community Worker.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/community/internal/admin"
	"example.com/community/internal/digest"
	"example.com/community/internal/forum"
	"example.com/community/internal/gdpr"
	"example.com/community/internal/invites"
	"example.com/community/internal/moderation"
	"example.com/community/internal/notify"
	"example.com/community/internal/search"
	"example.com/community/internal/sessions"
	"example.com/community/internal/users"
)

// Services are the application services the handlers call.
type Services struct {
	Users    *users.Service
	Sessions *sessions.Manager
	Forum    *forum.Service
	Mod      *moderation.Queue
	Notify   *notify.Service
	Invites  *invites.Service
	Search   *search.Suggester
	Export   *admin.Exporter
	Erase    *gdpr.Eraser
	Digest   *digest.Job
	Titles   interface {
		IndexThread(ctx context.Context, t forum.Thread) error
	}
	Mail users.Mailer
}

// Bindings are the raw namespaces for handlers that talk to KV directly.
type Bindings struct {
	Users, Sessions, Forum, Cache *kv.Namespace
}

// Config holds HTTP-level settings.
type Config struct {
	CookieName     string
	BaseURL        string
	ResetTokenTTL  time.Duration
	InviteValidFor time.Duration
	RateLimit      int // writes per IP per window
	Admins         map[string]bool
	Flag           func(ctx context.Context, name string) bool
}

// Server routes requests to handlers.
type Server struct {
	svc  Services
	ns   Bindings
	cfg  Config
	log  *slog.Logger
	root http.Handler
}

type handler func(http.ResponseWriter, *http.Request, sessions.Session)

type middleware func(http.Handler) http.Handler

// httpError carries a status code out of a use case.
type httpError struct {
	code int
	msg  string
}

func (e httpError) Error() string { return e.msg }

var errBadInput = httpError{http.StatusBadRequest, "invalid input"}

// endpoint adapts a JSON use case to a handler. A nil result is a 204.
func endpoint[Req any](s *Server, code int, fn func(http.ResponseWriter, *http.Request, sessions.Session, Req) (any, error)) handler {
	return func(w http.ResponseWriter, r *http.Request, sess sessions.Session) {
		var req Req
		if r.Method != http.MethodGet && r.ContentLength != 0 {
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
		}
		out, err := fn(w, r, sess, req)
		switch {
		case err != nil:
			s.fail(w, err)
		case out == nil:
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(out)
		}
	}
}

type rw = http.ResponseWriter
type req = *http.Request
type sess = sessions.Session

// New wires the route tables.
func New(svc Services, ns Bindings, cfg Config, log *slog.Logger) *Server {
	s := &Server{svc: svc, ns: ns, cfg: cfg, log: log}
	public := map[string]handler{
		"POST /signup":          endpoint(s, 201, s.signup),
		"POST /login":           endpoint(s, 200, s.login),
		"POST /password/forgot": endpoint(s, 202, s.requestReset),
		"POST /password/reset":  endpoint(s, 204, s.redeemReset),
		"GET /t/{slug}":         endpoint(s, 200, s.threadBySlug),
		"GET /search/suggest":   endpoint(s, 200, s.suggest),
		"GET /search/popular":   endpoint(s, 200, s.popular),
		"GET /activity": endpoint(s, 200, func(_ rw, r req, _ sess, _ struct{}) (any, error) {
			return svc.Forum.RecentActivity(r.Context(), 50)
		}),
	}
	authed := map[string]handler{
		"POST /verify/resend":          endpoint(s, 202, s.resendCode),
		"POST /account/reauth":         endpoint(s, 204, s.reauth),
		"DELETE /account/devices/{id}": endpoint(s, 204, s.revokeDevice),
		"POST /threads":                endpoint(s, 201, s.createThread),
		"POST /admin/invites":          s.adminOnly(endpoint(s, 201, s.bulkInvites)),
		"GET /admin/stats":             s.adminOnly(endpoint(s, 200, s.stats)),
		"POST /verify": endpoint(s, 204, func(_ rw, r req, se sess, body struct{ Code string }) (any, error) {
			return nil, svc.Users.Verify(r.Context(), se.UserID, body.Code)
		}),
		"POST /logout": endpoint(s, 204, func(w rw, r req, se sess, _ struct{}) (any, error) {
			s.clearCookie(w)
			return nil, svc.Sessions.Logout(r.Context(), se.ID)
		}),
		"GET /account/devices": endpoint(s, 200, func(_ rw, r req, se sess, _ struct{}) (any, error) {
			return svc.Sessions.Devices(r.Context(), se.UserID)
		}),
		"POST /account/delete": endpoint(s, 202, func(_ rw, r req, se sess, _ struct{}) (any, error) {
			return svc.Erase.Request(r.Context(), se.UserID)
		}),
		"POST /threads/{id}/replies": endpoint(s, 201, func(_ rw, r req, se sess, body struct{ Body string }) (any, error) {
			return svc.Forum.Reply(r.Context(), r.PathValue("id"), se.UserID, body.Body)
		}),
		"POST /threads/{id}/subscribe": endpoint(s, 204, func(_ rw, r req, se sess, _ struct{}) (any, error) {
			return nil, svc.Forum.Subscribe(r.Context(), r.PathValue("id"), se.UserID)
		}),
		"POST /posts/{id}/reactions": endpoint(s, 200, func(_ rw, r req, _ sess, body struct{ Emoji string }) (any, error) {
			if !strings.Contains(" +1 heart laugh eyes ", " "+body.Emoji+" ") {
				return nil, errBadInput
			}
			return svc.Forum.React(r.Context(), r.PathValue("id"), body.Emoji)
		}),
		"POST /posts/{id}/report": endpoint(s, 202, func(_ rw, r req, se sess, body struct{ Reason string }) (any, error) {
			hidden, err := svc.Mod.Report(r.Context(), r.PathValue("id"), se.UserID, body.Reason)
			return map[string]bool{"hidden": hidden}, err
		}),
		"GET /inbox": endpoint(s, 200, func(_ rw, r req, se sess, _ struct{}) (any, error) {
			return svc.Notify.Inbox(r.Context(), se.UserID)
		}),
		"POST /inbox/read": endpoint(s, 204, func(_ rw, r req, se sess, _ struct{}) (any, error) {
			return nil, svc.Notify.MarkAllRead(r.Context(), se.UserID)
		}),
		"POST /inbox/snooze": endpoint(s, 204, func(_ rw, r req, se sess, body struct{ Until time.Time }) (any, error) {
			if !body.Until.After(time.Now()) {
				return nil, errBadInput
			}
			return nil, svc.Notify.Snooze(r.Context(), se.UserID, body.Until)
		}),
		"POST /invites": endpoint(s, 201, func(_ rw, r req, se sess, _ struct{}) (any, error) {
			return svc.Invites.Create(r.Context(), se.UserID, 1, cfg.InviteValidFor)
		}),
		"GET /admin/modq": s.adminOnly(endpoint(s, 200, func(_ rw, r req, _ sess, _ struct{}) (any, error) {
			ids, next, err := svc.Mod.Pending(r.Context(), r.URL.Query().Get("cursor"))
			return map[string]any{"items": ids, "cursor": next}, err
		})),
		"POST /admin/modq/{id}": s.adminOnly(endpoint(s, 204, func(_ rw, r req, _ sess, body struct{ KeepHidden bool }) (any, error) {
			return nil, svc.Mod.Resolve(r.Context(), r.PathValue("id"), body.KeepHidden)
		})),
		"POST /admin/export": s.adminOnly(endpoint(s, 201, func(_ rw, r req, _ sess, _ struct{}) (any, error) {
			key, err := svc.Export.Export(r.Context(), r.Header.Get("Idempotency-Key"))
			return map[string]string{"blob": key}, err
		})),
	}

	mux := http.NewServeMux()
	for pattern, h := range public {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { h(w, r, sessions.Session{}) })
	}
	for pattern, h := range authed {
		mux.Handle(pattern, s.requireSession(h))
	}
	s.root = chain(mux, s.logging, s.rateLimit)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.root.ServeHTTP(w, r) }

func chain(h http.Handler, mws ...middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

func (s *Server) logging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		s.log.Info("http", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
	})
}

const (
	rlPrefix = "rl:"
	rlWindow = 10 // seconds per bucket
)

// rateLimit throttles writes per client IP in fixed windows.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || s.cfg.RateLimit <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		key := fmt.Sprintf("%s%s:%d", rlPrefix, r.Header.Get("CF-Connecting-IP"), time.Now().Unix()/rlWindow)
		n := 0
		if v, ok, err := getString(s.ns.Cache, key, nil); err == nil && ok {
			n, _ = strconv.Atoi(v)
		}
		if n >= s.cfg.RateLimit {
			w.Header().Set("Retry-After", strconv.Itoa(rlWindow))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		if err := s.ns.Cache.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ // EXPECT kvcounter
			ExpirationTTL: rlWindow, // EXPECT kvttl
		}); err != nil {
			s.log.Warn("ratelimit: put", "err", err)
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) requireSession(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cfg.CookieName)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		sess, err := s.svc.Sessions.Lookup(r.Context(), c.Value)
		if errors.Is(err, sessions.ErrNoSession) || errors.Is(err, sessions.ErrRevoked) {
			s.clearCookie(w)
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		if err := s.svc.Sessions.Touch(r.Context(), sess.ID); err != nil {
			s.log.Warn("session touch", "err", err)
		}
		h(w, r, sess)
	})
}

func (s *Server) adminOnly(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, sess sessions.Session) {
		if !s.cfg.Admins[sess.UserID] {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h(w, r, sess)
	}
}

func (s *Server) setCookie(w http.ResponseWriter, sess sessions.Session) {
	c := &http.Cookie{Name: s.cfg.CookieName, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	if sess.Remember {
		c.Expires = sess.ExpiresAt
	}
	http.SetCookie(w, c)
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cfg.CookieName, Path: "/", MaxAge: -1})
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	var he httpError
	switch {
	case errors.As(err, &he):
	case errors.Is(err, users.ErrHandleTaken), errors.Is(err, admin.ErrDuplicate):
		he = httpError{http.StatusConflict, err.Error()}
	case errors.Is(err, users.ErrInvalidHandle), errors.Is(err, users.ErrBadCode), errors.Is(err, users.ErrCodeExpired),
		errors.Is(err, invites.ErrExhausted), errors.Is(err, invites.ErrUnknown):
		he = httpError{http.StatusBadRequest, err.Error()}
	case errors.Is(err, users.ErrBadCredentials):
		he = httpError{http.StatusUnauthorized, err.Error()}
	case errors.Is(err, users.ErrTooManyAttempts):
		he = httpError{http.StatusTooManyRequests, err.Error()}
	case errors.Is(err, forum.ErrLocked):
		he = httpError{http.StatusForbidden, err.Error()}
	default:
		s.log.Error("request failed", "err", err)
		he = httpError{http.StatusInternalServerError, "internal error"}
	}
	http.Error(w, he.msg, he.code)
}

// getString reads key from ns; ok is false when the key does not exist.
func getString(ns *kv.Namespace, key string, opts *kv.GetOptions) (v string, ok bool, err error) {
	v, err = ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	// A missing key resolves to JS null, which syscall/js stringifies.
	if v == "<null>" {
		return "", false, nil
	}
	return v, true, nil
}
