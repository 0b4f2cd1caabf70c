//go:build js && wasm

// Package confirm issues the links in booking confirmation e-mails. A link
// opens the booking once; later clicks land on the sign-in page.
package confirm

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/lakeshore-hospitality/eider/internal/domain"
	"github.com/lakeshore-hospitality/eider/internal/edgekv"
)

// DefaultLinkTTL applies when the booking engine does not say otherwise.
const DefaultLinkTTL = 48 * time.Hour

// ErrUsed is returned for a link that has been opened before.
var ErrUsed = errors.New("confirm: link already used")

// Code is a one-time confirmation code. It holds its store and its key.
type Code struct {
	Value      string    `json:"value"`
	BookingRef string    `json:"booking_ref"`
	Email      string    `json:"email"`
	Issued     time.Time `json:"issued"`
	Resends    int       `json:"resends"`

	key edgekv.Key[Code]
	ns  *edgekv.Namespace
}

// CodeKey returns the typed handle of a code.
func CodeKey(ns *edgekv.Namespace, value string) edgekv.Key[Code] {
	return edgekv.NewKey[Code](ns, "code:"+value)
}

// IssueRequest is the booking engine's JSON body.
type IssueRequest struct {
	Booking    domain.Booking `json:"booking"`
	TTLSeconds int            `json:"ttl_seconds"`
}

// Issue mints a fresh code for the booking.
func Issue(ctx context.Context, ns *edgekv.Namespace, req IssueRequest) (*Code, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	c := &Code{Value: hex.EncodeToString(b[:]), BookingRef: req.Booking.Ref, Email: req.Booking.Email, Issued: time.Now().UTC(), ns: ns}
	c.key = CodeKey(ns, c.Value)
	ttl := cmp.Or(time.Duration(req.TTLSeconds)*time.Second, DefaultLinkTTL)
	return c, c.key.Store(ctx, *c, ttl)
}

// Find loads a code without spending it.
func Find(ctx context.Context, ns *edgekv.Namespace, value string) (*Code, error) {
	key := CodeKey(ns, value)
	c, err := key.Load(ctx)
	if err != nil {
		return nil, err
	}
	c.key, c.ns = key, ns
	return &c, nil
}

// Redeem spends the code and returns the booking it opens.
func (c *Code) Redeem(ctx context.Context) (string, error) {
	if _, err := c.key.Load(ctx); err != nil {
		if edgekv.IsNotFound(err) {
			return "", ErrUsed
		}
		return "", err
	}
	if err := c.key.Drop(ctx); err != nil { // EXPECT kvsession
		return "", err
	}
	return c.BookingRef, nil
}

// NoteResend records that the guest asked for the e-mail again. The booking
// engine refuses after five.
func (c *Code) NoteResend(ctx context.Context) error {
	c.Resends++
	return c.ns.Put("resend-attempts:"+c.BookingRef, strconv.Itoa(c.Resends), 24*time.Hour) // EXPECT kvcounter
}

// MagicLink signs a guest into the portal without a password.
type MagicLink struct {
	Token   string    `json:"token"`
	GuestID string    `json:"guest_id"`
	UsedAt  time.Time `json:"used_at,omitempty"`

	key edgekv.Key[MagicLink]
}

// MagicLinkKey returns the typed handle of a magic link.
func MagicLinkKey(ns *edgekv.Namespace, token string) edgekv.Key[MagicLink] {
	return edgekv.NewKey[MagicLink](ns, "magic:"+token)
}

// OpenMagicLink loads a link.
func OpenMagicLink(ctx context.Context, ns *edgekv.Namespace, token string) (*MagicLink, error) {
	key := MagicLinkKey(ns, token)
	l, err := key.Load(ctx)
	if err != nil {
		return nil, err
	}
	l.key = key
	return &l, nil
}

// Consume marks the link as used; the record stays a day for support.
func (l *MagicLink) Consume(ctx context.Context) error {
	if !l.UsedAt.IsZero() {
		return ErrUsed
	}
	l.UsedAt = time.Now().UTC()
	return l.key.Store(ctx, *l, 24*time.Hour) // EXPECT kvsession
}
