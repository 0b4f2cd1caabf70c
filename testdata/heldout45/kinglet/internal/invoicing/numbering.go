// Package invoicing holds invoice numbering and draft handling.
package invoicing

import (
	"context"
	"fmt"
	"strconv"

	"kinglet/internal/kvstore"
)

// Numberer hands out sequential invoice numbers per customer and year.
type Numberer struct {
	Store     *kvstore.Store
	Namespace string
	Prefix    string
}

func (n Numberer) seqKey(customerID string, year int) string {
	return fmt.Sprintf("seq:%s:%04d", customerID, year)
}

// Current returns the last number handed out, or 0.
func (n Numberer) Current(ctx context.Context, customerID string, year int) (int, error) {
	raw, err := n.Store.Get(ctx, n.Namespace, n.seqKey(customerID, year))
	if kvstore.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Next allocates the next invoice number for customerID in year.
func (n Numberer) Next(ctx context.Context, customerID string, year int) (string, error) {
	seq, err := n.Current(ctx, customerID, year)
	if err != nil {
		return "", fmt.Errorf("read sequence: %w", err)
	}
	seq++
	key := n.seqKey(customerID, year)
	if err := n.Store.Put(ctx, n.Namespace, key, []byte(strconv.Itoa(seq)), 0); err != nil { // EXPECT kvcounter|kvrace
		return "", err
	}
	return n.Format(year, seq), nil
}

// Seed sets the sequence after an import from the accounting system.
func (n Numberer) Seed(ctx context.Context, customerID string, year, last int) error {
	return n.Store.Put(ctx, n.Namespace, n.seqKey(customerID, year), []byte(strconv.Itoa(last)), 0)
}

// Format renders an invoice number.
func (n Numberer) Format(year, seq int) string {
	return fmt.Sprintf("%s-%d-%05d", n.Prefix, year, seq)
}
