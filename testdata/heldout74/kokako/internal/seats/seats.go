// Package seats tracks open seats per course section.
package seats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/samber/do"

	"github.com/kokako-uni/kokako/internal/kvstore"
)

// ErrFull is returned when a section has no open seat.
var ErrFull = errors.New("seats: section full")

// ErrClaimed is returned when another student holds the seat.
var ErrClaimed = errors.New("seats: seat already claimed")

// Registrar is the student-information system, the source of truth for
// enrolment numbers.
type Registrar interface {
	OpenSeats(ctx context.Context, section string) (int, error)
	Capacity(ctx context.Context, section string) (int, error)
}

// Availability is what the portal and the edge show for a section.
type Availability struct {
	Section  string    `json:"section"`
	Open     int       `json:"open"`
	Capacity int       `json:"capacity"`
	AsOf     time.Time `json:"as_of"`
}

// SeatStore is provided by the samber/do injector.
type SeatStore struct {
	kv        *kvstore.Namespace
	registrar Registrar
	availTTL  time.Duration
	claimTTL  time.Duration
}

// NewSeatStore resolves its own dependencies from the injector.
func NewSeatStore(i *do.Injector) (*SeatStore, error) {
	ns, err := do.InvokeNamed[*kvstore.Namespace](i, "seats")
	if err != nil {
		return nil, err
	}
	return &SeatStore{
		kv:        ns,
		registrar: do.MustInvoke[Registrar](i),
		availTTL:  do.MustInvokeNamed[time.Duration](i, "availability-ttl"),
		claimTTL:  do.MustInvokeNamed[time.Duration](i, "claim-ttl"),
	}, nil
}

func availKey(section string) string { return "avail:" + section }
func countKey(section string) string { return "seats:" + section }

// Availability returns the cached availability of a section, asking the
// registrar when the cache has nothing.
func (s *SeatStore) Availability(ctx context.Context, section string) (Availability, error) {
	raw, err := s.kv.Get(ctx, availKey(section))
	if err == nil {
		var a Availability
		if json.Unmarshal(raw, &a) == nil {
			return a, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Availability{}, err
	}
	open, err := s.registrar.OpenSeats(ctx, section)
	if err != nil {
		return Availability{}, err
	}
	capacity, err := s.registrar.Capacity(ctx, section)
	if err != nil {
		return Availability{}, err
	}
	a := Availability{Section: section, Open: open, Capacity: capacity, AsOf: time.Now().UTC()}
	out, _ := json.Marshal(a)
	if err := s.kv.Put(ctx, availKey(section), out, s.availTTL); err != nil {
		return a, fmt.Errorf("cache availability: %w", err)
	}
	return a, nil
}

// Reserve takes one open seat in section for the student's cart.
func (s *SeatStore) Reserve(ctx context.Context, section string) (int, error) {
	raw, err := s.kv.Get(ctx, countKey(section))
	if err != nil {
		return 0, err
	}
	open, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("seat count for %s: %w", section, err)
	}
	if open <= 0 {
		return 0, ErrFull
	}
	open--
	if err := s.kv.Put(ctx, countKey(section), []byte(strconv.Itoa(open)), 0); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return open, nil
}

// Seed writes the opening seat counts for a term from the registrar.
func (s *SeatStore) Seed(ctx context.Context, sections []string) error {
	entries := make([]kvstore.Entry, 0, len(sections))
	for _, sec := range sections {
		n, err := s.registrar.Capacity(ctx, sec)
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{Key: countKey(sec), Value: strconv.Itoa(n)})
	}
	return s.kv.PutMany(ctx, entries)
}

// Claim marks a specific lab bench or studio seat as taken by student.
func (s *SeatStore) Claim(ctx context.Context, section string, seat int, student string) error {
	key := fmt.Sprintf("claim:%[1]s:%03[2]d", section, seat)
	_, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		return ErrClaimed
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.kv.Put(ctx, key, []byte(student), s.claimTTL) // EXPECT kvrace
}

// Refresh recomputes availability for each section from the registrar and
// stores it. It runs from the availability cron once per tick.
func (s *SeatStore) Refresh(ctx context.Context, sections []string) error {
	var errs []error
	for _, sec := range sections {
		open, err := s.registrar.OpenSeats(ctx, sec)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		capacity, _ := s.registrar.Capacity(ctx, sec)
		out, _ := json.Marshal(Availability{Section: sec, Open: open, Capacity: capacity, AsOf: time.Now().UTC()})
		if err := s.kv.Put(ctx, availKey(sec), out, s.availTTL); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
