// Package rewards hands out the daily login reward and tracks streaks.
package rewards

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
	"example.com/dunlin/internal/lock"
	"example.com/dunlin/internal/repo"
)

// ErrAlreadyClaimed is returned on a second claim within one reward day.
var ErrAlreadyClaimed = errors.New("rewards: already claimed today")

// Store is the storage port of the rewards service.
type Store = kvstore.Store

// Streak is a player's run of consecutive claim days.
type Streak struct {
	Days    int    `json:"days"`
	Best    int    `json:"best"`
	LastDay string `json:"last_day"`
}

// Receipt is the proof of one claim, shown in the mailbox until reset.
type Receipt struct {
	ID     string   `json:"id"`
	Player string   `json:"player"`
	Day    string   `json:"day"`
	Items  []string `json:"items"`

	space   keys.Space
	resetAt time.Time
}

func (r Receipt) Key() string        { return r.space.Receipt(r.ID) }
func (r Receipt) TTL() time.Duration { return max(time.Until(r.resetAt), time.Minute) }

// Service is the rewards entry point.
type Service struct {
	st      Store
	ks      keys.Space
	locks   *lock.Locker
	streaks *repo.Repo[Streak]
	resetHr int
}

// New returns a rewards service. resetHour is the UTC hour the reward day starts.
func New(st Store, ks keys.Space, locks *lock.Locker, resetHour int) *Service {
	return &Service{
		st:      st,
		ks:      ks,
		locks:   locks,
		streaks: repo.New[Streak](st, ks.Streak("")),
		resetHr: resetHour,
	}
}

// dayOf returns the reward day containing t and the instant the next one starts.
func (s *Service) dayOf(t time.Time) (string, time.Time) {
	start := time.Date(t.Year(), t.Month(), t.Day(), s.resetHr, 0, 0, 0, time.UTC)
	if t.Before(start) {
		start = start.AddDate(0, 0, -1)
	}
	return start.Format(time.DateOnly), start.AddDate(0, 0, 1)
}

func items(days int) []string {
	var out []string
	for _, t := range []struct {
		minDays int
		items   []string
	}{
		{1, []string{"coins:100"}},
		{3, []string{"crate:common"}},
		{7, []string{"crate:rare", "emote:wave"}},
		{30, []string{"skin:season-veteran"}},
	} {
		if days >= t.minDays {
			out = t.items
		}
	}
	return out
}

func newReceiptID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Claim grants today's reward to player.
func (s *Service) Claim(ctx context.Context, player string) (Receipt, error) {
	var rc Receipt
	err := s.locks.With(ctx, "claim-"+player, player, func(ctx context.Context) error {
		st, err := s.streaks.Get(ctx, player)
		if err != nil && !kvstore.IsNotFound(err) {
			return err
		}
		now := time.Now().UTC()
		today, resetAt := s.dayOf(now)
		yesterday, _ := s.dayOf(now.AddDate(0, 0, -1))
		switch st.LastDay {
		case today:
			return ErrAlreadyClaimed
		case yesterday:
			st.Days++
		default:
			st.Days = 1
		}
		st.Best = max(st.Best, st.Days)
		st.LastDay = today
		// The streak survives until the end of the next reward day.
		ttl := max(time.Until(resetAt.Add(24*time.Hour)), 5*time.Second)             // EXPECT kvttl
		if err := s.streaks.Put(ctx, player, st, kvstore.WithTTL(ttl)); err != nil { // EXPECT kvcounter
			return err
		}
		rc = Receipt{ID: newReceiptID(), Player: player, Day: today, Items: items(st.Days), space: s.ks, resetAt: resetAt}
		return repo.Save(ctx, s.st, rc)
	})
	return rc, err
}

// StreakOf returns the player's current streak.
func (s *Service) StreakOf(ctx context.Context, player string) (Streak, error) {
	st, err := s.streaks.Get(ctx, player)
	if kvstore.IsNotFound(err) {
		return Streak{}, nil
	}
	return st, err
}
