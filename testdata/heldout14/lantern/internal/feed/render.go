//go:build js && wasm

package feed

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Item is one event as it appears in a feed.
type Item struct {
	ID       string
	Title    string
	Venue    string
	URL      string
	StartsAt time.Time
	EndsAt   time.Time
}

func icsEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`).Replace(s)
}

func renderICS(tenantID string, items []Item) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Lantern//Events//EN\r\n")
	fmt.Fprintf(&b, "X-WR-CALNAME:%s\r\n", icsEscape(tenantID))
	const stamp = "20060102T150405Z"
	for _, it := range items {
		b.WriteString("BEGIN:VEVENT\r\n")
		fmt.Fprintf(&b, "UID:%s@lantern.events\r\n", it.ID)
		fmt.Fprintf(&b, "DTSTART:%s\r\nDTEND:%s\r\n", it.StartsAt.UTC().Format(stamp), it.EndsAt.UTC().Format(stamp))
		fmt.Fprintf(&b, "SUMMARY:%s\r\nLOCATION:%s\r\nURL:%s\r\n", icsEscape(it.Title), icsEscape(it.Venue), it.URL)
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

// partnerEventsQuery pulls community events from the partner network's
// GraphQL API for the "nearby" strip.
const partnerEventsQuery = `query PartnerEvents($first: Int = 50, $after: String) {
  communityEvents(first: $first, after: $after, filter: {status: PUBLISHED, visibility: PUBLIC, startsAfter: "now"}) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        title
        description(format: PLAIN, truncate: 280)
        startsAt
        endsAt
        timezone
        url
        venue { name address { line1 city region postalCode country } geo { lat lng } }
        organizer { id name slug avatarUrl }
        tags { slug label }
        capacity { total remaining }
        coverImage { url width height alt }
      }
    }
  }
}`

// PartnerEvents returns the partner network's events, cached for an hour.
func (c *Cache) PartnerEvents(ctx context.Context, fetch func(ctx context.Context, query string) ([]byte, error)) ([]byte, error) {
	return c.Fill(ctx, "gql:"+partnerEventsQuery, time.Hour, func(ctx context.Context) ([]byte, error) { // EXPECT kvlimits
		return fetch(ctx, partnerEventsQuery)
	})
}
