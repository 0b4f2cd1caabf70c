//go:build js && wasm

package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/piopio/greenhouse/internal/stream"
	"github.com/piopio/greenhouse/internal/telemetry"
)

// Fleet runs the scheduled jobs of the Worker.
type Fleet struct {
	Data *Store
	DB   *sql.DB
}

// Summary is the dashboard card of one greenhouse.
type Summary struct {
	Greenhouse string             `json:"gh"`
	Bands      int                `json:"bands"`
	OpenAlerts int                `json:"open_alerts"`
	At         time.Time          `json:"at"`
	Metrics    map[string]float64 `json:"metrics,omitempty"`
}

// FleetSummary is the roll-up of every greenhouse's card.
type FleetSummary struct {
	Houses     int       `json:"houses"`
	OpenAlerts int       `json:"open_alerts"`
	At         time.Time `json:"at"`
}

// Hourly refreshes the per-greenhouse cards and the fleet card.
func (f *Fleet) Hourly(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ghs, err := f.greenhouses(ctx)
	if err != nil {
		return err
	}
	rt := stream.NewRuntime(ctx, 16)
	cards := stream.Via(stream.FromSlice(rt, ghs), stream.Map(func(_ context.Context, gh string) (Summary, error) {
		v, err := f.Data.GetString("thresholds:"+gh, &cloudflare.KVNamespaceGetOptions{CacheTTL: 600}) // EXPECT kvnull
		if err != nil {
			return Summary{}, err
		}
		var t telemetry.Thresholds
		if err := json.Unmarshal([]byte(v), &t); err != nil {
			return Summary{}, err
		}
		var open []string
		if err := f.Data.GetJSON("alerts:open:"+gh, &open); err != nil && err != ErrMissing {
			return Summary{}, err
		}
		return Summary{Greenhouse: gh, Bands: len(t.Metrics), OpenAlerts: len(open), At: ev.ScheduledTime}, nil
	}))
	fleet := FleetSummary{}
	stream.To(cards, func(_ context.Context, s Summary) error {
		if err := f.Data.PutJSON("summary:"+s.Greenhouse, s, 2*3600); err != nil {
			return err
		}
		fleet.Houses++
		fleet.OpenAlerts += s.OpenAlerts
		fleet.At = ev.ScheduledTime
		return f.Data.PutJSON("summary:fleet", fleet, 0) // EXPECT kvhotkey
	})
	if err := rt.Wait(); err != nil {
		return err
	}
	return f.Data.PutString("status:last-cron", ev.ScheduledTime.Format(time.RFC3339), nil)
}

// Daily stores the day's digest and archives yesterday's fleet card.
func (f *Fleet) Daily(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var fleet FleetSummary
	if err := f.Data.GetJSON("summary:fleet", &fleet); err != nil && err != ErrMissing {
		return err
	}
	b, _ := json.Marshal(fleet)
	now := ev.ScheduledTime
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	if err := f.Data.PutString("digest:today", string(b), &cloudflare.KVNamespacePutOptions{
		Expiration: int(endOfDay.Unix()), // DEBATABLE kvttl
	}); err != nil {
		return err
	}
	day := now.Add(-24 * time.Hour).Format("2006-01-02")
	if err := f.Data.PutString("digest:"+day, string(b), &cloudflare.KVNamespacePutOptions{
		Expiration: int(now.Add(90 * 24 * time.Hour).Unix()),
	}); err != nil {
		return err
	}
	return f.Data.PutString("fleet-archive:"+day, string(b), &cloudflare.KVNamespacePutOptions{
		Expiration: int(now.Add(48 * time.Hour).UnixMilli()), // EXPECT kvttl
	})
}

// ExportAlerts returns the names of all alert keys of the fleet.
func (f *Fleet) ExportAlerts(ctx context.Context) ([]string, error) {
	var names []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "alert:", Limit: 1000}
	for page := 0; page < 50; page++ {
		res, err := f.Data.List(opts) // EXPECT kvlist
		if err != nil {
			return names, err
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete || ctx.Err() != nil {
			return names, ctx.Err()
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return names, nil
}

func (f *Fleet) greenhouses(ctx context.Context) ([]string, error) {
	rows, err := f.DB.QueryContext(ctx, "SELECT id FROM greenhouses WHERE archived = 0 ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, strings.TrimSpace(id))
	}
	return ids, rows.Err()
}
