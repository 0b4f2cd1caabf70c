package dashboard

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/kvstore"
)

const creatorKey = "skua.creator"

// RequireCreator returns the middleware that guards the dashboard API. It
// resolves the session cookie, keeps the session alive and, on routes with
// a :show parameter, checks that the creator owns the show.
func RequireCreator(a *Auth, owns func(ctx context.Context, creatorID, showID string) (bool, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		cookie, err := c.Cookie(a.cfg.CookieName)
		if err != nil {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "sign in required"})
			return
		}
		ctx := c.Request.Context()
		sess, err := a.Lookup(ctx, cookie)
		if errors.Is(err, kvstore.ErrNotFound) {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "session expired"})
			return
		}
		if err != nil {
			a.log.Error("session lookup", zap.Error(err))
			c.AbortWithStatus(http.StatusServiceUnavailable)
			return
		}
		if err := a.Touch(ctx, sess); err != nil {
			a.log.Warn("touching session", zap.String("creator", sess.CreatorID), zap.Error(err))
		}
		if show := c.Param("show"); show != "" {
			if ok, err := owns(ctx, sess.CreatorID, show); err != nil || !ok {
				c.AbortWithStatus(http.StatusForbidden)
				return
			}
		}
		c.Set(creatorKey, sess)
		c.Next()
	}
}

func sessionFrom(c *gin.Context) *Session {
	v, _ := c.Get(creatorKey)
	s, _ := v.(*Session)
	return s
}

// Register mounts the sign-in routes and the account API.
func (a *Auth) Register(r *gin.Engine, requireCreator gin.HandlerFunc) {
	auth := r.Group("/auth")
	auth.POST("/magic-link", a.handleMagicLink)
	auth.GET("/magic/:token", a.handleRedeem)
	auth.GET("/sso", a.handleSSOStart)
	auth.GET("/sso/callback", a.handleSSOCallback)

	acct := r.Group("/api/account", requireCreator)
	acct.POST("/logout", a.handleLogout)
	acct.POST("/logout-everywhere", a.handleLogoutEverywhere)
	acct.DELETE("/api-tokens/:token", a.handleRevokeToken)
}

type magicLinkRequest struct {
	Email string `json:"email" binding:"required,email"`
	Next  string `json:"next" binding:"omitempty,startswith=/"`
}

func (a *Auth) handleMagicLink(c *gin.Context) {
	var req magicLinkRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	err := a.SendMagicLink(c.Request.Context(), req.Email, req.Next)
	if errors.Is(err, errTooManyAttempts) {
		c.JSON(http.StatusTooManyRequests, gin.H{"error": "try again later"})
		return
	}
	if err != nil {
		a.log.Warn("magic link", zap.Error(err))
	}
	// Same answer whether or not the address belongs to a creator.
	c.JSON(http.StatusAccepted, gin.H{"sent": true})
}

func (a *Auth) signedIn(c *gin.Context, sess *Session, next string) {
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(a.cfg.CookieName, sess.CreatorID+"."+sess.ID, int(a.cfg.SessionTTL.Seconds()), "/", a.cfg.CookieDomain, true, true)
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/dashboard"
	}
	c.Redirect(http.StatusFound, next)
}

func (a *Auth) handleRedeem(c *gin.Context) {
	sess, next, err := a.RedeemMagicLink(c.Request.Context(), c.Param("token"), c.Request.UserAgent())
	if errors.Is(err, kvstore.ErrNotFound) {
		c.Redirect(http.StatusFound, "/login?expired=1")
		return
	}
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	a.signedIn(c, sess, next)
}

func (a *Auth) handleSSOStart(c *gin.Context) {
	u, err := a.BeginSSO(c.Request.Context(), c.Query("next"))
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Redirect(http.StatusFound, u)
}

func (a *Auth) handleSSOCallback(c *gin.Context) {
	sess, next, err := a.FinishSSO(c.Request.Context(), c.Query("state"), c.Query("code"), c.Request.UserAgent())
	if err != nil {
		a.log.Warn("sso callback", zap.Error(err))
		c.Redirect(http.StatusFound, "/login?error=sso")
		return
	}
	a.signedIn(c, sess, next)
}

func (a *Auth) handleLogout(c *gin.Context) {
	if err := a.SignOut(c.Request.Context(), sessionFrom(c)); err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.SetCookie(a.cfg.CookieName, "", -1, "/", a.cfg.CookieDomain, true, true)
	c.Status(http.StatusNoContent)
}

func (a *Auth) handleLogoutEverywhere(c *gin.Context) {
	n, err := a.SignOutEverywhere(c.Request.Context(), sessionFrom(c).CreatorID)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ended": n})
}

func (a *Auth) handleRevokeToken(c *gin.Context) {
	if err := a.RevokeAPIToken(c.Request.Context(), c.Param("token")); err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Status(http.StatusNoContent)
}

// LogMailer writes mail to the log; staging runs with it instead of the relay.
type LogMailer struct{ Log *zap.Logger }

func (m LogMailer) Send(_ context.Context, to, subject, body string) error {
	m.Log.Info("mail", zap.String("to", to), zap.String("subject", subject), zap.Int("bytes", len(body)))
	return nil
}

// NewMailer is provided to fx as the Mailer.
func NewMailer(log *zap.Logger) Mailer { return LogMailer{Log: log.Named("mail")} }
