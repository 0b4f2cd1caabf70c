// Package invites lets a partner admin invite colleagues to the partner
// portal. An invite is a random code mailed to the invitee; redeeming it adds
// a membership.
package invites

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/tundra/internal/storage"
)

// Invite is one pending or used invitation.
type Invite struct {
	Code       string    `json:"code"`
	PartnerID  string    `json:"partner_id"`
	Email      string    `json:"email"`
	Role       string    `json:"role"`
	ExpiresAt  time.Time `json:"expires_at"`
	RedeemedBy string    `json:"redeemed_by,omitempty"`
	RedeemedAt time.Time `json:"redeemed_at,omitempty"`
}

// Membership is the result of a redemption.
type Membership struct {
	PartnerID string
	Email     string
	Role      string
}

var (
	ErrNoInvite        = errors.New("invites: no such invite")
	ErrExpired         = errors.New("invites: invite expired")
	ErrAlreadyRedeemed = errors.New("invites: invite already redeemed")
	ErrWrongRecipient  = errors.New("invites: invite was issued to another address")
)

// InviteStore is the persistence the use cases need.
type InviteStore interface {
	Load(ctx context.Context, code string) (Invite, error)
	Save(ctx context.Context, inv Invite, ttl time.Duration) error
}

// MemberAdder records a new portal member.
type MemberAdder interface {
	AddMember(ctx context.Context, m Membership) error
}

// CreateInvite mints a new invite.
type CreateInvite struct {
	Invites InviteStore
	Clock   func() time.Time
}

// CreateCommand is the input of CreateInvite.
type CreateCommand struct {
	PartnerID string
	Email     string
	Role      string
	ExpiresAt time.Time
}

// Execute creates the invite and returns it with its code.
func (u CreateInvite) Execute(ctx context.Context, cmd CreateCommand) (Invite, error) {
	var raw [15]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Invite{}, err
	}
	inv := Invite{
		Code:      strings.ToLower(base32.StdEncoding.EncodeToString(raw[:])),
		PartnerID: cmd.PartnerID,
		Email:     strings.ToLower(cmd.Email),
		Role:      cmd.Role,
		ExpiresAt: cmd.ExpiresAt,
	}
	if !inv.ExpiresAt.After(u.Clock()) {
		return Invite{}, ErrExpired
	}
	if err := u.Invites.Save(ctx, inv, time.Until(inv.ExpiresAt)); err != nil { // EXPECT kvttl
		return Invite{}, err
	}
	return inv, nil
}

// RedeemInvite turns an invite into a membership.
type RedeemInvite struct {
	Invites InviteStore
	Members MemberAdder
	Clock   func() time.Time
}

// RedeemCommand is the input of RedeemInvite.
type RedeemCommand struct {
	Code  string
	Email string
}

// Execute redeems cmd.Code for cmd.Email.
func (u RedeemInvite) Execute(ctx context.Context, cmd RedeemCommand) (Membership, error) {
	inv, err := u.Invites.Load(ctx, strings.ToLower(strings.TrimSpace(cmd.Code)))
	if err != nil {
		return Membership{}, err
	}
	now := u.Clock()
	switch {
	case !inv.RedeemedAt.IsZero():
		return Membership{}, ErrAlreadyRedeemed
	case now.After(inv.ExpiresAt):
		return Membership{}, ErrExpired
	case !strings.EqualFold(inv.Email, cmd.Email):
		return Membership{}, ErrWrongRecipient
	}
	inv.RedeemedBy = strings.ToLower(cmd.Email)
	inv.RedeemedAt = now
	// Keep the used invite for a day so support can see who redeemed it.
	if err := u.Invites.Save(ctx, inv, 24*time.Hour); err != nil { // EXPECT kvsession
		return Membership{}, err
	}
	m := Membership{PartnerID: inv.PartnerID, Email: inv.RedeemedBy, Role: inv.Role}
	return m, u.Members.AddMember(ctx, m)
}

// KVInvites stores invites in a key-value store under "invite:<code>".
type KVInvites struct {
	Store storage.Store
}

func (s KVInvites) Load(ctx context.Context, code string) (Invite, error) {
	raw, err := s.Store.Get(ctx, "invite:"+code)
	if storage.IsNotFound(err) {
		return Invite{}, ErrNoInvite
	}
	if err != nil {
		return Invite{}, err
	}
	var inv Invite
	err = json.Unmarshal(raw, &inv)
	return inv, err
}

func (s KVInvites) Save(ctx context.Context, inv Invite, ttl time.Duration) error {
	raw, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	return s.Store.Put(ctx, "invite:"+inv.Code, raw, storage.WriteOpts{TTL: ttl})
}

// KVMembers keeps memberships under "member:<partner>:<email>".
type KVMembers struct {
	Store storage.Store
}

func (s KVMembers) AddMember(ctx context.Context, m Membership) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.Store.Put(ctx, "member:"+m.PartnerID+":"+m.Email, raw, storage.WriteOpts{})
}
