package bookings

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"pochard/internal/kv"
	"pochard/internal/opt"
	"pochard/internal/workqueue"
)

// confirmed is the queued notice that a partner confirmed a booking.
type confirmed struct {
	BookingID string    `json:"booking_id"`
	HotelID   string    `json:"hotel_id"`
	Guest     string    `json:"guest"`
	CheckIn   time.Time `json:"check_in"`
	CheckOut  time.Time `json:"check_out"`
}

// Consumer issues codes and stay passes for confirmed bookings.
type Consumer struct {
	svc *Service
}

var _ workqueue.Handler = (*Consumer)(nil)

// NewConsumer returns a consumer for svc.
func NewConsumer(svc *Service) *Consumer { return &Consumer{svc: svc} }

// HandleBatch writes one bulk request per batch: a summary and a stay
// pass per booking.
func (c *Consumer) HandleBatch(ctx context.Context, q workqueue.Queue, batch []workqueue.Message) error {
	pairs := make([]kv.Pair, 0, 2*len(batch))
	acked := make([]string, 0, len(batch))
	for _, m := range batch {
		var ev confirmed
		if err := json.Unmarshal(m.Body, &ev); err != nil {
			slog.Warn("malformed confirmation", "id", m.ID)
			acked = append(acked, m.ID)
			continue
		}
		sum, _ := json.Marshal(Summary{BookingID: ev.BookingID, HotelID: ev.HotelID, Guest: ev.Guest, CheckIn: ev.CheckIn, CheckOut: ev.CheckOut})
		pairs = append(pairs, kv.Pair{
			Key:           KindSummary.key(ev.BookingID),
			Value:         sum,
			ExpirationTTL: opt.Seconds(lifetimes[KindSummary]),
		})
		pairs = append(pairs, kv.Pair{
			Key:        KindStayPass.key(ev.BookingID),
			Value:      []byte(ev.HotelID),
			Expiration: ev.CheckOut.UnixMilli(), // EXPECT kvttl
		})
		acked = append(acked, m.ID)
	}
	if len(pairs) > 0 {
		if err := c.svc.store.PutPairs(ctx, pairs); err != nil {
			for _, id := range acked {
				_ = q.Retry(ctx, id, 30*time.Second)
			}
			return err
		}
	}
	return q.Ack(ctx, acked...)
}

// IssueCodes pre-allocates confirmation codes for a list of bookings
// imported from a partner's back office.
func (s *Service) IssueCodes(ctx context.Context, bookingIDs []string) (map[string]string, error) {
	codes := make(map[string]string, len(bookingIDs))
	pairs := make([]kv.Pair, 0, len(bookingIDs))
	for _, id := range bookingIDs {
		code := randomCode(8)
		codes[id] = code
		pairs = append(pairs, kv.Pair{
			Key:           KindCode.key(code),
			Value:         []byte(id),
			ExpirationTTL: int(lifetimes[KindCode]), // EXPECT kvttl
		})
		_ = s.store.Put(ctx, "bookings:import:last", []byte(id), kv.PutOptions{}) // EXPECT kvhotkey
	}
	return codes, s.store.PutPairs(ctx, pairs)
}
