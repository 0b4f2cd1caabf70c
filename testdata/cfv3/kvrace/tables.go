package kvrace

import (
	"context"
	"encoding/json"
	"time"

	"kvlint.test/cfv3/doctable"
)

type Invoice struct {
	Payments []int
	Paid     int
}

// InvoiceStore embeds the generic table: its methods are promoted.
type InvoiceStore struct {
	doctable.Table[Invoice]
}

// The invoice read and written back under the same id parts, passed as
// variadic arguments on each call.
func (s *InvoiceStore) AddPayment(ctx context.Context, id string, amount int) error {
	inv, err := s.Table.Get(ctx, id)
	if err != nil {
		return err
	}
	inv.Payments = append(inv.Payments, amount)
	return s.Put(ctx, inv, id) // want `read-modify-write on one KV key`
}

// The same with two id parts.
func (s *InvoiceStore) AddLinePayment(ctx context.Context, id, line string, amount int) error {
	inv, err := s.Get(ctx, id, line)
	if err != nil {
		return err
	}
	inv.Payments = append(inv.Payments, amount)
	return s.Put(ctx, inv, id, line) // want `read-modify-write on one KV key`
}

// Quiet: copied to another id.
func (s *InvoiceStore) CopyTo(ctx context.Context, from, to string) error {
	inv, err := s.Get(ctx, from)
	if err != nil {
		return err
	}
	inv.Payments = nil
	return s.Put(ctx, inv, to)
}

// Quiet: the same parts in another order name another key.
func (s *InvoiceStore) Swap(ctx context.Context, id, line string) error {
	inv, err := s.Get(ctx, id, line)
	if err != nil {
		return err
	}
	inv.Paid = 0
	return s.Put(ctx, inv, line, id)
}

// A lookup of this package in front of the table: the id it is given
// reaches the table's variadic parts.
func (s *InvoiceStore) lookup(ctx context.Context, id string) (Invoice, error) {
	return s.Get(ctx, id)
}

func (s *InvoiceStore) Void(ctx context.Context, id string) error {
	inv, err := s.lookup(ctx, id)
	if err != nil {
		return err
	}
	inv.Payments = nil
	return s.Put(ctx, inv, id) // want `read-modify-write on one KV key`
}

// The key made by the table's Key method of the instantiated type, and
// written through the space the table holds.
func (s *InvoiceStore) Settle(ctx context.Context, id string) error {
	inv, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	inv.Payments = append(inv.Payments, -1)
	raw, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	return s.Space.WriteExpiring(ctx, s.Key(ctx, id), string(raw), time.Hour) // want `read-modify-write on one KV key`
}
