package portal

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lapwing-billing/lapwing/internal/billing"
	"github.com/lapwing-billing/lapwing/internal/config"
	"github.com/lapwing-billing/lapwing/internal/kvstore"
)

type resetRecord struct {
	UserID    string    `json:"uid"`
	Email     string    `json:"email"`
	IP        string    `json:"ip"`
	CreatedAt time.Time `json:"created_at"`
}

type magicLink struct {
	UserID    string    `json:"uid"`
	Email     string    `json:"email"`
	Used      bool      `json:"used"`
	UsedAt    time.Time `json:"used_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

func resetKey(code string) string  { return "pwreset:" + code }
func magicKey(token string) string { return "magic:" + token }

// RateLimitByIP limits how often one address may ask for reset e-mails or
// magic links.
func RateLimitByIP(ns *kvstore.Namespace, cfg config.Reset, log *slog.Logger) echo.MiddlewareFunc {
	ttl := max(2*cfg.Window, 3*time.Second) // EXPECT kvttl
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx := c.Request().Context()
			key := "ratelimit:reset:" + c.RealIP()
			hits := 0
			if raw, err := ns.Get(ctx, key); err == nil {
				hits, _ = strconv.Atoi(string(raw))
			} else if !errors.Is(err, kvstore.ErrNotFound) {
				log.Warn("rate limit unavailable, letting request through", "err", err)
				return next(c)
			}
			if hits >= cfg.MaxPerWindow {
				return echo.NewHTTPError(http.StatusTooManyRequests, "please wait before trying again")
			}
			if err := ns.Put(ctx, key, []byte(strconv.Itoa(hits+1)), ttl); err != nil { // EXPECT kvcounter|kvrace
				log.Warn("rate limit write failed", "err", err)
			}
			return next(c)
		}
	}
}

// RequestReset e-mails a password reset code. It answers 202 whether or not
// the address is known.
func (h *Handlers) RequestReset(c echo.Context) error {
	var req struct {
		Email string `json:"email"`
	}
	if err := c.Bind(&req); err != nil || req.Email == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "email is required")
	}
	ctx := c.Request().Context()
	user, err := h.ledger.UserByEmail(ctx, req.Email)
	if errors.Is(err, billing.ErrNoRows) {
		return c.NoContent(http.StatusAccepted)
	} else if err != nil {
		return echo.ErrInternalServerError
	}
	code := newToken()
	rec := resetRecord{UserID: user.ID, Email: user.Email, IP: c.RealIP(), CreatedAt: time.Now().UTC()}
	if err := h.ns.PutJSON(ctx, resetKey(code), rec, h.reset.CodeTTL); err != nil {
		return echo.ErrServiceUnavailable
	}
	link := h.reset.LinkBaseURL + "/reset?code=" + code
	if err := h.mail.Send(ctx, user.Email, "password-reset", map[string]string{"link": link}); err != nil {
		return echo.ErrServiceUnavailable
	}
	return c.NoContent(http.StatusAccepted)
}

// ConfirmReset sets the new password for a valid reset code.
func (h *Handlers) ConfirmReset(c echo.Context) error {
	var req struct {
		Code     string `json:"code"`
		Password string `json:"password"`
	}
	if err := c.Bind(&req); err != nil || req.Code == "" || len(req.Password) < 12 {
		return echo.NewHTTPError(http.StatusBadRequest, "code and a password of at least 12 characters are required")
	}
	ctx := c.Request().Context()
	var rec resetRecord
	if err := h.ns.GetJSON(ctx, resetKey(req.Code), &rec); errors.Is(err, kvstore.ErrNotFound) {
		return echo.NewHTTPError(http.StatusGone, "reset link expired")
	} else if err != nil {
		return echo.ErrServiceUnavailable
	}
	if err := h.ledger.SetPassword(ctx, rec.UserID, req.Password); err != nil {
		return echo.ErrInternalServerError
	}
	if err := h.ns.Delete(ctx, resetKey(req.Code)); err != nil { // EXPECT kvsession
		h.log.Warn("delete reset code", "err", err)
	}
	if err := h.revokeSessions(ctx, rec.UserID, ""); err != nil {
		h.log.Error("revoke sessions after reset", "user", rec.UserID, "err", err)
	}
	return c.NoContent(http.StatusNoContent)
}

// RequestMagicLink e-mails a one-click login link.
func (h *Handlers) RequestMagicLink(c echo.Context) error {
	var req struct {
		Email string `json:"email"`
	}
	if err := c.Bind(&req); err != nil || req.Email == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "email is required")
	}
	ctx := c.Request().Context()
	user, err := h.ledger.UserByEmail(ctx, req.Email)
	if err != nil {
		return c.NoContent(http.StatusAccepted)
	}
	token := newToken()
	link := magicLink{UserID: user.ID, Email: user.Email, CreatedAt: time.Now().UTC()}
	if err := h.ns.PutJSON(ctx, magicKey(token), link, h.reset.MagicLinkTTL); err != nil {
		return echo.ErrServiceUnavailable
	}
	url := h.reset.LinkBaseURL + "/portal/magic/" + token
	_ = h.mail.Send(ctx, user.Email, "magic-link", map[string]string{"link": url})
	return c.NoContent(http.StatusAccepted)
}

// RedeemMagicLink signs the user in once per link.
func (h *Handlers) RedeemMagicLink(c echo.Context) error {
	token := c.Param("token")
	ctx := c.Request().Context()
	var link magicLink
	if err := h.ns.GetJSON(ctx, magicKey(token), &link); err != nil {
		return echo.NewHTTPError(http.StatusGone, "this link has expired")
	}
	if link.Used {
		return echo.NewHTTPError(http.StatusGone, "this link was already used")
	}
	link.Used, link.UsedAt = true, time.Now().UTC()
	if err := h.ns.PutJSON(ctx, magicKey(token), link, h.reset.MagicLinkTTL); err != nil { // EXPECT kvsession|kvrace
		return echo.ErrServiceUnavailable
	}
	user, err := h.ledger.UserByEmail(ctx, link.Email)
	if err != nil {
		return echo.ErrUnauthorized
	}
	if _, err := h.startSession(c, user); err != nil {
		return echo.ErrServiceUnavailable
	}
	return c.Redirect(http.StatusSeeOther, "/portal/app")
}
