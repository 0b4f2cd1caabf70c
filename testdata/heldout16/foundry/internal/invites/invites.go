// Package invites sends and redeems guild, party and tournament invitations.
package invites

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

var (
	ErrExpired  = errors.New("invites: invitation expired")
	ErrUnknown  = errors.New("invites: no such invitation")
	ErrNotYours = errors.New("invites: invitation is for someone else")
)

// Kind is the type of invitation.
type Kind int

const (
	Guild Kind = iota
	Party
	Tournament
)

// Invite is a pending invitation.
type Invite struct {
	Code      string    `json:"code"`
	Group     string    `json:"group"`
	Kind      Kind      `json:"kind"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Key implements keys.Keyer.
func (i Invite) Key() string { return keys.Join("invite", i.Group, i.Code) }

// Roster is the member list of a guild or party.
type Roster struct {
	Group   string   `json:"group"`
	Members []string `json:"members"`
}

// Service stores invitations in the guilds namespace.
type Service struct {
	store  kvstore.Store
	ttlFor func(Kind) time.Duration
	now    func() time.Time
}

// New returns a Service; ttlFor gives the lifetime of each kind of invite.
func New(store kvstore.Store, ttlFor func(Kind) time.Duration) *Service {
	return &Service{store: store, ttlFor: ttlFor, now: time.Now}
}

func (s *Service) save(ctx context.Context, inv Invite, ttl time.Duration) error {
	b, _ := json.Marshal(inv)
	meta := map[string]any{"to": inv.To, "kind": int(inv.Kind)}
	return s.store.Put(ctx, inv.Key(), b, kvstore.WithTTL(ttl), kvstore.WithMetadata(meta))
}

// Send creates an invitation from one player to another.
func (s *Service) Send(ctx context.Context, kind Kind, group, from, to string) (Invite, error) {
	ttl := s.ttlFor(kind)
	inv := Invite{Code: code(), Group: group, Kind: kind, From: from, To: to, ExpiresAt: s.now().Add(ttl).UTC()}
	return inv, s.save(ctx, inv, ttl)
}

// SendMany invites several players. Progress is published under the batch
// key so the inviting client can show which invites went out.
func (s *Service) SendMany(ctx context.Context, kind Kind, group, from string, to []string) ([]Invite, error) {
	batchKey := keys.Join("invite-batch", group, from)
	sent := make([]Invite, 0, len(to))
	for _, player := range to {
		inv, err := s.Send(ctx, kind, group, from, player)
		if err != nil {
			return sent, fmt.Errorf("invites: invite %s: %w", player, err)
		}
		sent = append(sent, inv)
		progress, _ := json.Marshal(map[string]int{"sent": len(sent), "total": len(to)})
		if err := s.store.Put(ctx, batchKey, progress, kvstore.WithTTL(time.Hour)); err != nil { // EXPECT kvhotkey
			return sent, err
		}
	}
	return sent, nil
}

// SendUntil creates an invitation that lapses at deadline (a party's ready
// check, for instance), but never sooner than a minute from now.
func (s *Service) SendUntil(ctx context.Context, kind Kind, group, from, to string, deadline time.Time) (Invite, error) {
	ttl := deadline.Sub(s.now())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	inv := Invite{Code: code(), Group: group, Kind: kind, From: from, To: to, ExpiresAt: deadline.UTC()}
	return inv, s.save(ctx, inv, ttl)
}

// InviteToTournament offers a bracket seat until check-in closes.
func (s *Service) InviteToTournament(ctx context.Context, tournamentID string, checkInEnds time.Time, from, to string) (Invite, error) {
	inv := Invite{Code: code(), Group: tournamentID, Kind: Tournament, From: from, To: to, ExpiresAt: checkInEnds}
	b, _ := json.Marshal(inv)
	err := s.store.Put(ctx, inv.Key(), b, kvstore.WithTTL(time.Until(checkInEnds))) // EXPECT kvttl
	return inv, err
}

// Pending returns the invitations waiting in a group, and whether the list
// was cut short.
func (s *Service) Pending(ctx context.Context, group string) ([]Invite, bool, error) {
	page, err := s.store.List(ctx, kvstore.ListQuery{Prefix: keys.Join("invite", group) + "/", Limit: 1000})
	if err != nil {
		return nil, false, err
	}
	out := make([]Invite, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := s.store.Get(ctx, k.Name) // EXPECT kvlist
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		} else if err != nil {
			return out, false, err
		}
		var inv Invite
		if json.Unmarshal(raw, &inv) == nil {
			out = append(out, inv)
		}
	}
	return out, !page.Complete, nil
}

// Accept redeems an invitation and adds the player to the group roster.
func (s *Service) Accept(ctx context.Context, group, code, player string) (Roster, error) {
	var inv Invite
	raw, err := s.store.Get(ctx, Invite{Group: group, Code: code}.Key())
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		return Roster{}, ErrUnknown
	case err != nil:
		return Roster{}, err
	case json.Unmarshal(raw, &inv) != nil || inv.To != player:
		return Roster{}, ErrNotYours
	case s.now().After(inv.ExpiresAt):
		return Roster{}, ErrExpired
	}

	rk := keys.Join("roster", group)
	roster := Roster{Group: group}
	if raw, err := s.store.Get(ctx, rk); err == nil {
		if err := json.Unmarshal(raw, &roster); err != nil {
			return Roster{}, err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Roster{}, err
	}
	if !slices.Contains(roster.Members, player) {
		roster.Members = append(roster.Members, player)
	}
	b, _ := json.Marshal(roster)
	if err := s.store.Put(ctx, rk, b); err != nil { // EXPECT kvrace
		return Roster{}, err
	}
	return roster, nil
}

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func code() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}
