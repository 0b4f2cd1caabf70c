package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/riverqueue/river"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

// SeatMapArgs re-renders an event's seat map after the organiser edits it.
type SeatMapArgs struct {
	EventID string `json:"event_id"`
}

func (SeatMapArgs) Kind() string { return "publish_seat_map" }

type SeatMapWorker struct {
	river.WorkerDefaults[SeatMapArgs]
	KV *kvstore.Store
	DB *sql.DB
}

func (w *SeatMapWorker) Work(ctx context.Context, job *river.Job[SeatMapArgs]) error {
	ev := job.Args.EventID
	rows, err := w.DB.QueryContext(ctx, `
		SELECT s.code, s.svg FROM sections s
		JOIN events e ON e.venue_id = s.venue_id
		WHERE e.id = $1 ORDER BY s.position`, ev)
	if err != nil {
		return err
	}
	defer rows.Close()
	var merged strings.Builder
	for rows.Next() {
		var code, svg string
		if err := rows.Scan(&code, &svg); err != nil {
			return err
		}
		if err := w.KV.Put(ctx, ticketing.SectionKey(ev, code), []byte(svg), 0); err != nil {
			return err
		}
		merged.WriteString(svg)
		// Publish as we go so the storefront fills in section by section.
		doc := `<svg xmlns="http://www.w3.org/2000/svg">` + merged.String() + `</svg>`
		if err := w.KV.Put(ctx, ticketing.SeatMapKey(ev), []byte(doc), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return rows.Err()
}

// SeatImportArgs loads a venue's seat inventory (one key per seat) after a
// new venue plan is uploaded.
type SeatImportArgs struct {
	VenueID string `json:"venue_id"`
}

func (SeatImportArgs) Kind() string { return "import_seats" }

type seatRecord struct {
	Section string `json:"section"`
	Row     string `json:"row"`
	Number  int    `json:"number"`
	Access  bool   `json:"access,omitempty"`
}

// importBatch is the number of pairs sent per bulk request.
const importBatch = 25_000

type SeatImportWorker struct {
	river.WorkerDefaults[SeatImportArgs]
	KV *kvstore.Store
	DB *sql.DB
}

func (w *SeatImportWorker) Work(ctx context.Context, job *river.Job[SeatImportArgs]) error {
	rows, err := w.DB.QueryContext(ctx, `
		SELECT section, row_label, number, accessible FROM seats WHERE venue_id = $1`, job.Args.VenueID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var entries []kv.NamespaceKeyBulkUpdateParamsBody
	for rows.Next() {
		var s seatRecord
		if err := rows.Scan(&s.Section, &s.Row, &s.Number, &s.Access); err != nil {
			return err
		}
		val, _ := json.Marshal(s)
		entries = append(entries, kv.NamespaceKeyBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("seat:%s:%s:%s:%d", job.Args.VenueID, s.Section, s.Row, s.Number)),
			Value: cloudflare.F(string(val)),
		})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	ns, account, nsID := w.KV.Namespace()
	for start := 0; start < len(entries); start += importBatch {
		end := min(start+importBatch, len(entries))
		res, err := ns.Keys.BulkUpdate(ctx, nsID, kv.NamespaceKeyBulkUpdateParams{AccountID: cloudflare.F(account), Body: entries[start:end]}) // EXPECT kvlimits
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("seat import: %d keys not written", len(res.UnsuccessfulKeys))
		}
	}
	return nil
}
