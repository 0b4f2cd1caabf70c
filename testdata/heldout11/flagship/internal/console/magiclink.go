package console

import (
	"context"
	"errors"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
	"example.com/flagship/internal/typed"
)

// ErrLinkInvalid is returned for unknown, used or expired links.
var ErrLinkInvalid = errors.New("console: invitation link is invalid or has expired")

// Link is a pending invitation.
type Link struct {
	Email     string `json:"email"`
	Role      string `json:"role"`
	InvitedBy string `json:"invited_by"`
}

// Invitations issues and redeems magic links.
type Invitations struct {
	links    *typed.Store[Link]
	sessions *Sessions
	validFor time.Duration
}

// NewInvitations returns an invitation service.
func NewInvitations(kv storage.Store, sessions *Sessions, validFor time.Duration) *Invitations {
	return &Invitations{links: typed.New[Link](kv, kvkey.Key("magic"), nil), sessions: sessions, validFor: validFor}
}

// Invite creates a link token for email.
func (inv *Invitations) Invite(ctx context.Context, email, role, by string) (string, error) {
	token := kvkey.NewID() + kvkey.NewID()
	return token, inv.links.Put(ctx, token, Link{Email: email, Role: role, InvitedBy: by}, inv.validFor)
}

// Redeem consumes a link and signs the invitee in.
func (inv *Invitations) Redeem(ctx context.Context, token string) (Session, error) {
	l, err := inv.links.Get(ctx, token)
	if errors.Is(err, storage.ErrNotFound) {
		return Session{}, ErrLinkInvalid
	}
	if err != nil {
		return Session{}, err
	}
	if err := inv.links.Delete(ctx, token); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return inv.sessions.Create(ctx, l.Email, l.Role)
}
