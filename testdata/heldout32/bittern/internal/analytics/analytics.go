//go:build js && wasm

// Package analytics records listener activity: downloads per episode and
// day, unique listeners, playback positions from the web player, and the
// "now playing" ticker on the public site.
package analytics

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"bittern/internal/edgekv"
	"bittern/internal/kvctx"
	"bittern/internal/model"
)

const retention = 35 * 24 * time.Hour

func day(t time.Time) string { return t.UTC().Format("20060102") }

// RecordDownload is called for every audio request that is not a range
// continuation.
func RecordDownload(ctx context.Context, ep model.Episode, listenerID string, now time.Time) error {
	s := kvctx.From(ctx)
	if err := bump(ctx, s, s.Key("dl", ep.ID, day(now))); err != nil {
		return err
	}
	if err := addListener(ctx, s, ep.ID, day(now), listenerID); err != nil {
		return err
	}
	last := struct {
		Episode string    `json:"episode"`
		At      time.Time `json:"at"`
	}{ep.ID, now.UTC()}
	return s.Write(s.Key("last-played", listenerID)).TTL(90 * 24 * time.Hour).JSON(last).Do(ctx)
}

// bump adds one to the decimal counter stored at key.
func bump(ctx context.Context, s edgekv.KV, key string) error {
	raw, ok, err := s.Lookup(ctx, key)
	if err != nil {
		return err
	}
	n := 0
	if ok {
		if n, err = strconv.Atoi(raw); err != nil {
			return fmt.Errorf("analytics: counter %s: %w", key, err)
		}
	}
	return s.Put(ctx, key, strconv.Itoa(n+1), retention) // EXPECT kvcounter
}

// addListener keeps the set of (hashed) listeners of an episode per day.
func addListener(ctx context.Context, s edgekv.KV, episodeID, day, listenerID string) error {
	sum := sha256.Sum256([]byte(listenerID))
	h := hex.EncodeToString(sum[:8])
	key := s.Key("listeners", episodeID, day)
	var set []string
	raw, ok, err := s.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if ok {
		if err := json.Unmarshal([]byte(raw), &set); err != nil {
			return err
		}
	}
	if slices.Contains(set, h) {
		return nil
	}
	set = append(set, h)
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, string(b), retention) // EXPECT kvrace
}

// NowPlaying updates the "now playing" ticker on the creators' landing page.
func NowPlaying(ctx context.Context, ep model.Episode) error {
	s := kvctx.From(ctx)
	v := map[string]string{"show": ep.ShowID, "episode": ep.ID}
	return s.Write("ticker:now-playing").TTL(time.Hour).JSON(v).Do(ctx) // EXPECT kvhotkey
}

// Beacon is one playback position report relayed from the CDN logs.
type Beacon struct {
	ListenerID string    `json:"listener"`
	EpisodeID  string    `json:"episode"`
	Position   int       `json:"position_s"`
	At         time.Time `json:"at"`
}

// IngestBeacons stores the newest playback position of every listener and
// episode in the batch, so "continue listening" works across devices.
func IngestBeacons(ctx context.Context, showID string, batch []Beacon) error {
	s := kvctx.From(ctx)
	latest := make(map[string]Beacon, len(batch))
	for _, b := range batch {
		k := s.Key("pos", b.ListenerID, b.EpisodeID)
		if cur, seen := latest[k]; !seen || b.At.After(cur.At) {
			latest[k] = b
		}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for key, b := range latest {
		wg.Go(func() {
			err := s.Put(ctx, key, strconv.Itoa(b.Position), 60*24*time.Hour)
			if err == nil {
				err = s.Write(s.Key("show-activity", showID)).TTL(24 * time.Hour).String(b.At.UTC().Format(time.RFC3339)).Do(ctx) // EXPECT kvhotkey
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
