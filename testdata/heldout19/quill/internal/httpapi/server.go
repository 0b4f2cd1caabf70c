// Package httpapi exposes the reader endpoints and the editor API over HTTP.
package httpapi

import (
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/quill/internal/archive"
	"example.com/quill/internal/authorlogin"
	"example.com/quill/internal/collab"
	"example.com/quill/internal/drafts"
	"example.com/quill/internal/entitlements"
	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
	"example.com/quill/internal/subscriptions"
	"example.com/quill/internal/tallies"
)

const sessionCookie = "quill_session"

// Deps are the services the API needs.
type Deps struct {
	Router    *storage.Router
	Subs      *subscriptions.Service
	Drafts    *drafts.Store
	Locks     *collab.Locks
	Sessions  *authorlogin.Sessions
	PKCE      *authorlogin.PKCE
	Tallies   *tallies.Tallies
	Downloads *tallies.Downloads
	Ent       *entitlements.Client
	Archive   func(tenant string) *archive.Queries
	PDFBase   string
}

// Server is the HTTP API.
type Server struct {
	Deps
	mux *http.ServeMux
}

// New builds the routes.
func New(d Deps) *Server {
	s := &Server{Deps: d, mux: http.NewServeMux()}
	s.mux.Handle("POST /p/{tenant}/subscribe", s.limitSubscribe(http.HandlerFunc(s.subscribe)))
	s.mux.HandleFunc("GET /p/{tenant}/confirm", s.confirm)
	s.mux.HandleFunc("GET /p/{tenant}/unsubscribe", s.unsubscribe)
	s.mux.HandleFunc("GET /p/{tenant}/archive", s.archivePage)
	s.mux.HandleFunc("GET /p/{tenant}/archive/{n}", s.archiveIssue)
	s.mux.HandleFunc("POST /p/{tenant}/trial", s.startTrial)
	s.mux.HandleFunc("GET /o/{tenant}/{issue}/pixel.gif", s.openPixel)
	s.mux.HandleFunc("GET /c/{tenant}/{issue}/{link}", s.click)
	s.mux.HandleFunc("GET /d/{tenant}/{issue}", s.download)
	s.mux.HandleFunc("GET /login", s.login)
	s.mux.HandleFunc("GET /callback", s.callback)
	s.mux.Handle("POST /logout", s.editor(s.logout))
	s.mux.Handle("POST /editor/revoke-all", s.editor(s.revokeAll))
	s.mux.Handle("GET /editor/drafts/{id}", s.editor(s.getDraft))
	s.mux.Handle("PUT /editor/drafts/{id}", s.editor(s.saveDraft))
	s.mux.Handle("POST /editor/docs/{doc}/sections/{section}/lock", s.editor(s.lockSection))
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func fail(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// known maps service errors to status codes.
var known = []struct {
	err  error
	code int
}{
	{subscriptions.ErrInvalidEmail, http.StatusBadRequest},
	{subscriptions.ErrInvalidToken, http.StatusGone},
	{drafts.ErrNoDraft, http.StatusNotFound},
	{archive.ErrNoIssue, http.StatusNotFound},
	{entitlements.ErrAlreadyEntitled, http.StatusConflict},
	{authorlogin.ErrNoSession, http.StatusUnauthorized},
	{authorlogin.ErrLockedOut, http.StatusForbidden},
}

// reply writes v with code, or the status that matches err.
func reply(w http.ResponseWriter, r *http.Request, code int, v any, err error) {
	if err == nil {
		writeJSON(w, code, v)
		return
	}
	for _, k := range known {
		if errors.Is(err, k.err) {
			fail(w, k.code, err.Error())
			return
		}
	}
	log.Printf("httpapi: %s %s: %v", r.Method, r.URL.Path, err)
	fail(w, http.StatusInternalServerError, "internal error")
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func pathInt(r *http.Request, name string) (int, bool) {
	n, err := strconv.Atoi(r.PathValue(name))
	return n, err == nil && n > 0
}

// limitSubscribe allows a handful of sign-ups per address per ten minutes.
func (s *Server) limitSubscribe(next http.Handler) http.Handler {
	const perWindow = 5
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		b := storage.NewBucket(s.Router.For(r.PathValue("tenant")))
		window := time.Now().UTC().Truncate(10 * time.Minute).Format("150405")
		key := keys.Join("ratelimit", "subscribe", clientIP(r), window)
		n := 0
		raw, err := b.Get(ctx, key)
		switch {
		case err == nil:
			n, _ = strconv.Atoi(string(raw))
		case !errors.Is(err, storage.ErrNotFound):
			reply(w, r, 0, nil, err)
			return
		}
		if n >= perWindow {
			w.Header().Set("Retry-After", "600")
			fail(w, http.StatusTooManyRequests, "too many sign-ups from your network, try again later")
			return
		}
		if err := b.Write(key).Value([]byte(strconv.Itoa(n + 1))).TTL(10 * time.Minute).Do(ctx); err != nil { // EXPECT kvcounter
			log.Printf("httpapi: rate limit: %v", err)
		}
		next.ServeHTTP(w, r)
	})
}

// editor requires a signed-in author.
func (s *Server) editor(h func(http.ResponseWriter, *http.Request, authorlogin.Session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			fail(w, http.StatusUnauthorized, "sign in first")
			return
		}
		sess, err := s.Sessions.Lookup(r.Context(), c.Value)
		if err != nil {
			reply(w, r, 0, nil, err)
			return
		}
		if err := s.Sessions.Touch(r.Context(), sess); err != nil {
			log.Printf("httpapi: touch session: %v", err)
		}
		h(w, r, sess)
	})
}
