package delivery

import (
	"context"
	"time"

	"wagtail/internal/kvstore"
)

const logCap = 50

// Attempt is one HTTP attempt in an endpoint's delivery log.
type Attempt struct {
	DeliveryID string        `json:"delivery_id"`
	Event      string        `json:"event"`
	Code       int           `json:"code"`
	Latency    time.Duration `json:"latency"`
	Error      string        `json:"error,omitempty"`
	At         time.Time     `json:"at"`
}

// EndpointLog keeps the last attempts per subscription under dlog:<sub>.
type EndpointLog struct {
	kvstore.Base
}

// NewEndpointLog returns an EndpointLog in namespace ns.
func NewEndpointLog(ns string) *EndpointLog {
	return &EndpointLog{Base: kvstore.NewBase(ns, kvstore.KindDeliveryLog)}
}

// Append adds an attempt to the subscription's log, keeping the newest.
func (l *EndpointLog) Append(ctx context.Context, subID string, a Attempt) error {
	key := l.KeyOf(subID)
	m, err := kvstore.Lookup[[]Attempt](ctx, l.NS, key)
	if err != nil {
		return err
	}
	entries := append(m.OrElse(nil), a)
	if len(entries) > logCap {
		entries = entries[len(entries)-logCap:]
	}
	return l.PutJSON(ctx, key, entries, kvstore.KindDeliveryLog.TTL()) // EXPECT kvrace
}

// Recent returns the logged attempts of a subscription, newest last.
func (l *EndpointLog) Recent(ctx context.Context, subID string) ([]Attempt, error) {
	m, err := kvstore.Lookup[[]Attempt](ctx, l.NS, l.KeyOf(subID))
	if err != nil {
		return nil, err
	}
	return m.OrElse([]Attempt{}), nil
}
