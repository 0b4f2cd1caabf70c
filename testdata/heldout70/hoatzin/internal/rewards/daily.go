// Package rewards grants daily login rewards and tracks streaks.
package rewards

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/kvstore"
	"github.com/hoatzin-games/hoatzin/internal/metrics"
)

// ErrAlreadyClaimed is returned on a second claim on the same day.
var ErrAlreadyClaimed = errors.New("rewards: already claimed today")

const (
	rewardWindow = 36 * time.Hour
	baseCoins    = 50
	seedDays     = 12_000
)

const termsOfService = `Daily rewards are granted once per calendar day (UTC) to players in good standing. ` +
	`A streak continues when the next reward is claimed within thirty-six hours of the previous claim; ` +
	`otherwise the streak resets to one. Coins granted as daily rewards have no monetary value, cannot be ` +
	`exchanged for real currency, and may be removed if they were obtained through exploits, automation, ` +
	`account sharing or any violation of the code of conduct. Hoatzin Games may change the reward table, ` +
	`the streak rules, or end the daily reward programme at any time, with or without notice. Rewards that ` +
	`were not claimed before a change takes effect are forfeited. Players under the age of digital consent ` +
	`in their country may claim rewards only with the permission of a parent or guardian. Regional pricing ` +
	`and availability differ; some rewards are unavailable in some regions. By claiming a reward the player ` +
	`accepts these terms and the general terms of service, which prevail in case of conflict. Support ` +
	`requests about missing rewards must be filed within fourteen days of the claim through the in-game help.`

// Streak is the per-player streak record.
type Streak struct {
	Days      int       `json:"days"`
	LastClaim time.Time `json:"lastClaim"`
	Coins     int       `json:"coins"`
}

// Grant is the outcome of a claim.
type Grant struct {
	Day    int
	Streak int
	Coins  int
}

// Service grants rewards.
type Service struct {
	KV  *kvstore.Namespace
	Now func() time.Time
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

func endOfWeek(t time.Time) time.Time {
	days := (7 - int(t.UTC().Weekday())) % 7
	return endOfDay(t.AddDate(0, 0, days))
}

// Claim grants today's reward to a player.
func (s *Service) Claim(ctx context.Context, playerID string) (Grant, error) {
	now := s.Now().UTC()
	day := now.Format("2006-01-02")
	claimed := keys.Static("reward:claimed:" + playerID + ":" + day)
	if _, err := s.KV.Get(ctx, claimed); err == nil {
		return Grant{}, ErrAlreadyClaimed
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Grant{}, err
	}

	var st Streak
	if err := s.KV.GetJSON(ctx, keys.Streak{PlayerID: playerID}, &st); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return Grant{}, err
	}
	if now.Sub(st.LastClaim) > rewardWindow {
		st.Days = 0
	}
	st.Days++
	st.LastClaim = now
	coins := baseCoins * min(st.Days, 7)
	st.Coins += coins
	if err := s.KV.PutJSON(ctx, keys.Streak{PlayerID: playerID}, st, 0); err != nil { // EXPECT kvrace
		return Grant{}, err
	}
	if err := s.KV.Put(ctx, claimed, []byte("1"), time.Until(endOfDay(now))); err != nil { // EXPECT kvttl
		return Grant{}, err
	}
	week := keys.Static("reward:week:" + playerID)
	if err := s.KV.Put(ctx, week, []byte(day), max(time.Until(endOfWeek(now)), time.Minute)); err != nil {
		return Grant{}, err
	}
	metrics.RewardClaims.Add(day, 1)
	return Grant{Day: now.YearDay(), Streak: st.Days, Coins: coins}, nil
}

// Reminder schedules the "come back tomorrow" marker read by the push job.
func (s *Service) Reminder(ctx context.Context, playerID string) error {
	_, err := s.KV.API.KV.Namespaces.Values.Update(ctx, s.KV.ID, "reward:remind:"+playerID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.KV.AccountID),
		Value:         cloudflare.F(playerID),
		ExpirationTTL: cloudflare.F(float64(int(rewardWindow))), // EXPECT kvttl
	})
	return err
}

// Offer stores a time-limited shop offer for a player.
func (s *Service) Offer(ctx context.Context, playerID string, offer map[string]int, expiresAt time.Time) error {
	b, err := json.Marshal(offer)
	if err != nil {
		return err
	}
	_, err = s.KV.API.KV.Namespaces.Values.Update(ctx, s.KV.ID, "reward:offer:"+playerID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.KV.AccountID),
		Value:      cloudflare.F(string(b)),
		Expiration: cloudflare.F(float64(expiresAt.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// WeeklyOffer stores an offer that lasts until the end of the week.
func (s *Service) WeeklyOffer(ctx context.Context, playerID string, offer map[string]int) error {
	b, err := json.Marshal(offer)
	if err != nil {
		return err
	}
	_, err = s.KV.API.KV.Namespaces.Values.Update(ctx, s.KV.ID, "reward:weekly:"+playerID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.KV.AccountID),
		Value:      cloudflare.F(string(b)),
		Expiration: cloudflare.F(float64(endOfWeek(s.Now()).Add(time.Hour).Unix())),
	})
	return err
}

// PublishCalendar runs once per cron tick and writes the reward table.
func (s *Service) PublishCalendar(ctx context.Context) error {
	table := make([]int, 7)
	for i := range table {
		table[i] = baseCoins * (i + 1)
	}
	b, _ := json.Marshal(table)
	_, err := s.KV.API.KV.Namespaces.Values.Update(ctx, s.KV.ID, "rewards:calendar", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F[any](map[string]any{"days": len(table), "currency": "coins"}),
	})
	if err != nil {
		return err
	}
	_, err = s.KV.API.KV.Namespaces.Values.Update(ctx, s.KV.ID, "rewards:terms", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Value:     cloudflare.F("v3"),
		Metadata:  cloudflare.F[any](map[string]string{"text": termsOfService}), // EXPECT kvlimits
	})
	return err
}

// FlushStats copies today's claim count into KV for the ops dashboard.
func (s *Service) FlushStats(ctx context.Context) error {
	day := s.Now().UTC().Format("2006-01-02")
	v, _ := metrics.RewardClaims.Get(day).(interface{ String() string })
	if v == nil {
		return nil
	}
	_, err := s.KV.API.KV.Namespaces.Values.Update(ctx, s.KV.ID, "rewards:claims_count:"+day, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.KV.AccountID),
		Value:         cloudflare.F(v.String()),
		ExpirationTTL: cloudflare.F((7 * 24 * time.Hour).Seconds()),
	})
	return err
}

// SeedCalendar pre-computes the reward of every day of the long-running
// event, one key per day.
func (s *Service) SeedCalendar(ctx context.Context, event string, start time.Time) error {
	body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, seedDays)
	for d := range seedDays {
		day := start.AddDate(0, 0, d).Format("2006-01-02")
		body = append(body, kv.NamespaceKeyBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("reward:event:%s:%s", event, day)),
			Value: cloudflare.F(strconv.Itoa(baseCoins * (1 + d%7))),
		})
	}
	_, err := s.KV.API.KV.Namespaces.Keys.BulkUpdate(ctx, s.KV.ID, kv.NamespaceKeyBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.KV.AccountID),
		Body:      body,
	})
	return err
}
