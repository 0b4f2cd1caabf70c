// Package subscribers implements sign-up with double opt-in.
package subscribers

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"time"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/store"
)

// Subscriber statuses.
const (
	StatusPending      = "pending"
	StatusActive       = "active"
	StatusUnsubscribed = "unsubscribed"
)

var (
	ErrAlreadySubscribed = errors.New("subscribers: address already on the list")
	ErrInvalidCode       = errors.New("subscribers: unknown or expired confirmation code")
	ErrInvalidEmail      = errors.New("subscribers: invalid email address")
)

// Subscriber is the stored record of one address.
type Subscriber struct {
	Email  string    `json:"email"`
	Tenant string    `json:"tenant"`
	Status string    `json:"status"`
	Since  time.Time `json:"since"`
}

type pendingOptIn struct {
	Email     string    `json:"email"`
	Tenant    string    `json:"tenant"`
	Requested time.Time `json:"requested"`
}

// Mailer sends transactional mail.
type Mailer interface {
	SendConfirmation(ctx context.Context, tenant, email, code string) error
}

// Service owns the subscriber keys. It embeds the store so handlers in this
// package can use Get/Put directly.
type Service struct {
	store.Store
	mail    Mailer
	cfg     config.Signup
	now     func() time.Time
	newCode func() string
}

// Option customises a Service.
type Option func(*Service)

// WithClock replaces time.Now.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithCodes replaces the random code generator.
func WithCodes(gen func() string) Option { return func(s *Service) { s.newCode = gen } }

// New wires a Service.
func New(st store.Store, m Mailer, cfg config.Signup, opts ...Option) *Service {
	s := &Service{Store: st, mail: m, cfg: cfg, now: time.Now, newCode: randomCode}
	for _, o := range opts {
		o(s)
	}
	return s
}

func randomCode() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func normalize(email string) (string, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidEmail, err)
	}
	return strings.ToLower(addr.Address), nil
}

// Subscribe records a pending subscriber and mails a confirmation code.
func (s *Service) Subscribe(ctx context.Context, tenant keys.Tenant, email string) error {
	email, err := normalize(email)
	if err != nil {
		return err
	}
	key := tenant.Subscriber(email)
	if _, found, err := s.Get(ctx, key); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	} else if found {
		return ErrAlreadySubscribed
	}
	rec, _ := json.Marshal(Subscriber{Email: email, Tenant: string(tenant), Status: StatusPending, Since: s.now()})
	if err := s.Put(ctx, key, string(rec)); err != nil { // EXPECT kvrace
		return fmt.Errorf("subscribe: %w", err)
	}

	code := s.newCode()
	pending, _ := json.Marshal(pendingOptIn{Email: email, Tenant: string(tenant), Requested: s.now()})
	if err := s.Put(ctx, keys.OptIn+code, string(pending), store.WithTTL(s.cfg.CodeTTL)); err != nil {
		return fmt.Errorf("subscribe: store code: %w", err)
	}
	return s.mail.SendConfirmation(ctx, string(tenant), email, code)
}

// Confirm activates the subscriber the code was issued for. The returned
// token is the subscriber's unsubscribe token.
func (s *Service) Confirm(ctx context.Context, code string) (Subscriber, string, error) {
	raw, ok, err := s.Get(ctx, keys.OptIn+code)
	if err != nil {
		return Subscriber{}, "", fmt.Errorf("confirm: %w", err)
	}
	if !ok {
		return Subscriber{}, "", ErrInvalidCode
	}
	var p pendingOptIn
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Subscriber{}, "", fmt.Errorf("confirm: decode: %w", err)
	}

	sub := Subscriber{Email: p.Email, Tenant: p.Tenant, Status: StatusActive, Since: s.now()}
	b, _ := json.Marshal(sub)
	if err := s.Put(ctx, keys.Tenant(p.Tenant).Subscriber(p.Email), string(b)); err != nil {
		return Subscriber{}, "", fmt.Errorf("confirm: %w", err)
	}
	if err := s.Delete(ctx, keys.OptIn+code); err != nil { // EXPECT kvsession
		return Subscriber{}, "", fmt.Errorf("confirm: drop code: %w", err)
	}

	unsub := s.newCode()
	if err := s.Put(ctx, keys.Unsubscribe+unsub, p.Tenant+"|"+p.Email); err != nil {
		return Subscriber{}, "", fmt.Errorf("confirm: unsubscribe token: %w", err)
	}
	// The archive shows a short welcome banner on the first visit after confirming.
	_ = s.Put(ctx, "welcome:"+code, p.Email, store.WithTTL(30*time.Second)) // EXPECT kvttl
	return sub, unsub, nil
}

// Unsubscribe marks the address as unsubscribed. The record is kept so the
// address is not mailed again by an import.
func (s *Service) Unsubscribe(ctx context.Context, tenant keys.Tenant, email string) error {
	b, _ := json.Marshal(Subscriber{Email: email, Tenant: string(tenant), Status: StatusUnsubscribed, Since: s.now()})
	return s.Put(ctx, tenant.Subscriber(email), string(b))
}

// Tag adds tag to the subscriber's tag list.
func (s *Service) Tag(ctx context.Context, tenant keys.Tenant, email, tag string) error {
	key := tenant.Tags(email)
	cur, _, err := s.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("tag: %w", err)
	}
	if slices.Contains(strings.Split(cur, ","), tag) {
		return nil
	}
	next := tag
	if cur != "" {
		next = cur + "," + tag
	}
	return s.Put(ctx, key, next) // EXPECT kvrace
}

// Export writes the tenant's list as CSV and returns the number of rows.
func (s *Service) Export(ctx context.Context, tenant keys.Tenant, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"email", "status", "since"})
	rows, cursor := 0, ""
	for page := 0; page < s.cfg.ExportPages; page++ {
		p, err := s.List(ctx, tenant.Subscribers(), cursor, 500)
		if err != nil {
			return rows, fmt.Errorf("export: %w", err)
		}
		for _, k := range p.Keys {
			raw, ok, err := s.Get(ctx, k) // EXPECT kvlist
			if err != nil {
				return rows, fmt.Errorf("export %s: %w", k, err)
			}
			if !ok {
				continue
			}
			var sub Subscriber
			if json.Unmarshal([]byte(raw), &sub) != nil {
				continue
			}
			_ = cw.Write([]string{sub.Email, sub.Status, sub.Since.Format(time.DateOnly)})
			rows++
		}
		if p.Complete {
			break
		}
		cursor = p.Cursor
	}
	cw.Flush()
	return rows, cw.Error()
}
