package partner

import (
	"context"
	"errors"
	"strconv"
	"time"

	"example.com/pylon/internal/cache"
	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// Plan is a partner's contracted request volume.
type Plan struct {
	PartnerID   string
	PerHour     int
	BurstFactor float64
}

// PlanSource loads plans from the contract system.
type PlanSource func(ctx context.Context, partnerID string) (Plan, error)

// Quota enforces per-partner hourly request quotas.
type Quota struct {
	store storage.ReadWriter
	plans *cache.ReadThrough[Plan]
	now   func() time.Time
}

// NewQuota wires the quota checker. Plans change when contracts do.
func NewQuota(store storage.ReadWriter, plans PlanSource) *Quota {
	return &Quota{
		store: store,
		plans: cache.New(store, "plan:", 6*time.Hour, repo.JSON[Plan]{}, cache.Loader[Plan](plans)),
		now:   time.Now,
	}
}

// ErrOverQuota is returned when the partner used up this hour's requests.
var ErrOverQuota = errors.New("partner: hourly quota exceeded")

// Take consumes one request from the partner's hourly quota.
func (q *Quota) Take(ctx context.Context, partnerID string) (remaining int, err error) {
	plan, err := q.plans.Get(ctx, partnerID)
	if err != nil {
		return 0, err
	}
	hour := q.now().UTC().Truncate(time.Hour)
	key := "quota:" + partnerID + ":" + hour.Format("2006010215")
	used := 0
	raw, err := q.store.Get(ctx, key)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, storage.ErrNotFound):
		return 0, err
	}
	if used >= plan.PerHour {
		return 0, ErrOverQuota
	}
	used++
	if err := q.store.Put(ctx, key, []byte(strconv.Itoa(used)), storage.PutOptions{TTL: 2 * time.Hour}); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return plan.PerHour - used, nil
}
