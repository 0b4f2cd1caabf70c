package orders

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

type EventKind uint8

const (
	EventPlaced EventKind = iota + 1
	EventStatus
	EventCancelled
)

// Event is one entry of an order's event log. It is stored in a compact
// binary form: kind(1) | seq(4) | at(8, unix millis) | len(2) | payload.
type Event struct {
	Kind    EventKind
	Seq     uint32
	At      time.Time
	Payload []byte
}

var errShortEvent = errors.New("orders: short event record")

func (e Event) MarshalBinary() ([]byte, error) {
	if len(e.Payload) > 0xffff {
		return nil, fmt.Errorf("orders: event payload too large (%d bytes)", len(e.Payload))
	}
	b := make([]byte, 0, 15+len(e.Payload))
	b = append(b, byte(e.Kind))
	b = binary.BigEndian.AppendUint32(b, e.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(e.At.UnixMilli()))
	b = binary.BigEndian.AppendUint16(b, uint16(len(e.Payload)))
	return append(b, e.Payload...), nil
}

func (e *Event) UnmarshalBinary(b []byte) error {
	if len(b) < 15 {
		return errShortEvent
	}
	e.Kind = EventKind(b[0])
	e.Seq = binary.BigEndian.Uint32(b[1:5])
	e.At = time.UnixMilli(int64(binary.BigEndian.Uint64(b[5:13])))
	n := int(binary.BigEndian.Uint16(b[13:15]))
	if len(b) < 15+n {
		return errShortEvent
	}
	e.Payload = append([]byte(nil), b[15:15+n]...)
	return nil
}
