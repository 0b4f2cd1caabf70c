// Package portal serves customer portal logins: sessions, MFA, password
// changes and resets, magic links, preferences and API tokens.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lapwing-billing/lapwing/internal/billing"
	"github.com/lapwing-billing/lapwing/internal/config"
	"github.com/lapwing-billing/lapwing/internal/kvstore"
	"github.com/lapwing-billing/lapwing/internal/notify"
)

const (
	otpTTL          = 30 * time.Second
	lockoutWindow   = 15 * time.Minute
	maxFailedLogins = 8
	sessionCtxKey   = "portal.session"
)

// Session is a logged-in portal user.
type Session struct {
	ID         string    `json:"id"`
	UserID     string    `json:"uid"`
	CustomerID string    `json:"cid"`
	Email      string    `json:"email"`
	MFAPending bool      `json:"mfa_pending"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
	ExpiresAt  time.Time `json:"expires_at"`
}

func sessionKey(id string) string              { return "sess:" + id }
func userSessionKey(userID, sid string) string { return "sess-by-user:" + userID + ":" + sid }
func otpKey(sid string) string                 { return "mfa-otp:" + sid }
func attemptsKey(email string) string          { return "login-attempts:" + strings.ToLower(email) }

// Handlers holds what the portal endpoints need.
type Handlers struct {
	ns     *kvstore.Namespace
	ledger billing.Ledger
	sess   config.Sessions
	reset  config.Reset
	mail   notify.Mailer
	log    *slog.Logger
}

// New builds the portal handlers.
func New(ns *kvstore.Namespace, ledger billing.Ledger, cfg *config.Config, mail notify.Mailer, log *slog.Logger) *Handlers {
	return &Handlers{ns: ns, ledger: ledger, sess: cfg.Sessions, reset: cfg.Reset, mail: mail, log: log.With(slog.String("component", "portal"))}
}

// Register mounts the portal routes.
func (h *Handlers) Register(e *echo.Echo) *echo.Group {
	g := e.Group("/portal")
	limited := RateLimitByIP(h.ns, h.reset, h.log)
	g.POST("/login", h.Login)
	g.POST("/password-reset", h.RequestReset, limited)
	g.POST("/password-reset/confirm", h.ConfirmReset)
	g.POST("/magic-link", h.RequestMagicLink, limited)
	g.GET("/magic/:token", h.RedeemMagicLink)

	authed := g.Group("/app", h.RequireSession)
	authed.POST("/logout", h.Logout)
	authed.POST("/mfa/challenge", h.StartMFA)
	authed.POST("/mfa/verify", h.VerifyMFA)
	authed.POST("/password", h.ChangePassword)
	authed.PATCH("/preferences", h.UpdatePreferences)
	authed.POST("/api-tokens", h.CreateAPIToken)
	authed.DELETE("/api-tokens/:id", h.RevokeAPIToken)
	return authed
}

// CurrentSession returns the session RequireSession attached to c.
func CurrentSession(c echo.Context) *Session {
	s, _ := c.Get(sessionCtxKey).(*Session)
	return s
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sixDigits() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// Login checks credentials against the ledger and opens a session.
func (h *Handlers) Login(c echo.Context) error {
	var req struct {
		Email    string `json:"email" form:"email"`
		Password string `json:"password" form:"password"`
	}
	if err := c.Bind(&req); err != nil || !strings.Contains(req.Email, "@") || req.Password == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "email and password are required")
	}
	ctx := c.Request().Context()
	log := h.log.With(slog.String("email", req.Email), slog.String("ip", c.RealIP()))

	if raw, err := h.ns.Get(ctx, attemptsKey(req.Email)); err == nil {
		if n, _ := strconv.Atoi(string(raw)); n >= maxFailedLogins {
			log.Info("login refused: locked out")
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many failed attempts, try again later")
		}
	}
	user, err := h.ledger.Authenticate(ctx, req.Email, req.Password)
	if errors.Is(err, billing.ErrNoRows) {
		h.recordFailedLogin(ctx, req.Email)
		return echo.NewHTTPError(http.StatusUnauthorized, "invalid credentials")
	}
	if err != nil {
		log.Error("authenticate", "err", err)
		return echo.ErrInternalServerError
	}
	s, err := h.startSession(c, user)
	if err != nil {
		log.Error("start session", "err", err)
		return echo.ErrServiceUnavailable
	}
	return c.JSON(http.StatusOK, map[string]any{"mfa_required": s.MFAPending})
}

func (h *Handlers) recordFailedLogin(ctx context.Context, email string) {
	n := 0
	raw, err := h.ns.Get(ctx, attemptsKey(email))
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		h.log.Warn("read login attempts", "err", err)
		return
	}
	if err := h.ns.Put(ctx, attemptsKey(email), []byte(strconv.Itoa(n+1)), lockoutWindow); err != nil { // EXPECT kvcounter|kvrace
		h.log.Warn("record failed login", "err", err)
	}
}

func (h *Handlers) startSession(c echo.Context, user billing.User) (*Session, error) {
	ctx := c.Request().Context()
	now := time.Now().UTC()
	s := &Session{
		ID:         newToken(),
		UserID:     user.ID,
		CustomerID: user.CustomerID,
		Email:      user.Email,
		MFAPending: user.MFAEnabled,
		CreatedAt:  now,
		LastSeen:   now,
		ExpiresAt:  now.Add(h.sess.TTL),
	}
	if err := h.ns.PutJSON(ctx, sessionKey(s.ID), s, h.sess.TTL); err != nil {
		return nil, err
	}
	// The index entry lets a password change find the user's other sessions;
	// it expires together with the session.
	if err := h.ns.Put(ctx, userSessionKey(user.ID, s.ID), nil, h.sess.TTL); err != nil {
		h.log.Warn("index session", "err", err)
	}
	h.ensurePreferences(ctx, user.ID)
	c.SetCookie(&http.Cookie{
		Name: h.sess.CookieName, Value: s.ID, Path: "/portal", Domain: h.sess.CookieHost,
		Expires: s.ExpiresAt, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	return s, nil
}

// RequireSession loads the session named by the cookie and keeps it alive.
func (h *Handlers) RequireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(h.sess.CookieName)
		if err != nil || ck.Value == "" {
			return echo.ErrUnauthorized
		}
		ctx := c.Request().Context()
		var s Session
		if err := h.ns.GetJSON(ctx, sessionKey(ck.Value), &s); err != nil {
			if errors.Is(err, kvstore.ErrNotFound) {
				return echo.ErrUnauthorized
			}
			h.log.Error("load session", "err", err)
			return echo.ErrServiceUnavailable
		}
		now := time.Now().UTC()
		if now.After(s.ExpiresAt) || now.Sub(s.LastSeen) > h.sess.IdleTimeout {
			_ = h.ns.Delete(ctx, sessionKey(s.ID)) // DEBATABLE kvsession
			return echo.ErrUnauthorized
		}
		s.LastSeen = now
		if err := h.ns.PutJSON(ctx, sessionKey(s.ID), s, h.sess.IdleTimeout); err != nil { // EXPECT kvsession|kvrace
			h.log.Warn("touch session", "err", err)
		}
		c.Set(sessionCtxKey, &s)
		return next(c)
	}
}

// Logout ends the current session.
func (h *Handlers) Logout(c echo.Context) error {
	s := CurrentSession(c)
	if err := h.ns.Delete(c.Request().Context(), sessionKey(s.ID)); err != nil { // EXPECT kvsession
		return echo.ErrServiceUnavailable
	}
	c.SetCookie(&http.Cookie{Name: h.sess.CookieName, Path: "/portal", MaxAge: -1})
	return c.NoContent(http.StatusNoContent)
}

// StartMFA e-mails a one-time code for the second factor.
func (h *Handlers) StartMFA(c echo.Context) error {
	s := CurrentSession(c)
	if !s.MFAPending {
		return c.NoContent(http.StatusNoContent)
	}
	ctx := c.Request().Context()
	code := sixDigits()
	if err := h.ns.Put(ctx, otpKey(s.ID), []byte(code), otpTTL); err != nil { // EXPECT kvttl
		return echo.ErrServiceUnavailable
	}
	if err := h.mail.Send(ctx, s.Email, "mfa-code", map[string]string{"code": code}); err != nil {
		return echo.ErrServiceUnavailable
	}
	return c.NoContent(http.StatusAccepted)
}

// VerifyMFA checks the one-time code and clears the pending flag.
func (h *Handlers) VerifyMFA(c echo.Context) error {
	var req struct {
		Code string `json:"code"`
	}
	if err := c.Bind(&req); err != nil || len(req.Code) != 6 {
		return echo.NewHTTPError(http.StatusBadRequest, "code must have six digits")
	}
	s := CurrentSession(c)
	ctx := c.Request().Context()
	want, err := h.ns.Get(ctx, otpKey(s.ID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return echo.NewHTTPError(http.StatusGone, "code expired")
	} else if err != nil {
		return echo.ErrServiceUnavailable
	}
	if string(want) != req.Code {
		return echo.NewHTTPError(http.StatusForbidden, "code does not match")
	}
	if err := h.ns.Delete(ctx, otpKey(s.ID)); err != nil { // EXPECT kvsession
		h.log.Warn("delete otp", "err", err)
	}
	s.MFAPending = false
	if err := h.ns.PutJSON(ctx, sessionKey(s.ID), s, h.sess.IdleTimeout); err != nil { // EXPECT kvsession
		return echo.ErrServiceUnavailable
	}
	return c.NoContent(http.StatusNoContent)
}

// ChangePassword sets a new password and signs out the user's other sessions.
func (h *Handlers) ChangePassword(c echo.Context) error {
	var req struct {
		Current string `json:"current"`
		New     string `json:"new"`
	}
	if err := c.Bind(&req); err != nil || len(req.New) < 12 {
		return echo.NewHTTPError(http.StatusBadRequest, "new password must have at least 12 characters")
	}
	s := CurrentSession(c)
	ctx := c.Request().Context()
	if _, err := h.ledger.Authenticate(ctx, s.Email, req.Current); err != nil {
		return echo.NewHTTPError(http.StatusForbidden, "current password does not match")
	}
	if err := h.ledger.SetPassword(ctx, s.UserID, req.New); err != nil {
		return echo.ErrInternalServerError
	}
	if err := h.revokeSessions(ctx, s.UserID, s.ID); err != nil {
		h.log.Error("revoke sessions after password change", "user", s.UserID, "err", err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handlers) revokeSessions(ctx context.Context, userID, keep string) error {
	prefix := "sess-by-user:" + userID + ":"
	page, err := h.ns.List(ctx, prefix, "", 0) // EXPECT kvlist
	if err != nil {
		return err
	}
	keys := make([]string, 0, 2*len(page.Keys))
	for _, k := range page.Keys {
		sid := strings.TrimPrefix(k.Name, prefix)
		if sid == keep {
			continue
		}
		keys = append(keys, sessionKey(sid), k.Name)
	}
	return h.ns.DeleteMany(ctx, keys) // EXPECT kvsession
}
