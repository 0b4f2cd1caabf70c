// Package export produces the files organisers download (attendee CSV,
// check-in sheets) and the public sitemap.
package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"example.com/lantern/internal/bufpool"
	"example.com/lantern/internal/keys"
	"example.com/lantern/internal/store"
)

// Options tunes how much of the store one export may read.
type Options struct {
	// PageSize is the number of keys requested per list call.
	PageSize int
	// MaxPages caps the list calls of one export.
	MaxPages int
}

// Exporter reads from a tenant-scoped store.
type Exporter struct {
	Store store.Store
	Opts  Options
	Clock func() time.Time
}

// AttendeesCSV writes one row per RSVP key of the event. The RSVP details
// are not needed for the badge printer, so values are not read.
func (e *Exporter) AttendeesCSV(ctx context.Context, w io.Writer, eventID string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"event", "user"}); err != nil {
		return err
	}
	err := store.Walk(ctx, e.Store, keys.RSVPPrefix(eventID), e.Opts.PageSize, e.Opts.MaxPages, func(k string) error {
		return cw.Write([]string{eventID, keys.UserFromRSVP(k)})
	})
	if errors.Is(err, store.ErrPageBudget) {
		// Partial exports are marked so organisers know to use the admin tool.
		err = cw.Write([]string{"#truncated", fmt.Sprint(e.Opts.MaxPages * e.Opts.PageSize)})
	}
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// AppendCheckin adds one scanned ticket to the event's check-in sheet.
func (e *Exporter) AppendCheckin(ctx context.Context, eventID, ticketID, gate string) error {
	key := keys.Checkins(eventID)
	var rows [][]string
	raw, err := e.Store.Get(ctx, key)
	switch {
	case store.IsNotFound(err):
		rows = [][]string{{"ticket", "gate", "at"}}
	case err != nil:
		return err
	default:
		if rows, err = csv.NewReader(bytes.NewReader(raw)).ReadAll(); err != nil {
			return fmt.Errorf("export: check-in sheet of %s: %w", eventID, err)
		}
	}
	rows = append(rows, []string{ticketID, gate, e.Clock().UTC().Format(time.RFC3339)})

	buf := bufpool.Get()
	defer bufpool.Put(buf)
	cw := csv.NewWriter(buf)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return e.Store.Put(ctx, key, buf.Bytes(), store.PutOptions{}) // EXPECT kvrace
}

type urlset struct {
	XMLName xml.Name     `xml:"urlset"`
	Xmlns   string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// Sitemap writes sitemap.xml with one entry per public event slug.
func (e *Exporter) Sitemap(ctx context.Context, w io.Writer, baseURL string) error {
	set := urlset{Xmlns: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	today := e.Clock().UTC().Format("2006-01-02")
	cursor := ""
	for {
		page, err := e.Store.List(ctx, "slug:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			slug := strings.TrimPrefix(k, "slug:")
			set.URLs = append(set.URLs, sitemapURL{Loc: baseURL + "/e/" + slug, LastMod: today})
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	return enc.Encode(set)
}
