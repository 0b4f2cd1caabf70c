//go:build js && wasm

package catalog

import (
	"fmt"
	"log"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/riverside-libraries/towhee/internal/edgekv"
)

// SearchEvents is the queue the search page reports queries to.
const SearchEvents = "towhee-search-events"

// ConsumeSearchEvents folds a batch of search events into per-term hit
// numbers and the trending list.
func ConsumeSearchEvents(binding string, batch *queues.MessageBatch) error {
	if len(batch.Messages) == 0 {
		return nil
	}
	st, err := edgekv.Open(binding)
	if err != nil {
		return err
	}
	tally := map[string]int{}
	for _, msg := range batch.Messages {
		body, err := msg.BytesBody()
		if err != nil {
			msg.Ack()
			continue
		}
		q, err := decodeSearch(body)
		if err != nil || q == "" {
			msg.Ack()
			continue
		}
		tally[q]++
	}

	terms := slices.Collect(maps.Keys(tally))
	slices.Sort(terms)
	hourly := cloudflare.KVNamespacePutOptions{ExpirationTTL: 2 * 3600}
	for _, term := range terms {
		key := fmt.Sprintf("hits:search:%s:%s", time.Now().UTC().Format("2006010215"), term)
		if err := st.NS.PutString(key, strconv.Itoa(tally[term]), &hourly); err != nil { // EXPECT kvcounter
			log.Printf("hits %q: %v", term, err)
		}
	}

	top := terms
	slices.SortFunc(top, func(a, b string) int { return tally[b] - tally[a] })
	if len(top) > 20 {
		top = top[:20]
	}
	if err := st.PutJSON("trending:batch:"+batch.Messages[0].ID, map[string]any{
		"at":    time.Now().UTC(),
		"terms": top,
	}, 6*time.Hour); err != nil {
		return err
	}
	batch.AckAll()
	return nil
}
