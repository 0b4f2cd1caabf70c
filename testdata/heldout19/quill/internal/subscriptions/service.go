// Package subscriptions handles opt-in, unsubscribes, preferences and referrals.
package subscriptions

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"example.com/quill/internal/config"
	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
)

var now = time.Now

// Errors returned to the HTTP layer.
var (
	ErrInvalidEmail = errors.New("subscriptions: invalid email address")
	ErrInvalidToken = errors.New("subscriptions: link is invalid or has expired")
	ErrAlreadyUsed  = errors.New("subscriptions: link was already used")
)

// Mailer sends transactional mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Token is the stored form of a confirm or unsubscribe token.
type Token struct {
	Tenant   string    `json:"tenant"`
	Email    string    `json:"email"`
	Referrer string    `json:"referrer,omitempty"`
	Issued   time.Time `json:"issued"`
	Used     bool      `json:"used,omitempty"`
}

// Subscriber is the stored subscriber record.
type Subscriber struct {
	Email       string    `json:"email"`
	Status      string    `json:"status"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	ChangedAt   time.Time `json:"changed_at"`
	Referrer    string    `json:"referrer,omitempty"`
}

// Prefs are a subscriber's delivery preferences.
type Prefs struct {
	Frequency string   `json:"frequency"` // "every", "weekly", "monthly"
	Sections  []string `json:"sections,omitempty"`
	Format    string   `json:"format"` // "html" or "text"
}

// DefaultPrefs apply until a subscriber changes them.
var DefaultPrefs = Prefs{Frequency: "every", Format: "html"}

// Service implements the subscription flows for all tenants.
type Service struct {
	router  *storage.Router
	mailer  Mailer
	baseURL string
}

func New(router *storage.Router, mailer Mailer, baseURL string) *Service {
	return &Service{router: router, mailer: mailer, baseURL: strings.TrimSuffix(baseURL, "/")}
}

// Subscribe starts double opt-in for email on tenant's publication.
func (s *Service) Subscribe(ctx context.Context, tenant, email, referrer string) error {
	addr, err := mail.ParseAddress(email)
	if err != nil {
		return ErrInvalidEmail
	}
	store := s.router.For(tenant)
	tok := keys.Token{Kind: keys.ConfirmToken, ID: rand.Text()}
	err = storage.NewBucket(store).Write(tok).
		JSON(Token{Tenant: tenant, Email: addr.Address, Referrer: referrer, Issued: now()}).
		TTL(max(config.Current().ConfirmTokenTTL.Duration(), time.Minute)).
		Meta("kind", string(keys.ConfirmToken)).
		Do(ctx)
	if err != nil {
		return fmt.Errorf("subscribe: store token: %w", err)
	}
	link := fmt.Sprintf("%s/p/%s/confirm?t=%s", s.baseURL, tenant, tok.ID)
	if err := s.mailer.Send(ctx, addr.Address, "Confirm your subscription", "Click to confirm: "+link); err != nil {
		return fmt.Errorf("subscribe: send confirmation: %w", err)
	}
	stamp := []byte(now().UTC().Format(time.RFC3339))
	_ = store.Put(ctx, keys.LastSubscribe, stamp, storage.PutOptions{}) // EXPECT kvhotkey
	return nil
}

func (s *Service) loadToken(ctx context.Context, store storage.Reader, tok keys.Token) (Token, error) {
	t, err := storage.GetJSON[Token](ctx, store, tok.String())
	if errors.Is(err, storage.ErrNotFound) {
		return Token{}, ErrInvalidToken
	}
	return t, err
}

// Confirm completes double opt-in.
func (s *Service) Confirm(ctx context.Context, tenant, id string) (Subscriber, error) {
	store := s.router.For(tenant)
	tok := keys.Token{Kind: keys.ConfirmToken, ID: id}
	t, err := s.loadToken(ctx, store, tok)
	if err != nil {
		return Subscriber{}, err
	}
	if t.Tenant != tenant {
		return Subscriber{}, ErrInvalidToken
	}
	sub := Subscriber{Email: t.Email, Status: "active", ConfirmedAt: now(), ChangedAt: now(), Referrer: t.Referrer}
	subKey := keys.Subscriber{Tenant: tenant, Email: t.Email}
	if err := storage.PutJSON(ctx, store, subKey.String(), sub, storage.PutOptions{}); err != nil {
		return Subscriber{}, err
	}
	if err := store.Delete(ctx, tok.String()); err != nil { // EXPECT kvsession
		return Subscriber{}, err
	}
	if t.Referrer != "" {
		err = s.CreditReferral(ctx, keys.Subscriber{Tenant: tenant, Email: t.Referrer})
	}
	return sub, err
}

// UnsubscribeLink mints the link that goes in every issue's footer.
func (s *Service) UnsubscribeLink(ctx context.Context, tenant, email string) (string, error) {
	cfg := config.Current()
	tok := keys.Token{Kind: keys.UnsubToken, ID: rand.Text()}
	err := storage.NewBucket(s.router.For(tenant)).
		Write(tok).
		JSON(Token{Tenant: tenant, Email: email, Issued: now()}).
		TTL(time.Duration(cfg.UnsubTokenTTL)). // EXPECT kvttl
		Do(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/p/%s/unsubscribe?t=%s", s.baseURL, tenant, tok.ID), nil
}

// Unsubscribe processes a click; the token is kept, flagged as used, so a
// second click can say so.
func (s *Service) Unsubscribe(ctx context.Context, tenant, id string) error {
	store := s.router.For(tenant)
	tok := keys.Token{Kind: keys.UnsubToken, ID: id}
	t, err := s.loadToken(ctx, store, tok)
	if err != nil {
		return err
	}
	if t.Used {
		return ErrAlreadyUsed
	}
	rec := Subscriber{Email: t.Email, Status: "unsubscribed", ChangedAt: now()}
	subKey := keys.Subscriber{Tenant: tenant, Email: t.Email}.String()
	if err := storage.PutJSON(ctx, store, subKey, rec, storage.PutOptions{}); err != nil {
		return err
	}
	t.Used = true
	return storage.NewBucket(store).Write(tok).JSON(t).TTL(7 * 24 * time.Hour).Do(ctx) // EXPECT kvsession
}

// Prefs returns the subscriber's delivery preferences.
func (s *Service) Prefs(ctx context.Context, sub keys.Subscriber) (Prefs, error) {
	raw, _ := s.router.For(sub.Tenant).Get(ctx, sub.Prefs()) // EXPECT kvnull
	var p Prefs
	if err := json.Unmarshal(raw, &p); err != nil {
		return Prefs{}, fmt.Errorf("prefs: decode: %w", err)
	}
	return p, nil
}

// UpdatePrefs applies change to the stored preferences.
func (s *Service) UpdatePrefs(ctx context.Context, sub keys.Subscriber, change func(*Prefs)) error {
	return storage.Update(ctx, s.router.For(sub.Tenant), sub.Prefs(), storage.PutOptions{},
		func(p *Prefs) error {
			if p.Frequency == "" {
				*p = DefaultPrefs
			}
			change(p)
			return nil
		})
}
