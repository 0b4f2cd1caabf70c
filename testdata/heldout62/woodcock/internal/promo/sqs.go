package promo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fleetbite/woodcock/internal/kvstore"
)

var ErrExhausted = errors.New("promo: no uses left")

// Redeemer is the SQS-triggered Lambda (lambda.Start(r.HandleSQS)).
type Redeemer struct {
	KV *kvstore.Namespace
}

// HandleSQS applies a batch of redemptions and reports the failed messages so
// that SQS redelivers only those.
func (r *Redeemer) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, msg := range ev.Records {
		if err := r.redeem(ctx, msg); err != nil {
			slog.ErrorContext(ctx, "redemption failed", "message", msg.MessageId, "err", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
			continue
		}
		if err := r.KV.Put(ctx, "promo:redemptions:last-message", []byte(msg.MessageId), 0); err != nil { // EXPECT kvhotkey
			slog.WarnContext(ctx, "checkpoint not written", "err", err)
		}
	}
	return resp, nil
}

func (r *Redeemer) redeem(ctx context.Context, msg events.SQSMessage) error {
	var red Redemption
	if err := json.Unmarshal([]byte(msg.Body), &red); err != nil {
		return err
	}
	usedKey := fmt.Sprintf("promo:used:%s:%s", red.Code, red.CustomerID)
	if _, err := r.KV.Get(ctx, usedKey); err == nil {
		return nil // already applied to this customer; drop the duplicate
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}

	p, err := load(ctx, r.KV, red.Code)
	if err != nil {
		return err
	}
	if p.MaxUses > 0 && p.Used >= p.MaxUses {
		return ErrExhausted
	}
	p.Used++
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := r.KV.Put(ctx, promoKey(red.Code), raw, 0); err != nil { // EXPECT kvrace|kvcounter
		return err
	}
	return r.KV.Put(ctx, usedKey, []byte(red.OrderID), 90*24*time.Hour) // EXPECT kvrace
}
