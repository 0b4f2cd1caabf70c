// Package invoices serves invoice pages and PDFs to the portal. Rendering
// is expensive, so renders are cached in KV (shared by all instances) and
// in a small in-process LRU in front of it.
package invoices

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/labstack/echo/v4"
	"github.com/sourcegraph/conc/pool"

	"github.com/lapwing-billing/lapwing/internal/billing"
	"github.com/lapwing-billing/lapwing/internal/config"
	"github.com/lapwing-billing/lapwing/internal/kvstore"
	"github.com/lapwing-billing/lapwing/internal/portal"
)

// termsPlain is the plain-text payment terms printed under every invoice.
const termsPlain = `Payment terms. Invoices are payable within the period stated on the invoice, counted from the issue date. ` +
	`Amounts not received by the due date accrue statutory interest for late payment from the day after the due date until ` +
	`the day of receipt, together with a fixed compensation for recovery costs where the law provides for one. Where the ` +
	`customer disputes part of an invoice, the undisputed part remains payable by the due date and the customer must ` +
	`notify the disputed amount in writing, with reasons, within fourteen days of the issue date. Payments are applied ` +
	`first to interest and recovery costs and then to the oldest open invoice. We may suspend the services after a ` +
	`reminder period of fourteen days if an undisputed amount remains unpaid, and will restore them within one business ` +
	`day of receiving full payment. Bank charges for incoming transfers are borne by the customer. Card payments made ` +
	`through a payment link are processed by our payment provider, and a payment link stops working once the invoice ` +
	`is paid, voided or the link expires. Credit notes are issued for any overpayment and are set off against the next ` +
	`invoice unless the customer asks for a refund. Please quote the invoice number with every payment.`

const termsVersion = 7

// Service renders invoices through the caches.
type Service struct {
	cache  *kvstore.Namespace
	ledger billing.Ledger
	cfg    config.Invoices
	local  *expirable.LRU[string, []byte]
	log    *slog.Logger
}

// NewService builds the render service.
func NewService(cache *kvstore.Namespace, ledger billing.Ledger, cfg config.Invoices, log *slog.Logger) *Service {
	return &Service{
		cache:  cache,
		ledger: ledger,
		cfg:    cfg,
		local:  expirable.NewLRU[string, []byte](cfg.LocalCacheSize, nil, cfg.LocalCacheTTL),
		log:    log.With(slog.String("component", "invoices")),
	}
}

func renderKey(invoiceID, format string) string {
	return fmt.Sprintf("render:v3:%s:%s", invoiceID, format)
}

// Rendered returns the invoice rendered in format ("html:<locale>" or
// "pdf:<locale>").
func (s *Service) Rendered(ctx context.Context, inv billing.Invoice, format string) ([]byte, error) {
	key := renderKey(inv.ID, format)
	if b, ok := s.local.Get(key); ok {
		return b, nil
	}
	b, err := s.cache.Get(ctx, key)
	switch {
	case err == nil:
		s.local.Add(key, b)
		return b, nil
	case !errors.Is(err, kvstore.ErrNotFound):
		s.log.Warn("render cache read failed, rendering", "invoice", inv.ID, "err", err)
	}
	b, err = s.ledger.RenderInvoice(ctx, inv, format)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", inv.ID, err)
	}
	if err := s.cache.CachePut(ctx, key, b, s.cfg.RenderTTL); err != nil {
		s.log.Warn("render cache write failed", "invoice", inv.ID, "err", err)
	}
	s.local.Add(key, b)
	return b, nil
}

// Invalidate drops cached renders after the ledger changed an invoice.
func (s *Service) Invalidate(ctx context.Context, invoiceID string, formats ...string) error {
	keys := make([]string, 0, len(formats))
	for _, f := range formats {
		keys = append(keys, renderKey(invoiceID, f))
		s.local.Remove(renderKey(invoiceID, f))
	}
	return s.cache.DeleteMany(ctx, keys)
}

// PublishTerms stores the payment terms block used by the invoice templates.
// The plain text travels in the key's metadata so the mailer can list it
// without a second read.
func (s *Service) PublishTerms(ctx context.Context, html string) error {
	return s.cache.PutWithMetadata(ctx, "terms:current", html, map[string]any{"version": termsVersion, "plain": termsPlain}) // EXPECT kvlimits
}

