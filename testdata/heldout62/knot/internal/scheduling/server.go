// Package scheduling implements clinic.v1.SchedulingService: appointment
// slots, short holds while a patient completes intake, and bookings.
//
// Postgres is the system of record for bookings. KV carries what the edge
// Worker serves without calling back to us: slot lists, published clinician
// availability, upcoming-visit lists and the short-lived holds.
package scheduling

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/meridiancare/knot/internal/clinicv1"
	"github.com/meridiancare/knot/internal/clinicv1/clinicv1connect"
	"github.com/meridiancare/knot/internal/kvstore"
)

const (
	slotsCacheTTL   = 30 * time.Second
	availabilityTTL = 21 * 24 * time.Hour
	upcomingTTL     = 30 * 24 * time.Hour
)

// Server implements clinicv1connect.SchedulingServiceHandler.
type Server struct {
	Edge    *kvstore.Namespace // bound to the edge Worker as AVAILABILITY
	Holds   *kvstore.Namespace
	DB      *sql.DB
	HoldTTL time.Duration
}

var _ clinicv1connect.SchedulingServiceHandler = (*Server)(nil)

type holdRecord struct {
	HoldID      string    `json:"hold_id"`
	SlotID      string    `json:"slot_id"`
	ClinicianID string    `json:"clinician_id"`
	Day         string    `json:"day"`
	PatientID   string    `json:"patient_id"`
	ExpiresAt   time.Time `json:"expires_at"`
}

type upcomingVisit struct {
	BookingID   string    `json:"booking_id"`
	ClinicianID string    `json:"clinician_id"`
	Start       time.Time `json:"start"`
}

func (s *Server) ListSlots(ctx context.Context, req *connect.Request[v1.ListSlotsRequest]) (*connect.Response[v1.ListSlotsResponse], error) {
	clinician, day := req.Msg.GetClinicianId(), req.Msg.GetDay()
	if clinician == "" || day == "" {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("clinician_id and day are required"))
	}
	key := fmt.Sprintf("slots:%s:%s", clinician, day)
	var cached v1.ListSlotsResponse
	if found, err := s.Edge.GetJSON(ctx, key, &cached); err == nil && found {
		return connect.NewResponse(&cached), nil
	}

	rows, err := s.DB.QueryContext(ctx,
		`SELECT sl.id, sl.starts_at, sl.ends_at, sl.modality FROM slots sl
		 LEFT JOIN bookings b ON b.slot_id = sl.id AND b.cancelled_at IS NULL
		 WHERE sl.clinician_id = $1 AND sl.starts_at::date = $2 AND b.id IS NULL ORDER BY sl.starts_at`,
		clinician, day)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	defer rows.Close()
	resp := &v1.ListSlotsResponse{}
	for rows.Next() {
		sl := &v1.Slot{ClinicianId: clinician}
		if err := rows.Scan(&sl.SlotId, &sl.Start, &sl.End, &sl.Modality); err != nil {
			return nil, connect.NewError(connect.CodeInternal, err)
		}
		resp.Slots = append(resp.Slots, sl)
	}
	b, _ := json.Marshal(resp)
	if err := s.Edge.PutCached(ctx, key, b, slotsCacheTTL); err != nil {
		slog.WarnContext(ctx, "slot cache write failed", "key", key, "err", err)
	}
	return connect.NewResponse(resp), nil
}

