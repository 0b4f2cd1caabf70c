// Package guest backs the guest portal: sign-in sessions, magic links,
// OAuth sign-in with partner identity providers, and the add-on cart.
package guest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"pochard/internal/kv"
	"pochard/internal/opt"
	"pochard/internal/tracing"
)

// Store is the slice of the KV namespace this package needs.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Lookup(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, o kv.PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, o kv.ListOptions) (kv.Page, error)
}

var (
	ErrNoSession = errors.New("guest: no such session")
	ErrBadState  = errors.New("guest: unknown oauth state")
	ErrBadLink   = errors.New("guest: magic link expired or used")
)

// Kind is a kind of guest-portal record.
type Kind uint8

const (
	KindSession Kind = iota
	KindMagicLink
	KindCSRF
	KindCart
)

var lifetimes = [...]time.Duration{
	KindSession:   12 * time.Hour,
	KindMagicLink: 15 * time.Minute,
	KindCSRF:      2 * time.Hour,
	KindCart:      24 * time.Hour,
}

const oauthStateTTL = 30 * time.Second

// Session is a signed-in guest.
type Session struct {
	ID        string    `json:"id"`
	GuestID   string    `json:"guest_id"`
	BookingID string    `json:"booking_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// CartItem is an add-on (breakfast, parking, late checkout).
type CartItem struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"qty"`
}

// Sessions implements the guest-portal records.
type Sessions struct {
	store Store
}

// NewSessions returns Sessions backed by store.
func NewSessions(store Store) *Sessions { return &Sessions{store: store} }

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(guestID, id string) string { return "sess:" + guestID + ":" + id }

// Create signs a guest in.
func (s *Sessions) Create(ctx context.Context, guestID, bookingID string) (sess Session, err error) {
	ctx, end := tracing.Start(ctx, "guest.session.create")
	defer end(&err)
	now := time.Now().UTC()
	sess = Session{ID: token(24), GuestID: guestID, BookingID: bookingID, CreatedAt: now, LastSeen: now}
	raw, _ := json.Marshal(sess)
	err = s.store.Put(ctx, sessionKey(guestID, sess.ID), raw, kv.PutOptions{ // DEBATABLE kvsession
		TTL:      opt.Ptr(lifetimes[KindSession]),
		Metadata: map[string]any{"booking": bookingID, "created": now.Unix()},
	})
	return sess, err
}

// Resolve loads a session from its cookie value ("guestID:id").
func (s *Sessions) Resolve(ctx context.Context, cookie string) (*Session, error) {
	guestID, id, ok := strings.Cut(cookie, ":")
	if !ok {
		return nil, ErrNoSession
	}
	raw, err := s.store.Get(ctx, sessionKey(guestID, id))
	if err != nil {
		return nil, err
	}
	if raw == nil { // EXPECT kvnull
		return nil, ErrNoSession
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, err
	}
	return &sess, nil
}

// Touch slides a session's expiry forward on activity.
func (s *Sessions) Touch(ctx context.Context, guestID, id string) error {
	key := sessionKey(guestID, id)
	raw, err := s.store.Get(ctx, key)
	if err != nil {
		return err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return err
	}
	sess.LastSeen = time.Now().UTC()
	out, _ := json.Marshal(sess)
	return s.store.Put(ctx, key, out, kv.PutOptions{TTL: opt.Ptr(lifetimes[KindSession])}) // EXPECT kvsession|kvrace
}

// Logout ends a session.
func (s *Sessions) Logout(ctx context.Context, guestID, id string) error {
	return s.store.Delete(ctx, sessionKey(guestID, id)) // EXPECT kvsession
}

// RevokeAll records that every session issued to a guest before now is
// void, e.g. after the guest changes the booking e-mail.
func (s *Sessions) RevokeAll(ctx context.Context, guestID string) error {
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	return s.store.Put(ctx, "revoked:sess:"+guestID, stamp, kv.PutOptions{TTL: opt.Ptr(lifetimes[KindSession])}) // EXPECT kvsession
}

// IssueCSRF returns a fresh CSRF token for a session's next form.
func (s *Sessions) IssueCSRF(ctx context.Context, sessionID string) (string, error) {
	tok := token(16)
	err := s.store.Put(ctx, "csrf:"+sessionID, []byte(tok), kv.PutOptions{TTL: opt.Ptr(lifetimes[KindCSRF])}) // EXPECT kvsession
	return tok, err
}

// ActiveSessions lists a guest's sessions for the "signed-in devices" page.
func (s *Sessions) ActiveSessions(ctx context.Context, guestID string) ([]Session, string, error) {
	page, err := s.store.List(ctx, kv.ListOptions{Prefix: opt.Ptr("sess:" + guestID + ":"), Limit: opt.Ptr(20)})
	if err != nil {
		return nil, "", err
	}
	out := make([]Session, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := s.store.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var sess Session
		if json.Unmarshal(raw, &sess) == nil {
			out = append(out, sess)
		}
	}
	return out, page.Cursor, nil
}

// SessionSummary is what the device list needs, read from key metadata.
type SessionSummary struct {
	ID      string
	Booking string
	Expires time.Time
}

// SessionSummaries is ActiveSessions without reading values.
func (s *Sessions) SessionSummaries(ctx context.Context, guestID, cursor string) ([]SessionSummary, string, error) {
	prefix := "sess:" + guestID + ":"
	page, err := s.store.List(ctx, kv.ListOptions{Prefix: &prefix, Limit: opt.Ptr(50), Cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	out := make([]SessionSummary, 0, len(page.Keys))
	for _, k := range page.Keys {
		sum := SessionSummary{ID: strings.TrimPrefix(k.Name, prefix), Expires: time.Unix(k.Expiration, 0)}
		if md, ok := k.Metadata.(map[string]any); ok {
			sum.Booking, _ = md["booking"].(string)
		}
		out = append(out, sum)
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}