// TermsHTML returns the HTML rendering of the terms, cached under a key
// derived from the text so that editing the text can never serve a stale
// rendering.
func (s *Service) TermsHTML(ctx context.Context, render func(string) string) (string, error) {
	const key = "terms-html:" + termsPlain // EXPECT kvlimits
	if b, err := s.cache.Get(ctx, key); err == nil {
		return string(b), nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	html := render(termsPlain)
	return html, s.cache.Put(ctx, key, []byte(html), 0)
}

// Handlers serves the invoice routes of the portal.
type Handlers struct {
	svc   *Service
	notes *kvstore.Namespace
}

// NewHandlers builds the invoice handlers.
func NewHandlers(svc *Service, notes *kvstore.Namespace) *Handlers {
	return &Handlers{svc: svc, notes: notes}
}

// Register mounts the routes on the authenticated portal group.
func (h *Handlers) Register(g *echo.Group) {
	g.GET("/invoices/:id", h.Show)
	g.GET("/invoices/:id/pdf", h.Download)
	g.POST("/invoices/:id/notes", h.AddNote)
	g.POST("/invoices/warm", h.Warm)
}

func (h *Handlers) loadOwned(c echo.Context) (billing.Invoice, *portal.Session, error) {
	s := portal.CurrentSession(c)
	inv, err := h.svc.ledger.Invoice(c.Request().Context(), c.Param("id"))
	if errors.Is(err, billing.ErrNoRows) || (err == nil && inv.CustomerID != s.CustomerID) {
		return inv, s, echo.ErrNotFound
	}
	return inv, s, err
}

func locale(c echo.Context) string {
	if l := c.QueryParam("locale"); l != "" {
		return l
	}
	return "en-GB"
}

// Show renders the invoice page.
func (h *Handlers) Show(c echo.Context) error {
	inv, s, err := h.loadOwned(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	body, err := h.svc.Rendered(ctx, inv, "html:"+locale(c))
	if err != nil {
		return err
	}
	go h.trackView(context.WithoutCancel(ctx), s.UserID, inv)
	return c.HTMLBlob(http.StatusOK, body)
}

func (h *Handlers) trackView(ctx context.Context, userID string, inv billing.Invoice) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	log := h.svc.log.With(slog.String("invoice", inv.ID))

	views := inv.ViewCount + 1
	if err := h.svc.cache.Put(ctx, "views:invoice:"+inv.ID, []byte(strconv.Itoa(views)), 0); err != nil { // EXPECT kvcounter
		log.Warn("record view", "err", err)
	}

	key := "recent:" + userID
	var recent []string
	if err := h.svc.cache.GetJSON(ctx, key, &recent); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return
	}
	recent = slices.DeleteFunc(recent, func(id string) bool { return id == inv.ID })
	recent = append([]string{inv.ID}, recent...)
	recent = recent[:min(len(recent), 10)]
	if err := h.svc.cache.PutJSON(ctx, key, recent, 30*24*time.Hour); err != nil { // EXPECT kvrace
		log.Warn("record recent invoice", "err", err)
	}
}

// Download serves the invoice PDF.
func (h *Handlers) Download(c echo.Context) error {
	inv, _, err := h.loadOwned(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pending := "render:pending:" + inv.ID
	if err := h.svc.cache.CachePut(ctx, pending, []byte("pdf"), 30*time.Second); err != nil {
		h.svc.log.Debug("mark render pending", "err", err)
	}
	pdf, err := h.svc.Rendered(ctx, inv, "pdf:"+locale(c))
	if err != nil {
		return err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := h.svc.cache.Put(ctx, "stats:last-invoice-download", stamp, 0); err != nil { // EXPECT kvhotkey
		h.svc.log.Debug("download stats", "err", err)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.pdf"`, inv.Number))
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// AddNote appends a note to an invoice.
func (h *Handlers) AddNote(c echo.Context) error {
	inv, s, err := h.loadOwned(c)
	if err != nil {
		return err
	}
	var req struct {
		Text string `json:"text"`
	}
	if err := c.Bind(&req); err != nil || req.Text == "" || len(req.Text) > 2000 {
		return echo.NewHTTPError(http.StatusBadRequest, "text must have 1 to 2000 characters")
	}
	ctx := c.Request().Context()
	key := "notes:" + inv.ID
	old, err := h.notes.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return echo.ErrServiceUnavailable
	}
	text := strings.ReplaceAll(req.Text, "\n", " ")
	line := fmt.Sprintf("%s\t%s\t%s", time.Now().UTC().Format(time.RFC3339), s.Email, text)
	notes := string(old)
	if notes != "" {
		notes += "\n"
	}
	notes += line
	if err := h.notes.Put(ctx, key, []byte(notes), 0); err != nil { // EXPECT kvrace
		return echo.ErrServiceUnavailable
	}
	return c.NoContent(http.StatusCreated)
}

// Warm renders all open invoices of the customer ahead of a statement run.
func (h *Handlers) Warm(c echo.Context) error {
	s := portal.CurrentSession(c)
	ctx := c.Request().Context()
	invs, err := h.svc.ledger.OpenInvoices(ctx, s.CustomerID)
	if err != nil {
		return err
	}
	var done atomic.Int64
	p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(h.svc.cfg.WarmParallel)
	for _, inv := range invs {
		p.Go(func(ctx context.Context) error {
			if _, err := h.svc.Rendered(ctx, inv, "pdf:"+locale(c)); err != nil {
				return err
			}
			status := fmt.Sprintf(`{"customer":%q,"done":%d,"total":%d}`, s.CustomerID, done.Add(1), len(invs))
			return h.svc.cache.Put(ctx, "render:warm-status", []byte(status), time.Hour) // EXPECT kvhotkey
		})
	}
	if err := p.Wait(); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int64{"warmed": done.Load()})
}
