//go:build js && wasm

// Package edge is the worker's HTTP front end: routing, authentication,
// and the handlers of the public gallery API.
package edge

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/mosaic/internal/albums"
	"example.com/mosaic/internal/config"
	"example.com/mosaic/internal/domain"
	"example.com/mosaic/internal/maintenance"
	"example.com/mosaic/internal/moderation"
	"example.com/mosaic/internal/sharing"
	"example.com/mosaic/internal/storage"
	"example.com/mosaic/internal/thumbs"
	"example.com/mosaic/internal/uploads"
	"example.com/mosaic/internal/views"
)

// Deps are the services the front end routes to.
type Deps struct {
	Config   config.Config
	NS       *kv.Namespace
	Store    storage.Store
	Albums   *albums.Service
	Sharing  *sharing.Service
	Uploads  *uploads.Service
	Thumbs   *thumbs.Cache
	Views    *views.Batcher
	Legacy   *views.LegacyCounter
	Flags    *maintenance.Flags
	Lists    *moderation.Lists
	Snapshot *moderation.Snapshot
	Strikes  *moderation.Strikes
	Log      *slog.Logger
}

// Server routes requests to handlers.
type Server struct {
	Deps
	routes map[string]http.HandlerFunc
	public map[string]bool
}

// apiFunc is a handler that returns a status and a JSON body.
type apiFunc func(r *http.Request) (int, any, error)

func api(fn apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, body, err := fn(r)
		switch {
		case err != nil:
			writeError(w, err)
		case body == nil:
			w.WriteHeader(status)
		default:
			writeJSON(w, status, body)
		}
	}
}

// New builds the route table.
func New(d Deps) *Server {
	s := &Server{Deps: d}
	s.routes = map[string]http.HandlerFunc{
		"POST /login":         s.login,
		"POST /logout":        s.logout,
		"GET /albums":         api(s.listAlbums),
		"POST /albums":        api(s.createAlbum),
		"PATCH /album":        api(s.updateAlbum),
		"DELETE /album":       api(s.deleteAlbum),
		"GET /export":         api(s.exportAlbums),
		"POST /share":         api(s.createShare),
		"DELETE /share":       api(s.revokeShare),
		"GET /s":              api(s.openShare),
		"POST /uploads":       api(s.beginUpload),
		"PUT /uploads":        api(s.recordPart),
		"POST /uploads-done":  api(s.completeUpload),
		"GET /embed":          api(s.embed),
		"POST /download-code": api(s.issueDownload),
		"GET /d":              s.download,
		"GET /thumb":          s.thumb,
		"GET /healthz":        api(s.healthz),
	}
	s.public = map[string]bool{"POST /login": true, "GET /s": true, "GET /embed": true,
		"GET /d": true, "GET /thumb": true, "GET /healthz": true}
	return s
}

// tail returns the path after the first segment, e.g. the album ID.
func tail(r *http.Request) string {
	_, rest, _ := strings.Cut(strings.Trim(r.URL.Path, "/"), "/")
	return rest
}

// Handler returns the complete handler with middlewares applied.
func (s *Server) Handler() http.Handler {
	return s.Flags.Gate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first, _, _ := strings.Cut(strings.Trim(r.URL.Path, "/"), "/")
		key := r.Method + " /" + first
		h, ok := s.routes[key]
		if !ok {
			http.NotFound(w, r)
			return
		}
		r = r.WithContext(config.WithRequestID(r.Context(), r.Header.Get("Cf-Ray")))
		if !s.public[key] {
			uid, err := s.authenticate(r)
			if err != nil {
				writeError(w, err)
				return
			}
			r = r.WithContext(config.WithUserID(r.Context(), uid))
		}
		h(w, r)
	}))
}

func (s *Server) healthz(r *http.Request) (int, any, error) {
	return http.StatusOK, map[string]any{"ok": true, "banner": s.Flags.Banner(r.Context()),
		"allow_list_age_s": int(s.Snapshot.Age().Seconds())}, nil
}

func userID(r *http.Request) string {
	uid, _ := config.UserID(r.Context())
	return uid
}

func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		return domain.ErrBadRequest
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

var statusOf = map[error]int{
	domain.ErrNotFound: http.StatusNotFound, domain.ErrForbidden: http.StatusForbidden,
	domain.ErrConflict: http.StatusConflict, domain.ErrSlugTaken: http.StatusConflict,
	domain.ErrExpired: http.StatusGone, domain.ErrOverQuota: http.StatusInsufficientStorage,
	domain.ErrBadRequest: http.StatusBadRequest, errUnauthenticated: http.StatusUnauthorized,
	errRateLimited: http.StatusTooManyRequests,
}

func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	for target, code := range statusOf {
		if errors.Is(err, target) {
			status = code
		}
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
