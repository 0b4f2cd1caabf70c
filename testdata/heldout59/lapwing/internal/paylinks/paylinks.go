// Package paylinks issues payment-link tokens for open invoices and takes
// the payment provider's callbacks.
package paylinks

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/labstack/echo/v4"
	"github.com/sony/gobreaker/v2"

	"github.com/lapwing-billing/lapwing/internal/billing"
	"github.com/lapwing-billing/lapwing/internal/config"
	"github.com/lapwing-billing/lapwing/internal/kvstore"
	"github.com/lapwing-billing/lapwing/internal/portal"
)

// challengeWindow is how long the provider keeps a 3-D Secure challenge open.
const challengeWindow = 45 * time.Second

var (
	ErrLinkNotFound = errors.New("paylinks: link not found or expired")
	ErrSlugTaken    = errors.New("paylinks: slug already in use")
	slugPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)
)

// Link is a payment link for one invoice.
type Link struct {
	Token       string    `json:"token"`
	InvoiceID   string    `json:"invoice_id"`
	CustomerID  string    `json:"customer_id"`
	AmountCents int64     `json:"amount_cents"`
	Currency    string    `json:"currency"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// Provider is the card payment provider.
type Provider interface {
	Charge(ctx context.Context, link Link, method string) (ref string, challengeID string, err error)
}

func linkKey(token string) string       { return "paylink-token:" + token }
func slugKey(slug string) string        { return "paylink-slug:" + slug }
func failuresKey(token string) string   { return "paylink-failures:" + token }
func statusKey(invoiceID string) string { return "paystatus:" + invoiceID }

// Service issues and redeems links.
type Service struct {
	ns       *kvstore.Namespace
	ledger   billing.Ledger
	provider Provider
	cfg      config.Paylinks
	log      *slog.Logger
	status   *gobreaker.CircuitBreaker[struct{}]
}

// NewService builds the payment-link service.
func NewService(ns *kvstore.Namespace, ledger billing.Ledger, provider Provider, cfg config.Paylinks, log *slog.Logger) *Service {
	return &Service{
		ns: ns, ledger: ledger, provider: provider, cfg: cfg,
		log: log.With(slog.String("component", "paylinks")),
		status: gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
			Name:    "paystatus",
			Timeout: 30 * time.Second,
		}),
	}
}

func newToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create issues a link that stays valid until the grace period after the
// invoice's due date.
func (s *Service) Create(ctx context.Context, inv billing.Invoice) (Link, error) {
	if inv.Status != "open" {
		return Link{}, fmt.Errorf("paylinks: invoice %s is %s", inv.ID, inv.Status)
	}
	expires := inv.DueAt.Add(s.cfg.GraceAfterDue)
	link := Link{
		Token: newToken(), InvoiceID: inv.ID, CustomerID: inv.CustomerID,
		AmountCents: inv.AmountCents, Currency: inv.Currency,
		CreatedAt: time.Now().UTC(), ExpiresAt: expires,
	}
	if err := s.ns.PutJSON(ctx, linkKey(link.Token), link, time.Until(expires)); err != nil { // EXPECT kvttl
		return Link{}, err
	}
	return link, nil
}

// CreateForCustomer issues links for all open invoices of a customer in
// one bulk write, for the statement e-mail.
func (s *Service) CreateForCustomer(ctx context.Context, customerID string) ([]Link, error) {
	invs, err := s.ledger.OpenInvoices(ctx, customerID)
	if err != nil {
		return nil, err
	}
	links := make([]Link, 0, len(invs))
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(invs))
	for _, inv := range invs {
		expires := inv.DueAt.Add(s.cfg.GraceAfterDue)
		ttl := max(time.Until(expires), 24*time.Hour)
		link := Link{Token: newToken(), InvoiceID: inv.ID, CustomerID: customerID, AmountCents: inv.AmountCents,
			Currency: inv.Currency, CreatedAt: time.Now().UTC(), ExpiresAt: time.Now().Add(ttl)}
		raw, _ := json.Marshal(link)
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(linkKey(link.Token)),
			Value:         cloudflare.F(string(raw)),
			ExpirationTTL: cloudflare.F(ttl.Seconds()),
		})
		links = append(links, link)
	}
	return links, s.ns.PutMany(ctx, pairs)
}

// ClaimSlug gives a link a readable alias such as /pay/acme-march.
func (s *Service) ClaimSlug(ctx context.Context, token, slug string) error {
	if !slugPattern.MatchString(slug) {
		return fmt.Errorf("paylinks: invalid slug %q", slug)
	}
	var link Link
	if err := s.ns.GetJSON(ctx, linkKey(token), &link); err != nil {
		return ErrLinkNotFound
	}
	if _, err := s.ns.Get(ctx, slugKey(slug)); err == nil {
		return ErrSlugTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	ttl := max(time.Until(link.ExpiresAt), time.Hour)
	return s.ns.Put(ctx, slugKey(slug), []byte(token), ttl) // EXPECT kvrace
}

// Resolve maps a slug or token to the link.
func (s *Service) Resolve(ctx context.Context, ref string) (Link, time.Time, error) {
	if slugPattern.MatchString(ref) {
		if tok, err := s.ns.Get(ctx, slugKey(ref)); err == nil {
			ref = string(tok)
		}
	}
	return s.peek(ctx, ref)
}

// peek reads the link straight from the SDK so the pay page can show the
// key's real expiry from the response header.
func (s *Service) peek(ctx context.Context, token string) (Link, time.Time, error) {
	client := s.ns.Client()
	res, err := client.KV.Namespaces.Values.Get(ctx, s.ns.ID(), linkKey(token), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID()),
	})
	if err != nil {
		return Link{}, time.Time{}, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return Link{}, time.Time{}, ErrLinkNotFound
	}
	var link Link
	if err := json.NewDecoder(res.Body).Decode(&link); err != nil {
		return Link{}, time.Time{}, err
	}
	var exp time.Time
	if sec, err := strconv.ParseInt(res.Header.Get("Expiration"), 10, 64); err == nil {
		exp = time.Unix(sec, 0)
	}
	return link, exp, nil
}

// Pay charges the link and retires it.
func (s *Service) Pay(ctx context.Context, token, method string) (string, error) {
	var link Link
	if err := s.ns.GetJSON(ctx, linkKey(token), &link); err != nil {
		return "", ErrLinkNotFound
	}
	ref, challenge, err := s.provider.Charge(ctx, link, method)
	if err != nil {
		s.recordFailure(ctx, token)
		return "", err
	}
	if challenge != "" {
		err := s.ns.PutUntil(ctx, "3ds:"+token, []byte(challenge), time.Now().Add(challengeWindow)) // EXPECT kvttl
		return "", errors.Join(&ChallengeRequired{ID: challenge}, err)
	}
	if err := s.ledger.MarkPaid(ctx, link.InvoiceID, ref); err != nil {
		return "", err
	}
	if err := s.ns.Delete(ctx, linkKey(token)); err != nil { // EXPECT kvsession
		s.log.Error("retire paid link", "invoice", link.InvoiceID, "err", err)
	}
	receipt, _ := json.Marshal(map[string]any{"invoice_id": link.InvoiceID, "ref": ref, "paid_at": time.Now().UTC()})
	if err := s.ns.PutUntil(ctx, "receipt:"+ref, receipt, time.Now().Add(24*time.Hour)); err != nil {
		s.log.Warn("cache receipt", "err", err)
	}
	return ref, nil
}

// ChallengeRequired asks the payer to complete 3-D Secure.
type ChallengeRequired struct{ ID string }

func (e *ChallengeRequired) Error() string { return "3-D Secure challenge required: " + e.ID }

func (s *Service) recordFailure(ctx context.Context, token string) {
	n := 0
	if raw, err := s.ns.Get(ctx, failuresKey(token)); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	if err := s.ns.Put(ctx, failuresKey(token), []byte(strconv.Itoa(n+1)), 7*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		s.log.Warn("record payment failure", "err", err)
	}
}

type providerEvent struct {
	Type      string    `json:"type"`
	InvoiceID string    `json:"invoice_id"`
	Token     string    `json:"link_token"`
	Ref       string    `json:"ref"`
	Attempt   int       `json:"attempt"`
	At        time.Time `json:"created_at"`
}

type paymentStatus struct {
	Current string        `json:"current"`
	Events  []statusEvent `json:"events"`
}

type statusEvent struct {
	Type string    `json:"type"`
	Ref  string    `json:"ref"`
	At   time.Time `json:"at"`
}

func (s *Service) recordStatus(ctx context.Context, evt providerEvent) error {
	key := statusKey(evt.InvoiceID)
	_, err := s.status.Execute(func() (struct{}, error) {
		var st paymentStatus
		if err := s.ns.GetJSON(ctx, key, &st); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return struct{}{}, err
		}
		st.Current = evt.Type
		st.Events = append(st.Events, statusEvent{Type: evt.Type, Ref: evt.Ref, At: evt.At})
		return struct{}{}, s.ns.PutJSON(ctx, key, st, 90*24*time.Hour) // EXPECT kvrace
	})
	return err
}

// Handlers serves /pay.
type Handlers struct {
	svc *Service
}

// NewHandlers builds the public payment handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// Register mounts the routes. The webhook verifies its own signature.
func (h *Handlers) Register(g *echo.Group, portalApp *echo.Group) {
	g.POST("/:ref", h.Pay)
	g.POST("/webhooks/provider", h.Webhook)
	portalApp.POST("/invoices/:id/paylink", h.create)
	portalApp.PUT("/paylinks/:token/slug", h.claimSlug)
	portalApp.POST("/paylinks/statement", func(c echo.Context) error {
		links, err := h.svc.CreateForCustomer(c.Request().Context(), portal.CurrentSession(c).CustomerID)
		if err != nil {
			return echo.ErrServiceUnavailable
		}
		return c.JSON(http.StatusCreated, links)
	})
}

// Pay charges the link.
func (h *Handlers) Pay(c echo.Context) error {
	var req struct {
		Method string `json:"method"`
	}
	if err := c.Bind(&req); err != nil || req.Method == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "method is required")
	}
	link, _, err := h.svc.Resolve(c.Request().Context(), c.Param("ref"))
	if err != nil {
		return echo.ErrNotFound
	}
	ref, err := h.svc.Pay(c.Request().Context(), link.Token, req.Method)
	if cr := (*ChallengeRequired)(nil); errors.As(err, &cr) {
		return c.JSON(http.StatusAccepted, map[string]string{"challenge": cr.ID})
	} else if err != nil {
		return echo.NewHTTPError(http.StatusPaymentRequired, err.Error())
	}
	return c.JSON(http.StatusOK, map[string]string{"payment_ref": ref})
}

func (h *Handlers) create(c echo.Context) error {
	ctx := c.Request().Context()
	inv, err := h.svc.ledger.Invoice(ctx, c.Param("id"))
	if err != nil || inv.CustomerID != portal.CurrentSession(c).CustomerID {
		return echo.ErrNotFound
	}
	link, err := h.svc.Create(ctx, inv)
	if err != nil {
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	}
	return c.JSON(http.StatusCreated, map[string]string{"url": h.svc.cfg.PublicBaseURL + "/pay/" + link.Token})
}

func (h *Handlers) claimSlug(c echo.Context) error {
	var req struct {
		Slug string `json:"slug"`
	}
	if err := c.Bind(&req); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "malformed request")
	}
	switch err := h.svc.ClaimSlug(c.Request().Context(), c.Param("token"), req.Slug); {
	case errors.Is(err, ErrSlugTaken):
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	case err != nil:
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	return c.NoContent(http.StatusNoContent)
}

// Webhook takes the provider's payment events.
func (h *Handlers) Webhook(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, 1<<20))
	if err != nil {
		return echo.ErrBadRequest
	}
	mac := hmac.New(sha256.New, []byte(h.svc.cfg.WebhookSecret))
	mac.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(c.Request().Header.Get("X-Signature"))) {
		return echo.ErrUnauthorized
	}
	var evt providerEvent
	if err := json.Unmarshal(body, &evt); err != nil {
		return echo.ErrBadRequest
	}
	ctx := c.Request().Context()
	now := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := h.svc.ns.Put(ctx, "paylinks:last-webhook", now, 0); err != nil { // EXPECT kvhotkey
		h.svc.log.Warn("webhook heartbeat", "err", err)
	}
	switch evt.Type {
	case "payment.attempted":
		attempt := []byte(strconv.Itoa(evt.Attempt))
		if err := h.svc.ns.Put(ctx, "paylink-attempts:"+evt.Token, attempt, 7*24*time.Hour); err != nil { // DEBATABLE kvcounter
			return echo.ErrServiceUnavailable
		}
	case "payment.succeeded", "payment.failed", "payment.refunded":
		if err := h.svc.recordStatus(ctx, evt); err != nil {
			return echo.ErrServiceUnavailable
		}
	}
	return c.NoContent(http.StatusNoContent)
}
