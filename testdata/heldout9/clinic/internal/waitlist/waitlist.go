// Package waitlist manages per-clinic waiting lists: patients join a list
// for a service, and when a slot frees up the first in line gets an offer.
package waitlist

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/repo"
)

var ErrNotQueued = errors.New("waitlist: patient is not on the list")

type Entry struct {
	PatientID string    `json:"patient_id"`
	Ticket    int       `json:"ticket"`
	JoinedAt  time.Time `json:"joined_at"`
}

type Queue struct {
	ClinicID string  `json:"clinic_id"`
	Service  string  `json:"service"`
	Entries  []Entry `json:"entries"`
}

func (q Queue) Key() string { return q.ClinicID + "/" + q.Service }

type Offer struct {
	ClinicID  string    `json:"clinic_id"`
	SlotID    string    `json:"slot_id"`
	PatientID string    `json:"patient_id"`
	Deadline  time.Time `json:"deadline"`
}

func (o Offer) Key() string { return o.SlotID }

// Prefs are the patient's contact preferences for offers.
type Prefs struct {
	SMS     bool   `json:"sms"`
	Email   bool   `json:"email"`
	Locale  string `json:"locale"`
	Morning bool   `json:"morning_only"`
}

type Service struct {
	store  kvstore.Store
	queues *repo.Repo[Queue]
	offers *repo.Repo[Offer]
	window time.Duration
	now    func() time.Time
}

func New(store kvstore.Store, offerWindow time.Duration) *Service {
	return &Service{
		store:  store,
		queues: repo.New[Queue](store, keys.WaitlistPrefix),
		offers: repo.New[Offer](store, "wloffer:"),
		window: offerWindow,
		now:    time.Now,
	}
}

func positionKey(clinicID string, joined time.Time, patientID string) string {
	return strings.Join([]string{"wlpos", clinicID, strconv.FormatInt(joined.UnixNano(), 10), patientID}, ":")
}

// Join adds the patient to the clinic's list for a service and returns the
// ticket number shown in the portal.
func (s *Service) Join(ctx context.Context, clinicID, service, patientID string) (int, error) {
	ticket, err := s.nextTicket(ctx, clinicID)
	if err != nil {
		return 0, err
	}
	q, err := s.queues.Get(ctx, clinicID+"/"+service)
	if err != nil && !repo.IsMissing(err) {
		return 0, fmt.Errorf("waitlist: load: %w", err)
	}
	q.ClinicID, q.Service = clinicID, service
	now := s.now()
	q.Entries = append(q.Entries, Entry{PatientID: patientID, Ticket: ticket, JoinedAt: now})
	if err := s.queues.Save(ctx, q); err != nil { // EXPECT kvrace
		return 0, err
	}
	if err := s.store.Put(ctx, positionKey(clinicID, now, patientID), []byte(service)); err != nil {
		return 0, err
	}
	return ticket, nil
}

func (s *Service) nextTicket(ctx context.Context, clinicID string) (int, error) {
	key := "wlseq:" + clinicID
	last := 0
	b, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		if last, err = strconv.Atoi(string(b)); err != nil {
			return 0, err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return 0, err
	}
	next := last + 1
	if err := s.store.Put(ctx, key, []byte(strconv.Itoa(next))); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return next, nil
}

// Position is the patient's 1-based place in the clinic's list.
func (s *Service) Position(ctx context.Context, clinicID, patientID string) (int, error) {
	page, err := s.store.List(ctx, "wlpos:"+clinicID+":", "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	for i, k := range page.Keys {
		if strings.HasSuffix(k.Name, ":"+patientID) {
			return i + 1, nil
		}
	}
	return 0, ErrNotQueued
}

// Offer records a slot offer; it lapses at the deadline so the next
// patient can be asked.
func (s *Service) Offer(ctx context.Context, o Offer) error {
	if o.Deadline.IsZero() {
		o.Deadline = s.now().Add(s.window)
	}
	return s.offers.Save(ctx, o, kvstore.WithTTL(max(time.Until(o.Deadline), 15*time.Second))) // EXPECT kvttl
}

// Preferences are shown next to the offer button in the staff UI.
func (s *Service) Preferences(ctx context.Context, patientID string) Prefs {
	return repo.Peek[Prefs](ctx, s.store, "wlprefs:"+patientID)
}
