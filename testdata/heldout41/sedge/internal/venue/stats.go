//go:build js && wasm

package venue

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"sedge/internal/edgekv"
	"sedge/internal/events"
)

// statsRecorder keeps the figures shown on the venue dashboard.
type statsRecorder struct {
	events.Ignore
	counts edgekv.Store
	meta   edgekv.Store
	boards edgekv.Store
}

type orderStats struct {
	Orders  int `json:"orders"`
	Revenue int `json:"revenue"`
}

func (s *statsRecorder) VisitCheckout(_ context.Context, e *events.CartCheckedOut) error {
	name := "orders:" + e.Venue + ":" + time.Now().UTC().Format("2006-01-02")
	var st orderStats
	if o, err := s.counts.Lookup(name); err != nil {
		return err
	} else if raw, ok := o.Get(); ok {
		if err := json.Unmarshal([]byte(raw), &st); err != nil {
			return err
		}
	}
	st.Orders++
	st.Revenue += e.Total
	return s.counts.PutJSON(name, st, 40*24*time.Hour) // EXPECT kvcounter|kvrace
}

func (s *statsRecorder) VisitBooking(_ context.Context, e events.BookingConfirmed) error {
	body, err := json.Marshal(map[string]any{"venue": e.Venue, "covers": e.Covers, "at": e.At})
	if err != nil {
		return err
	}
	return s.meta.Put("last-booking", string(body), 0) // EXPECT kvhotkey
}

func (s *statsRecorder) VisitNoShow(_ context.Context, e events.NoShowRecorded) error {
	return s.counts.Put("noshow-count:"+e.DinerID, strconv.Itoa(e.Prior+1), 365*24*time.Hour) // EXPECT kvcounter
}

func (s *statsRecorder) VisitWaitlist(_ context.Context, e events.WaitlistJoined) error {
	b := map[string]any{"venue": e.Venue, "waiting": e.Position, "updated": time.Now()}
	return s.boards.PutJSON(e.Venue, b, 6*time.Hour)
}

// MenuViewed counts a menu view in this isolate and publishes the running
// figure every tenth view.
func (s *Service) MenuViewed(venue string) error {
	s.views.mu.Lock()
	s.views.n[venue]++
	n := s.views.n[venue]
	s.views.mu.Unlock()
	if n%10 != 0 {
		return nil
	}
	return s.counts.Put("views:"+venue, strconv.Itoa(n), 0) // EXPECT kvcounter
}

// Digest is run by the scheduled handler: it renders the morning digest and
// pre-warms the opening-hours markers for the coming week.
func (s *Service) Digest(ctx context.Context, venues []string) error {
	var jobs []func() error
	for _, v := range venues {
		jobs = append(jobs, func() error {
			h, err := s.hours.Get(ctx, v)
			if err != nil {
				return err
			}
			d := map[string]any{"venue": v, "has_hours": h.IsSome(), "at": time.Now()}
			return s.meta.PutJSON("digest:today", d, 26*time.Hour) // EXPECT kvhotkey
		})
	}
	for i := range 7 {
		day := time.Now().UTC().AddDate(0, 0, i).Format("2006-01-02")
		jobs = append(jobs, func() error {
			return s.meta.Put("week:"+day, strconv.Itoa(len(venues)), 8*24*time.Hour)
		})
	}
	var errs []error
	for _, job := range jobs {
		errs = append(errs, job())
	}
	return errors.Join(errs...)
}