func (s *Server) HoldSlot(ctx context.Context, req *connect.Request[v1.HoldSlotRequest]) (*connect.Response[v1.HoldSlotResponse], error) {
	slotID := req.Msg.SlotId
	var clinicianID string
	var start time.Time
	err := s.DB.QueryRowContext(ctx, `SELECT clinician_id, starts_at FROM slots WHERE id = $1`, slotID).Scan(&clinicianID, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("slot %s not found", slotID))
	} else if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}

	key := "hold:" + slotID
	switch _, err := s.Holds.Get(ctx, key); {
	case err == nil:
		return nil, connect.NewError(connect.CodeAlreadyExists, errors.New("slot is being booked by another patient"))
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	hold := holdRecord{
		HoldID: newID("hld"), SlotID: slotID, ClinicianID: clinicianID, Day: start.Format(time.DateOnly),
		PatientID: req.Msg.PatientId, ExpiresAt: time.Now().Add(s.HoldTTL),
	}
	if err := s.Holds.PutJSON(ctx, key, hold, s.HoldTTL); err != nil { // EXPECT kvrace
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	return connect.NewResponse(&v1.HoldSlotResponse{HoldId: hold.HoldID, ExpiresAt: hold.ExpiresAt}), nil
}

func (s *Server) BookSlot(ctx context.Context, req *connect.Request[v1.BookSlotRequest]) (*connect.Response[v1.BookSlotResponse], error) {
	slotID, patientID := req.Msg.SlotId, req.Msg.PatientId
	var hold holdRecord
	found, err := s.Holds.GetJSON(ctx, "hold:"+slotID, &hold)
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	if !found || hold.PatientID != patientID {
		return nil, connect.NewError(connect.CodeFailedPrecondition, errors.New("hold expired; pick the slot again"))
	}
	bookingID := newID("bkg")
	if _, err := s.DB.ExecContext(ctx,
		`INSERT INTO bookings (id, slot_id, patient_id, reason) VALUES ($1, $2, $3, $4)`,
		bookingID, slotID, patientID, req.Msg.Reason); err != nil {
		return nil, connect.NewError(connect.CodeAborted, fmt.Errorf("book slot: %w", err))
	}

	if err := errors.Join(
		s.Holds.Delete(ctx, "hold:"+slotID),
		s.Edge.Delete(ctx, fmt.Sprintf("slots:%s:%s", hold.ClinicianID, hold.Day)),
		s.refreshUpcoming(ctx, patientID),
	); err != nil {
		slog.WarnContext(ctx, "post-booking KV updates incomplete", "slot", slotID, "err", err)
	}
	return connect.NewResponse(&v1.BookSlotResponse{BookingId: bookingID}), nil
}

func (s *Server) CancelBooking(ctx context.Context, req *connect.Request[v1.CancelBookingRequest]) (*connect.Response[v1.CancelBookingResponse], error) {
	bookingID, patientID := req.Msg.BookingId, req.Msg.PatientId
	res, err := s.DB.ExecContext(ctx,
		`UPDATE bookings SET cancelled_at = now() WHERE id = $1 AND patient_id = $2 AND cancelled_at IS NULL`,
		bookingID, patientID)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, connect.NewError(connect.CodeNotFound, errors.New("no active booking"))
	}

	key := "upcoming:" + patientID
	var visits []upcomingVisit
	if _, err := s.Edge.GetJSON(ctx, key, &visits); err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, err)
	}
	visits = slices.DeleteFunc(visits, func(v upcomingVisit) bool { return v.BookingID == bookingID })
	if err := s.Edge.PutJSON(ctx, key, visits, upcomingTTL); err != nil { // EXPECT kvrace
		slog.WarnContext(ctx, "upcoming list update failed", "patient", patientID, "err", err)
	}
	return connect.NewResponse(&v1.CancelBookingResponse{}), nil
}

func (s *Server) PublishAvailability(ctx context.Context, req *connect.Request[v1.PublishAvailabilityRequest]) (*connect.Response[v1.PublishAvailabilityResponse], error) {
	clinician := req.Msg.ClinicianId
	byDay := make(map[string][]*v1.AvailabilityWindow)
	for _, w := range req.Msg.GetWindows() {
		byDay[w.Day] = append(byDay[w.Day], w)
	}
	for day, windows := range byDay {
		if err := s.Edge.PutJSON(ctx, fmt.Sprintf("avail:%s:%s", clinician, day), windows, availabilityTTL); err != nil {
			return nil, connect.NewError(connect.CodeUnavailable, err)
		}
		_ = s.Edge.Delete(ctx, fmt.Sprintf("slots:%s:%s", clinician, day))
	}

	stamp := map[string]any{"clinician_id": clinician, "days": len(byDay), "at": time.Now().UTC()}
	if err := s.Edge.PutJSON(ctx, "avail:last-published", stamp, 0); err != nil { // EXPECT kvhotkey
		slog.WarnContext(ctx, "publish stamp failed", "err", err)
	}
	return connect.NewResponse(&v1.PublishAvailabilityResponse{Days: int32(len(byDay))}), nil
}

// refreshUpcoming rebuilds the patient's upcoming-visit list from Postgres
// and writes it through to KV for the portal.
func (s *Server) refreshUpcoming(ctx context.Context, patientID string) error {
	rows, err := s.DB.QueryContext(ctx,
		`SELECT b.id, sl.clinician_id, sl.starts_at FROM bookings b JOIN slots sl ON sl.id = b.slot_id
		 WHERE b.patient_id = $1 AND b.cancelled_at IS NULL AND sl.starts_at > now() ORDER BY sl.starts_at`,
		patientID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var visits []upcomingVisit
	for rows.Next() {
		var v upcomingVisit
		if err := rows.Scan(&v.BookingID, &v.ClinicianID, &v.Start); err != nil {
			return err
		}
		visits = append(visits, v)
	}
	return s.Edge.PutJSON(ctx, "upcoming:"+patientID, visits, upcomingTTL)
}

func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}
