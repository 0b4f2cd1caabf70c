// Package account handles customer sign-in to the dashboard and API keys.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"kahu/internal/kv"
)

// ErrInvalidLink is returned for unknown or expired magic links.
var ErrInvalidLink = errors.New("account: invalid or expired sign-in link")

// Mailer sends transactional mail through the relay itself.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Service implements sign-in by emailed link and dashboard sessions.
type Service struct {
	Auth    kv.Namespace
	Mailer  Mailer
	BaseURL string
}

// Session is a signed-in dashboard user.
type Session struct {
	ID       string    `json:"-"`
	Email    string    `json:"email"`
	Customer string    `json:"customer"`
	Created  time.Time `json:"created"`
}

func sessionKey(email, id string) string {
	return "dash-sess:" + strings.ToLower(email) + ":" + id
}

// SendLink emails a sign-in link valid for 15 minutes.
func (s *Service) SendLink(ctx context.Context, email, customer string) error {
	code := rand.Text()
	b, _ := json.Marshal(map[string]string{"email": email, "customer": customer})
	if err := s.Auth.PutTTL(ctx, "magic:"+code, b, 15*time.Minute); err != nil { // DEBATABLE kvsession
		return err
	}
	link := fmt.Sprintf("%s/login/%s", s.BaseURL, code)
	return s.Mailer.Send(ctx, email, "Your kahu sign-in link", "Sign in: "+link+"\n\nThe link expires in 15 minutes.")
}

// Redeem exchanges a magic-link code for a new dashboard session.
func (s *Service) Redeem(ctx context.Context, code string) (*Session, error) {
	raw, err := s.Auth.Get(ctx, "magic:"+code)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, ErrInvalidLink
	}
	if err != nil {
		return nil, err
	}
	var claim struct{ Email, Customer string }
	if err := json.Unmarshal(raw, &claim); err != nil {
		return nil, err
	}
	if err := s.Auth.Delete(ctx, "magic:"+code); err != nil { // EXPECT kvsession
		return nil, err
	}
	sess := &Session{ID: rand.Text(), Email: claim.Email, Customer: claim.Customer, Created: time.Now()}
	b, _ := json.Marshal(sess)
	if err := s.Auth.PutTTL(ctx, sessionKey(sess.Email, sess.ID), b, 12*time.Hour); err != nil {
		return nil, err
	}
	return sess, nil
}

// SignOut ends a dashboard session.
func (s *Service) SignOut(ctx context.Context, email, id string) error {
	return s.Auth.Delete(ctx, sessionKey(email, id)) // EXPECT kvsession
}

// ActiveSessions returns the first page of a user's sessions for the
// security page, with the cursor for "show more".
func (s *Service) ActiveSessions(ctx context.Context, email, cursor string) ([]string, string, error) {
	p, err := s.Auth.ListPage(ctx, "dash-sess:"+strings.ToLower(email)+":", cursor,
		5) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		ids = append(ids, k.Name[strings.LastIndexByte(k.Name, ':')+1:])
	}
	return ids, p.Cursor, nil
}

// APIKey is the stored form of a customer API key.
type APIKey struct {
	ID       string    `json:"id"`
	Customer string    `json:"customer"`
	Scopes   []string  `json:"scopes"`
	Created  time.Time `json:"created"`
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey mints a key and returns the secret once.
func (s *Service) CreateAPIKey(ctx context.Context, customer string, scopes []string) (secret string, err error) {
	secret = "kahu_" + rand.Text()
	b, _ := json.Marshal(APIKey{ID: rand.Text()[:10], Customer: customer, Scopes: scopes, Created: time.Now()})
	return secret, s.Auth.Put(ctx, "apikey:"+hashKey(secret), b)
}

// RevokeAPIKey marks a key as revoked. Verify consults the revocation entry
// before the key itself so that revocation works even while the key record
// is cached at the edge.
func (s *Service) RevokeAPIKey(ctx context.Context, secret string) error {
	return s.Auth.Put(ctx, "revoked:apikey:"+hashKey(secret), []byte(time.Now().UTC().Format(time.RFC3339))) // EXPECT kvsession
}

// Verify resolves an API key secret.
func (s *Service) Verify(ctx context.Context, secret string) (*APIKey, error) {
	h := hashKey(secret)
	if _, err := s.Auth.Get(ctx, "revoked:apikey:"+h); err == nil {
		return nil, errors.New("account: api key revoked")
	} else if !errors.Is(err, kv.ErrNotFound) {
		return nil, err
	}
	raw, err := s.Auth.Get(ctx, "apikey:"+h)
	if err != nil {
		return nil, err
	}
	var k APIKey
	return &k, json.Unmarshal(raw, &k)
}
