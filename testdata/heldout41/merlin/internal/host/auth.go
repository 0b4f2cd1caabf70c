//go:build js && wasm

// Package host serves host sign-in: passwords, magic links and Google
// sign-in, and the sessions they create.
package host

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"merlin/internal/bus"
	"merlin/internal/config"
	"merlin/internal/events"
	"merlin/internal/httpx"
	"merlin/internal/keys"
	"merlin/internal/kvstore"
	"merlin/internal/origin"
)

// ErrBadCredentials is returned by a Verifier for a wrong email or password.
var ErrBadCredentials = errors.New("bad credentials")

// Verifier checks credentials against the account service at the origin.
type Verifier interface {
	Check(ctx context.Context, email, password string) (hostID string, err error)
	Lookup(ctx context.Context, email string) (hostID string, err error)
	Exchange(ctx context.Context, code string) (hostID string, err error)
	ChangePassword(ctx context.Context, hostID, oldPw, newPw string) error
}

// Service holds the host endpoints and the session projection.
type Service struct {
	store  kvstore.Store
	keys   keys.KeyScheme
	cfg    *config.Holder
	bus    *bus.Bus
	verify Verifier
	mailer func(ctx context.Context, to, link string) error
}

// New returns the host service.
func New(store kvstore.Store, ks keys.KeyScheme, cfg *config.Holder, b *bus.Bus, v Verifier, mailer func(ctx context.Context, to, link string) error) *Service {
	return &Service{store: store, keys: ks, cfg: cfg, bus: b, verify: v, mailer: mailer}
}

// LoginCmd is the body of POST /host/login.
type LoginCmd struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (c LoginCmd) Validate() error {
	if _, err := mail.ParseAddress(c.Email); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	if len(c.Password) < 8 {
		return errors.New("password: too short")
	}
	return nil
}

// PasswordCmd is the body of POST /host/password.
type PasswordCmd struct {
	Old string `json:"old"`
	New string `json:"new"`
}

func (c PasswordCmd) Validate() error {
	if len(c.New) < 12 {
		return errors.New("new password: at least 12 characters")
	}
	if c.New == c.Old {
		return errors.New("new password: same as the old one")
	}
	return nil
}

// MagicLinkCmd is the body of POST /host/magic.
type MagicLinkCmd struct {
	Email string `json:"email"`
}

func (c MagicLinkCmd) Validate() error {
	_, err := mail.ParseAddress(c.Email)
	return err
}

// Login checks a password and opens a session.
func (s *Service) Login(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[LoginCmd](r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if s.lockedOut(ctx, cmd.Email) {
		return httpx.Errorf(http.StatusTooManyRequests, "too many attempts, try again later")
	}
	hostID, err := s.verify.Check(ctx, cmd.Email, cmd.Password)
	if errors.Is(err, ErrBadCredentials) {
		if err := s.noteFailure(ctx, cmd.Email); err != nil {
			return err
		}
		return httpx.Errorf(http.StatusUnauthorized, "wrong email or password")
	}
	if err != nil {
		return err
	}
	return s.open(w, r, hostID)
}

// open publishes the login; the session projection writes the session.
func (s *Service) open(w http.ResponseWriter, r *http.Request, hostID string) error {
	sid := keys.NewID()
	evt := events.HostLoggedIn{HostID: hostID, SessionID: sid, UserAgent: r.UserAgent(), At: time.Now()}
	if err := s.bus.Publish(r.Context(), evt); err != nil {
		return err
	}
	cfg := s.cfg.Load()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(cfg.SessionTTL.Seconds()),
	})
	return httpx.JSON(w, http.StatusOK, map[string]string{"next": "/host/dashboard"})
}

