package editorial

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/repo"
)

// ErrTooManyRequests is returned when an address asked for too many links.
var ErrTooManyRequests = errors.New("editorial: too many sign-in requests")

// ErrInvalidLink is returned for an unknown, expired or used link.
var ErrInvalidLink = errors.New("editorial: invalid sign-in link")

type magicLink struct {
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
}

// MagicLinks issues and redeems e-mailed sign-in links.
type MagicLinks struct {
	store    kv.Store
	links    *repo.Repository[magicLink]
	sessions *Sessions
	perHour  int
}

// NewMagicLinks returns the sign-in service. ttl is the link lifetime.
func NewMagicLinks(store kv.Store, sessions *Sessions, ttl time.Duration) *MagicLinks {
	return &MagicLinks{
		store:    store,
		links:    repo.New[magicLink](store, "magic:", repo.WithTTL(ttl)),
		sessions: sessions,
		perHour:  5,
	}
}

// Request creates a link token for email. The caller mails it.
func (m *MagicLinks) Request(ctx context.Context, email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	key := "attempts:magic:" + email
	n := 0
	if raw, err := m.store.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !kv.IsNotFound(err) {
		return "", err
	}
	if n >= m.perHour {
		return "", ErrTooManyRequests
	}
	if err := m.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kv.PutOptions{TTL: time.Hour}); err != nil { // EXPECT kvcounter
		return "", err
	}
	token := newID()
	return token, m.links.Put(ctx, token, magicLink{Email: email, Created: time.Now()})
}

// Redeem exchanges a link token for a new session.
func (m *MagicLinks) Redeem(ctx context.Context, token string) (Session, error) {
	link, found, err := m.links.Get(ctx, token)
	if err != nil {
		return Session{}, err
	}
	if !found {
		return Session{}, ErrInvalidLink
	}
	if err := m.links.Delete(ctx, token); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return m.sessions.Create(ctx, link.Email)
}
