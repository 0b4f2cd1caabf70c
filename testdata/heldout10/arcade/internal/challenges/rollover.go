// Package challenges publishes the daily challenges and serves them.
package challenges

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/keys"
)

const (
	todayKey  = "challenges:today"
	statusKey = "challenges:purge:status"

	// player indexes are 28-bit; the completion bitmap has one bit per index
	maxPlayerIndex = 1 << 28
	bitmapBytes    = maxPlayerIndex / 8
)

// Template is one entry of the challenge catalogue.
type Template struct {
	Mode string
	Map  string
	Goal int
}

type Def struct {
	ID     string    `json:"id"`
	Day    string    `json:"day"`
	Slot   int       `json:"slot"`
	Mode   string    `json:"mode"`
	Map    string    `json:"map"`
	Goal   int       `json:"goal"`
	EndsAt time.Time `json:"endsAt"`
}

type Index struct {
	Day string   `json:"day"`
	IDs []string `json:"ids"`
}

type Service struct {
	ns      *kv.Namespace
	cfg     config.ChallengeConfig
	catalog []Template
}

func New(ns *kv.Namespace, cfg config.ChallengeConfig, catalog []Template) *Service {
	return &Service{ns: ns, cfg: cfg, catalog: catalog}
}

// Rollover publishes the challenges for the day containing now.
func (s *Service) Rollover(ctx context.Context, now time.Time) error {
	if len(s.catalog) == 0 {
		return fmt.Errorf("challenges: empty catalogue")
	}
	day := now.UTC().Truncate(24 * time.Hour)
	end := day.Add(24 * time.Hour)
	dayStr := keys.Day(day)
	seed := day.Unix() / 86400 * 7919 % 1000003
	if err := s.ns.PutString(keys.Challenge+dayStr+":seed", strconv.FormatInt(seed, 10), &kv.PutOptions{Expiration: int(end.Add(24 * time.Hour).Unix())}); err != nil {
		return err
	}

	ids := make([]string, 0, s.cfg.SlotsPerDay)
	for slot := 0; slot < s.cfg.SlotsPerDay; slot++ {
		t := s.catalog[(int(seed)+slot*31)%len(s.catalog)]
		d := Def{ID: dayStr + "-" + strconv.Itoa(slot), Day: dayStr, Slot: slot, Mode: t.Mode, Map: t.Map, Goal: t.Goal, EndsAt: end}
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		// definitions outlive their day so late score submissions can still be checked
		if err := s.ns.PutString(keys.Challenge+dayStr+":"+strconv.Itoa(slot), string(b), &kv.PutOptions{Expiration: int(end.Add(24 * time.Hour).UnixMilli())}); err != nil { // EXPECT kvttl
			return fmt.Errorf("challenges: publish slot %d: %w", slot, err)
		}
		ids = append(ids, d.ID)
	}

	idx, _ := json.Marshal(Index{Day: dayStr, IDs: ids})
	if err := s.ns.PutString(todayKey, string(idx), &kv.PutOptions{Expiration: int(end.Add(time.Hour).Unix())}); err != nil {
		return err
	}
	return s.ns.PutReader(keys.Challenge+dayStr+":bitmap", bytes.NewReader(make([]byte, bitmapBytes)), &kv.PutOptions{Expiration: int(end.Add(24 * time.Hour).Unix())}) // EXPECT kvlimits
}

// Purge deletes challenge data older than the retention window, at most
// maxPages pages per run.
func (s *Service) Purge(ctx context.Context, now time.Time, maxPages int) (int, error) {
	cutoff := keys.Challenge + keys.Day(now.UTC().Add(-s.cfg.PurgeAfter))
	deleted, cursor := 0, ""
	for page := 0; page < maxPages; page++ {
		res, err := s.ns.List(&kv.ListOptions{Prefix: keys.Challenge, Cursor: cursor, Limit: 900})
		if err != nil {
			return deleted, err
		}
		for _, k := range res.Keys {
			if k.Name >= cutoff {
				return deleted, nil // keys are sorted, everything after is newer
			}
			if err := s.ns.Delete(k.Name); err != nil {
				return deleted, err
			}
			deleted++
			// surfaced on the ops dashboard while a long purge runs
			_ = s.ns.PutString(statusKey, fmt.Sprintf("%d deleted, at %s", deleted, k.Name), nil) // EXPECT kvhotkey
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return deleted, nil
}
