// Package invites sends and redeems team invitations.
package invites

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/petrel/internal/conf"
	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/storage"
	"example.com/petrel/internal/svcbase"
)

var (
	// ErrAlreadyInvited is returned when an invitation is pending.
	ErrAlreadyInvited = errors.New("invites: already invited")
	// ErrInvalidInvite covers unknown, expired and mismatched tokens.
	ErrInvalidInvite = errors.New("invites: invitation is invalid or expired")
	// ErrDomainNotAllowed is returned for addresses outside the team's domains.
	ErrDomainNotAllowed = errors.New("invites: email domain not allowed")
)

type Invitation struct {
	Team      ident.TeamID `json:"team"`
	Email     ident.Email  `json:"email"`
	Role      string       `json:"role"`
	TokenHash string       `json:"token_hash"`
	InvitedBy string       `json:"invited_by"`
	ExpiresAt time.Time    `json:"expires_at"`
}

type Member struct {
	Email    ident.Email `json:"email"`
	Role     string      `json:"role"`
	JoinedAt time.Time   `json:"joined_at"`
}

// Service embeds the common record lifecycle and supplies its hooks.
type Service struct {
	svcbase.Base
	ttl     time.Duration
	domains []string
}

var _ svcbase.Hooks = (*Service)(nil)

// ProvideService wires the invitation service. onSave may be nil.
func ProvideService(st storage.Store, cfg conf.Config, domains []string, onSave func(context.Context, svcbase.Record) error) *Service {
	s := &Service{ttl: cfg.InviteTTL(), domains: domains}
	s.Base = svcbase.NewBase(st, s, storage.PutOptions{TTL: cfg.InviteTTL()})
	s.OnSave = onSave
	return s
}

// Validate implements svcbase.Hooks.
func (s *Service) Validate(_ context.Context, _ string, v any) error {
	inv, ok := v.(*Invitation)
	if !ok || len(s.domains) == 0 {
		return nil
	}
	if !slices.Contains(s.domains, inv.Email.Domain()) {
		return fmt.Errorf("%w: %s", ErrDomainNotAllowed, inv.Email.Domain())
	}
	return nil
}

func (s *Service) Saved(context.Context, string) {}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// Invite creates an invitation and returns the token for the email link.
func (s *Service) Invite(ctx context.Context, team ident.TeamID, email ident.Email, role, by string) (*Invitation, string, error) {
	if role == "" {
		role = "member"
	}
	key := team.InviteKey(email)
	var existing Invitation
	err := s.Fetch(ctx, key, &existing)
	if err == nil {
		return nil, "", ErrAlreadyInvited
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, "", err
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(raw)
	inv := &Invitation{
		Team:      team,
		Email:     email,
		Role:      role,
		TokenHash: hashToken(tok),
		InvitedBy: by,
		ExpiresAt: time.Now().Add(s.ttl).UTC(),
	}
	if err := s.Save(ctx, key, inv, 0); err != nil { // EXPECT kvrace
		return nil, "", err
	}
	return inv, tok, nil
}

// Accept redeems an invitation and adds the invitee to the roster.
func (s *Service) Accept(ctx context.Context, team ident.TeamID, email ident.Email, tok string) (*Member, error) {
	key := team.InviteKey(email)
	var inv Invitation
	if err := s.Fetch(ctx, key, &inv); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, ErrInvalidInvite
		}
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(inv.TokenHash), []byte(hashToken(tok))) != 1 || time.Now().After(inv.ExpiresAt) {
		return nil, ErrInvalidInvite
	}
	m := Member{Email: email, Role: inv.Role, JoinedAt: time.Now().UTC()}
	if err := s.addMember(ctx, team, m); err != nil {
		return nil, err
	}
	if err := s.Remove(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &m, nil
}

func (s *Service) addMember(ctx context.Context, team ident.TeamID, m Member) error {
	members, err := s.Members(ctx, team)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(members, func(x Member) bool { return x.Email == m.Email }) {
		return nil
	}
	members = append(members, m)
	b, err := json.Marshal(members)
	if err != nil {
		return err
	}
	return s.Store.Put(ctx, team.RosterKey(), b, storage.PutOptions{}) // EXPECT kvrace
}

// Members returns the team roster.
func (s *Service) Members(ctx context.Context, team ident.TeamID) ([]Member, error) {
	raw, err := s.Store.Get(ctx, team.RosterKey())
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var members []Member
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, fmt.Errorf("invites: roster of %s: %w", team, err)
	}
	return members, nil
}

// Pending lists the addresses with an open invitation.
func (s *Service) Pending(ctx context.Context, team ident.TeamID) ([]ident.Email, error) {
	prefix := team.InvitePrefix()
	page, err := s.Store.List(ctx, storage.ListQuery{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]ident.Email, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, ident.Email(strings.TrimPrefix(k.Name, prefix)))
	}
	return out, nil
}
