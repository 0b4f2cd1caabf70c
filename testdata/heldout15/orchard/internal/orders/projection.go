package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/orchard/internal/enc"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

// View is the read model shown on the order page.
type View struct {
	ID        ids.OrderID `json:"id"`
	Status    string      `json:"status"`
	Lines     int         `json:"lines"`
	Events    int         `json:"events"`
	UpdatedAt time.Time   `json:"updated_at"`
}

func (v *View) apply(ev Event) {
	v.Events++
	v.UpdatedAt = ev.At
	var o Order // placed events carry the order, status events {"status": ...}
	_ = json.Unmarshal(ev.Payload, &o)
	switch ev.Kind {
	case EventPlaced:
		v.Status, v.Lines = o.Status, len(o.Lines)
	case EventStatus:
		v.Status = o.Status
	case EventCancelled:
		v.Status = "cancelled"
	}
}

func (s *Service) viewKey(id ids.OrderID) string { return s.orderKey(id) + "/view" }

const maxEventPages = 10

// Rebuild replays the event log of one order and stores the resulting view.
func (s *Service) Rebuild(ctx context.Context, id ids.OrderID) (*View, error) {
	prefix := fmt.Sprintf(s.keys.Events, id)
	v := &View{ID: id}
	q := kvstore.ListQuery{Prefix: prefix, Limit: 1000}
	for page := 0; page < maxEventPages; page++ {
		p, err := s.store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			if strings.HasSuffix(k.Name, "head") {
				continue
			}
			raw, err := s.store.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			var ev Event
			if err := enc.FromHex(raw, &ev); err != nil {
				return nil, fmt.Errorf("orders: event %s: %w", k.Name, err)
			}
			v.apply(ev)
		}
		if p.Complete {
			break
		}
		q.Cursor = p.Cursor
	}
	return v, s.saveView(ctx, v)
}

// CatchUp applies events received from the order bus to the stored view.
func (s *Service) CatchUp(ctx context.Context, v *View, events []Event) error {
	for _, ev := range events {
		if ev.Seq != 0 && int(ev.Seq) <= v.Events {
			continue
		}
		v.apply(ev)
		if err := s.saveView(ctx, v); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (s *Service) saveView(ctx context.Context, v *View) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, s.viewKey(v.ID), b, kvstore.PutOptions{TTL: 24 * time.Hour})
}

// LoadView returns the stored view, rebuilding it when absent.
func (s *Service) LoadView(ctx context.Context, id ids.OrderID) (*View, error) {
	raw, err := s.store.Get(ctx, s.viewKey(id))
	if kvstore.IsNotFound(err) {
		return s.Rebuild(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	var v View
	return &v, json.Unmarshal(raw, &v)
}
