package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/sessions"
	"example.com/relay/internal/store"
)

// Handler is an HTTP handler that returns its error instead of writing it.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Middleware wraps a Handler.
type Middleware func(Handler) Handler

// Chain applies mws so that the first is outermost.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Error is an error with an HTTP status.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Msg) }

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

type ctxKey struct{}

func sessionFrom(ctx context.Context) *sessions.Session {
	s, _ := ctx.Value(ctxKey{}).(*sessions.Session)
	return s
}

// UserID returns the signed-in user, if any.
func UserID(ctx context.Context) string {
	if s := sessionFrom(ctx); s != nil {
		return s.UserID
	}
	return ""
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

// RateLimit allows limit requests per client IP per window.
func RateLimit(st store.Store, limit int, window time.Duration) Middleware {
	if window < time.Second {
		window = time.Minute
	}
	ttl := max(2*window, time.Minute)
	return func(next Handler) Handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			bucket := time.Now().Unix() / int64(window/time.Second)
			key := fmt.Sprintf("ratelimit:%s:%d", clientIP(r), bucket)
			n := 0
			raw, err := st.Get(r.Context(), key)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return err
			default:
				n, _ = strconv.Atoi(string(raw))
			}
			if n >= limit {
				w.Header().Set("Retry-After", strconv.Itoa(int(window/time.Second)))
				return errorf(http.StatusTooManyRequests, "slow down")
			}
			if err := st.Put(r.Context(), key, []byte(strconv.Itoa(n+1)), store.WithTTL(ttl)); err != nil { // EXPECT kvcounter
				return err
			}
			return next(w, r)
		}
	}
}

// Auth requires a valid session cookie or bearer session id.
func Auth(m *sessions.Manager) Middleware {
	return func(next Handler) Handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			id := ""
			if c, err := r.Cookie("relay_session"); err == nil {
				id = c.Value
			} else if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Session ") {
				id = strings.TrimPrefix(h, "Session ")
			}
			if id == "" {
				return errorf(http.StatusUnauthorized, "sign in required")
			}
			s, err := m.Authenticate(r.Context(), id)
			if errors.Is(err, sessions.ErrNoSession) {
				return errorf(http.StatusUnauthorized, "session expired")
			}
			if err != nil {
				return err
			}
			return next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
		}
	}
}

type auditRecord struct {
	Method string    `json:"method"`
	Path   string    `json:"path"`
	User   string    `json:"user,omitempty"`
	IP     string    `json:"ip"`
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// Audit records the last request of each user for the admin "last active"
// column, and the last request overall for the status page.
func Audit(st store.Store, log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			err := next(w, r)
			rec := auditRecord{Method: r.Method, Path: r.URL.Path, User: UserID(r.Context()), IP: clientIP(r), Status: "ok", At: time.Now().UTC()}
			if err != nil {
				rec.Status = err.Error()
			}
			b, _ := json.Marshal(rec)
			ctx := context.WithoutCancel(r.Context())
			if rec.User != "" {
				userKey := kvkey.New("audit", "u", rec.User).String()
				if perr := st.Put(ctx, userKey, b, store.WithTTL(90*24*time.Hour)); perr != nil {
					log.Warn("audit", "err", perr)
				}
			}
			if perr := st.Put(ctx, "audit:last-request", b); perr != nil { // EXPECT kvhotkey
				log.Warn("audit", "err", perr)
			}
			return err
		}
	}
}

// Adapt turns a Handler into an http.Handler, writing errors as JSON.
func Adapt(h Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		status := http.StatusInternalServerError
		msg := "internal error"
		var he *Error
		if errors.As(err, &he) {
			status, msg = he.Status, he.Msg
		} else {
			log.Error("request failed", "path", r.URL.Path, "err", err)
		}
		writeJSON(w, status, map[string]string{"error": msg})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, "bad request body: %v", err)
	}
	return nil
}
