package messaging

import (
	"context"
	"strconv"
	"sync"
	"time"

	"bunting/internal/kvstore"
)

// Tally keeps the messages sent per clinic and day by this instance.
type Tally struct {
	counts sync.Map // "clinic|day" -> *int
	mu     sync.Mutex
}

// Add counts one message for a clinic.
func (t *Tally) Add(clinicID string) {
	k := clinicID + "|" + time.Now().UTC().Format("20060102")
	t.mu.Lock()
	defer t.mu.Unlock()
	v, _ := t.counts.LoadOrStore(k, new(int))
	*v.(*int)++
}

// Flush writes all tallies in one bulk request; called by the hourly cron.
func (t *Tally) Flush(ctx context.Context) error {
	var batch kvstore.Batch
	t.mu.Lock()
	t.counts.Range(func(k, v any) bool {
		key := k.(string)
		for i := 0; i < len(key); i++ {
			if key[i] == '|' {
				key = "msgcount:" + key[:i] + ":" + key[i+1:]
				break
			}
		}
		batch = append(batch, &kvstore.Pair{Key: key, Value: strconv.Itoa(*v.(*int)), ExpirationTTL: int((72 * time.Hour).Seconds())})
		return true
	})
	t.mu.Unlock()
	return kvstore.Default().WriteBatch(ctx, batch) // EXPECT kvcounter
}
