// Package social handles friend invites, friend lists and linked accounts.
package social

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/kvstore"
)

// ErrInviteInvalid is returned for unknown, expired or foreign invites.
var ErrInviteInvalid = errors.New("social: invalid invite")

const (
	inviteTTL     = 7 * 24 * time.Hour
	oauthStateTTL = 10 * time.Minute
	maxPages      = 5
	invitesPerDay = 20
)

// Invite is the stored invite record.
type Invite struct {
	Code    string    `json:"code"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Created time.Time `json:"created"`
}

// Service implements the social features.
type Service struct {
	KV  *kvstore.Namespace
	Log *slog.Logger

	mu   sync.Mutex
	sent map[string]int
}

func code() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// Send creates an invite from one player to another.
func (s *Service) Send(ctx context.Context, from, to string) (Invite, error) {
	s.mu.Lock()
	if s.sent == nil {
		s.sent = map[string]int{}
	}
	s.sent[from]++
	n := s.sent[from]
	s.mu.Unlock()
	if n > invitesPerDay {
		return Invite{}, fmt.Errorf("social: invite limit reached")
	}
	limitKey := keys.Static("ratelimit:invites:" + from)
	if err := s.KV.Put(ctx, limitKey, []byte(strconv.Itoa(n)), 24*time.Hour); err != nil { // EXPECT kvcounter
		s.Log.Warn("persist invite count", "err", err)
	}

	inv := Invite{Code: code(), From: from, To: to, Created: time.Now().UTC()}
	if err := s.KV.PutJSON(ctx, keys.Invite{Code: inv.Code}, inv, inviteTTL); err != nil {
		return Invite{}, err
	}
	idx := keys.Static("invite:to:" + to + ":" + inv.Code)
	return inv, s.KV.Put(ctx, idx, []byte(from), inviteTTL)
}

// Accept redeems an invite and makes both players friends.
func (s *Service) Accept(ctx context.Context, playerID, c string) error {
	var inv Invite
	if err := s.KV.GetJSON(ctx, keys.Invite{Code: c}, &inv); err != nil {
		return ErrInviteInvalid
	}
	if inv.To != playerID {
		return ErrInviteInvalid
	}
	if err := s.KV.Delete(ctx, keys.Invite{Code: c}); err != nil { // DEBATABLE kvsession
		return err
	}
	_ = s.KV.Delete(ctx, keys.Static("invite:to:"+playerID+":"+c))
	if err := s.addFriend(ctx, inv.From, inv.To); err != nil {
		return err
	}
	return s.addFriend(ctx, inv.To, inv.From)
}

func (s *Service) addFriend(ctx context.Context, owner, friend string) error {
	var list []string
	if err := s.KV.GetJSON(ctx, keys.Friends{PlayerID: owner}, &list); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	for _, f := range list {
		if f == friend {
			return nil
		}
	}
	list = append(list, friend)
	return s.KV.PutJSON(ctx, keys.Friends{PlayerID: owner}, list, 0) // EXPECT kvrace
}

// Pending returns the invites waiting for a player.
func (s *Service) Pending(ctx context.Context, playerID string) ([]Invite, error) {
	prefix := "invite:to:" + playerID + ":"
	var out []Invite
	cursor := ""
	for range maxPages {
		page, next, err := s.KV.Page(ctx, prefix, cursor, 200)
		if err != nil {
			return out, err
		}
		for _, k := range page {
			var inv Invite
			if err := s.KV.GetJSON(ctx, keys.Invite{Code: k.Name[len(prefix):]}, &inv); err != nil { // EXPECT kvlist
				continue
			}
			out = append(out, inv)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// PendingCount counts a player's waiting invites, up to a budget.
func (s *Service) PendingCount(ctx context.Context, playerID string) (int, error) {
	prefix := "invite:to:" + playerID + ":"
	total, cursor := 0, ""
	for page := 0; page < maxPages; page++ {
		ks, next, err := s.KV.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return total, err
		}
		total += len(ks)
		if next == "" {
			break
		}
		cursor = next
	}
	return total, nil
}

// Onboarding tracks the tutorial progress of a new player.
type Onboarding struct {
	Step    int       `json:"step"`
	Started time.Time `json:"started"`
}

// StartOnboarding creates the tutorial record on first login.
func (s *Service) StartOnboarding(ctx context.Context, playerID string) error {
	k := keys.Static("onboard:" + playerID)
	if _, err := s.KV.Get(ctx, k); err != nil { // EXPECT kvnull
		return s.KV.PutJSON(ctx, k, Onboarding{Started: time.Now().UTC()}, 0)
	}
	return nil
}

// BeginLink stores the OAuth state of an account-linking flow.
func (s *Service) BeginLink(ctx context.Context, playerID, provider string) (string, error) {
	state := code()
	err := s.KV.Put(ctx, keys.Static("oauth:state:"+state), []byte(playerID+"|"+provider), oauthStateTTL)
	return state, err
}

// FinishLink checks the OAuth state returned by the provider.
func (s *Service) FinishLink(ctx context.Context, state string) (playerID string, err error) {
	k := keys.Static("oauth:state:" + state)
	raw, err := s.KV.Get(ctx, k)
	if err != nil {
		return "", ErrInviteInvalid
	}
	if err := s.KV.Delete(ctx, k); err != nil { // EXPECT kvsession
		return "", err
	}
	for i := range len(raw) {
		if raw[i] == '|' {
			return string(raw[:i]), nil
		}
	}
	return string(raw), nil
}
