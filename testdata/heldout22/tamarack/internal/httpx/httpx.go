// Package httpx holds HTTP middleware and JSON helpers shared by handlers.
package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/tamarack/internal/platform/reqctx"
	"example.com/tamarack/internal/platform/store"
	"example.com/tamarack/internal/platform/storedeco"
	"example.com/tamarack/internal/platform/uow"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one runs outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// RequestID attaches an id from the cf-ray header or a random one.
func RequestID() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("Cf-Ray")
			if id == "" {
				var b [8]byte
				_, _ = rand.Read(b[:])
				id = hex.EncodeToString(b[:])
			}
			w.Header().Set("X-Request-Id", id)
			next.ServeHTTP(w, r.WithContext(reqctx.WithRequestID(r.Context(), id)))
		})
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Logging logs one line per request.
func Logging(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(sw, r)
			reqctx.Logger(r.Context(), log).Info("request",
				"method", r.Method, "path", r.URL.Path, "status", sw.status, "took", time.Since(start))
		})
	}
}

// Tenant resolves the festival edition from the host name and attaches a
// store scoped to it.
func Tenant(base store.Store, edition string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host, _, _ := strings.Cut(r.Host, ":")
			id, _, _ := strings.Cut(host, ".")
			if id == "" || id == "www" {
				id = "main"
			}
			ctx := reqctx.WithTenant(r.Context(), reqctx.Tenant{ID: id, Edition: edition})
			ctx = reqctx.WithStore(ctx, storedeco.NewScoped(base, id))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// UnitOfWork gives each request a unit of work over its scoped store and
// commits it when the handler answered with a non-error status.
func UnitOfWork(base store.Store, log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st := reqctx.StoreFrom(r.Context(), base)
			u := uow.New(st, reqctx.Logger(r.Context(), log))
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(sw, r.WithContext(uow.With(r.Context(), u)))
			if sw.status >= 400 {
				u.Rollback()
				return
			}
			if err := u.Commit(r.Context()); err != nil {
				reqctx.Logger(r.Context(), log).Error("commit failed", "err", err)
			}
		})
	}
}

// LastActivity records when the platform last served a request, for the
// operations dashboard.
func LastActivity(st store.Store, log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			stamp := time.Now().UTC().Format(time.RFC3339)
			if err := st.Put(r.Context(), "ops:last-request-at", stamp); err != nil { // EXPECT kvhotkey
				log.Warn("activity stamp failed", "err", err)
			}
		})
	}
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error writes a JSON error body.
func Error(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, map[string]string{"error": msg})
}

// DecodeJSON reads a JSON body of at most 1 MiB into v.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.Join(errors.New("invalid request body"), err)
	}
	return nil
}

// Endpoint adapts fn to a handler that writes its result as JSON, or the
// error with the status StatusFor picks. A nil result answers 204.
func Endpoint(fn func(r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		switch {
		case err != nil:
			Error(w, StatusFor(err), err.Error())
		case v == nil:
			w.WriteHeader(http.StatusNoContent)
		default:
			WriteJSON(w, http.StatusOK, v)
		}
	}
}

// StatusFor maps well-known store errors to HTTP statuses.
func StatusFor(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case store.IsNotFound(err):
		return http.StatusNotFound
	default:
		return http.StatusInternalServerError
	}
}
