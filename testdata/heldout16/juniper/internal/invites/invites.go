// Package invites lets venue managers invite staff to the console. An
// invitation is a link carrying a random token; it expires on a date the
// manager picks.
package invites

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"example.com/juniper/internal/kvstore"
	"example.com/juniper/internal/records"
)

const (
	maxPendingPages = 5
	indexTTL        = 30 * 24 * time.Hour
)

var (
	ErrInvalid = errors.New("invites: invitation not found")
	ErrExpired = errors.New("invites: invitation expired")
	ErrPast    = errors.New("invites: expiry must be in the future")
)

// InviteToken is a pending invitation.
type InviteToken struct {
	Token     string    `json:"token" kv:"prefix=invite-token/"`
	VenueID   string    `json:"venue"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	InvitedBy string    `json:"by"`
	ExpiresAt time.Time `json:"expires"`
}

// Membership is what an accepted invitation grants.
type Membership struct{ VenueID, UserID, Role string }

// Members is the staff directory that owns memberships.
type Members interface {
	Add(ctx context.Context, m Membership) error
}

// Service manages invitations.
type Service struct {
	store   kvstore.Store
	members Members
	now     func() time.Time
}

// New wires the invitation service.
func New(store kvstore.Store, members Members) *Service { return &Service{store, members, time.Now} }

func tokenKey(tok string) string { return "invite-token/" + tok }

func indexPrefix(venueID string) string { return records.Join("invite-index", venueID) + "/" }

// Create stores an invitation that lapses at expiresAt.
func (s *Service) Create(ctx context.Context, venueID, email, role, by string, expiresAt time.Time) (InviteToken, error) {
	if !expiresAt.After(s.now()) {
		return InviteToken{}, ErrPast
	}
	raw := make([]byte, 20)
	_, _ = rand.Read(raw)
	inv := InviteToken{Token: hex.EncodeToString(raw), VenueID: venueID, Email: records.Normalize(email),
		Role: role, InvitedBy: by, ExpiresAt: expiresAt}
	key, _, err := records.KeyOf(inv)
	if err != nil {
		return InviteToken{}, err
	}
	b, _ := json.Marshal(inv)
	if err := s.store.Put(ctx, key, b, kvstore.WithTTL(time.Until(inv.ExpiresAt))); err != nil { // EXPECT kvttl
		return InviteToken{}, fmt.Errorf("invites: store: %w", err)
	}
	if err := s.store.Put(ctx, indexPrefix(venueID)+inv.Token, []byte(inv.Token), kvstore.WithTTL(indexTTL)); err != nil {
		return InviteToken{}, fmt.Errorf("invites: index: %w", err)
	}
	return inv, nil
}

// Pending lists a venue's open invitations, newest pages first capped at a
// few pages; the console shows "and more" past that.
func (s *Service) Pending(ctx context.Context, venueID string) ([]InviteToken, bool, error) {
	var out []InviteToken
	cursor := ""
	for range maxPendingPages {
		page, err := s.store.List(ctx, kvstore.ListQuery{Prefix: indexPrefix(venueID), Cursor: cursor})
		if err != nil {
			return nil, false, err
		}
		for _, k := range page.Keys {
			b, err := s.store.Get(ctx, tokenKey(path.Base(k.Name))) // EXPECT kvlist
			var inv InviteToken
			switch {
			case errors.Is(err, kvstore.ErrNotFound): // accepted or lapsed
			case err != nil:
				return nil, false, err
			case json.Unmarshal(b, &inv) == nil:
				out = append(out, inv)
			}
		}
		if page.Done() {
			return out, false, nil
		}
		cursor = page.Cursor
	}
	return out, true, nil
}

// Accept redeems an invitation for userID.
func (s *Service) Accept(ctx context.Context, token, userID string) (Membership, error) {
	var inv InviteToken
	b, err := s.store.Get(ctx, tokenKey(token))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Membership{}, ErrInvalid
	} else if err == nil {
		err = json.Unmarshal(b, &inv)
	}
	if err != nil {
		return Membership{}, err
	}
	if !s.now().Before(inv.ExpiresAt) {
		return Membership{}, ErrExpired
	}
	m := Membership{VenueID: inv.VenueID, UserID: userID, Role: inv.Role}
	if err := s.members.Add(ctx, m); err != nil {
		return Membership{}, err
	}
	if err := s.store.Delete(ctx, tokenKey(token)); err != nil { // EXPECT kvsession
		return Membership{}, err
	}
	return m, nil
}
