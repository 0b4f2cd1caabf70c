package tracking

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
)

// projectionTTL bounds how long a finished shipment stays readable at the
// edge; active shipments are rewritten long before it runs out.
const projectionTTL = 45 * 24 * time.Hour

// ShipmentStore persists Shipment projections through the port.
type ShipmentStore struct {
	kv kvstore.ReadWriter
}

// NewShipmentStore wraps rw.
func NewShipmentStore(rw kvstore.ReadWriter) *ShipmentStore { return &ShipmentStore{kv: rw} }

func summaryOf(s *Shipment) Summary {
	return Summary{ID: s.ID, Status: s.Status, ETA: s.ETA}
}

// Save writes s as-is. Used when the booking system (the source of truth)
// publishes a shipment.
func (st *ShipmentStore) Save(ctx context.Context, s *Shipment) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	key := keys.Shipment{Tenant: s.Tenant, ID: s.ID}.String()
	return st.kv.Put(ctx, key, b, kvstore.PutOptions{
		TTL:      kvstore.SecondsOf(projectionTTL),
		Metadata: summaryOf(s),
	})
}

// Load returns the projection or ErrUnknownShipment.
func (st *ShipmentStore) Load(ctx context.Context, k keys.Shipment) (*Shipment, error) {
	var s Shipment
	if err := kvstore.GetJSON(ctx, st.kv, k.String(), &s); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, ErrUnknownShipment
		}
		return nil, err
	}
	return &s, nil
}

// Update loads the shipment, lets fn change it and writes it back.
func (st *ShipmentStore) Update(ctx context.Context, k keys.Shipment, fn func(cur *Shipment) error) error {
	cur, err := st.Load(ctx, k)
	if err != nil {
		return err
	}
	if err := fn(cur); err != nil {
		return err
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return fmt.Errorf("tracking: encode %s: %w", k, err)
	}
	return st.kv.Put(ctx, k.String(), b, kvstore.PutOptions{ // EXPECT kvrace
		TTL:      kvstore.SecondsOf(projectionTTL),
		Metadata: summaryOf(cur),
	})
}

// auditedWriter logs every mutation before passing it on.
type auditedWriter struct {
	next kvstore.Writer
	log  *log.Logger
}

func (w auditedWriter) Put(ctx context.Context, key string, v []byte, o kvstore.PutOptions) error {
	w.log.Printf("kv put key=%s bytes=%d ttl=%d", key, len(v), o.TTL)
	return w.next.Put(ctx, key, v, o)
}

func (w auditedWriter) Delete(ctx context.Context, key string) error {
	w.log.Printf("kv delete key=%s", key)
	return w.next.Delete(ctx, key)
}

// WithAudit returns rw with its write half replaced by a logging one; reads
// and listings go straight through.
func WithAudit(rw kvstore.ReadWriter, l *log.Logger) kvstore.ReadWriter {
	return struct {
		kvstore.Reader
		kvstore.Lister
		kvstore.Writer
	}{rw, rw, auditedWriter{next: rw, log: l}}
}
