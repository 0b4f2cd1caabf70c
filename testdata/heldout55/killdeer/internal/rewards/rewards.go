//go:build js && wasm

// Package rewards hands out daily login rewards and tracks claim streaks.
package rewards

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/killdeer-games/killdeer/internal/config"
	"github.com/killdeer-games/killdeer/internal/edgekv"
	"github.com/killdeer-games/killdeer/internal/expiry"
	"github.com/killdeer-games/killdeer/internal/httpx"
)

// Reward is one granted item.
type Reward struct {
	Item   string `json:"item"`
	Amount int    `json:"amount"`
	Day    string `json:"day"`
}

// Streak counts consecutive days with a claim.
type Streak struct {
	Days int    `json:"days"`
	Last string `json:"last"`
}

var ErrClaimed = &httpx.StatusError{Code: 409, Msg: "already claimed today"}

var table = []Reward{
	{Item: "coins", Amount: 100},
	{Item: "coins", Amount: 250},
	{Item: "gems", Amount: 5},
	{Item: "crate", Amount: 1},
}

// Service grants rewards.
type Service struct {
	ns *edgekv.Namespace
}

// New returns a Service.
func New(ns *edgekv.Namespace) *Service { return &Service{ns: ns} }

type ClaimReq struct {
	PlayerID string `json:"player_id"`
}

type ClaimResp struct {
	Reward Reward `json:"reward"`
	Streak int    `json:"streak"`
}

func day(now time.Time, resetHour int) string {
	return now.UTC().Add(-time.Duration(resetHour) * time.Hour).Format("2006-01-02")
}

// Claim grants today's reward once per player.
func (s *Service) Claim(ctx context.Context, req ClaimReq) (ClaimResp, error) {
	cfg := config.Load()
	now := time.Now()
	today := day(now, cfg.RewardResetHour)
	key := s.ns.Key("claim", req.PlayerID+"/"+today)

	if v, err := s.ns.GetString(key, nil); err != nil {
		return ClaimResp{}, err
	} else if !edgekv.IsMissing(v) {
		return ClaimResp{}, ErrClaimed
	}

	r := table[rand.IntN(len(table))]
	r.Day = today
	policy := expiry.Named("daily", 0, cfg.RewardResetHour)
	if err := s.ns.PutJSON(key, r, policy.TTL(now)); err != nil { // EXPECT kvrace
		return ClaimResp{}, err
	}
	streak, err := s.bumpStreak(req.PlayerID, today, now)
	if err != nil {
		return ClaimResp{Reward: r}, nil
	}
	return ClaimResp{Reward: r, Streak: streak}, nil
}

func (s *Service) bumpStreak(playerID, today string, now time.Time) (int, error) {
	key := s.ns.Key("streak", playerID)
	var st Streak
	if err := s.ns.GetJSON(key, &st); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return 0, err
	}
	yesterday := now.AddDate(0, 0, -1).UTC().Format("2006-01-02")
	switch st.Last {
	case today:
		return st.Days, nil
	case yesterday:
		st.Days++
	default:
		st.Days = 1
	}
	st.Last = today
	// A streak survives until the end of the following day.
	return st.Days, s.ns.PutJSON(key, st, 48*time.Hour) // EXPECT kvcounter|kvrace
}

type PreviewReq struct {
	PlayerID string `json:"player_id"`
}

// Preview returns the reward table for today. It is the same for everyone,
// so it is cached until the reset.
func (s *Service) Preview(ctx context.Context, _ PreviewReq) ([]Reward, error) {
	cfg := config.Load()
	now := time.Now()
	today := day(now, cfg.RewardResetHour)
	key := s.ns.Key("preview", today)
	var out []Reward
	err := s.ns.GetJSON(key, &out)
	if err == nil {
		return out, nil
	}
	if !errors.Is(err, edgekv.ErrNotFound) {
		return nil, err
	}
	out = make([]Reward, len(table))
	for i := range len(table) {
		out[i] = table[i]
		out[i].Day = today
	}
	ttl := time.Until(expiry.NextReset(now, cfg.RewardResetHour))
	if err := s.ns.PutJSON(key, out, ttl); err != nil { // EXPECT kvttl
		return nil, err
	}
	return out, nil
}

// History returns the reward a player got on a given day.
func (s *Service) History(ctx context.Context, playerID, dayStr string) (*Reward, error) {
	raw, err := s.ns.GetString(s.ns.Key("claim", playerID+"/"+dayStr), &edgekv.GetOptions{CacheTTL: 3600})
	if err != nil {
		return nil, err
	}
	if edgekv.IsMissing(raw) {
		return nil, httpx.ErrNotFound
	}
	var r Reward
	if err := edgekv.Codec().Decode(raw, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
