// Package schedules publishes clinicians' working patterns and the
// bookable availability derived from them, which the edge worker reads
// when patients book.
package schedules

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/gannet/internal/codec"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/storage"
	"example.com/gannet/internal/ttl"
)

var timeNow = time.Now

// Direct is what the service needs for endpoints the ports do not model.
type Direct struct {
	API       *cloudflare.Client
	AccountID string
	Namespace func() (string, error)
}

// Service owns schedule and availability keys.
type Service struct {
	kv     storage.KV
	bulk   storage.Bulk
	direct Direct
	// SlotMinutes is the booking granularity.
	SlotMinutes int
}

// New returns a Service. store must implement both ports.
func New(store interface {
	storage.KV
	storage.Bulk
}, direct Direct) *Service {
	return &Service{kv: store, bulk: store, direct: direct, SlotMinutes: 15}
}

// Get returns a clinician's schedule.
func (s *Service) Get(ctx context.Context, clinicianID string) (domain.Schedule, error) {
	b, ok, err := s.kv.Get(ctx, keys.Schedule(clinicianID))
	if err != nil {
		return domain.Schedule{}, err
	}
	if !ok {
		return domain.Schedule{}, domain.ErrNotFound
	}
	var sch domain.Schedule
	return sch, json.Unmarshal(b, &sch)
}

// Replace stores a schedule edited as a whole in the admin screen.
func (s *Service) Replace(ctx context.Context, sch domain.Schedule) error {
	sch.Updated = timeNow().UTC()
	b, err := json.Marshal(sch)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, keys.Schedule(sch.ClinicianID), b, storage.PutOptions{})
}

// AddBlock appends one working block to a clinician's schedule, used by
// the "add clinic hours" quick action.
func (s *Service) AddBlock(ctx context.Context, clinicianID string, blk domain.Block) error {
	sch, err := s.Get(ctx, clinicianID)
	if err != nil && err != domain.ErrNotFound {
		return err
	}
	sch.ClinicianID = clinicianID
	sch.Blocks = append(sch.Blocks, blk)
	sch.Updated = timeNow().UTC()
	b, err := json.Marshal(sch)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, keys.Schedule(clinicianID), b, storage.PutOptions{}) // EXPECT kvrace
}

// minutesPerFortnight is every minute of the two-week booking horizon.
const minutesPerFortnight = 14 * 24 * 60

// PublishMinutes publishes one key per bookable minute for the next two
// weeks, for the legacy widget that looks minutes up directly.
func (s *Service) PublishMinutes(ctx context.Context, sch domain.Schedule, from time.Time) error {
	start := from.UTC().Truncate(time.Minute)
	pairs := make([]storage.Pair, 0, minutesPerFortnight)
	for i := range minutesPerFortnight {
		t := start.Add(time.Duration(i) * time.Minute)
		v := "0"
		if works(sch, t) {
			v = "1"
		}
		pairs = append(pairs, storage.Pair{Key: keys.Minute(sch.ClinicianID, t), Value: []byte(v), TTL: 15 * 24 * time.Hour})
	}
	return s.bulk.BulkPut(ctx, pairs) // EXPECT kvlimits
}

// PublishDays publishes one bitmap per clinician-day, the current format.
func (s *Service) PublishDays(ctx context.Context, sch domain.Schedule, from time.Time, days int) error {
	const perRequest = 5000
	var pairs []storage.Pair
	day := from.UTC().Truncate(24 * time.Hour)
	for d := 0; d < days; d++ {
		var bm codec.Bitmap
		for m := 0; m < 24*60; m += s.SlotMinutes {
			if works(sch, day.Add(time.Duration(m)*time.Minute)) {
				bm.Set(m)
			}
		}
		b, _ := bm.MarshalBinary()
		pairs = append(pairs, storage.Pair{
			Key:      "day:" + sch.ClinicianID + ":" + day.Format("20060102"),
			Value:    b,
			TTL:      ttl.Days(days + 1).Duration(),
			Metadata: map[string]string{"tz": sch.TimeZone, "slot": fmt.Sprint(s.SlotMinutes)},
		})
		day = day.AddDate(0, 0, 1)
	}
	for len(pairs) > 0 {
		n := min(perRequest, len(pairs))
		if err := s.bulk.BulkPut(ctx, pairs[:n]); err != nil {
			return err
		}
		pairs = pairs[n:]
	}
	return nil
}

// DayAvailability returns the published availability of one day, by hour.
func (s *Service) DayAvailability(ctx context.Context, clinicianID string, day time.Time) (map[int]bool, error) {
	ks := make([]string, 0, 24)
	start := day.UTC().Truncate(24 * time.Hour)
	for h := range 24 {
		ks = append(ks, keys.Availability(clinicianID, start.Add(time.Duration(h)*time.Hour)))
	}
	got, err := s.bulk.BulkGet(ctx, ks)
	if err != nil {
		return nil, err
	}
	out := make(map[int]bool, 24)
	for h, k := range ks {
		out[h] = string(got[k]) == "1"
	}
	return out, nil
}

// WeekAvailability returns the published availability of a week, by hour.
func (s *Service) WeekAvailability(ctx context.Context, clinicianID string, weekStart time.Time) (map[time.Time]bool, error) {
	ns, err := s.direct.Namespace()
	if err != nil {
		return nil, err
	}
	hours := make([]time.Time, 0, 7*24)
	names := make([]string, 0, 7*24)
	for h := range 7 * 24 {
		t := ttl.StartOfHour(weekStart).Add(time.Duration(h) * time.Hour)
		hours = append(hours, t)
		names = append(names, keys.Availability(clinicianID, t))
	}
	res, err := s.direct.API.KV.Namespaces.BulkGet(ctx, ns, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.direct.AccountID),
		Keys:      cloudflare.F(names),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[time.Time]bool, len(hours))
	vals, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
	for i, n := range names {
		out[hours[i]] = fmt.Sprint(vals[n]) == "1"
	}
	return out, nil
}

// Published lists the clinicians that have a published schedule, for the
// "find a clinician" page.
func (s *Service) Published(ctx context.Context) ([]string, error) {
	ns, err := s.direct.Namespace()
	if err != nil {
		return nil, err
	}
	page, err := s.direct.API.KV.Namespaces.Keys.List(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.direct.AccountID),
		Prefix:    cloudflare.F("schedule:"),
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		ids = append(ids, strings.TrimPrefix(k.Name, "schedule:"))
	}
	return ids, nil
}

// Clinicians walks the schedule keys with a page budget, for the nightly
// consistency check.
func (s *Service) Clinicians(ctx context.Context, maxPages int) ([]string, bool, error) {
	var ids []string
	cursor, err := storage.Scan(ctx, s.kv, "schedule:", maxPages, func(k storage.ListedKey) error {
		ids = append(ids, strings.TrimPrefix(k.Name, "schedule:"))
		return nil
	})
	return ids, cursor == "", err
}

// works reports whether t falls in one of the schedule's blocks.
func works(sch domain.Schedule, t time.Time) bool {
	loc, err := time.LoadLocation(sch.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	hm := lt.Format("15:04")
	for _, b := range sch.Blocks {
		if b.Weekday == lt.Weekday() && hm >= b.From && hm < b.To {
			return true
		}
	}
	return false
}
