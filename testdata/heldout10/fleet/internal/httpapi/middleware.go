package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"example.com/fleet/internal/opsession"
)

type middleware func(http.Handler) http.Handler

// chain applies mws so that the first one is outermost.
func chain(h http.Handler, mws ...middleware) http.Handler {
	for _, m := range slices.Backward(mws) {
		h = m(h)
	}
	return h
}

func recoverer(log *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					log.Error("panic", "value", v, "path", r.URL.Path)
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func requestLog(log *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(sw, r)
			log.Info("http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "took", time.Since(start))
		})
	}
}

// audit remembers the most recent console action for the "last activity"
// widget.
func (s *Server) audit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		op, _ := opsession.Operator(r.Context())
		entry, _ := json.Marshal(map[string]any{"operator": op.Operator, "method": r.Method, "path": r.URL.Path, "at": time.Now().UTC()})
		if err := s.d.Save(r.Context(), "console:last-action", entry); err != nil { // EXPECT kvhotkey
			s.d.Log.Warn("audit", "err", err)
		}
	})
}
