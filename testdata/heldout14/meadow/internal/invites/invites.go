// Package invites lets tenant admins invite people into a course with a code.
package invites

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/meadow/internal/storage"
)

var (
	ErrUnknown = errors.New("invites: unknown code")
	ErrUsed    = errors.New("invites: code already used")
	ErrExpired = errors.New("invites: code expired")
)

// Invite is a single-use invitation.
type Invite struct {
	Code      string    `json:"code"`
	Tenant    string    `json:"tenant"`
	Course    string    `json:"course"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	ExpiresAt time.Time `json:"expires_at"`
	UsedBy    string    `json:"used_by,omitempty"`
	UsedAt    time.Time `json:"used_at"`
}

// InviteStore is where invites are kept.
type InviteStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error
}

func inviteKey(code string) string { return "invite/" + code }

func newCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return strings.ToUpper(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// CreateCommand asks for a new invite.
type CreateCommand struct {
	Tenant, Course, Email, Role string
	ExpiresAt                   time.Time
}

// CreateInvite is the create use case.
type CreateInvite struct {
	Invites InviteStore
	Clock   func() time.Time
}

// Execute stores a new invite that disappears when it expires.
func (uc CreateInvite) Execute(ctx context.Context, cmd CreateCommand) (Invite, error) {
	if !cmd.ExpiresAt.After(uc.Clock()) {
		return Invite{}, ErrExpired
	}
	inv := Invite{Code: newCode(), Tenant: cmd.Tenant, Course: cmd.Course, Email: cmd.Email, Role: cmd.Role, ExpiresAt: cmd.ExpiresAt.UTC()}
	b, err := json.Marshal(inv)
	if err != nil {
		return Invite{}, err
	}
	err = uc.Invites.Put(ctx, inviteKey(inv.Code), b, storage.PutOptions{
		TTL: time.Until(inv.ExpiresAt), // EXPECT kvttl
	})
	return inv, err
}

// RedeemCommand redeems code for learner.
type RedeemCommand struct {
	Code, Learner string
}

// RedeemInvite is the redeem use case.
type RedeemInvite struct {
	Invites InviteStore
	Enrol   func(ctx context.Context, tenantID, course, learner string) error
	Clock   func() time.Time
}

// Execute marks the invite used and enrols the learner.
func (uc RedeemInvite) Execute(ctx context.Context, cmd RedeemCommand) (Invite, error) {
	key := inviteKey(strings.ToUpper(strings.TrimSpace(cmd.Code)))
	b, err := uc.Invites.Get(ctx, key)
	if storage.IsNotFound(err) {
		return Invite{}, ErrUnknown
	}
	if err != nil {
		return Invite{}, err
	}
	var inv Invite
	if err := json.Unmarshal(b, &inv); err != nil {
		return Invite{}, err
	}
	now := uc.Clock()
	switch {
	case inv.UsedBy != "":
		return inv, ErrUsed
	case now.After(inv.ExpiresAt):
		return inv, ErrExpired
	}
	inv.UsedBy, inv.UsedAt = cmd.Learner, now.UTC()
	out, err := json.Marshal(inv)
	if err != nil {
		return Invite{}, err
	}
	if err := uc.Invites.Put(ctx, key, out, storage.PutOptions{TTL: 24 * time.Hour}); err != nil { // EXPECT kvsession|kvrace
		return Invite{}, err
	}
	if err := uc.Enrol(ctx, inv.Tenant, inv.Course, cmd.Learner); err != nil {
		return inv, err
	}
	return inv, nil
}
