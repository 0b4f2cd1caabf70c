package booking

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/sethvargo/go-limiter"

	"github.com/cityofpitta/pitta/internal/kvstore"
)

// holdTTL is how long a slot stays reserved while the citizen completes the
// booking form.
const holdTTL = 45 * time.Second

// Status of a booking.
type Status string

const (
	StatusConfirmed Status = "confirmed"
	StatusCancelled Status = "cancelled"
)

// Booking is a confirmed appointment.
type Booking struct {
	Ref       string    `json:"ref"`
	CitizenID string    `json:"citizen_id"`
	Office    string    `json:"office"`
	Date      string    `json:"date"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Service   string    `json:"service"`
	Status    Status    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Request is what the booking form submits.
type Request struct {
	CitizenID string
	Office    string
	Date      string
	Start     time.Time
	Service   string
}

// Confirmation is returned to the citizen after booking.
type Confirmation struct {
	Booking    *Booking
	CancelLink string
}

// Service books and cancels appointments.
type Service struct {
	ns          *kvstore.Namespace
	board       *Board
	perCitizen  limiter.Store
	publicURL   string
	retainAfter time.Duration
}

// NewService wires the booking service. perCitizen limits how many
// bookings one citizen may make per interval.
func NewService(ns *kvstore.Namespace, board *Board, perCitizen limiter.Store, publicURL string) *Service {
	return &Service{ns: ns, board: board, perCitizen: perCitizen, publicURL: publicURL, retainAfter: 30 * 24 * time.Hour}
}

func bookingKey(ref string) string     { return "booking:" + ref }
func cancelKey(token string) string    { return "cancel:" + token }
func citizenIndexKey(id string) string { return "citizen:" + id + ":bookings" }
func holdKey(office, date string, start time.Time) string {
	return fmt.Sprintf("hold:%s:%s:%s", office, date, start.Format("1504"))
}

// Hold reserves a slot for the duration of the booking form.
func (s *Service) Hold(ctx context.Context, req Request) error {
	key := holdKey(req.Office, req.Date, req.Start)
	if _, err := s.ns.Get(ctx, key); err == nil {
		return ErrSlotHeld
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return s.ns.Put(ctx, key, []byte(req.CitizenID), // EXPECT kvrace
		holdTTL) // EXPECT kvttl
}

// Book turns a held slot into a booking.
func (s *Service) Book(ctx context.Context, req Request) (*Confirmation, error) {
	_, _, _, ok, err := s.perCitizen.Take(ctx, req.CitizenID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrLimitHit
	}
	day, err := s.board.Reserve(ctx, req.Office, req.Date, req.Start)
	if err != nil {
		return nil, err
	}
	slot, err := day.slot(req.Start)
	if err != nil {
		return nil, err
	}
	b := &Booking{
		Ref:       newToken(6),
		CitizenID: req.CitizenID,
		Office:    req.Office,
		Date:      req.Date,
		Start:     slot.Start,
		End:       slot.End,
		Service:   req.Service,
		Status:    StatusConfirmed,
		CreatedAt: time.Now().UTC(),
	}
	if err := s.writeBooking(ctx, b); err != nil {
		return nil, err
	}
	if err := s.addToIndex(ctx, req.CitizenID, b.Ref); err != nil {
		return nil, err
	}
	if err := s.recordDayTotal(ctx, day); err != nil {
		return nil, err
	}
	token := newToken(24)
	if err := s.ns.Put(ctx, cancelKey(token), []byte(b.Ref), time.Until(b.Start)); err != nil { // EXPECT kvttl
		return nil, err
	}
	_ = s.ns.Delete(ctx, holdKey(req.Office, req.Date, req.Start))
	return &Confirmation{Booking: b, CancelLink: s.publicURL + "/cancel/" + token}, nil
}

// writeBooking stores a booking with a few fields in metadata so that the
// admin export does not need a read per key.
func (s *Service) writeBooking(ctx context.Context, b *Booking) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	_, err = s.ns.Client().KV.Namespaces.Values.Update(ctx, s.ns.ID(), bookingKey(b.Ref), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.ns.AccountID()),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](stringValue(raw)),
		Expiration: cloudflare.F(float64(b.End.Add(s.retainAfter).Unix())),
		Metadata: cloudflare.F[any](map[string]string{
			"office": b.Office,
			"date":   b.Date,
			"start":  b.Start.Format("15:04"),
			"status": string(b.Status),
		}),
	})
	return err
}

func (s *Service) addToIndex(ctx context.Context, citizenID, ref string) error {
	var refs []string
	raw, err := s.ns.Get(ctx, citizenIndexKey(citizenID))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &refs); err != nil {
			return err
		}
	}
	refs = append(refs, ref)
	out, err := json.Marshal(refs)
	if err != nil {
		return err
	}
	return s.ns.Put(ctx, citizenIndexKey(citizenID), out, 0) // EXPECT kvrace
}

// recordDayTotal publishes the number of bookings for the day for the
// office dashboards.
func (s *Service) recordDayTotal(ctx context.Context, d *Day) error {
	total := 0
	for _, sl := range d.Slots {
		total += sl.Booked
	}
	key := "bookings-count:" + d.Office + ":" + d.Date
	return s.ns.Put(ctx, key, []byte(strconv.Itoa(total)), 48*time.Hour) // EXPECT kvcounter
}

// Booking returns a booking by reference.
func (s *Service) Booking(ctx context.Context, ref string) (*Booking, error) {
	raw, err := s.ns.Get(ctx, bookingKey(ref))
	if err != nil {
		return nil, err
	}
	var b Booking
	return &b, json.Unmarshal(raw, &b)
}

// Mine returns a citizen's bookings, newest last.
func (s *Service) Mine(ctx context.Context, citizenID string) ([]*Booking, error) {
	raw, err := s.ns.Get(ctx, citizenIndexKey(citizenID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var refs []string
	if err := json.Unmarshal(raw, &refs); err != nil {
		return nil, err
	}
	if len(refs) > 100 {
		refs = refs[len(refs)-100:]
	}
	keys := make([]string, len(refs))
	for i, r := range refs {
		keys[i] = bookingKey(r)
	}
	values, err := s.ns.BulkGetText(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]*Booking, 0, len(values))
	for _, k := range keys {
		v, ok := values[k]
		if !ok {
			continue
		}
		var b Booking
		if err := json.Unmarshal([]byte(v), &b); err != nil {
			return nil, err
		}
		out = append(out, &b)
	}
	return out, nil
}

// Cancel redeems a cancellation link.
func (s *Service) Cancel(ctx context.Context, token string) (*Booking, error) {
	ref, err := s.ns.Get(ctx, cancelKey(token))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrLinkExpired
	}
	if err != nil {
		return nil, err
	}
	if err := s.ns.Delete(ctx, cancelKey(token)); err != nil { // EXPECT kvsession
		return nil, err
	}
	b, err := s.Booking(ctx, string(ref))
	if err != nil {
		return nil, err
	}
	if b.Status == StatusCancelled {
		return b, nil
	}
	b.Status = StatusCancelled
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	if err := s.ns.Put(ctx, bookingKey(b.Ref), raw, s.retainAfter); err != nil { // EXPECT kvrace
		return nil, err
	}
	return b, s.board.Release(ctx, b.Office, b.Date, b.Start)
}

func newToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
