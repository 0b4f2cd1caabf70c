// Package kvlimits holds kvlimits' cases over a wrapper that writes the
// entries it is given in chunked bulk writes (bulkkv).
package kvlimits

import (
	"context"
	"encoding/json"

	"kvlint.test/cfv3/bulkkv"
)

// terms is the cancellation policy shown beside every listing.
const terms = "Cancellations made at least forty-eight hours before the start of a booked session are refunded in full to the original means of payment. Cancellations made at least forty-eight hours before the start of a booked session are refunded in full to the original means of payment. Cancellations made at least forty-eight hours before the start of a booked session are refunded in full to the original means of payment. Cancellations made at least forty-eight hours before the start of a booked session are refunded in full to the original means of payment. Cancellations made at least forty-eight hours before the start of a booked session are refunded in full to the original means of payment. Cancellations made at least forty-eight hours before the start of a booked session are refunded in full to the original means of payment. Cancellations made at least forty-eight hours before the start of a booked session are refunded in full to the original means of payment. Cancellations made at least forty-eight hours before the start of a booked session are refunded in full to the original means of payment. Cancellations made at least forty-eight hours before the start of a booked session are refunded in full to the original means of payment."

type Listing struct {
	ID    string
	Title string
}

// Publish writes every listing with the policy in its metadata, which
// then serialises to more than KV's 1,024 bytes.
func Publish(ctx context.Context, s bulkkv.Space, listings []Listing) error {
	entries := make([]bulkkv.Entry, 0, len(listings))
	for _, l := range listings {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		entries = append(entries, bulkkv.Entry{
			Name:  l.ID,
			Value: string(b),
			Meta:  map[string]any{"v": 2, "terms": terms}, // want `this metadata serialises to at least \d+ bytes`
		})
	}
	return s.WriteAll(ctx, entries)
}

// PublishTitles keeps only the title in the metadata.
func PublishTitles(ctx context.Context, s bulkkv.Space, listings []Listing) error {
	entries := make([]bulkkv.Entry, 0, len(listings))
	for _, l := range listings {
		entries = append(entries, bulkkv.Entry{Name: l.ID, Value: l.Title, Meta: map[string]any{"v": 2, "title": l.Title}})
	}
	return s.WriteAll(ctx, entries)
}
