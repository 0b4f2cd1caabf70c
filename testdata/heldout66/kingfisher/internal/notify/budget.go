package notify

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kingfisher-ops/kingfisher/internal/kvstore"
)

// RetryBudgets limits how many failed sends one customer may cause per hour,
// so a broken address does not keep the retry queue busy. Failures are
// counted in memory and published to KV, where the admin tool and the edge
// Worker read them.
type RetryBudgets struct {
	store *kvstore.Store
	log   *slog.Logger
	max   int

	mu    sync.Mutex
	hour  int64
	spent map[string]int
}

// NewRetryBudgets allows max failures per customer per hour.
func NewRetryBudgets(store *kvstore.Store, max int, log *slog.Logger) *RetryBudgets {
	return &RetryBudgets{store: store, max: max, log: log, spent: map[string]int{}}
}

func (b *RetryBudgets) rollLocked(now time.Time) {
	if h := now.Unix() / 3600; h != b.hour {
		b.hour = h
		clear(b.spent)
	}
}

// ErrorHandler is the asynq server's ErrorHandler.
func (b *RetryBudgets) ErrorHandler() asynq.ErrorHandlerFunc {
	return func(ctx context.Context, task *asynq.Task, err error) {
		if task.Type() != TypeSend {
			return
		}
		var p SendPayload
		if json.Unmarshal(task.Payload(), &p) != nil {
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		b.rollLocked(time.Now())
		b.spent[p.CustomerID]++
	}
}

// Exhausted reports whether customerID has no failures left this hour.
func (b *RetryBudgets) Exhausted(customerID string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollLocked(time.Now())
	return b.spent[customerID] >= b.max
}

// Run publishes the budgets every interval until ctx ends.
func (b *RetryBudgets) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.flush(ctx)
		}
	}
}

func (b *RetryBudgets) flush(ctx context.Context) {
	b.mu.Lock()
	hour := b.hour
	snapshot := make(map[string]int, len(b.spent))
	for k, v := range b.spent {
		snapshot[k] = v
	}
	b.mu.Unlock()

	for customerID, spent := range snapshot {
		key := "retry-budget:" + customerID + ":" + strconv.FormatInt(hour, 10)
		left := max(b.max-spent, 0)
		if err := b.store.Put(ctx, key, []byte(strconv.Itoa(left)), 2*time.Hour); err != nil { // EXPECT kvcounter
			b.log.WarnContext(ctx, "publish retry budget", "customer", customerID, "err", err)
		}
	}
}
