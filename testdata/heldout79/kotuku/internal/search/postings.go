package search

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"slices"
)

// Postings is a sorted list of listing IDs that contain a term.
//
// On the wire it is a uvarint count followed by uvarint deltas between
// consecutive IDs, base64-encoded so that the value survives the JSON body of
// the REST API.
type Postings []uint64

var errCorrupt = errors.New("search: corrupt posting list")

// DecodePostings parses an encoded posting list.
func DecodePostings(raw []byte) (Postings, error) {
	buf, err := base64.RawStdEncoding.AppendDecode(nil, raw)
	if err != nil {
		return nil, err
	}
	n, k := binary.Uvarint(buf)
	if k <= 0 {
		return nil, errCorrupt
	}
	buf = buf[k:]
	out := make(Postings, 0, n)
	var prev uint64
	for range n {
		d, k := binary.Uvarint(buf)
		if k <= 0 {
			return nil, errCorrupt
		}
		buf = buf[k:]
		prev += d
		out = append(out, prev)
	}
	return out, nil
}

// Encode renders the list in its storage form.
func (p Postings) Encode() []byte {
	buf := binary.AppendUvarint(nil, uint64(len(p)))
	var prev uint64
	for _, id := range p {
		buf = binary.AppendUvarint(buf, id-prev)
		prev = id
	}
	return base64.RawStdEncoding.AppendEncode(nil, buf)
}

// Add inserts id, keeping the list sorted and free of duplicates.
func (p Postings) Add(id uint64) Postings {
	i, found := slices.BinarySearch(p, id)
	if found {
		return p
	}
	return slices.Insert(p, i, id)
}

// Remove deletes id if present.
func (p Postings) Remove(id uint64) Postings {
	i, found := slices.BinarySearch(p, id)
	if !found {
		return p
	}
	return slices.Delete(p, i, i+1)
}

// Intersect returns the IDs present in every list. Lists are walked from the
// shortest so that the work is bounded by the rarest term.
func Intersect(lists ...Postings) Postings {
	if len(lists) == 0 {
		return nil
	}
	slices.SortFunc(lists, func(a, b Postings) int { return len(a) - len(b) })
	out := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		out = slices.DeleteFunc(out, func(id uint64) bool {
			_, ok := slices.BinarySearch(l, id)
			return !ok
		})
		if len(out) == 0 {
			break
		}
	}
	return out
}
