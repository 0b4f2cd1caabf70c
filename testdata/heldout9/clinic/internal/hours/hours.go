// Package hours serves per-clinic opening hours. Postgres is the source of
// truth; KV holds the published copy the booking widget reads at the edge.
package hours

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvstore/cfkv"
	"example.com/clinic/internal/policy"
)

func init() {
	policy.Register("hours", func() time.Duration { return 6 * time.Hour })
}

type Interval struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

type Week struct {
	ClinicID string                `json:"clinic_id"`
	Days     map[string][]Interval `json:"days"`
	Version  int                   `json:"version"`
}

// Source is the authoritative store.
type Source interface {
	LoadWeek(ctx context.Context, clinicID string) (Week, error)
}

type Service struct {
	ns  cfkv.Namespace
	src Source
	ttl func() time.Duration
}

func New(ns cfkv.Namespace, src Source) *Service {
	return &Service{ns: ns, src: src, ttl: policy.TTLFor("hours")}
}

func (s *Service) key(clinicID string) string { return keys.HoursPrefix + clinicID }

func (s *Service) read(ctx context.Context, clinicID string) (Week, error) {
	res, err := s.ns.API.KV.Namespaces.Values.Get(ctx, s.ns.ID, s.key(clinicID), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.ns.AccountID)})
	if err != nil {
		return Week{}, err
	}
	defer res.Body.Close()
	var w Week
	err = json.NewDecoder(res.Body).Decode(&w)
	return w, err
}

func (s *Service) write(ctx context.Context, w Week, ttl time.Duration) error {
	b, err := json.Marshal(w)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(cfkv.Text(string(b))),
		Metadata:  cloudflare.F[any](map[string]int{"version": w.Version}),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err = s.ns.API.KV.Namespaces.Values.Update(ctx, s.ns.ID, s.key(w.ClinicID), params)
	return err
}

// Get returns the clinic's week, filling KV from Postgres on a miss.
func (s *Service) Get(ctx context.Context, clinicID string) (Week, error) {
	w, err := s.read(ctx, clinicID)
	if err == nil {
		return w, nil
	}
	if !cfkv.IsNotFound(err) {
		return Week{}, err
	}
	w, err = s.src.LoadWeek(ctx, clinicID)
	if err != nil {
		return Week{}, err
	}
	if err := s.write(ctx, w, s.ttl()); err != nil {
		return Week{}, err
	}
	return w, nil
}

// EnsureDefaults is run when a clinic is onboarded so the widget has
// something to show before staff enter real hours.
func (s *Service) EnsureDefaults(ctx context.Context, clinicID string) error {
	res, err := s.ns.API.KV.Namespaces.Values.Get(ctx, s.ns.ID, s.key(clinicID), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.ns.AccountID)}) // EXPECT kvnull
	if err != nil {
		return s.write(ctx, DefaultWeek(clinicID), 0)
	}
	res.Body.Close()
	return nil
}

// SetDay replaces one weekday's intervals in the published copy.
func (s *Service) SetDay(ctx context.Context, clinicID, day string, iv []Interval) error {
	res, err := s.ns.API.KV.Namespaces.Values.Get(ctx, s.ns.ID, s.key(clinicID), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.ns.AccountID)})
	if err != nil {
		return fmt.Errorf("hours: load %s: %w", clinicID, err)
	}
	var w Week
	err = json.NewDecoder(res.Body).Decode(&w)
	res.Body.Close()
	if err != nil {
		return err
	}
	if w.Days == nil {
		w.Days = map[string][]Interval{}
	}
	w.Days[day] = iv
	w.Version = int(time.Now().Unix())
	b, _ := json.Marshal(w)
	_, err = s.ns.API.KV.Namespaces.Values.Update(ctx, s.ns.ID, s.key(clinicID), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(cfkv.Text(string(b))),
	})
	return err
}

// PublishHolidayNotice attaches the public-holiday notice to the clinic's
// hours so the widget can show it without a second read.
func (s *Service) PublishHolidayNotice(ctx context.Context, w Week) error {
	b, err := json.Marshal(w)
	if err != nil {
		return err
	}
	_, err = s.ns.API.KV.Namespaces.Values.Update(ctx, s.ns.ID, s.key(w.ClinicID), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(cfkv.Text(string(b))),
		Metadata:  cloudflare.F[any](map[string]string{"clinic": w.ClinicID, "notice": holidayNotice}), // EXPECT kvlimits
	})
	return err
}

func DefaultWeek(clinicID string) Week {
	weekday := []Interval{{Open: "08:00", Close: "12:30"}, {Open: "13:30", Close: "18:00"}}
	return Week{
		ClinicID: clinicID,
		Days: map[string][]Interval{
			"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday,
			"sat": {{Open: "09:00", Close: "12:00"}},
		},
	}
}
