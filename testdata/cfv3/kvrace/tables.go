package kvrace

import (
	"context"

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
