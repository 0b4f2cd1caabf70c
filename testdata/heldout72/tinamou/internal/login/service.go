// Package login implements the interactive login API: password checks for the
// OAuth2 password grant and the login form, browser sessions, logout,
// password changes and password-reset links.
package login

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	oautherrors "github.com/go-oauth2/oauth2/v4/errors"

	"github.com/tinamou-id/tinamou/internal/kvstore"
)

const (
	sessionCookie = "tinamou_sid"

	sessionPrefix  = "sess:"
	attemptsPrefix = "login:attempts:"
	lockPrefix     = "login:lock:"
	resetPrefix    = "pwreset:"
	cooldownPrefix = "pwreset:cooldown:"

	sessionTTL     = 12 * time.Hour
	idleTimeout    = 2 * time.Hour
	attemptsWindow = 15 * time.Minute
	lockoutPeriod  = 15 * time.Minute
	maxAttempts    = 5
	resetLinkTTL   = 30 * time.Minute
	resetCooldown  = 5 * time.Minute
	revokePageSize = 1000
)

// ErrLocked is returned while an account is locked after repeated failures.
var ErrLocked = errors.New("login: account temporarily locked")

// Accounts is the upstream account service that owns password hashes.
type Accounts interface {
	VerifyPassword(ctx context.Context, username, password string) (userID string, err error)
	SetPassword(ctx context.Context, userID, password string) error
	LookupEmail(ctx context.Context, email string) (userID string, err error)
}

// Mailer sends transactional e-mail.
type Mailer interface {
	SendResetLink(ctx context.Context, email, link string) error
}

// Service holds the login API's dependencies.
type Service struct {
	sessions *kvstore.Namespace
	accounts Accounts
	mailer   Mailer
	baseURL  string
	log      *slog.Logger

	// Logins counts successful logins since the last stats flush.
	Logins atomic.Int64
	// resetsSent counts reset e-mails sent by this process today.
	resetsSent atomic.Int64
}

// New returns a login Service.
func New(sessions *kvstore.Namespace, accounts Accounts, mailer Mailer, baseURL string, log *slog.Logger) *Service {
	return &Service{sessions: sessions, accounts: accounts, mailer: mailer, baseURL: baseURL, log: log}
}

