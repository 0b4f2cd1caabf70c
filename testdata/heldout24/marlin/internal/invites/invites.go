// Package invites manages guest invite codes: a host invites a guest to
// record on a show, the guest redeems the code once.
package invites

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

// ErrInvalid is returned for unknown, expired or already used codes.
var ErrInvalid = errors.New("invites: invalid code")

// ErrCodeTaken is returned when a custom code is already in use.
var ErrCodeTaken = errors.New("invites: code taken")

// Role is what the guest may do once admitted.
type Role string

const (
	RoleGuest    Role = "guest"
	RoleCohost   Role = "cohost"
	RoleProducer Role = "producer"
)

// Invite is a pending invitation.
type Invite struct {
	Code      string    `json:"code"`
	ShowID    string    `json:"show_id"`
	Role      Role      `json:"role"`
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expires_at"`
}

// StorageKey implements kv.Keyed.
func (i Invite) StorageKey() string { return inviteKey.For(i.Code) }

// Guest is an admitted guest of a show.
type Guest struct {
	Email string    `json:"email"`
	Role  Role      `json:"role"`
	Since time.Time `json:"since"`
}

var (
	inviteKey = kv.NewKey[Invite]("invite:")
	guestsKey = kv.NewKey[[]Guest]("guests:")
)

// lifetime is how long an invite of each role stays valid.
var lifetime = map[Role]time.Duration{
	RoleGuest:    7 * 24 * time.Hour,
	RoleCohost:   3 * 24 * time.Hour,
	RoleProducer: 24 * time.Hour,
}

// Service issues and redeems invites.
type Service struct {
	store kv.Store
	clock clock.Clock
}

// New returns a Service.
func New(store kv.Store, c clock.Clock) *Service { return &Service{store: store, clock: c} }

const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func code(n int) (string, error) {
	var b strings.Builder
	for range n {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b.WriteByte(alphabet[i.Int64()])
	}
	return b.String(), nil
}

// Create issues a random invite code valid for the role's lifetime.
func (s *Service) Create(ctx context.Context, showID, email string, role Role) (Invite, error) {
	c, err := code(10)
	if err != nil {
		return Invite{}, err
	}
	ttl := lifetime[role]
	inv := Invite{Code: c, ShowID: showID, Role: role, Email: email, ExpiresAt: s.clock.Now().Add(ttl)}
	return inv, inviteKey.Write(ctx, s.store, c, inv, kv.PutOptions{TTL: kv.ClampTTL(ttl)})
}

// CreateUntil issues an invite that expires at a host-chosen moment, such as
// the start of a recording session.
func (s *Service) CreateUntil(ctx context.Context, showID, email string, role Role, until time.Time) (Invite, error) {
	c, err := code(10)
	if err != nil {
		return Invite{}, err
	}
	inv := Invite{Code: c, ShowID: showID, Role: role, Email: email, ExpiresAt: until}
	return inv, inviteKey.Write(ctx, s.store, c, inv, kv.PutOptions{TTL: inv.ExpiresAt.Sub(s.clock.Now())}) // EXPECT kvttl
}

// CreateForSession issues an invite valid until a recording session starts,
// but never for less than the minimum KV lifetime.
func (s *Service) CreateForSession(ctx context.Context, showID, email string, starts time.Time) (Invite, error) {
	c, err := code(10)
	if err != nil {
		return Invite{}, err
	}
	inv := Invite{Code: c, ShowID: showID, Role: RoleGuest, Email: email, ExpiresAt: starts}
	ttl := max(clock.Until(s.clock, starts), kv.MinTTL)
	return inv, inviteKey.Write(ctx, s.store, c, inv, kv.PutOptions{TTL: ttl})
}

// CreateCustom issues an invite with a host-chosen vanity code.
func (s *Service) CreateCustom(ctx context.Context, custom, showID, email string, role Role) (Invite, error) {
	custom = strings.ToUpper(strings.TrimSpace(custom))
	if len(custom) < 4 || len(custom) > 32 {
		return Invite{}, fmt.Errorf("invites: code must be 4-32 characters")
	}
	_, err := s.store.Get(ctx, inviteKey.For(custom))
	switch {
	case err == nil:
		return Invite{}, ErrCodeTaken
	case !kv.IsNotFound(err):
		return Invite{}, err
	}
	inv := Invite{Code: custom, ShowID: showID, Role: role, Email: email, ExpiresAt: s.clock.Now().Add(lifetime[role])}
	return inv, inviteKey.Write(ctx, s.store, custom, inv, kv.PutOptions{TTL: lifetime[role]}) // EXPECT kvrace
}

// Lookup returns the invite behind a code without consuming it.
func (s *Service) Lookup(ctx context.Context, c string) (Invite, error) {
	inv, err := inviteKey.Read(ctx, s.store, strings.ToUpper(c))
	if kv.IsNotFound(err) {
		return Invite{}, ErrInvalid
	}
	if err != nil {
		return Invite{}, err
	}
	if !s.clock.Now().Before(inv.ExpiresAt) {
		return Invite{}, ErrInvalid
	}
	return inv, nil
}

// Redeem admits the guest and consumes the code.
func (s *Service) Redeem(ctx context.Context, c, email string) (Invite, error) {
	inv, err := s.Lookup(ctx, c)
	if err != nil {
		return Invite{}, err
	}
	if !strings.EqualFold(inv.Email, email) {
		return Invite{}, ErrInvalid
	}
	if err := s.admit(ctx, inv); err != nil {
		return Invite{}, err
	}
	if err := s.store.Delete(ctx, inviteKey.For(inv.Code)); err != nil { // EXPECT kvsession
		return Invite{}, err
	}
	return inv, nil
}

func (s *Service) admit(ctx context.Context, inv Invite) error {
	g := Guest{Email: strings.ToLower(inv.Email), Role: inv.Role, Since: s.clock.Now()}
	return kv.Update(ctx, s.store, guestsKey.For(inv.ShowID), kv.PutOptions{}, func(gs *[]Guest) error {
		if slices.ContainsFunc(*gs, func(x Guest) bool { return x.Email == g.Email }) {
			return nil
		}
		*gs = append(*gs, g)
		return nil
	})
}

// Guests returns the admitted guests of a show.
func (s *Service) Guests(ctx context.Context, showID string) ([]Guest, error) {
	gs, err := guestsKey.Read(ctx, s.store, showID)
	if kv.IsNotFound(err) {
		return nil, nil
	}
	return gs, err
}
