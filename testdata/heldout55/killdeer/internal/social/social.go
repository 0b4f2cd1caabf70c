//go:build js && wasm

// Package social handles friend invites, vanity invite codes, friend lists
// and display names.
package social

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/killdeer-games/killdeer/internal/config"
	"github.com/killdeer-games/killdeer/internal/edgekv"
	"github.com/killdeer-games/killdeer/internal/httpx"
)

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

var ErrTaken = &httpx.StatusError{Code: 409, Msg: "code already taken"}

// Service is the social API.
type Service struct {
	ns *edgekv.Namespace
}

// New returns a Service.
func New(ns *edgekv.Namespace) *Service { return &Service{ns: ns} }

func newCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b[:])
}

type InviteReq struct {
	PlayerID string `json:"player_id"`
}

type InviteResp struct {
	Code    string `json:"code"`
	Expires int64  `json:"expires"`
}

// CreateInvite mints a random friend-invite code for the player.
func (s *Service) CreateInvite(ctx context.Context, req InviteReq) (InviteResp, error) {
	cfg := config.Load()
	code := newCode()
	err := s.ns.PutString(s.ns.Key("invite", code), req.PlayerID, &edgekv.PutOptions{
		ExpirationTTL: int(cfg.InviteTTL),
	})
	if err != nil {
		return InviteResp{}, err
	}
	return InviteResp{Code: code, Expires: time.Now().Add(cfg.InviteTTL.Duration()).Unix()}, nil
}

type VanityReq struct {
	PlayerID string `json:"player_id"`
	Code     string `json:"code"`
}

// ClaimVanity reserves a chosen invite code such as "KILLDEER" for a player.
func (s *Service) ClaimVanity(ctx context.Context, req VanityReq) (InviteResp, error) {
	code := strings.ToUpper(strings.TrimSpace(req.Code))
	if len(code) < 4 || len(code) > 24 {
		return InviteResp{}, &httpx.StatusError{Code: 400, Msg: "code must be 4 to 24 characters"}
	}
	key := s.ns.Key("invite", code)
	owner, err := s.ns.GetString(key, nil)
	if err != nil {
		return InviteResp{}, err
	}
	if !edgekv.IsMissing(owner) && owner != req.PlayerID {
		return InviteResp{}, ErrTaken
	}
	if err := s.ns.PutString(key, req.PlayerID, nil); err != nil { // EXPECT kvrace
		return InviteResp{}, err
	}
	return InviteResp{Code: code}, nil
}

type AcceptReq struct {
	Code     string `json:"code"`
	PlayerID string `json:"player_id"`
}

type FriendsResp struct {
	Friends []string `json:"friends"`
}

// AcceptInvite makes the invitee and the inviter friends and uses up the
// code.
func (s *Service) AcceptInvite(ctx context.Context, req AcceptReq) (FriendsResp, error) {
	key := s.ns.Key("invite", strings.ToUpper(req.Code))
	inviter, err := s.ns.GetString(key, nil)
	if err != nil {
		return FriendsResp{}, err
	}
	if edgekv.IsMissing(inviter) {
		return FriendsResp{}, httpx.ErrNotFound
	}
	if inviter == req.PlayerID {
		return FriendsResp{}, &httpx.StatusError{Code: 400, Msg: "cannot befriend yourself"}
	}
	mine, err := s.addFriend(req.PlayerID, inviter)
	if err != nil {
		return FriendsResp{}, err
	}
	if _, err := s.addFriend(inviter, req.PlayerID); err != nil {
		return FriendsResp{}, err
	}
	if len(req.Code) == 8 {
		// Random codes are single use; vanity codes stay.
		if err := s.ns.Delete(key); err != nil { // DEBATABLE kvsession
			return FriendsResp{}, err
		}
	}
	return FriendsResp{Friends: mine}, nil
}

func (s *Service) addFriend(playerID, friend string) ([]string, error) {
	key := s.ns.Key("friends", playerID)
	raw, err := s.ns.GetString(key, nil)
	if err != nil {
		return nil, err
	}
	var list []string
	if !edgekv.IsMissing(raw) {
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return nil, err
		}
	}
	if slices.Contains(list, friend) {
		return list, nil
	}
	list = append(list, friend)
	out, _ := json.Marshal(list)
	return list, s.ns.PutString(key, string(out), nil) // EXPECT kvrace
}

type FriendsReq struct {
	PlayerID string `json:"player_id"`
}

// Friends lists a player's friends.
func (s *Service) Friends(ctx context.Context, req FriendsReq) (FriendsResp, error) {
	raw, err := s.ns.GetString(s.ns.Key("friends", req.PlayerID), &edgekv.GetOptions{CacheTTL: 60}) // EXPECT kvnull
	if err != nil {
		return FriendsResp{}, err
	}
	var list []string
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return FriendsResp{}, err
	}
	return FriendsResp{Friends: list}, nil
}

type RenameReq struct {
	PlayerID string `json:"player_id"`
	Name     string `json:"name"`
}

// Rename sets a player's display name and keeps the list of earlier names
// for moderators.
func (s *Service) Rename(ctx context.Context, req RenameReq) (httpx.Empty, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" || len(name) > 32 || strings.Contains(name, "|") {
		return httpx.Empty{}, &httpx.StatusError{Code: 400, Msg: "invalid name"}
	}
	if err := s.ns.PutString(s.ns.Key("name", req.PlayerID), name, nil); err != nil {
		return httpx.Empty{}, err
	}
	histKey := s.ns.Key("names", req.PlayerID)
	old, err := s.ns.GetString(histKey, nil)
	if err != nil {
		return httpx.Empty{}, err
	}
	hist := name
	if !edgekv.IsMissing(old) {
		hist = old + "|" + name
	}
	return httpx.Empty{}, s.ns.PutString(histKey, hist, nil) // EXPECT kvrace
}

// DisplayName returns a player's display name or the player id.
func (s *Service) DisplayName(playerID string) string {
	v, err := s.ns.GetString(s.ns.Key("name", playerID), &edgekv.GetOptions{CacheTTL: 600})
	if err != nil || edgekv.IsMissing(v) {
		return playerID
	}
	return v
}
