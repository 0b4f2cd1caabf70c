// Package occupancy turns trip counts into the hour-of-week occupancy maps
// that rebalancing crews and the rider app use.
package occupancy

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/shrike/backend/cfkv"
	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/keys"
)

const hoursPerWeek = 7 * 24

const slotsPerDay = 288

type Builder struct {
	store *cfkv.Store
	log   *slog.Logger
	now   func() time.Time
}

func New(store *cfkv.Store, log *slog.Logger) *Builder {
	return &Builder{store: store, log: log, now: time.Now}
}

func countKey(station string, hour time.Time) string {
	return "trips:count:" + station + ":" + keys.Hour(hour)
}

// RecordTrips adds n departures from station in the hour containing at.
func (b *Builder) RecordTrips(ctx context.Context, station string, at time.Time, n int) error {
	s := b.store
	key := countKey(station, at)
	cur := 0
	res, err := s.API.Values.Get(ctx, s.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.Account)})
	switch {
	case err == nil:
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		cur, _ = strconv.Atoi(string(raw))
	case !cfkv.IsNotFound(err):
		return err
	}
	_, err = s.API.Values.Update(ctx, s.Namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.Account),
		Value:         cloudflare.F(strconv.Itoa(cur + n)),
		ExpirationTTL: cloudflare.F((60 * 24 * time.Hour).Seconds()),
	})
	return err
}

// weekProfile reads the last week of hourly counts of one station.
func (b *Builder) weekProfile(ctx context.Context, station string) ([]int, error) {
	s := b.store
	start := b.now().Add(-hoursPerWeek * time.Hour)
	names := make([]string, 0, hoursPerWeek)
	for h := range hoursPerWeek {
		names = append(names, countKey(station, start.Add(time.Duration(h)*time.Hour)))
	}
	res, err := s.API.BulkGet(ctx, s.Namespace, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.Account),
		Keys:      cloudflare.F(names),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	var body struct {
		Values map[string]*string `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &body); err != nil {
		return nil, err
	}
	profile := make([]int, hoursPerWeek)
	for i, name := range names {
		if v := body.Values[name]; v != nil {
			profile[i], _ = strconv.Atoi(*v)
		}
	}
	return profile, nil
}

// Build writes the occupancy map of region.
func (b *Builder) Build(ctx context.Context, region string, stations []string) error {
	m := domain.OccupancyMap{Region: region, Built: domain.At(b.now()), Stations: map[string][]int{}}
	for i, id := range stations {
		profile, err := b.weekProfile(ctx, id)
		if err != nil {
			return fmt.Errorf("station %s: %w", id, err)
		}
		m.Stations[id] = profile
		progress := fmt.Sprintf(`{"region":%q,"done":%d,"of":%d}`, region, i+1, len(stations))
		if err := b.store.Put(ctx, "import:progress", []byte(progress), 0); err != nil { // EXPECT kvhotkey
			b.log.Warn("progress", "err", err)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return b.store.Put(ctx, "occupancy:map:"+region, out, 0)
}

// SaveDaySnapshot stores a day's five-minute occupancy bitmap of a station,
// deduplicated by content so identical days share one entry.
func (b *Builder) SaveDaySnapshot(ctx context.Context, station string, day time.Time, bitmap [slotsPerDay]byte) error {
	digest := hex.EncodeToString(bitmap[:])
	if err := b.store.Put(ctx, "occupancy:snap:"+digest, bitmap[:], 0); err != nil { // EXPECT kvlimits
		return err
	}
	return b.store.Put(ctx, "occupancy:day:"+station+":"+day.Format("20060102"), []byte(digest), 400*24*time.Hour)
}
