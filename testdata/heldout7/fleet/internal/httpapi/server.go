// Package httpapi is the daemon's HTTP surface: the device API (enrolment,
// heartbeats, config) and the operator console API.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/fleet/internal/enroll"
	"example.com/fleet/internal/heartbeat"
	"example.com/fleet/internal/store"
	"example.com/fleet/internal/tokens"
)

// Deps are the collaborators of the HTTP layer. Store operations are plain
// function values so tests can swap single operations.
type Deps struct {
	Load   func(ctx context.Context, key string) ([]byte, error)
	Save   func(ctx context.Context, key string, value []byte, opts ...store.PutOption) error
	Remove func(ctx context.Context, key string) error

	Enroll     *enroll.Service
	Heartbeats *heartbeat.Recorder
	Tokens     *tokens.Issuer
	Log        *slog.Logger
	Now        func() time.Time

	// Admin holds extra console routes; they are registered behind the
	// console session check.
	Admin map[string]http.HandlerFunc
}

// Server serves the API.
type Server struct {
	d      Deps
	routes map[string]http.HandlerFunc
}

// New builds the handler table.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{d: d}
	s.routes = map[string]http.HandlerFunc{
		"POST /v1/enroll":        s.handleEnroll,
		"POST /v1/heartbeat":     s.deviceAuth(s.handleHeartbeat),
		"GET /v1/config":         s.deviceAuth(s.handleConfig),
		"POST /v1/token/rotate":  s.handleRotate,
		"POST /v1/pair":          s.deviceAuth(s.handlePair),
		"POST /admin/login":      s.handleLogin,
		"POST /admin/logout":     s.adminAuth(s.handleLogout),
		"POST /admin/enrolcodes": s.adminAuth(s.handleCreateCode),
	}
	for pattern, h := range d.Admin {
		s.routes[pattern] = s.adminAuth(h)
	}
	return s
}

// Handler returns the routed, instrumented handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for pattern, h := range s.routes {
		mux.HandleFunc(pattern, h)
	}
	return s.lastRequest(mux)
}

type ctxKey int

const (
	deviceKey ctxKey = iota
	adminKey
)

// lastRequest records when the gateway last served a request; the status
// page Worker shows it as "API last active".
func (s *Server) lastRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		ts := []byte(s.d.Now().UTC().Format(time.RFC3339))
		if err := s.d.Save(r.Context(), "gateway:last-request", ts); err != nil { // EXPECT kvhotkey
			s.d.Log.Warn("record last request", "err", err)
		}
	})
}

func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

func (s *Server) deviceAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec, err := s.d.Tokens.Verify(r.Context(), bearer(r))
		if err != nil {
			if errors.Is(err, tokens.ErrInvalid) {
				if id := r.Header.Get("X-Device-Id"); id != "" {
					_ = s.d.Tokens.NoteFailure(r.Context(), id)
				}
			}
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), deviceKey, rec)))
	}
}

type adminSession struct {
	Operator  string    `json:"operator"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

const adminIdle = 30 * time.Minute

// adminAuth checks the console session cookie and keeps the session alive
// while the operator is active.
func (s *Server) adminAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("fleet_sess")
		if err != nil {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		b, err := s.d.Load(r.Context(), "sess:"+c.Value)
		if err != nil {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		var sess adminSession
		if err := json.Unmarshal(b, &sess); err != nil {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		sess.LastSeen = s.d.Now()
		nb, _ := json.Marshal(sess)
		if err := s.d.Save(r.Context(), "sess:"+c.Value, nb, store.WithTTL(adminIdle)); err != nil { // EXPECT kvsession
			s.d.Log.Warn("refresh session", "err", err)
		}
		next(w, r.WithContext(context.WithValue(r.Context(), adminKey, sess.Operator)))
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req struct{ Code, Serial, Model string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ip := r.Header.Get("CF-Connecting-IP")
	res, err := s.d.Enroll.Redeem(r.Context(), ip, req.Code, req.Serial, req.Model)
	switch {
	case errors.Is(err, enroll.ErrBadCode), errors.Is(err, enroll.ErrAlreadyEnrolled):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, enroll.ErrTooManyAttempts):
		http.Error(w, err.Error(), http.StatusTooManyRequests)
	case err != nil:
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		writeJSON(w, res)
	}
}

func (s *Server) handleHeartbeat(w http.ResponseWriter, r *http.Request) {
	rec := r.Context().Value(deviceKey).(tokens.Record)
	var st heartbeat.Status
	if err := json.NewDecoder(r.Body).Decode(&st); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	st.DeviceID = rec.DeviceID
	st.SeenAt = s.d.Now()
	if err := s.d.Heartbeats.Record(r.Context(), st); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	_ = s.d.Save(r.Context(), "fleet:last-heartbeat", []byte(rec.DeviceID)) // EXPECT kvhotkey
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleConfig(w http.ResponseWriter, r *http.Request) {
	rec := r.Context().Value(deviceKey).(tokens.Record)
	raw, _ := s.d.Load(r.Context(), "config:"+rec.DeviceID) // EXPECT kvnull
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		http.Error(w, "config unavailable", http.StatusServiceUnavailable)
		return
	}
	cfg["tenant"] = rec.Tenant
	writeJSON(w, cfg)
}

func (s *Server) handleRotate(w http.ResponseWriter, r *http.Request) {
	fresh, err := s.d.Tokens.Rotate(r.Context(), bearer(r))
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	writeJSON(w, map[string]string{"token": fresh})
}

// handlePair starts local pairing between a gateway and a sensor: the
// gateway shows the code, the sensor must present it within the window.
func (s *Server) handlePair(w http.ResponseWriter, r *http.Request) {
	rec := r.Context().Value(deviceKey).(tokens.Record)
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	code := hex.EncodeToString(buf)
	if err := s.d.Save(r.Context(), "pair:"+code, []byte(rec.DeviceID), store.WithTTL(30*time.Second)); err != nil { // EXPECT kvttl
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]string{"code": code})
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	operator, ok := r.Context().Value(adminKey).(string)
	if !ok {
		operator = r.Header.Get("Cf-Access-Authenticated-User-Email")
	}
	if operator == "" {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	id := hex.EncodeToString(buf)
	now := s.d.Now()
	b, _ := json.Marshal(adminSession{Operator: operator, CreatedAt: now, LastSeen: now})
	if err := s.d.Save(r.Context(), "sess:"+id, b, store.WithTTL(8*time.Hour)); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "fleet_sess", Value: id, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	c, _ := r.Cookie("fleet_sess")
	if err := s.d.Remove(r.Context(), "sess:"+c.Value); err != nil { // EXPECT kvsession
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "fleet_sess", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleCreateCode(w http.ResponseWriter, r *http.Request) {
	operator, _ := r.Context().Value(adminKey).(string)
	tenant := r.URL.Query().Get("tenant")
	if tenant == "" {
		http.Error(w, "tenant required", http.StatusBadRequest)
		return
	}
	code, err := s.d.Enroll.CreateCode(r.Context(), tenant, operator)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]string{"code": code})
}
