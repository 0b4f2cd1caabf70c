// Package share issues expiring read-only links to a device dashboard.
package share

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"example.com/cobalt/internal/storage"
)

// Errors returned by the service.
var (
	ErrExpired  = errors.New("share: link expired or revoked")
	ErrTooLong  = errors.New("share: link lifetime exceeds the maximum")
	ErrNotOwner = errors.New("share: link belongs to another user")
)

// Link is a stored share link.
type Link struct {
	Token     string    `json:"token"`
	Device    string    `json:"device"`
	CreatedBy string    `json:"created_by"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Links manages share links.
type Links struct {
	st     storage.Store
	maxAge time.Duration
}

// NewLinks returns a share link service.
func NewLinks(st storage.Store, maxAge time.Duration) *Links {
	return &Links{st: st, maxAge: maxAge}
}

func linkKey(token string) string { return "share:" + token }

// Create issues a link to device that stops working at expiresAt.
func (l *Links) Create(ctx context.Context, user, device string, expiresAt time.Time) (Link, error) {
	if time.Until(expiresAt) > l.maxAge {
		return Link{}, ErrTooLong
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Link{}, err
	}
	link := Link{
		Token:     base64.RawURLEncoding.EncodeToString(b[:]),
		Device:    device,
		CreatedBy: user,
		ExpiresAt: expiresAt.UTC(),
	}
	body, _ := json.Marshal(link)
	err := l.st.Put(ctx, linkKey(link.Token), body, storage.PutOptions{
		TTL:      max(time.Until(expiresAt), 10*time.Second), // EXPECT kvttl
		Metadata: map[string]any{"device": device, "by": user},
	})
	return link, err
}

// Resolve returns the device a token gives access to.
func (l *Links) Resolve(ctx context.Context, token string) (Link, error) {
	raw, err := l.st.Get(ctx, linkKey(token))
	if errors.Is(err, storage.ErrNotFound) {
		return Link{}, ErrExpired
	}
	if err != nil {
		return Link{}, err
	}
	var link Link
	if err := json.Unmarshal(raw, &link); err != nil {
		return Link{}, err
	}
	if time.Now().After(link.ExpiresAt) {
		return Link{}, ErrExpired
	}
	return link, nil
}

// Revoke disables a link before it expires.
func (l *Links) Revoke(ctx context.Context, user, token string) error {
	link, err := l.Resolve(ctx, token)
	if err != nil {
		return err
	}
	if link.CreatedBy != user {
		return ErrNotOwner
	}
	return l.st.Delete(ctx, linkKey(token)) // EXPECT kvsession
}
