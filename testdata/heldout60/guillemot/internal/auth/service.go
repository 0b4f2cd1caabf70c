// Package auth implements sign-in for the forum: password with a TOTP second
// factor, recovery codes, passkeys, magic links, and the tokens of the
// mobile app.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/gorilla/sessions"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/forumworks/guillemot/internal/accounts"
	"github.com/forumworks/guillemot/internal/kv"
)

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/auth")

// SessionCookie is the name of the forum's session cookie.
const SessionCookie = "guillemot_session"

const (
	totpPeriod       = 30              // step of the TOTP codes, in seconds
	mfaWindow        = 5 * time.Minute // time to enter the second factor
	sessionMaxAge    = 14 * 24 * 3600  // signed-in session lifetime, in seconds
	maxLoginFailures = 8
	lockoutWindow    = 15 * time.Minute
)

// Mailer sends transactional mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Service serves the sign-in endpoints.
type Service struct {
	dir     *accounts.Directory
	ns      *kv.Namespace // "auth": codes, ceremonies, tokens
	sessNS  *kv.Namespace // "sessions": the session store's namespace
	store   sessions.Store
	wa      *webauthn.WebAuthn
	mailer  Mailer
	signKey []byte
	baseURL string
}

// NewService returns the sign-in service.
func NewService(dir *accounts.Directory, ns, sessNS *kv.Namespace, store sessions.Store, wa *webauthn.WebAuthn, mailer Mailer, signKey []byte, baseURL string) *Service {
	return &Service{dir: dir, ns: ns, sessNS: sessNS, store: store, wa: wa, mailer: mailer, signKey: signKey, baseURL: baseURL}
}

// httpError carries the status and message shown to the client.
type httpError struct {
	status int
	msg    string
	cause  error
}

func (e *httpError) Error() string { return e.msg }
func (e *httpError) Unwrap() error { return e.cause }

func fail(status int, msg string, cause error) error { return &httpError{status, msg, cause} }

var errSignIn = fail(http.StatusUnauthorized, "sign in first", nil)

// Handler adapts an endpoint of the service to http.Handler. Errors that are
// not an httpError become a 503 asking the client to retry.
type Handler func(http.ResponseWriter, *http.Request) error

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h(w, r)
	if err == nil {
		return
	}
	trace.SpanFromContext(r.Context()).RecordError(err)
	var he *httpError
	if errors.As(err, &he) {
		http.Error(w, he.msg, he.status)
		return
	}
	http.Error(w, "try again", http.StatusServiceUnavailable)
}

func randomID() string {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// counter reads a small integer stored under key; a missing key is zero.
func (s *Service) counter(ctx context.Context, key string) (int, error) {
	raw, err := s.ns.Get(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// freshSession returns a new, empty session for acct. Any session the request
// carried is replaced, so that a sign-in always gets a new ID.
func (s *Service) freshSession(r *http.Request, acct *accounts.Account) *sessions.Session {
	sess, _ := s.store.New(r, SessionCookie)
	sess.ID, sess.IsNew = "", true
	sess.Values = map[any]any{"uid": acct.ID, "handle": acct.Handle, "auth_at": time.Now().Unix()}
	return sess
}

// startSession signs acct in.
func (s *Service) startSession(w http.ResponseWriter, r *http.Request, acct *accounts.Account) error {
	if err := s.freshSession(r, acct).Save(r, w); err != nil {
		return err
	}
	go s.dir.TouchLastLogin(context.WithoutCancel(r.Context()), acct.ID, time.Now())
	return nil
}

// SignedIn returns the account ID of the request's fully signed-in session.
func (s *Service) SignedIn(r *http.Request) (string, bool) {
	sess, err := s.store.Get(r, SessionCookie)
	if err != nil {
		return "", false
	}
	uid, _ := sess.Values["uid"].(string)
	return uid, uid != "" && sess.Values["mfa"] == nil
}

// currentAccount returns the signed-in account of the request.
func (s *Service) currentAccount(r *http.Request) (*sessions.Session, *accounts.Account, error) {
	uid, ok := s.SignedIn(r)
	if !ok {
		return nil, nil, errSignIn
	}
	sess, _ := s.store.Get(r, SessionCookie)
	acct, err := s.dir.ByID(r.Context(), uid)
	return sess, acct, err
}

// pendingUID returns the account of a sign-in that waits for its second
// factor.
func (s *Service) pendingUID(r *http.Request) (string, error) {
	sess, err := s.store.Get(r, SessionCookie)
	uid, _ := sess.Values["uid"].(string)
	if err != nil || uid == "" || sess.Values["mfa"] != "pending" {
		return "", fail(http.StatusBadRequest, "no pending sign-in", err)
	}
	return uid, nil
}
