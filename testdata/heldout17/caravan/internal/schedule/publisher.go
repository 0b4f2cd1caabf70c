// Package schedule publishes depot shift schedules from the ledger to Workers
// KV for the driver app and depot screens, from a cron every 15 minutes.
package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/ledger"
	"example.com/caravan/internal/platform/clock"
)

// Schedule is a depot's published day.
type Schedule struct {
	Depot       string            `json:"depot"`
	Day         string            `json:"day"`
	Shifts      []ledger.ShiftRow `json:"shifts"`
	PublishedAt time.Time         `json:"published_at"`
}

// Index lists the schedules of the current publication: key to shift count.
type Index struct {
	GeneratedAt time.Time      `json:"generated_at"`
	Schedules   map[string]int `json:"schedules"`
}

// Publisher writes schedules. It embeds the API client.
type Publisher struct {
	*cloudflare.Client
	AccountID   string
	NamespaceID string
	DB          *ledger.DB
	Clock       clock.Clock
	Log         *slog.Logger
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (p *Publisher) write(ctx context.Context, key string, value []byte, params kv.NamespaceValueUpdateParams) error {
	params.AccountID = cloudflare.F(p.AccountID)
	params.Value = cloudflare.F(string(value))
	_, err := p.KV.Namespaces.Values.Update(ctx, p.NamespaceID, key, params)
	return err
}

// Tick publishes today's and tomorrow's schedules of every depot.
func (p *Publisher) Tick(ctx context.Context) error {
	now := p.Clock.Now()
	index := Index{GeneratedAt: now, Schedules: map[string]int{}}
	for _, day := range []time.Time{clock.StartOfDay(now), clock.StartOfDay(now).AddDate(0, 0, 1)} {
		rows, err := p.DB.Shifts(ctx, day)
		if err != nil {
			return err
		}
		for depot, shifts := range byDepot(rows) {
			body, _ := json.Marshal(Schedule{Depot: depot, Day: day.Format(time.DateOnly), Shifts: shifts, PublishedAt: now})
			key := keys.ScheduleKey{Depot: depot, Day: day}.String()
			if err := p.write(ctx, key, body, kv.NamespaceValueUpdateParams{
				Expiration: cloudflare.F(float64(day.Add(72 * time.Hour).Unix())),
				Metadata:   cloudflare.F[any](occupancyOf(depot, day, shifts)), // EXPECT kvlimits
			}); err != nil {
				return fmt.Errorf("publish %s: %w", key, err)
			}
			if err := p.publishSlots(ctx, shifts); err != nil {
				return err
			}
			index.Schedules[key] = len(shifts)
			idx, _ := json.Marshal(index)
			if _, err := p.KV.Namespaces.Values.Update(ctx, p.NamespaceID, "schedules:index", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
				AccountID: cloudflare.F(p.AccountID),
				Value:     cloudflare.F(string(idx)),
			}); err != nil {
				return err
			}
		}
	}
	if err := p.write(ctx, "schedules:latest", []byte(now.Format(time.RFC3339)), kv.NamespaceValueUpdateParams{}); err != nil {
		return err
	}
	v, err := p.bumpVersion(ctx)
	p.Log.InfoContext(ctx, "schedules published", "schedules", len(index.Schedules), "version", v, "err", err)
	return err
}

// occupancy is stored as key metadata so that depot screens can draw the
// day's five-minute grid from a listing without reading each schedule.
type occupancy struct {
	Depot string    `json:"depot"`
	Slots [288]bool `json:"slots"`
}

func occupancyOf(depot string, day time.Time, shifts []ledger.ShiftRow) occupancy {
	occ := occupancy{Depot: depot}
	for _, s := range shifts {
		for t := s.Start; t.Before(s.End); t = t.Add(5 * time.Minute) {
			if i := int(t.Sub(day) / (5 * time.Minute)); i >= 0 && i < len(occ.Slots) {
				occ.Slots[i] = true
			}
		}
	}
	return occ
}

func byDepot(rows []ledger.ShiftRow) map[string][]ledger.ShiftRow {
	out := map[string][]ledger.ShiftRow{}
	for _, r := range rows {
		out[r.Depot] = append(out[r.Depot], r)
	}
	return out
}

// publishSlots writes one key per shift so a driver's app can fetch its own
// shift without downloading the depot schedule. Each key disappears when its
// shift is over.
func (p *Publisher) publishSlots(ctx context.Context, rows []ledger.ShiftRow) error {
	if len(rows) == 0 {
		return nil
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for _, r := range rows {
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("shift:" + r.Driver + ":" + r.Start.Format("200601021504")),
			Value:      cloudflare.F(string(v)),
			Expiration: cloudflare.F(float64(r.End.UnixMilli())), // EXPECT kvttl
		})
	}
	_, err := p.KV.Namespaces.BulkUpdate(ctx, p.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(p.AccountID),
		Body:      body,
	})
	return err
}

// bumpVersion increments the publication number that depot screens poll to
// know when to reload.
func (p *Publisher) bumpVersion(ctx context.Context) (int64, error) {
	var v int64
	resp, err := p.KV.Namespaces.Values.Get(ctx, p.NamespaceID, "schedules:version", kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.AccountID),
	})
	switch {
	case err == nil:
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return 0, rerr
		}
		v, _ = strconv.ParseInt(string(b), 10, 64)
	case !notFound(err):
		return 0, err
	}
	v++
	if _, err := p.KV.Namespaces.Values.Update(ctx, p.NamespaceID, "schedules:version", kv.NamespaceValueUpdateParams{ // DEBATABLE kvcounter
		AccountID: cloudflare.F(p.AccountID),
		Value:     cloudflare.F(strconv.FormatInt(v, 10)),
	}); err != nil {
		return 0, err
	}
	return v, nil
}
