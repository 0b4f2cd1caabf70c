//go:build js && wasm

// Package agents handles agent sign-in, sessions and one-time codes.
package agents

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/deskfleet/shearwater/internal/keys"
	"github.com/deskfleet/shearwater/internal/kvstore"
	"github.com/deskfleet/shearwater/internal/policy"
)

var (
	// ErrNoSession is returned when the cookie names no live session.
	ErrNoSession = errors.New("agents: no session")
	// ErrBadCode is returned for a wrong or expired one-time code.
	ErrBadCode = errors.New("agents: bad code")
)

// Session is the record kept for a signed-in agent.
type Session struct {
	ID        string    `json:"id"`
	AgentID   string    `json:"agent_id"`
	Tenant    string    `json:"tenant"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Service handles /auth routes.
type Service struct {
	root *kvstore.Store
}

// New returns the auth service.
func New(root *kvstore.Store) *Service { return &Service{root: root} }

func (s *Service) forTenant(tenant string) *kvstore.Store { return s.root.ForTenant(tenant) }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// IssueCode handles POST /auth/code: it mails a six-digit sign-in code.
func (s *Service) IssueCode(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.ToLower(r.FormValue("email"))
	code := fmt.Sprintf("%06d", time.Now().UnixNano()%1_000_000)
	st := s.forTenant(r.Header.Get("X-Tenant"))
	if err := st.Put(ctx, "otp/"+keys.Hashed(email), code, 10*time.Minute); err != nil { // DEBATABLE kvsession
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// VerifyCode handles POST /auth/verify and starts a session.
func (s *Service) VerifyCode(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant, plan := r.Header.Get("X-Tenant"), r.Header.Get("X-Plan")
	email := strings.ToLower(r.FormValue("email"))
	st := s.forTenant(tenant)
	otpKey := "otp/" + keys.Hashed(email)

	want, err := s.root.Namespace().GetString("t/"+tenant+"/"+otpKey, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if want == "" { // EXPECT kvnull
		http.Error(w, ErrBadCode.Error(), http.StatusUnauthorized)
		return
	}
	if want != r.FormValue("code") {
		s.recordFailure(ctx, st, email)
		http.Error(w, ErrBadCode.Error(), http.StatusUnauthorized)
		return
	}
	if err := st.Delete(ctx, otpKey); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sess, err := s.start(ctx, st, tenant, plan, keys.Hashed(email))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sw_sess", Value: sess.ID, HttpOnly: true, Secure: true, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) recordFailure(ctx context.Context, st *kvstore.Store, email string) {
	k := "login-attempts/" + keys.Hashed(email)
	raw, found, err := st.Get(ctx, k)
	if err != nil {
		return
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(raw)
	}
	_ = st.Put(ctx, k, strconv.Itoa(n+1), 15*time.Minute) // EXPECT kvcounter
}

func (s *Service) start(ctx context.Context, st *kvstore.Store, tenant, plan, agentID string) (Session, error) {
	now := time.Now().UTC()
	sess := Session{ID: randomID(24), AgentID: agentID, Tenant: tenant, Plan: plan, CreatedAt: now, LastSeen: now}
	ttl := policy.For(plan).SessionTTL
	if err := kvstore.StoreJSON(ctx, st, keys.Session(sess.ID), sess, ttl); err != nil {
		return Session{}, fmt.Errorf("start session: %w", err)
	}
	if err := st.Put(ctx, keys.UserSessions(agentID)+sess.ID, "1", ttl); err != nil {
		return Session{}, fmt.Errorf("index session: %w", err)
	}
	return sess, nil
}

// Authenticate loads the session named by the request cookie and extends it.
func (s *Service) Authenticate(r *http.Request) (Session, error) {
	ctx := r.Context()
	c, err := r.Cookie("sw_sess")
	if err != nil {
		return Session{}, ErrNoSession
	}
	st := s.forTenant(r.Header.Get("X-Tenant"))
	sess, found, err := kvstore.LoadJSON[Session](ctx, st, keys.Session(c.Value))
	if err != nil {
		return Session{}, fmt.Errorf("authenticate: %w", err)
	}
	if !found {
		return Session{}, ErrNoSession
	}
	if time.Since(sess.LastSeen) > 5*time.Minute {
		sess.LastSeen = time.Now().UTC()
		ttl := policy.For(sess.Plan).SessionTTL
		if err := kvstore.StoreJSON(ctx, st, keys.Session(sess.ID), sess, ttl); err != nil { // EXPECT kvsession
			return Session{}, fmt.Errorf("extend session: %w", err)
		}
	}
	return sess, nil
}

// Logout handles POST /auth/logout.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Authenticate(r)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	st := s.forTenant(sess.Tenant)
	if err := st.Delete(r.Context(), keys.Session(sess.ID)); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = st.Delete(r.Context(), keys.UserSessions(sess.AgentID)+sess.ID) // DEBATABLE kvsession
	http.SetCookie(w, &http.Cookie{Name: "sw_sess", Value: "", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

// IssueCSRF handles GET /auth/csrf: a fresh token bound to the session.
func (s *Service) IssueCSRF(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Authenticate(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	tok := randomID(16)
	if err := s.forTenant(sess.Tenant).Put(r.Context(), "csrf/"+tok, sess.ID, time.Hour); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"csrf": tok})
}
