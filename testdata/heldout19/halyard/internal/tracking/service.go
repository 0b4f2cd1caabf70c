package tracking

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
)

// liabilityNotice is attached to every proof-of-delivery record so the
// customer portal can render it next to the signature without a second read.
const liabilityNotice = "Delivery of the goods described in this record was made in apparent good order and condition " +
	"unless otherwise noted at the time of delivery. The consignee's signature or the carrier's photo confirmation " +
	"constitutes prima facie evidence of delivery. Claims for loss, shortage or visible damage must be noted on the " +
	"delivery receipt and submitted in writing within nine (9) months of the delivery date; claims for concealed " +
	"damage must be reported within five (5) business days of delivery and the goods, cartons and packing material " +
	"must be retained for inspection. The carrier's liability is limited to the lesser of the actual value of the " +
	"goods, the declared value shown on the bill of lading, or the per-pound limitation published in the carrier's " +
	"tariff in effect on the date of shipment, unless excess valuation was purchased. In no event shall the carrier " +
	"or halyard be liable for special, incidental or consequential damages, including loss of profit, loss of " +
	"market, or delay, whether or not the possibility of such damages was disclosed. Perishable, hazardous and " +
	"high-value commodities are subject to the additional terms set out in the master transportation agreement " +
	"between the shipper and the carrier, which prevails over this notice in the event of conflict."

// POD is a proof-of-delivery reference.
type POD struct {
	Shipment  string    `json:"shipment"`
	SignedBy  string    `json:"signed_by"`
	PhotoRef  string    `json:"photo_ref,omitempty"`
	Delivered time.Time `json:"delivered"`
}

// CommandService applies writes. It holds the write side of the port plus
// the shipment store.
type CommandService struct {
	store *ShipmentStore
	out   kvstore.Writer
}

// NewCommandService wires the command side.
func NewCommandService(rw kvstore.ReadWriter) *CommandService {
	return &CommandService{store: NewShipmentStore(rw), out: rw}
}

// ApplyCarrierEvent folds one carrier event into the projection.
func (c *CommandService) ApplyCarrierEvent(ctx context.Context, k keys.Shipment, ev Event) (bool, error) {
	var changed bool
	err := c.store.Update(ctx, k, func(cur *Shipment) error {
		changed = cur.Apply(ev)
		return nil
	})
	return changed, err
}

// Publish stores a shipment received from the booking system.
func (c *CommandService) Publish(ctx context.Context, s *Shipment) error {
	if s.Status == "" {
		s.Status = StatusBooked
	}
	s.UpdatedAt = now().UTC()
	return c.store.Save(ctx, s)
}

// ImportBatch publishes many shipments, each under its own key.
func (c *CommandService) ImportBatch(ctx context.Context, batch []*Shipment) (int, error) {
	n := 0
	for _, s := range batch {
		if err := c.Publish(ctx, s); err != nil {
			return n, fmt.Errorf("tracking: import %s: %w", s.ID, err)
		}
		n++
	}
	return n, nil
}

// RecordPOD stores the proof-of-delivery reference next to the shipment.
func (c *CommandService) RecordPOD(ctx context.Context, k keys.Shipment, pod POD) error {
	b, err := json.Marshal(pod)
	if err != nil {
		return err
	}
	return c.out.Put(ctx, keys.Join("pod", k.Tenant, k.ID), b, kvstore.PutOptions{
		TTL: kvstore.SecondsOf(projectionTTL),
		Metadata: map[string]string{ // EXPECT kvlimits
			"signed_by": pod.SignedBy,
			"notice":    liabilityNotice,
		},
	})
}

// QueryService answers reads. It holds only the read half of the port.
type QueryService struct {
	r kvstore.Reader
	l kvstore.Lister
}

// NewQueryService wires the query side.
func NewQueryService(r kvstore.Reader, l kvstore.Lister) *QueryService {
	return &QueryService{r: r, l: l}
}

// Get returns one shipment.
func (q *QueryService) Get(ctx context.Context, k keys.Shipment) (*Shipment, error) {
	var s Shipment
	err := kvstore.GetJSON(ctx, q.r, k.String(), &s)
	switch {
	case kvstore.IsNotFound(err):
		return nil, ErrUnknownShipment
	case err != nil:
		return nil, err
	}
	return &s, nil
}

// SummaryPage is one page of a customer's shipments.
type SummaryPage struct {
	Items  []Summary `json:"items"`
	Cursor string    `json:"cursor,omitempty"`
}

// ListForCustomer returns one page of summaries, read from key metadata, and
// the cursor for the next page.
func (q *QueryService) ListForCustomer(ctx context.Context, tenant, customer, cursor string) (SummaryPage, error) {
	page, err := q.l.List(ctx, keys.CustomerPrefix(tenant, customer), cursor, 100)
	if err != nil {
		return SummaryPage{}, err
	}
	out := SummaryPage{Cursor: page.Cursor}
	for _, k := range page.Keys {
		s := Summary{ID: k.Name}
		if st, ok := k.Metadata["st"].(string); ok {
			s.Status = Status(st)
		}
		out.Items = append(out.Items, s)
	}
	return out, nil
}

// ActiveForCustomer returns the full records of the customer's shipments that
// are not yet delivered, looking at no more than five pages.
func (q *QueryService) ActiveForCustomer(ctx context.Context, tenant, customer string) ([]*Shipment, error) {
	const maxPages = 5
	var (
		out    []*Shipment
		cursor string
	)
	prefix := keys.CustomerPrefix(tenant, customer)
	for range maxPages {
		page, err := q.l.List(ctx, prefix, cursor, 200)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			b, err := q.r.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				if kvstore.IsNotFound(err) {
					continue
				}
				return nil, err
			}
			var s Shipment
			if err := json.Unmarshal(b, &s); err != nil {
				return nil, err
			}
			if s.Status != StatusDelivered && s.Status != StatusReturned {
				out = append(out, &s)
			}
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}
