package orders

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"example.com/quarry/internal/ids"
)

// Wire format v1, protobuf-ish but hand-rolled so the export worker can read
// it without a schema compiler: version byte, 16-byte id, then uvarint-length
// strings and varints for account, created, item count, each item's sku, qty
// and price, and the total.
const wireVersion = 1

var errShort = errors.New("orders: truncated record")

func (o *Order) MarshalBinary() ([]byte, error) {
	b := append([]byte{wireVersion}, o.ID[:]...)
	b = binary.AppendUvarint(b, uint64(len(o.Account)))
	b = append(b, o.Account...)
	b = binary.AppendVarint(b, o.Created.Unix())
	b = binary.AppendVarint(b, int64(len(o.Items)))
	for _, it := range o.Items {
		b = binary.AppendUvarint(b, uint64(len(it.SKU)))
		b = append(b, it.SKU...)
		b = binary.AppendVarint(b, int64(it.Qty))
		b = binary.AppendVarint(b, it.PriceCents)
	}
	return binary.AppendVarint(b, o.TotalCents), nil
}

func (o *Order) UnmarshalBinary(data []byte) (err error) {
	if len(data) < 17 || data[0] != wireVersion {
		return fmt.Errorf("orders: bad record header")
	}
	defer func() {
		if recover() != nil {
			err = errShort
		}
	}()
	var out Order
	copy(out.ID[:], data[1:17])
	b := data[17:]
	varint := func() int64 {
		v, n := binary.Varint(b)
		if n <= 0 {
			panic(errShort)
		}
		b = b[n:]
		return v
	}
	str := func() string {
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			panic(errShort)
		}
		s := string(b[n : n+int(l)])
		b = b[n+int(l):]
		return s
	}
	out.Account = ids.AccountID(str())
	out.Created = time.Unix(varint(), 0).UTC()
	for n := varint(); n > 0; n-- {
		out.Items = append(out.Items, Item{SKU: str(), Qty: int(varint()), PriceCents: varint()})
	}
	out.TotalCents = varint()
	*o = out
	return nil
}
