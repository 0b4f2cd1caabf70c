// Package archive copies the records of closed consultations into the
// archive namespace, where they are kept for the statutory retention period.
// It predates the move to the current API client and still uses the older
// one.
package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	kvv2 "github.com/cloudflare/cloudflare-go/v2/kv"
)

const (
	archiveBatch = 25_000
	summaryBatch = 5_000
	retention    = 365 * 24 * time.Hour
)

// consentStatement is the privacy statement shown on consultation forms
// since the 2023 revision of the council's data-protection policy.
const consentStatement = "I understand that the City Council will process the information I provide " +
	"in this consultation in order to understand the views of residents, businesses and visitors on the " +
	"proposals described. My response may be published in anonymised form. Personal details such as my " +
	"name, email address and postcode will not be published and will be held securely by the Council's " +
	"Democratic Services team for the duration of the consultation and for one year after it closes, " +
	"after which they will be deleted. I can ask to see, correct or withdraw my response at any time " +
	"before the consultation closes by contacting the Data Protection Officer."

// Record is one archived response.
type Record struct {
	Kind      string          `json:"kind"` // ballot, signature or comment
	ID        string          `json:"id"`
	CitizenID string          `json:"citizen_id"`
	Body      json.RawMessage `json:"body"`
	At        time.Time       `json:"at"`
}

// Archiver writes to the archive namespace.
type Archiver struct {
	KV        *kvv2.NamespaceService
	AccountID string
	Namespace string
	Clock     func() time.Time
}

func recordKey(consultationID string, r Record) string {
	return strings.Join([]string{"archive", consultationID, r.Kind, r.ID}, "/")
}

// Archive stores every response of a closed consultation.
func (a *Archiver) Archive(ctx context.Context, consultationID string, records []Record) error {
	bodies := make([]kvv2.NamespaceBulkUpdateParamsBody, 0, len(records))
	for _, rec := range records {
		raw, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		bodies = append(bodies, kvv2.NamespaceBulkUpdateParamsBody{
			Key:        cfv2.F(recordKey(consultationID, rec)),
			Value:      cfv2.F(string(raw)),
			Expiration: cfv2.F(float64(retention / time.Second)), // EXPECT kvttl
			Metadata:   cfv2.F(map[string]interface{}{"kind": rec.Kind}),
		})
	}
	for chunk := range slices.Chunk(bodies, archiveBatch) {
		if _, err := a.KV.Bulk.Update(ctx, a.Namespace, kvv2.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cfv2.F(a.AccountID),
			Body:      chunk,
		}); err != nil {
			return fmt.Errorf("archive %s: %w", consultationID, err)
		}
	}
	return nil
}

// Summary is the one-line archive entry of a consultation.
type Summary struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	ClosedAt time.Time `json:"closed_at"`
	Totals   any       `json:"totals"`
}

// ArchiveSummaries stores consultation summaries for the public archive page.
func (a *Archiver) ArchiveSummaries(ctx context.Context, sums []Summary) error {
	for chunk := range slices.Chunk(sums, summaryBatch) {
		bodies := make([]kvv2.NamespaceBulkUpdateParamsBody, len(chunk))
		for i, s := range chunk {
			raw, err := json.Marshal(s)
			if err != nil {
				return err
			}
			bodies[i] = kvv2.NamespaceBulkUpdateParamsBody{
				Key:           cfv2.F("summary/" + s.ID),
				Value:         cfv2.F(string(raw)),
				ExpirationTTL: cfv2.F(retention.Seconds()),
			}
		}
		if _, err := a.KV.Bulk.Update(ctx, a.Namespace, kvv2.NamespaceBulkUpdateParams{
			AccountID: cfv2.F(a.AccountID),
			Body:      bodies,
		}); err != nil {
			return err
		}
	}
	return nil
}

// RecordConsent notes which consultations were run under the current
// privacy statement.
func (a *Archiver) RecordConsent(ctx context.Context, consultationIDs []string) error {
	meta, err := json.Marshal(map[string]string{"recorded": a.Clock().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	_, err = a.KV.Values.Update(ctx, a.Namespace,
		"consent/"+consentStatement, // EXPECT kvlimits
		kvv2.NamespaceValueUpdateParams{
			AccountID: cfv2.F(a.AccountID),
			Metadata:  cfv2.F(string(meta)),
			Value:     cfv2.F(strings.Join(consultationIDs, "\n")),
		})
	return err
}

// Browse returns one page of archived summaries and the cursor for the next.
func (a *Archiver) Browse(ctx context.Context, cursor string) ([]string, string, error) {
	params := kvv2.NamespaceKeyListParams{
		AccountID: cfv2.F(a.AccountID),
		Prefix:    cfv2.F("summary/"),
		Limit:     cfv2.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cfv2.F(cursor)
	}
	page, err := a.KV.Keys.List(ctx, a.Namespace, params)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		ids = append(ids, strings.TrimPrefix(k.Name, "summary/"))
	}
	return ids, page.ResultInfo.Cursor, nil
}
