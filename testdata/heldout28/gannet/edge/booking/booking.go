//go:build js && wasm

// Package booking lets patients book visits into published availability.
package booking

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/gannet/edge/kvstore"
	"example.com/gannet/internal/codec"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/ttl"
)

var (
	timeNow = time.Now
	newID   = func() string {
		var b [10]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}
)

// scheduleEtagKey changes whenever bookings change, so that the
// clinician dashboards know to refetch.
const scheduleEtagKey = "schedule:etag"

// Service books visits.
type Service struct {
	store *kvstore.Store
}

// New returns a Service over store.
func New(store *kvstore.Store) *Service { return &Service{store: store} }

// Request is a patient's booking request.
type Request struct {
	PatientID string
	Slot      domain.Slot
	Kind      string
	Reason    string
}

// claim takes a slot for the patient. The claim lapses on its own a while
// before the slot starts if the booking is never confirmed by the EHR.
func (s *Service) claim(slot domain.Slot, patientID string) error {
	ns, err := s.store.Namespace()
	if err != nil {
		return err
	}
	key := keys.Slot(slot.ClinicianID, slot.Start)
	holder, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if holder != kvstore.Null && holder != patientID {
		return domain.ErrSlotTaken
	}
	hold := max(time.Until(slot.Start)/4, 15*time.Second)                                                          // EXPECT kvttl
	return ns.PutString(key, patientID, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(hold / time.Second)}) // EXPECT kvrace
}

// Book claims the slot and records the appointment.
func (s *Service) Book(ctx context.Context, req Request) (domain.Appointment, error) {
	if req.Slot.Start.Before(timeNow().Add(30 * time.Minute)) {
		return domain.Appointment{}, fmt.Errorf("booking: slots close 30 minutes before they start")
	}
	if err := s.claim(req.Slot, req.PatientID); err != nil {
		return domain.Appointment{}, err
	}
	appt := domain.Appointment{
		ID:          newID(),
		PatientID:   req.PatientID,
		ClinicianID: req.Slot.ClinicianID,
		Kind:        req.Kind,
		StartsAt:    req.Slot.Start,
		EndsAt:      req.Slot.End(),
		Reason:      req.Reason,
	}
	keep := ttl.UntilAtLeast(appt.EndsAt.Add(7*24*time.Hour), timeNow())
	if err := s.store.Save(ctx, keys.Appointment(appt.ID), appt, keep); err != nil {
		return domain.Appointment{}, err
	}
	if err := s.store.PutFor(ctx, keys.AppointmentDay(appt.StartsAt)+appt.ID, []byte(appt.ID), keep); err != nil {
		return domain.Appointment{}, err
	}
	etag := []byte(fmt.Sprintf("%d-%s", timeNow().UnixNano(), appt.ID))
	if err := s.store.Put(ctx, scheduleEtagKey, etag); err != nil { // EXPECT kvhotkey
		return appt, err
	}
	return appt, nil
}

// Cancel releases a patient's slot.
func (s *Service) Cancel(ctx context.Context, slot domain.Slot) error {
	return s.store.Delete(ctx, keys.Slot(slot.ClinicianID, slot.Start))
}

// Availability returns a clinician-day's bookable minutes, computing and
// caching them from the published schedule on a miss.
func (s *Service) Availability(ctx context.Context, clinicianID string, day time.Time) (codec.Bitmap, error) {
	var bm codec.Bitmap
	key := "avail-day:" + clinicianID + ":" + day.UTC().Format("20060102")
	if b, ok, err := s.store.Get(ctx, key); err != nil {
		return bm, err
	} else if ok {
		raw, err := base64.RawURLEncoding.DecodeString(string(b))
		if err != nil {
			return bm, err
		}
		return bm, bm.UnmarshalBinary(raw)
	}
	var sch domain.Schedule
	found, err := s.store.Load(ctx, keys.Schedule(clinicianID), &sch)
	if err != nil || !found {
		return bm, err
	}
	start := day.UTC().Truncate(24 * time.Hour)
	for m := 0; m < 24*60; m += 15 {
		t := start.Add(time.Duration(m) * time.Minute)
		for _, blk := range sch.Blocks {
			if blk.Weekday == t.Weekday() && t.Format("15:04") >= blk.From && t.Format("15:04") < blk.To {
				bm.Set(m)
			}
		}
	}
	b, _ := bm.MarshalBinary()
	return bm, s.store.PutFor(ctx, key, []byte(keys.Opaque(b)), ttl.Lifetime(20*time.Second))
}

// ClinicianOnline reports whether a clinician's app has checked in recently.
func (s *Service) ClinicianOnline(ctx context.Context, clinicianID string) (bool, error) {
	ns, err := s.store.Namespace()
	if err != nil {
		return false, err
	}
	seen, err := ns.GetString("presence:"+clinicianID, nil)
	if err != nil {
		return false, err
	}
	if seen == "" { // EXPECT kvnull
		return false, nil
	}
	return true, nil
}
