//go:build js && wasm

package reviews

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"
)

// ScoreEvent arrives from the text-classification queue.
type ScoreEvent struct {
	ReviewID   string  `json:"review_id"`
	Restaurant string  `json:"restaurant"`
	Toxicity   float64 `json:"toxicity"`
	Spam       float64 `json:"spam"`
	Model      string  `json:"model"`
}

// Scorer consumes classification results and auto-rejects reviews above
// the configured toxicity threshold.
type Scorer struct {
	ns   func() (*kv.Namespace, error)
	cmds *Commands
}

// NewScorer returns a queue consumer for score events.
func NewScorer(binding string, cmds *Commands) *Scorer {
	return &Scorer{
		ns:   sync.OnceValues(func() (*kv.Namespace, error) { return kv.NewNamespace(binding) }),
		cmds: cmds,
	}
}

// Consume implements queues.Consumer.
func (s *Scorer) Consume(batch *queues.MessageBatch) error {
	ns, err := s.ns()
	if err != nil {
		return err
	}
	ctx := context.Background()
	threshold := s.threshold(ns)
	for _, m := range batch.Messages {
		body, err := m.StringBody()
		if err != nil {
			m.Ack()
			continue
		}
		var ev ScoreEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil || ev.ReviewID == "" {
			m.Ack()
			continue
		}
		score, _ := json.Marshal(ev)
		if err := ns.PutString("review-score:"+ev.ReviewID, string(score), &kv.PutOptions{Expiration: int(now().AddDate(0, 0, 30).Unix())}); err != nil {
			m.Retry()
			continue
		}
		if ev.Toxicity >= threshold || ev.Spam >= 0.95 {
			reason := fmt.Sprintf("auto: toxicity %.2f spam %.2f (%s)", ev.Toxicity, ev.Spam, ev.Model)
			if _, err := s.cmds.Decide(ctx, ev.Restaurant, ev.ReviewID, "classifier", false, reason); err != nil && err != ErrNotFound {
				m.Retry()
				continue
			}
		}
		if err := ns.PutString("reviews:last-processed", m.ID, nil); err != nil { // EXPECT kvhotkey
			return err
		}
		m.Ack()
	}
	return nil
}

func (s *Scorer) threshold(ns *kv.Namespace) float64 {
	raw, _ := ns.GetString("moderation:auto-hide-threshold", nil) // EXPECT kvnull
	th, _ := strconv.ParseFloat(raw, 64)
	return th
}
