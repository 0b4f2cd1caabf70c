// Package httpapi exposes the dashboard and public API over HTTP.
package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"

	"example.com/cinder/internal/apikeys"
	"example.com/cinder/internal/approvals"
	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/config"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/policy"
	"example.com/cinder/internal/session"
	"example.com/cinder/internal/storage"
	"example.com/cinder/internal/verify"
)

// ConfigSource returns a tenant's configuration.
type ConfigSource interface {
	Config(ctx context.Context, tenant string) (domain.TenantConfig, error)
}

// ConfigSourceFunc adapts a function to ConfigSource.
type ConfigSourceFunc func(ctx context.Context, tenant string) (domain.TenantConfig, error)

// Config calls f.
func (f ConfigSourceFunc) Config(ctx context.Context, tenant string) (domain.TenantConfig, error) {
	return f(ctx, tenant)
}

// Publisher sends events to the tenant queue.
type Publisher func(ctx context.Context, ev domain.Event) error

// Server holds the HTTP handlers' collaborators.
type Server struct {
	cfg       config.Config
	store     storage.Store
	sessions  *session.Manager
	codes     *verify.Service
	keys      *apikeys.Registry
	engine    *approvals.Engine
	comment   func(ctx context.Context, workflow, author, text string) error
	configs   ConfigSource
	publish   Publisher
	clock     clock.Clock
	templates *TemplateCache
}

// Option configures a Server.
type Option func(*Server)

// WithPublisher sets where domain events go.
func WithPublisher(p Publisher) Option { return func(s *Server) { s.publish = p } }

// WithClock overrides the system clock.
func WithClock(c clock.Clock) Option { return func(s *Server) { s.clock = c } }

// NewServer wires a Server.
func NewServer(cfg config.Config, store storage.Store, sessions *session.Manager, codes *verify.Service,
	keys *apikeys.Registry, engine *approvals.Engine, configs ConfigSource, opts ...Option) *Server {
	s := &Server{
		cfg:      cfg,
		store:    store,
		sessions: sessions,
		codes:    codes,
		keys:     keys,
		engine:   engine,
		configs:  configs,
		clock:    clock.System,
		publish:  func(context.Context, domain.Event) error { return nil },
	}
	for _, o := range opts {
		o(s)
	}
	s.comment = approvals.NewCommenter(store, s.clock)
	s.templates = NewTemplateCache(store)
	return s
}

// Routes returns the HTTP routes without the outer middleware.
func (s *Server) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/code", s.requestCode)
	mux.HandleFunc("POST /auth/login", s.login)
	mux.Handle("POST /auth/logout", RequireAuth(http.HandlerFunc(s.logout)))
	mux.Handle("POST /auth/tenant", RequireAuth(http.HandlerFunc(s.switchTenant)))
	mux.Handle("POST /expenses", RequireAuth(s.idempotent(http.HandlerFunc(s.submitExpense))))
	mux.Handle("POST /workflows/{id}/decision", RequireAuth(http.HandlerFunc(s.decide)))
	mux.Handle("POST /workflows/{id}/comments", RequireAuth(http.HandlerFunc(s.addComment)))
	mux.Handle("GET /invoices/{id}/preview", RequireAuth(http.HandlerFunc(s.previewInvoice)))
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// fail maps service errors to HTTP statuses.
func fail(w http.ResponseWriter, err error) {
	status := http.StatusServiceUnavailable
	switch {
	case errors.Is(err, session.ErrExpired), errors.Is(err, verify.ErrInvalidCode):
		status = http.StatusUnauthorized
	case errors.Is(err, approvals.ErrNotApprover):
		status = http.StatusForbidden
	case errors.Is(err, approvals.ErrFinished), errors.Is(err, apikeys.ErrSlugTaken):
		status = http.StatusConflict
	case errors.Is(err, apikeys.ErrBadSlug):
		status = http.StatusBadRequest
	case errors.Is(err, storage.ErrNotFound):
		status = http.StatusNotFound
	default:
		log.Printf("httpapi: %v", err)
	}
	http.Error(w, http.StatusText(status), status)
}