// Session is a browser login session.
type Session struct {
	UserID    string    `json:"uid"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
	UserAgent string    `json:"ua,omitempty"`
}

func sessionKey(userID, sid string) string { return sessionPrefix + userID + ":" + sid }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// PasswordAuthorization is the oauth2 server's PasswordAuthorizationHandler.
func (s *Service) PasswordAuthorization(ctx context.Context, clientID, username, password string) (string, error) {
	account := strings.ToLower(strings.TrimSpace(username))
	if locked, err := s.isLocked(ctx, account); err != nil {
		return "", err
	} else if locked {
		return "", ErrLocked
	}
	userID, err := s.accounts.VerifyPassword(ctx, account, password)
	if err != nil {
		if ferr := s.recordFailure(ctx, account); ferr != nil {
			s.log.WarnContext(ctx, "record login failure", "err", ferr)
		}
		return "", oautherrors.ErrAccessDenied
	}
	if err := s.sessions.Delete(ctx, attemptsPrefix+account); err != nil {
		s.log.WarnContext(ctx, "clear login attempts", "err", err)
	}
	s.Logins.Add(1)
	return userID, nil
}

func (s *Service) isLocked(ctx context.Context, account string) (bool, error) {
	_, err := s.sessions.Get(ctx, lockPrefix+account)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, kvstore.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

func (s *Service) recordFailure(ctx context.Context, account string) error {
	n := 0
	raw, err := s.sessions.Get(ctx, attemptsPrefix+account)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			n = 0
		}
	}
	n++
	if err := s.sessions.Put(ctx, attemptsPrefix+account, []byte(strconv.Itoa(n)), attemptsWindow); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if n < maxAttempts {
		return nil
	}
	return s.lock(ctx, account, time.Now().Add(lockoutPeriod))
}

// lock writes the lockout marker; the edge Worker reads it too.
func (s *Service) lock(ctx context.Context, account string, until time.Time) error {
	cf := s.sessions.Client()
	_, err := cf.KV.Namespaces.Values.Update(ctx, s.sessions.ID(), url.PathEscape(lockPrefix+account), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.sessions.AccountID()),
		Value:      cloudflare.F(until.UTC().Format(time.RFC3339)),
		Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// HandleLogin serves POST /login from the login form.
func (s *Service) HandleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	userID, err := s.PasswordAuthorization(ctx, "", r.PostFormValue("username"), r.PostFormValue("password"))
	if err != nil {
		http.Redirect(w, r, "/login?error=1", http.StatusSeeOther)
		return
	}
	now := time.Now().UTC()
	sid := randomID(32)
	sess := Session{UserID: userID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(sessionTTL), UserAgent: r.UserAgent()}
	enc, _ := json.Marshal(sess)
	if err := s.sessions.Put(ctx, sessionKey(userID, sid), enc, sessionTTL); err != nil {
		http.Error(w, "session unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := s.sessions.Put(ctx, "status:last-login", []byte(now.Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
		s.log.WarnContext(ctx, "status write", "err", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: userID + ":" + sid, Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL.Seconds()),
	})
	next := r.URL.Query().Get("next")
	if next == "" || !strings.HasPrefix(next, "/") {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func parseCookie(r *http.Request) (userID, sid string, ok bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", "", false
	}
	return strings.Cut(c.Value, ":")
}

// UserAuthorization is the oauth2 server's UserAuthorizationHandler: it
// resolves the browser session and extends its idle timeout.
func (s *Service) UserAuthorization(w http.ResponseWriter, r *http.Request) (string, error) {
	ctx := r.Context()
	userID, sid, ok := parseCookie(r)
	if !ok {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		return "", nil
	}
	raw, err := s.sessions.Get(ctx, sessionKey(userID, sid))
	if errors.Is(err, kvstore.ErrNotFound) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return "", err
	}
	now := time.Now().UTC()
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(idleTimeout)
	if hard := sess.CreatedAt.Add(sessionTTL); hard.Before(sess.ExpiresAt) {
		sess.ExpiresAt = hard
	}
	enc, _ := json.Marshal(sess)
	if err := s.sessions.PutUntil(ctx, sessionKey(userID, sid), enc, sess.ExpiresAt); err != nil { // EXPECT kvsession|kvrace
		return "", err
	}
	return sess.UserID, nil
}

// HandleLogout serves POST /logout.
func (s *Service) HandleLogout(w http.ResponseWriter, r *http.Request) {
	if userID, sid, ok := parseCookie(r); ok {
		if err := s.sessions.Delete(r.Context(), sessionKey(userID, sid)); err != nil { // EXPECT kvsession
			s.log.WarnContext(r.Context(), "logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// RevokeSessions ends every browser session of userID.
func (s *Service) RevokeSessions(ctx context.Context, userID string) error {
	prefix := sessionPrefix + userID + ":"
	var keys []string
	cursor := ""
	for {
		page, err := s.sessions.ListPage(ctx, prefix, cursor, revokePageSize) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			keys = append(keys, k.Name)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	if len(keys) == 0 {
		return nil
	}
	return s.sessions.BulkDelete(ctx, keys) // EXPECT kvsession
}

// ChangePassword sets a new password and signs the user out everywhere.
func (s *Service) ChangePassword(ctx context.Context, userID, password string) error {
	if err := s.accounts.SetPassword(ctx, userID, password); err != nil {
		return err
	}
	return s.RevokeSessions(ctx, userID)
}

type resetLink struct {
	UserID    string    `json:"uid"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// RequestReset e-mails a password-reset link, at most once per cooldown.
func (s *Service) RequestReset(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if _, err := s.sessions.Get(ctx, cooldownPrefix+email); err == nil {
		return nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	userID, err := s.accounts.LookupEmail(ctx, email)
	if err != nil {
		return nil // do not reveal whether the address has an account
	}
	if err := s.sessions.Put(ctx, cooldownPrefix+email, []byte(time.Now().UTC().Format(time.RFC3339)), resetCooldown); err != nil { // EXPECT kvrace
		return err
	}
	token := randomID(24)
	enc, _ := json.Marshal(resetLink{UserID: userID, Email: email, CreatedAt: time.Now().UTC()})
	if err := s.sessions.Put(ctx, resetPrefix+token, enc, resetLinkTTL); err != nil {
		return err
	}
	if err := s.mailer.SendResetLink(ctx, email, s.baseURL+"/reset?token="+url.QueryEscape(token)); err != nil {
		return err
	}
	sent := strconv.FormatInt(s.resetsSent.Add(1), 10)
	day := time.Now().UTC().Format(time.DateOnly)
	if err := s.sessions.Put(ctx, "stats:reset-emails:count:"+day, []byte(sent), 48*time.Hour); err != nil { // EXPECT kvcounter|kvhotkey
		s.log.WarnContext(ctx, "reset stats", "err", err)
	}
	return nil
}

// RedeemReset consumes a reset link and sets the new password.
func (s *Service) RedeemReset(ctx context.Context, token, password string) error {
	raw, err := s.sessions.Get(ctx, resetPrefix+token)
	if errors.Is(err, kvstore.ErrNotFound) {
		return fmt.Errorf("reset link expired or already used")
	}
	if err != nil {
		return err
	}
	var link resetLink
	if err := json.Unmarshal(raw, &link); err != nil {
		return err
	}
	if err := s.sessions.Delete(ctx, resetPrefix+token); err != nil { // EXPECT kvsession
		return err
	}
	return s.ChangePassword(ctx, link.UserID, password)
}
