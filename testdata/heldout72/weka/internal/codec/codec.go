// Package codec holds the binary value layouts the team stores in KV: varint
// framed records, per-node counters, sorted ID sets and fixed-size rings of
// recent events. Every type round-trips through MarshalBinary/UnmarshalBinary.
package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// ErrCorrupt is returned when a stored value cannot be decoded.
var ErrCorrupt = errors.New("codec: corrupt value")

// AppendFrame appends payload to buf with a uvarint length prefix.
func AppendFrame(buf, payload []byte) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(payload)))
	return append(buf, payload...)
}

// SplitFrames returns the payloads of a framed buffer.
func SplitFrames(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return out, ErrCorrupt
		}
		out = append(out, b[w:w+int(n)])
		b = b[w+int(n):]
	}
	return out, nil
}

// PutStamp encodes a counter and a timestamp into 16 bytes.
func PutStamp(n uint64, at time.Time) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b[:8], n)
	binary.BigEndian.PutUint64(b[8:], uint64(at.Unix()))
	return b
}

// Stamp decodes what PutStamp wrote.
func Stamp(b []byte) (uint64, time.Time, error) {
	if len(b) != 16 {
		return 0, time.Time{}, ErrCorrupt
	}
	return binary.BigEndian.Uint64(b[:8]), time.Unix(int64(binary.BigEndian.Uint64(b[8:])), 0), nil
}

// NodeCounts is a grow-only counter with one slot per writer node. Replicas
// are merged by taking the per-node maximum.
type NodeCounts struct {
	byNode map[string]uint64
}

func NewNodeCounts() *NodeCounts { return &NodeCounts{byNode: map[string]uint64{}} }

// Add bumps the slot of node.
func (c *NodeCounts) Add(node string, n uint64) { c.byNode[node] += n }

// Merge folds other into c.
func (c *NodeCounts) Merge(other *NodeCounts) {
	for node, v := range other.byNode {
		c.byNode[node] = max(c.byNode[node], v)
	}
}

// Total is the sum over all nodes.
func (c *NodeCounts) Total() uint64 {
	var t uint64
	for _, v := range c.byNode {
		t += v
	}
	return t
}

func (c *NodeCounts) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	tmp := make([]byte, binary.MaxVarintLen64)
	for _, node := range slices.Sorted(maps.Keys(c.byNode)) {
		buf.Write(AppendFrame(nil, []byte(node)))
		buf.Write(tmp[:binary.PutUvarint(tmp, c.byNode[node])])
	}
	return buf.Bytes(), nil
}

func (c *NodeCounts) UnmarshalBinary(b []byte) error {
	c.byNode = map[string]uint64{}
	for len(b) > 0 {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return ErrCorrupt
		}
		node := string(b[w : w+int(n)])
		b = b[w+int(n):]
		v, w2 := binary.Uvarint(b)
		if w2 <= 0 {
			return ErrCorrupt
		}
		c.byNode[node] = v
		b = b[w2:]
	}
	return nil
}

// IDSet is a sorted set of question or user IDs.
type IDSet struct {
	ids []uint64
}

// Insert adds id, keeping the set sorted. It reports whether id was new.
func (s *IDSet) Insert(id uint64) bool {
	i, ok := slices.BinarySearch(s.ids, id)
	if ok {
		return false
	}
	s.ids = slices.Insert(s.ids, i, id)
	return true
}

// Remove deletes id if present.
func (s *IDSet) Remove(id uint64) bool {
	i, ok := slices.BinarySearch(s.ids, id)
	if !ok {
		return false
	}
	s.ids = slices.Delete(s.ids, i, i+1)
	return true
}

func (s *IDSet) Len() int      { return len(s.ids) }
func (s *IDSet) IDs() []uint64 { return slices.Clone(s.ids) }
func (s *IDSet) Has(id uint64) bool {
	_, ok := slices.BinarySearch(s.ids, id)
	return ok
}

// MarshalBinary delta-encodes the sorted IDs as uvarints.
func (s *IDSet) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, len(s.ids)*3)
	var prev uint64
	for _, id := range s.ids {
		out = binary.AppendUvarint(out, id-prev)
		prev = id
	}
	return out, nil
}

func (s *IDSet) UnmarshalBinary(b []byte) error {
	s.ids = s.ids[:0]
	var prev uint64
	for len(b) > 0 {
		d, w := binary.Uvarint(b)
		if w <= 0 {
			return ErrCorrupt
		}
		prev += d
		s.ids = append(s.ids, prev)
		b = b[w:]
	}
	return nil
}

// Event is one entry of a user's or question's recent activity.
type Event struct {
	At    time.Time
	Kind  uint8 // 1 asked, 2 answered, 3 commented, 4 voted, 5 edited
	Ref   uint64
	Actor uint64
}

// Ring keeps the last Cap events, oldest first.
type Ring struct {
	Cap    int
	events []Event
}

func NewRing(capacity int) *Ring { return &Ring{Cap: capacity} }

// Push appends e, dropping the oldest event when full.
func (r *Ring) Push(e Event) {
	if len(r.events) == r.Cap {
		copy(r.events, r.events[1:])
		r.events[len(r.events)-1] = e
		return
	}
	r.events = append(r.events, e)
}

// Events returns the events newest first.
func (r *Ring) Events() []Event {
	out := slices.Clone(r.events)
	slices.Reverse(out)
	return out
}

const eventSize = 8 + 1 + 8 + 8

func (r *Ring) MarshalBinary() ([]byte, error) {
	b := make([]byte, 2, 2+len(r.events)*eventSize)
	binary.BigEndian.PutUint16(b, uint16(r.Cap))
	for _, e := range r.events {
		var rec [eventSize]byte
		binary.BigEndian.PutUint64(rec[0:8], uint64(e.At.UnixMilli()))
		rec[8] = e.Kind
		binary.BigEndian.PutUint64(rec[9:17], e.Ref)
		binary.BigEndian.PutUint64(rec[17:25], e.Actor)
		b = append(b, rec[:]...)
	}
	return b, nil
}

func (r *Ring) UnmarshalBinary(b []byte) error {
	if len(b) < 2 || (len(b)-2)%eventSize != 0 {
		return fmt.Errorf("%w: ring of %d bytes", ErrCorrupt, len(b))
	}
	r.Cap = int(binary.BigEndian.Uint16(b))
	r.events = r.events[:0]
	for rec := b[2:]; len(rec) > 0; rec = rec[eventSize:] {
		r.events = append(r.events, Event{
			At:    time.UnixMilli(int64(binary.BigEndian.Uint64(rec[0:8]))),
			Kind:  rec[8],
			Ref:   binary.BigEndian.Uint64(rec[9:17]),
			Actor: binary.BigEndian.Uint64(rec[17:25]),
		})
	}
	return nil
}
