// Package paylinks creates payment links for issued invoices. Each link is
// addressed by a random one-time token.
package paylinks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"kinglet/internal/invoicing"
	"kinglet/internal/kvstore"
)

// ErrUnknownLink is returned for tokens that do not resolve to a link.
var ErrUnknownLink = errors.New("paylinks: unknown or used link")

const confirmTTLSeconds = 45

// Link is the stored payment link.
type Link struct {
	Token         string    `json:"token"`
	InvoiceNumber string    `json:"invoice"`
	CustomerID    string    `json:"customer_id"`
	AmountCents   int64     `json:"amount_cents"`
	Currency      string    `json:"currency"`
	CreatedAt     time.Time `json:"created_at"`
}

// Service talks to the links namespace with the SDK directly.
type Service struct {
	client    *cloudflare.Client
	accountID string
	ns        string

	putBase kv.NamespaceValueUpdateParams
	getBase kv.NamespaceValueGetParams
}

// NewService builds the request templates once.
func NewService(client *cloudflare.Client, accountID, namespaceID string, ttl time.Duration) *Service {
	return &Service{
		client:    client,
		accountID: accountID,
		ns:        namespaceID,
		putBase: kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(accountID),
			ExpirationTTL: cloudflare.F(ttl.Seconds()),
		},
		getBase: kv.NamespaceValueGetParams{AccountID: cloudflare.F(accountID)},
	}
}

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func linkKey(token string) string { return "paylink:" + token }

// Create stores a new link for inv.
func (s *Service) Create(ctx context.Context, inv invoicing.Issued) (Link, error) {
	tok, err := newToken()
	if err != nil {
		return Link{}, err
	}
	l := Link{
		Token:         tok,
		InvoiceNumber: inv.Number,
		CustomerID:    inv.CustomerID,
		AmountCents:   inv.TotalCents,
		Currency:      inv.Currency,
		CreatedAt:     time.Now().UTC(),
	}
	body, err := json.Marshal(l)
	if err != nil {
		return Link{}, err
	}
	p := s.putBase
	p.Value = cloudflare.F(string(body))
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, linkKey(tok), p); err != nil {
		return Link{}, fmt.Errorf("store link: %w", err)
	}
	return l, nil
}

// CreateUntilDue stores a link that lapses when the invoice falls due.
func (s *Service) CreateUntilDue(ctx context.Context, inv invoicing.Issued) (Link, error) {
	tok, err := newToken()
	if err != nil {
		return Link{}, err
	}
	l := Link{Token: tok, InvoiceNumber: inv.Number, CustomerID: inv.CustomerID, AmountCents: inv.TotalCents, Currency: inv.Currency, CreatedAt: time.Now().UTC()}
	body, _ := json.Marshal(l)
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, linkKey(tok), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(body)),
		Expiration: cloudflare.F(float64(inv.DueAt.UnixMilli())), // EXPECT kvttl
	})
	return l, err
}

// CreateForReminder stores a link valid for a week after the reminder.
func (s *Service) CreateForReminder(ctx context.Context, inv invoicing.Issued, sentAt time.Time) (Link, error) {
	tok, err := newToken()
	if err != nil {
		return Link{}, err
	}
	l := Link{Token: tok, InvoiceNumber: inv.Number, CustomerID: inv.CustomerID, AmountCents: inv.TotalCents, Currency: inv.Currency, CreatedAt: sentAt}
	body, _ := json.Marshal(l)
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, linkKey(tok), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(body)),
		Expiration: cloudflare.F(float64(sentAt.Add(7 * 24 * time.Hour).Unix())),
	})
	return l, err
}

// Lookup returns the link for token without consuming it.
func (s *Service) Lookup(ctx context.Context, token string) (Link, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, linkKey(token), s.getBase)
	if kvstore.IsNotFound(err) {
		return Link{}, ErrUnknownLink
	}
	if err != nil {
		return Link{}, err
	}
	defer res.Body.Close()
	var l Link
	if err := json.NewDecoder(res.Body).Decode(&l); err != nil {
		return Link{}, err
	}
	return l, nil
}

// Redeem consumes the link: the token cannot be used a second time.
func (s *Service) Redeem(ctx context.Context, token string) (Link, error) {
	l, err := s.Lookup(ctx, token)
	if err != nil {
		return Link{}, err
	}
	_, err = s.client.KV.Namespaces.Values.Delete(ctx, s.ns, linkKey(token), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.accountID)}) // EXPECT kvsession
	if err != nil {
		return Link{}, err
	}
	return l, nil
}

// ApplyPartialPayment lowers the amount still payable through the link.
func (s *Service) ApplyPartialPayment(ctx context.Context, token string, paidCents int64) (Link, error) {
	l, err := s.Lookup(ctx, token)
	if err != nil {
		return Link{}, err
	}
	l.AmountCents -= paidCents
	body, err := json.Marshal(l)
	if err != nil {
		return Link{}, err
	}
	p := s.putBase
	p.Value = cloudflare.F(string(body))
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, linkKey(token), p) // EXPECT kvrace|kvsession
	return l, err
}

// StartConfirmation stores the short-lived 3-D Secure return state.
func (s *Service) StartConfirmation(ctx context.Context, token, challengeID string) error {
	p := s.putBase
	p.ExpirationTTL = cloudflare.F(float64(confirmTTLSeconds)) // EXPECT kvttl
	p.Value = cloudflare.F(token)
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, "3ds:"+challengeID, p)
	return err
}

// ReceiptCopy stores the provider's receipt for the support team.
func (s *Service) ReceiptCopy(ctx context.Context, invoiceNumber string, receipt io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(receipt, 1<<20))
	if err != nil {
		return err
	}
	p := s.putBase
	p.ExpirationTTL = cloudflare.F((90 * 24 * time.Hour).Seconds())
	p.Value = cloudflare.F(string(b))
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, "receipt:"+invoiceNumber, p)
	return err
}
