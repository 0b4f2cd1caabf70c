// Package roster exports class rosters to the learning management system.
// Exports run as background jobs that find their collaborators in the
// service locator.
package roster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/kokako-uni/kokako/internal/kvstore"
	"github.com/kokako-uni/kokako/internal/locator"
)

// Namespace is the roster namespace as registered in the locator.
type Namespace struct{ *kvstore.Namespace }

// Enrolments is the enrolment namespace (one key per student per section).
type Enrolments struct{ *kvstore.Namespace }

// Row is one line of an exported roster.
type Row struct {
	Student  string    `json:"student"`
	Name     string    `json:"name"`
	Program  string    `json:"program"`
	Credits  int       `json:"credits"`
	Enrolled time.Time `json:"enrolled"`
}

// Sink receives finished exports (the LMS uploader).
type Sink interface {
	Upload(ctx context.Context, section string, rows []Row) error
}

// manifestMetadata describes the export's columns for downstream consumers.
const manifestMetadata = `{"schema":"roster-export/v3","columns":[` +
	`{"name":"student_id","type":"string","description":"Student id as exported to the LMS and the reporting warehouse"},` +
	`{"name":"preferred_name","type":"string","description":"Preferred name as exported to the LMS and the reporting warehouse"},` +
	`{"name":"legal_name","type":"string","description":"Legal name as exported to the LMS and the reporting warehouse"},` +
	`{"name":"program","type":"string","description":"Program as exported to the LMS and the reporting warehouse"},` +
	`{"name":"year_level","type":"string","description":"Year level as exported to the LMS and the reporting warehouse"},` +
	`{"name":"credits_attempted","type":"string","description":"Credits attempted as exported to the LMS and the reporting warehouse"},` +
	`{"name":"credits_enrolled","type":"string","description":"Credits enrolled as exported to the LMS and the reporting warehouse"},` +
	`{"name":"grading_basis","type":"string","description":"Grading basis as exported to the LMS and the reporting warehouse"},` +
	`{"name":"enrolment_status","type":"string","description":"Enrolment status as exported to the LMS and the reporting warehouse"},` +
	`{"name":"enrolled_at","type":"string","description":"Enrolled at as exported to the LMS and the reporting warehouse"},` +
	`{"name":"waitlist_origin","type":"string","description":"Waitlist origin as exported to the LMS and the reporting warehouse"},` +
	`{"name":"advisor","type":"string","description":"Advisor as exported to the LMS and the reporting warehouse"},` +
	`{"name":"campus","type":"string","description":"Campus as exported to the LMS and the reporting warehouse"},` +
	`{"name":"email","type":"string","description":"Email as exported to the LMS and the reporting warehouse"},` +
	`{"name":"accommodations_flag","type":"string","description":"Accommodations flag as exported to the LMS and the reporting warehouse"},` +
	`{"name":"exported_at","type":"timestamp","description":"Export time"}]}`

// Exporter builds roster exports.
type Exporter struct {
	rosters Namespace
	enrol   Enrolments
	sink    Sink
}

// NewExporter looks its dependencies up in the locator.
func NewExporter(l *locator.Locator) *Exporter {
	return &Exporter{
		rosters: locator.Resolve[Namespace](l),
		enrol:   locator.Resolve[Enrolments](l),
		sink:    locator.Resolve[Sink](l),
	}
}

func enrolPrefix(section string) string { return "enrol:" + section + ":" }

// Export collects every enrolment of the section and hands it to the sink.
func (e *Exporter) Export(ctx context.Context, section string) error {
	client := e.enrol.Client()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.enrol.AccountID()),
		Prefix:    cloudflare.F(enrolPrefix(section)),
		Limit:     cloudflare.F(1000.0),
	}
	var rows []Row
	for {
		page, err := client.KV.Namespaces.Keys.List(ctx, e.enrol.ID(), params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			raw, err := e.enrol.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return fmt.Errorf("enrolment %s: %w", k.Name, err)
			}
			var r Row
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		progress, _ := json.Marshal(map[string]any{"section": section, "rows": len(rows)})
		if err := e.rosters.Put(ctx, "export:progress", progress, 0); err != nil { // EXPECT kvhotkey
			return err
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	if err := e.sink.Upload(ctx, section, rows); err != nil {
		return err
	}
	return e.writeManifest(ctx, section, len(rows))
}

func (e *Exporter) writeManifest(ctx context.Context, section string, n int) error {
	body, _ := json.Marshal(map[string]any{"section": section, "rows": n, "at": time.Now().UTC()})
	_, err := e.rosters.Client().KV.Namespaces.Values.Update(ctx, e.rosters.ID(), url.PathEscape("manifest:"+section), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(e.rosters.AccountID()),
		Metadata:  cloudflare.F(manifestMetadata), // EXPECT kvlimits
		Value:     cloudflare.F(string(body)),
	})
	return err
}

// Preview returns the first few enrolled students for the instructor's
// dashboard card.
func (e *Exporter) Preview(ctx context.Context, section string) ([]string, error) {
	page, err := e.enrol.Client().KV.Namespaces.Keys.List(ctx, e.enrol.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.enrol.AccountID()),
		Prefix:    cloudflare.F(enrolPrefix(section)),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, strings.TrimPrefix(k.Name, enrolPrefix(section)))
	}
	return names, nil
}

// Headcount counts enrolled students from the key listing.
func (e *Exporter) Headcount(ctx context.Context, section string) (int, error) {
	pager := e.enrol.Client().KV.Namespaces.Keys.ListAutoPaging(ctx, e.enrol.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(e.enrol.AccountID()),
		Prefix:    cloudflare.F(enrolPrefix(section)),
	})
	n := 0
	for pager.Next() {
		n++
	}
	return n, pager.Err()
}

// ErrTooLarge is returned when a section is bigger than an export allows.
var ErrTooLarge = errors.New("roster: section exceeds export budget")

// ExportFromMetadata builds the export from list metadata alone, reading at
// most maxPages pages.
func (e *Exporter) ExportFromMetadata(ctx context.Context, section string, maxPages int) ([]Row, error) {
	var rows []Row
	cursor := ""
	for range maxPages {
		page, err := e.enrol.ListPage(ctx, enrolPrefix(section), cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			rows = append(rows, Row{
				Student: strings.TrimPrefix(k.Name, enrolPrefix(section)),
				Name:    fmt.Sprint(k.Metadata["name"]),
				Program: fmt.Sprint(k.Metadata["program"]),
			})
		}
		if page.Cursor == "" {
			return rows, nil
		}
		cursor = page.Cursor
	}
	return rows, ErrTooLarge
}

// AddNote appends an instructor's note to the section's roster notes.
func (e *Exporter) AddNote(ctx context.Context, section, author, note string) error {
	key := "notes:" + section
	old, err := e.rosters.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	line := fmt.Sprintf("%s %s: %s\n", time.Now().UTC().Format(time.DateTime), author, note)
	return e.rosters.Put(ctx, key, append(old, line...), 0) // EXPECT kvrace
}

// Notes streams the section's notes.
func (e *Exporter) Notes(ctx context.Context, w io.Writer, section string) error {
	raw, err := e.rosters.Get(ctx, "notes:"+section)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = w.Write(raw)
	return err
}
