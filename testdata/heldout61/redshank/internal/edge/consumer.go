//go:build js && wasm

package edge

import (
	"encoding/json"
	"log"
	"strconv"

	"github.com/syumai/workers/cloudflare/queues"

	"github.com/redshank-labs/redshank/internal/experiments"
)

// ConsumeExposures is the queue consumer for the "exposures" queue the
// client SDKs publish to through the Worker.
func ConsumeExposures(batch *queues.MessageBatch) error {
	a, err := New()
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, m := range batch.Messages {
		body, err := m.BytesBody()
		if err != nil {
			log.Printf("exposure %s: %v", m.ID, err)
			m.Ack()
			continue
		}
		var ev experiments.ExposureEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			log.Printf("exposure %s: %v", m.ID, err)
			m.Ack()
			continue
		}
		counts[experiments.ExposureKey(ev.ExperimentID, ev.Variant)]++
		if err := a.metrics.PutString("queue:exposures:last-id", m.ID, nil); err != nil { // EXPECT kvhotkey
			log.Printf("bookkeeping: %v", err)
		}
	}

	for key, n := range counts {
		cur, ok, err := getString(a.metrics, key, nil)
		if err != nil {
			return err
		}
		total := n
		if ok {
			prev, _ := strconv.Atoi(cur)
			total += prev
		}
		if err := a.metrics.PutString(key, strconv.Itoa(total), nil); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
	}
	batch.AckAll()
	return nil
}
