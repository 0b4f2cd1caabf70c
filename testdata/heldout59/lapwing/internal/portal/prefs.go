package portal

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/labstack/echo/v4"

	"github.com/lapwing-billing/lapwing/internal/kvstore"
)

// Preferences are a portal user's notification settings.
type Preferences struct {
	InvoiceEmails  bool      `json:"invoice_emails"`
	ReminderEmails bool      `json:"reminder_emails"`
	PDFAttachments bool      `json:"pdf_attachments"`
	Locale         string    `json:"locale"`
	CC             []string  `json:"cc"`
	UpdatedAt      time.Time `json:"updated_at"`
}

type preferencesPatch struct {
	InvoiceEmails  *bool    `json:"invoice_emails"`
	ReminderEmails *bool    `json:"reminder_emails"`
	PDFAttachments *bool    `json:"pdf_attachments"`
	Locale         *string  `json:"locale"`
	CC             []string `json:"cc"`
}

func (p preferencesPatch) apply(dst *Preferences) {
	if p.InvoiceEmails != nil {
		dst.InvoiceEmails = *p.InvoiceEmails
	}
	if p.ReminderEmails != nil {
		dst.ReminderEmails = *p.ReminderEmails
	}
	if p.PDFAttachments != nil {
		dst.PDFAttachments = *p.PDFAttachments
	}
	if p.Locale != nil {
		dst.Locale = *p.Locale
	}
	if p.CC != nil {
		dst.CC = p.CC
	}
}

func prefsKey(userID string) string { return "prefs:" + userID }

func defaultPreferences() Preferences {
	return Preferences{InvoiceEmails: true, ReminderEmails: true, PDFAttachments: true, Locale: "en-GB"}
}

func (h *Handlers) ensurePreferences(ctx context.Context, userID string) {
	if _, err := h.ns.Get(ctx, prefsKey(userID)); err != nil { // EXPECT kvnull
		if err := h.ns.PutJSON(ctx, prefsKey(userID), defaultPreferences(), 0); err != nil {
			h.log.Warn("seed preferences", "user", userID, "err", err)
		}
	}
}

// UpdatePreferences applies a partial update.
func (h *Handlers) UpdatePreferences(c echo.Context) error {
	var patch preferencesPatch
	if err := c.Bind(&patch); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "malformed request")
	}
	s := CurrentSession(c)
	ctx := c.Request().Context()
	prefs := defaultPreferences()
	if err := h.ns.GetJSON(ctx, prefsKey(s.UserID), &prefs); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return echo.ErrServiceUnavailable
	}
	patch.apply(&prefs)
	prefs.UpdatedAt = time.Now().UTC()
	if err := h.ns.PutJSON(ctx, prefsKey(s.UserID), prefs, 0); err != nil { // EXPECT kvrace
		return echo.ErrServiceUnavailable
	}
	return c.JSON(http.StatusOK, prefs)
}

// APIToken is a machine credential issued to a customer.
type APIToken struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"cid"`
	Label      string    `json:"label"`
	CreatedAt  time.Time `json:"created_at"`
}

const revokedTokenTTL = 90 * 24 * time.Hour

// CreateAPIToken issues a machine credential. The token is shown once.
func (h *Handlers) CreateAPIToken(c echo.Context) error {
	var req struct {
		Label string `json:"label"`
	}
	if err := c.Bind(&req); err != nil || req.Label == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "label is required")
	}
	s := CurrentSession(c)
	tok := APIToken{ID: newToken(), CustomerID: s.CustomerID, Label: req.Label, CreatedAt: time.Now().UTC()}
	if err := h.ns.PutJSON(c.Request().Context(), "apitoken:"+tok.ID, tok, 0); err != nil {
		return echo.ErrServiceUnavailable
	}
	return c.JSON(http.StatusCreated, tok)
}

// RevokeAPIToken adds a token to the revocation list checked by
// RequireAPIToken.
func (h *Handlers) RevokeAPIToken(c echo.Context) error {
	s := CurrentSession(c)
	ctx := c.Request().Context()
	id := c.Param("id")
	var tok APIToken
	if err := h.ns.GetJSON(ctx, "apitoken:"+id, &tok); err != nil || tok.CustomerID != s.CustomerID {
		return echo.ErrNotFound
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := h.ns.Put(ctx, "revoked-token:"+id, stamp, revokedTokenTTL); err != nil { // EXPECT kvsession
		return echo.ErrServiceUnavailable
	}
	return c.NoContent(http.StatusNoContent)
}

// TokenHits counts API calls per token in this process and mirrors the
// count to KV every flushEvery calls for the usage page.
type TokenHits struct {
	ns         *kvstore.Namespace
	counts     *expirable.LRU[string, int]
	flushEvery int
}

// NewTokenHits returns a per-process hit counter.
func NewTokenHits(ns *kvstore.Namespace) *TokenHits {
	return &TokenHits{ns: ns, counts: expirable.NewLRU[string, int](10_000, nil, 24*time.Hour), flushEvery: 100}
}

// RequireAPIToken authenticates machine clients by bearer token.
func (h *Handlers) RequireAPIToken(hits *TokenHits) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
			if !ok || id == "" {
				return echo.ErrUnauthorized
			}
			ctx := c.Request().Context()
			if _, err := h.ns.Get(ctx, "revoked-token:"+id); err == nil {
				return echo.ErrUnauthorized
			} else if !errors.Is(err, kvstore.ErrNotFound) {
				return echo.ErrServiceUnavailable
			}
			var tok APIToken
			if err := h.ns.GetJSON(ctx, "apitoken:"+id, &tok); err != nil {
				return echo.ErrUnauthorized
			}
			n, _ := hits.counts.Get(id)
			n++
			hits.counts.Add(id, n)
			if n%hits.flushEvery == 0 {
				go func(n int) {
					_ = hits.ns.Put(context.WithoutCancel(ctx), "apitoken-hits:"+id, []byte(strconv.Itoa(n)), 0) // EXPECT kvcounter
				}(n)
			}
			c.Set("customer_id", tok.CustomerID)
			return next(c)
		}
	}
}
