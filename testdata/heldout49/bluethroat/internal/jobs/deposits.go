//go:build js && wasm

package jobs

import (
	"encoding/json"
	"log"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/tablekeep/bluethroat/internal/edgekv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// DepositEvent is what the payments webhook enqueues.
type DepositEvent struct {
	BookingID   string    `json:"booking_id"`
	Status      string    `json:"status"`
	AmountCents int64     `json:"amount_cents"`
	At          time.Time `json:"at"`
}

// DepositConsumer copies payment provider events into the deposit records that
// Confirm reads.
type DepositConsumer struct {
	Binding   string
	Deposits  *edgekv.Namespace // BOOKINGS under "dep:"
	Meta      *edgekv.Namespace
	processed int
}

// Consume handles one batch from the deposits queue.
func (c *DepositConsumer) Consume(batch *queues.MessageBatch) error {
	for _, m := range batch.Messages {
		body, err := m.BytesBody()
		if err != nil {
			m.Ack()
			continue
		}
		var ev DepositEvent
		if err := json.Unmarshal(body, &ev); err != nil || ev.BookingID == "" {
			log.Printf("deposits: drop message %s: %v", m.ID, err)
			m.Ack()
			continue
		}
		d := &model.Deposit{
			BookingID:   ev.BookingID,
			Status:      ev.Status,
			AmountCents: ev.AmountCents,
			UpdatedAt:   ev.At,
		}
		if ev.Status == "captured" {
			d.CapturedCents = ev.AmountCents
		}
		if err := c.Deposits.Store(ev.BookingID, d, 0); err != nil {
			m.Retry(queues.WithRetryDelay(time.Minute))
			continue
		}
		if err := c.Meta.Put("queue:deposits:last-message", m.ID, 0); err != nil { // EXPECT kvhotkey
			log.Printf("deposits: checkpoint: %v", err)
		}
		m.Ack()
	}

	c.processed += len(batch.Messages)
	ns, err := kv.NewNamespace(c.Binding)
	if err != nil {
		return err
	}
	return ns.PutString("stats:deposit-events-count", strconv.Itoa(c.processed), nil) // EXPECT kvcounter
}
