// Package orders records the orders partners push through estuary and the
// status changes that follow. Records are a compact binary form, hex-wrapped.
package orders

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"example.com/estuary/internal/ids"
)

// Status is an order's lifecycle state.
type Status uint8

const (
	Pending Status = iota + 1
	Paid
	Shipped
	Cancelled
)

var statusNames = map[Status]string{Pending: "pending", Paid: "paid", Shipped: "shipped", Cancelled: "cancelled"}

func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// ParseStatus is the inverse of String.
func ParseStatus(s string) (Status, error) {
	for st, n := range statusNames {
		if n == s {
			return st, nil
		}
	}
	return 0, fmt.Errorf("orders: unknown status %q", s)
}

// next lists the transitions each status allows.
var next = map[Status][]Status{
	Pending: {Paid, Cancelled},
	Paid:    {Shipped, Cancelled},
}

// Order is the stored record.
type Order struct {
	ID          ids.OrderID
	Account     ids.AccountID
	Status      Status
	AmountCents int64
	Created     time.Time
	Updated     time.Time
}

const fixedLen = 16 + 1 + 8 + 8 + 8 + 2

var errShort = errors.New("orders: record too short")

// MarshalBinary lays the record out as id, status, amount, created and
// updated (unix nanoseconds), then the length-prefixed account.
func (o *Order) MarshalBinary() ([]byte, error) {
	if len(o.Account) > 0xffff {
		return nil, fmt.Errorf("orders: account id too long")
	}
	b := make([]byte, 0, fixedLen+len(o.Account))
	b = append(b, o.ID[:]...)
	b = append(b, byte(o.Status))
	b = binary.BigEndian.AppendUint64(b, uint64(o.AmountCents))
	b = binary.BigEndian.AppendUint64(b, uint64(o.Created.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(o.Updated.UnixNano()))
	b = binary.BigEndian.AppendUint16(b, uint16(len(o.Account)))
	return append(b, o.Account...), nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (o *Order) UnmarshalBinary(b []byte) error {
	if len(b) < fixedLen {
		return errShort
	}
	copy(o.ID[:], b[:16])
	o.Status = Status(b[16])
	o.AmountCents = int64(binary.BigEndian.Uint64(b[17:25]))
	o.Created = time.Unix(0, int64(binary.BigEndian.Uint64(b[25:33]))).UTC()
	o.Updated = time.Unix(0, int64(binary.BigEndian.Uint64(b[33:41]))).UTC()
	n := int(binary.BigEndian.Uint16(b[41:43]))
	if len(b) < fixedLen+n {
		return errShort
	}
	o.Account = ids.AccountID(b[fixedLen : fixedLen+n])
	return nil
}
