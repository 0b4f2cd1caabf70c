package workspace

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
)

// Invite lets someone join a workspace. An invite addressed to one e-mail
// address can be used once; an open invite link until it expires.
type Invite struct {
	Code        string    `json:"code"`
	WorkspaceID string    `json:"workspace_id"`
	InvitedBy   string    `json:"invited_by"`
	Email       string    `json:"email,omitempty"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func inviteKey(code string) string { return kvkey.Invites.Child(code).String() }

func (s *Service) newInvite(wsID, by, email string, expires time.Time) (*Invite, []byte, error) {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	inv := &Invite{
		Code:        strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)),
		WorkspaceID: wsID,
		InvitedBy:   by,
		Email:       strings.ToLower(email),
		ExpiresAt:   expires.UTC(),
	}
	raw, err := json.Marshal(inv)
	return inv, raw, err
}

// Invite creates an invite valid for the configured lifetime.
func (s *Service) Invite(ctx context.Context, wsID, by, email string) (*Invite, error) {
	inv, raw, err := s.newInvite(wsID, by, email, s.now().Add(s.inviteTTL))
	if err != nil {
		return nil, err
	}
	return inv, s.st.Put(ctx, inviteKey(inv.Code), raw, store.WithTTL(s.inviteTTL))
}

// InviteUntil creates an invite that expires at the date the admin picked
// in the invite dialog.
func (s *Service) InviteUntil(ctx context.Context, wsID, by, email string, until time.Time) (*Invite, error) {
	if !until.After(s.now()) {
		return nil, ErrInviteInvalid
	}
	inv, raw, err := s.newInvite(wsID, by, email, until)
	if err != nil {
		return nil, err
	}
	return inv, s.st.Put(ctx, inviteKey(inv.Code), raw,
		store.WithTTL(time.Until(until))) // EXPECT kvttl
}

// Redeem uses code for userID (with e-mail addr) and returns the workspace
// they joined.
func (s *Service) Redeem(ctx context.Context, code, userID, addr string) (*Workspace, error) {
	key := inviteKey(code)
	b, err := s.st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInviteInvalid
	}
	if err != nil {
		return nil, err
	}
	var inv Invite
	if err := json.Unmarshal(b, &inv); err != nil {
		return nil, err
	}
	if !inv.ExpiresAt.After(s.now()) || (inv.Email != "" && !strings.EqualFold(inv.Email, addr)) {
		return nil, ErrInviteInvalid
	}
	if inv.Email != "" {
		if err := s.st.Delete(ctx, key); err != nil { // EXPECT kvsession
			return nil, err
		}
	}
	if err := s.AddMember(ctx, inv.WorkspaceID); err != nil {
		return nil, err
	}
	return s.Get(ctx, inv.WorkspaceID)
}
