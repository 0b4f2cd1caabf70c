// Package invites keeps invites behind a port of its own, InviteStore,
// whose implementation writes through store.Store: a port over a port.
package invites

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"kvlint.test/ports/store"
)

var ErrExpired = errors.New("invites: expired")

type Invite struct {
	Code      string
	ExpiresAt time.Time
}

type InviteStore interface {
	Save(ctx context.Context, inv Invite, ttl time.Duration) error
}

// KVInvites implements InviteStore over store.Store.
type KVInvites struct{ Store store.Store }

func (s KVInvites) Save(ctx context.Context, inv Invite, ttl time.Duration) error {
	b, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	return s.Store.Set(ctx, "invite:"+inv.Code, b, ttl)
}

// Create keeps an invite until it expires.
type Create struct {
	Invites InviteStore
	Clock   func() time.Time
}

// Execute refuses an invite that has expired, but one that expires in
// half a minute is kept for half a minute: less than KV's 60 seconds.
func (c Create) Execute(ctx context.Context, inv Invite) error {
	if !inv.ExpiresAt.After(c.Clock()) {
		return ErrExpired
	}
	return c.Invites.Save(ctx, inv, time.Until(inv.ExpiresAt)) // kvttl
}

// Extend keeps an invite at least a minute longer.
func (c Create) Extend(ctx context.Context, inv Invite) error {
	return c.Invites.Save(ctx, inv, max(time.Until(inv.ExpiresAt), time.Minute))
}
