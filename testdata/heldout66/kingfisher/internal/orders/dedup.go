package orders

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/kingfisher-ops/kingfisher/internal/kvstore"
)

// DedupRepository implements watermill's ExpiringKeyRepository over KV so
// that redeliveries are recognised across all orderd replicas, not only in
// the replica that saw the first delivery.
type DedupRepository struct {
	store  *kvstore.Store
	window time.Duration
}

var _ middleware.ExpiringKeyRepository = (*DedupRepository)(nil)

// NewDedupRepository remembers keys for window.
func NewDedupRepository(store *kvstore.Store, window time.Duration) *DedupRepository {
	return &DedupRepository{store: store, window: window}
}

// IsDuplicate reports whether key was seen within the window and records it
// otherwise.
func (r *DedupRepository) IsDuplicate(ctx context.Context, key string) (bool, error) {
	k := "dedup:" + key
	_, found, err := r.store.Lookup(ctx, k)
	if err != nil {
		return false, err
	}
	if found {
		return true, nil
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if err := r.store.Put(ctx, k, []byte(stamp), r.window); err != nil { // EXPECT kvrace
		return false, err
	}
	return false, nil
}

// MessageUUIDKey keys deduplication on the message UUID, which the edge
// Worker sets to the producer's event id.
func MessageUUIDKey(msg *message.Message) (string, error) {
	if msg.UUID == "" {
		return "", errors.New("message without uuid")
	}
	return message.HandlerNameFromCtx(msg.Context()) + ":" + msg.UUID, nil
}