// Logout ends the current session.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) error {
	sess, sid, err := s.Authenticate(r)
	if err != nil {
		return err
	}
	if err := s.bus.Publish(r.Context(), &events.HostLoggedOut{HostID: sess.HostID, SessionID: sid}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ChangePassword changes the password at the origin and signs out every
// other session.
func (s *Service) ChangePassword(w http.ResponseWriter, r *http.Request) error {
	sess, _, err := s.Authenticate(r)
	if err != nil {
		return err
	}
	cmd, err := httpx.Decode[PasswordCmd](r)
	if err != nil {
		return err
	}
	if err := s.verify.ChangePassword(r.Context(), sess.HostID, cmd.Old, cmd.New); err != nil {
		return err
	}
	if err := s.bus.Publish(r.Context(), events.PasswordChanged{HostID: sess.HostID, At: time.Now()}); err != nil {
		return err
	}
	return s.open(w, r, sess.HostID)
}

// StartMagicLink mails a one-time sign-in link.
func (s *Service) StartMagicLink(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[MagicLinkCmd](r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	hostID, err := s.verify.Lookup(ctx, cmd.Email)
	if err != nil {
		// Do not reveal whether the address has an account.
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	token := keys.NewID()
	if err := s.store.Put(ctx, s.keys.MagicLink(token), hostID, 15*time.Minute); err != nil {
		return err
	}
	link := "https://" + r.Host + "/host/magic?t=" + url.QueryEscape(token)
	if err := s.mailer(ctx, cmd.Email, link); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// RedeemMagicLink signs the host in with a link from StartMagicLink.
func (s *Service) RedeemMagicLink(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("t")
	if len(token) != 32 {
		return httpx.Errorf(http.StatusBadRequest, "malformed link")
	}
	ctx := r.Context()
	key := s.keys.MagicLink(token)
	found, err := s.store.Get(ctx, key).Unwrap()
	if err != nil {
		return err
	}
	hostID, ok := found.Get()
	if !ok {
		return httpx.Errorf(http.StatusUnauthorized, "link expired or already used")
	}
	if err := s.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		return err
	}
	return s.open(w, r, hostID)
}

// OAuthStart redirects to Google with a fresh state value.
func (s *Service) OAuthStart(w http.ResponseWriter, r *http.Request) error {
	state := keys.NewID()
	returnTo := r.URL.Query().Get("return_to")
	if !strings.HasPrefix(returnTo, "/") {
		returnTo = "/host/dashboard"
	}
	if err := s.store.Put(r.Context(), s.keys.OAuthState(state), returnTo, 10*time.Minute); err != nil {
		return err
	}
	q := url.Values{"state": {state}, "response_type": {"code"}, "scope": {"openid email"}}
	http.Redirect(w, r, "https://accounts.google.com/o/oauth2/v2/auth?"+q.Encode(), http.StatusFound)
	return nil
}

// OAuthCallback finishes Google sign-in.
func (s *Service) OAuthCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	stateKey := s.keys.OAuthState(state)
	saved, err := s.store.Get(ctx, stateKey).Unwrap()
	if err != nil {
		return err
	}
	if !saved.IsSome() {
		return httpx.Errorf(http.StatusBadRequest, "unknown or expired state")
	}
	if err := s.store.Delete(ctx, stateKey); err != nil { // EXPECT kvsession
		return err
	}
	hostID, err := s.verify.Exchange(ctx, r.URL.Query().Get("code"))
	if err != nil {
		return httpx.Errorf(http.StatusUnauthorized, "sign-in failed: %v", err)
	}
	return s.open(w, r, hostID)
}

// OriginVerifier checks credentials with the account service.
type OriginVerifier struct{ origin.Client }

func (o OriginVerifier) hostID(ctx context.Context, path string, in any) (string, error) {
	var out struct {
		HostID string `json:"host_id"`
	}
	err := o.Do(ctx, http.MethodPost, path, in, &out)
	if errors.Is(err, origin.ErrRejected) {
		return "", ErrBadCredentials
	}
	return out.HostID, err
}

func (o OriginVerifier) Check(ctx context.Context, email, password string) (string, error) {
	return o.hostID(ctx, "/v1/hosts/verify", map[string]string{"email": email, "password": password})
}

func (o OriginVerifier) Lookup(ctx context.Context, email string) (string, error) {
	return o.hostID(ctx, "/v1/hosts/lookup", map[string]string{"email": email})
}

func (o OriginVerifier) Exchange(ctx context.Context, code string) (string, error) {
	return o.hostID(ctx, "/v1/hosts/oauth", map[string]string{"code": code})
}

func (o OriginVerifier) ChangePassword(ctx context.Context, hostID, oldPw, newPw string) error {
	return o.Do(ctx, http.MethodPost, "/v1/hosts/"+hostID+"/password", map[string]string{"old": oldPw, "new": newPw}, nil)
}
