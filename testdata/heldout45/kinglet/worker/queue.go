//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"
)

type paymentEvent struct {
	EventID  string    `json:"event_id"`
	Invoice  string    `json:"invoice"`
	Amount   int64     `json:"amount"`
	Currency string    `json:"currency"`
	PaidAt   time.Time `json:"paid_at"`
}

// consumePayments marks invoices as paid at the edge so payment pages stop
// offering them.
func (e *edge) consumePayments(batch *queues.MessageBatch) error {
	for _, msg := range batch.Messages {
		body, err := msg.StringBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var ev paymentEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			msg.Ack()
			continue
		}
		seen, err := e.links.GetString("psp-seen:"+ev.EventID, nil)
		if err != nil {
			msg.Retry()
			continue
		}
		if seen != kvMissing {
			msg.Ack()
			continue
		}
		if err := e.handlePayment(ev); err != nil {
			msg.Retry(queues.WithRetryDelay(30 * time.Second))
			continue
		}
		if err := e.links.PutString("psp-seen:"+ev.EventID, batch.Queue, &kv.PutOptions{ExpirationTTL: 7 * 86400}); err != nil { // DEBATABLE kvrace
			msg.Retry()
			continue
		}
		if err := e.links.PutString("psp:latest-event", ev.EventID, nil); err != nil { // EXPECT kvhotkey
			fmt.Println("latest event:", err)
		}
		msg.Ack()
	}
	return nil
}

func (e *edge) handlePayment(ev paymentEvent) error {
	st, _ := json.Marshal(map[string]any{"paid_at": ev.PaidAt, "amount": ev.Amount})
	if err := e.links.PutString("paid:"+ev.Invoice, string(st), &kv.PutOptions{ExpirationTTL: 400 * 86400}); err != nil {
		return err
	}
	histKey := "history:" + ev.Invoice
	prev, err := e.links.GetString(histKey, nil)
	if err != nil {
		return err
	}
	if prev == kvMissing {
		prev = ""
	}
	line := fmt.Sprintf("%s paid %d %s (%s)\n", ev.PaidAt.Format(time.RFC3339), ev.Amount, ev.Currency, ev.EventID)
	return e.links.PutString(histKey, prev+line, nil) // EXPECT kvrace
}
