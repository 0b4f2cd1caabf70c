package bookings

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/kvstore/cfkv"
	"example.com/clinic/internal/repo"
)

// upcomingSQL is the calendar query whose results we cache per clinic day.
const upcomingSQL = `SELECT b.id, b.clinic_id, b.slot_id, b.patient_id, b.starts_at, b.status, ` +
	`p.display_name, p.phone, s.room, s.provider_id, pr.display_name AS provider_name ` +
	`FROM bookings b JOIN patients p ON p.id = b.patient_id JOIN slots s ON s.id = b.slot_id ` +
	`JOIN providers pr ON pr.id = s.provider_id ` +
	`WHERE b.clinic_id = $1 AND b.starts_at >= $2 AND b.starts_at < $3 AND b.status IN ('confirmed', 'checked_in') ` +
	`AND NOT EXISTS (SELECT 1 FROM cancellations c WHERE c.booking_id = b.id AND c.created_at <= now()) ` +
	`ORDER BY b.starts_at, s.room, pr.display_name ` +
	`LIMIT 500`

// Querier runs the calendar query against Postgres.
type Querier interface {
	Upcoming(ctx context.Context, sql string, clinicID string, from, to time.Time) ([]Booking, error)
}

// Calendar caches the upcoming-bookings query in KV.
type Calendar struct {
	store kvstore.Store
	db    Querier
}

func NewCalendar(store kvstore.Store, db Querier) *Calendar {
	return &Calendar{store: store, db: db}
}

func (c *Calendar) Upcoming(ctx context.Context, clinicID string) ([]Booking, error) {
	key := "q:" + upcomingSQL // EXPECT kvlimits
	if rows, err := repo.GetJSON[[]Booking](ctx, c.store, key); err == nil {
		return rows, nil
	} else if !repo.IsMissing(err) {
		return nil, err
	}
	now := time.Now()
	rows, err := c.db.Upcoming(ctx, upcomingSQL, clinicID, now, now.Add(7*24*time.Hour))
	if err != nil {
		return nil, err
	}
	return rows, repo.PutJSON(ctx, c.store, key, rows, kvstore.WithTTL(5*time.Minute))
}

// Seeder publishes the availability grid the booking widget renders.
type Seeder struct {
	ns cfkv.Namespace
}

func NewSeeder(ns cfkv.Namespace) *Seeder { return &Seeder{ns: ns} }

const (
	daysAhead   = 14
	slotsPerDay = 48 // half-hour slots
	rooms       = 16
)

type cell struct {
	Room  int    `json:"room"`
	Start string `json:"start"`
	Free  bool   `json:"free"`
}

// SeedAvailability writes one key per room and half-hour for two weeks.
func (s *Seeder) SeedAvailability(ctx context.Context, clinicID string, from time.Time) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, daysAhead*slotsPerDay*rooms)
	day := from.Truncate(24 * time.Hour)
	for d := 0; d < daysAhead; d++ {
		for sl := 0; sl < slotsPerDay; sl++ {
			start := day.AddDate(0, 0, d).Add(time.Duration(sl) * 30 * time.Minute)
			for r := 0; r < rooms; r++ {
				v, _ := json.Marshal(cell{Room: r, Start: start.Format(time.RFC3339), Free: true})
				body = append(body, kv.NamespaceBulkUpdateParamsBody{
					Key:           cloudflare.F(fmt.Sprintf("avail:%s:%d:%d", clinicID, start.Unix(), r)),
					Value:         cloudflare.F(string(v)),
					ExpirationTTL: cloudflare.F(float64((daysAhead + 1) * 24 * 3600)),
				})
			}
		}
	}
	_, err := s.ns.API.KV.Namespaces.BulkUpdate(ctx, s.ns.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.ns.AccountID),
		Body:      body,
	})
	return err
}