func (s *Server) requestCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := decode(r, &in); err != nil || !strings.Contains(in.Email, "@") {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.codes.Issue(r.Context(), in.Email, "login"); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email  string `json:"email"`
		Code   string `json:"code"`
		Tenant string `json:"tenant"`
	}
	if err := decode(r, &in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.codes.Redeem(r.Context(), in.Email, "login", in.Code); err != nil {
		http.Error(w, "invalid code", http.StatusUnauthorized)
		return
	}
	sum := sha256.Sum256([]byte(strings.ToLower(in.Email)))
	user := hex.EncodeToString(sum[:12])
	sess, err := s.sessions.Create(r.Context(), user, in.Tenant)
	if err != nil {
		fail(w, err)
		return
	}
	stamp := []byte(s.clock.Now().Format(time.RFC3339))
	if err := s.store.Put(r.Context(), "last-login:"+in.Tenant, stamp); err != nil { // DEBATABLE kvhotkey
		log.Printf("last login: %v", err)
	}
	http.SetCookie(w, &http.Cookie{Name: "cinder_session", Value: sess.ID, Path: "/", HttpOnly: true,
		Secure: true, SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt})
	writeJSON(w, http.StatusOK, map[string]string{"user": user})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	if p.Session != nil {
		if err := s.sessions.Logout(r.Context(), p.Session.ID); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "cinder_session", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) switchTenant(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var in struct {
		Tenant string `json:"tenant"`
	}
	if err := decode(r, &in); err != nil || p.Session == nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.sessions.SwitchTenant(r.Context(), p.Session.ID, in.Tenant); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) submitExpense(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var in domain.Expense
	if err := decode(r, &in); err != nil || in.AmountCents <= 0 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	cfg, err := s.configs.Config(r.Context(), p.TenantID)
	if err != nil {
		http.Error(w, "config unavailable", http.StatusServiceUnavailable)
		return
	}
	in.TenantID = p.TenantID
	in.SubmitterID = p.UserID
	in.Status = domain.StatusExpenseSubmitted
	in.SubmittedAt = s.clock.Now()
	in.Currency = cfg.Currency
	if err := storage.Save(r.Context(), s.store, in, 0); err != nil {
		fail(w, err)
		return
	}
	approvers := cfg.Approvers
	if in.AmountCents < cfg.ApprovalThresholdCents && len(approvers) > 1 {
		approvers = approvers[:1]
	}
	wf, err := s.engine.Start(r.Context(), in, approvers)
	if err != nil {
		fail(w, err)
		return
	}
	ev := &domain.ExpenseSubmitted{ExpenseID: in.ID, AmountCents: in.AmountCents}
	ev.TenantID, ev.At = in.TenantID, in.SubmittedAt
	if err := s.publish(r.Context(), ev); err != nil {
		log.Printf("publish: %v", err)
	}
	writeJSON(w, http.StatusCreated, wf)
}

func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var in struct {
		Decision domain.Decision `json:"decision"`
		Comment  string          `json:"comment"`
	}
	if err := decode(r, &in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	wf, err := s.engine.Decide(r.Context(), p.TenantID, r.PathValue("id"), p.UserID, in.Decision, in.Comment)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wf)
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var in struct {
		Text string `json:"text"`
	}
	if err := decode(r, &in); err != nil || in.Text == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.comment(r.Context(), p.TenantID+":"+r.PathValue("id"), p.UserID, in.Text); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// idempotent replays the stored response for a repeated Idempotency-Key.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" || len(key) > 128 {
			next.ServeHTTP(w, r)
			return
		}
		p, _ := PrincipalFrom(r.Context())
		storeKey := "idem:" + p.TenantID + ":" + key
		if b, err := s.store.Get(r.Context(), storeKey); err == nil {
			w.Header().Set("Idempotent-Replay", "true")
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if rec.status < 300 {
			ttl := policy.TTL(policy.KindIdempotency)
			if err := s.store.Put(r.Context(), storeKey, rec.body, storage.WithTTL(ttl)); err != nil { // DEBATABLE kvrace
				log.Printf("idempotency: %v", err)
			}
		}
	})
}

type recorder struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body = append(r.body, b...)
	return r.ResponseWriter.Write(b)
}
