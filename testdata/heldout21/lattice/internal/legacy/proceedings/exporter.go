// Package proceedings exports accepted papers to the public proceedings
// namespace read by the archive site. It predates the move to the v6 SDK and
// still uses cloudflare-go v3's bulk endpoints.
package proceedings

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/lattice/internal/conf"
)

// Entry is one accepted paper as archived.
type Entry struct {
	Paper    conf.PaperID `json:"paper"`
	Title    string       `json:"title"`
	Authors  []string     `json:"authors"`
	Abstract string       `json:"abstract"`
	DOI      string       `json:"doi,omitempty"`
	Track    conf.TrackID `json:"track"`
	PDFURL   string       `json:"pdf_url"`
}

// Exporter writes entries with the v3 client.
type Exporter struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	retention   time.Duration
}

// NewExporter builds an Exporter.
func NewExporter(apiToken, accountID, namespaceID string) *Exporter {
	return &Exporter{
		client:      cloudflare.NewClient(option.WithAPIToken(apiToken)),
		accountID:   accountID,
		namespaceID: namespaceID,
		retention:   5 * 365 * 24 * time.Hour,
	}
}

func entryKey(p conf.PaperID) string { return "proc:" + string(p.Conference()) + ":" + string(p) }

// exportBatch is how many entries go into one bulk request.
const exportBatch = 20000

// Publish writes every entry of a conference's proceedings.
func (e *Exporter) Publish(ctx context.Context, entries []Entry) (written int, err error) {
	bodies := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, en := range entries {
		value, err := json.Marshal(en)
		if err != nil {
			return written, err
		}
		bodies = append(bodies, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(entryKey(en.Paper)),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(e.retention.Seconds()),
			Metadata: cloudflare.F(map[string]interface{}{
				"title":  en.Title,
				"track":  string(en.Track),
				"notice": reuseNotice, // EXPECT kvlimits
			}),
		})
	}
	for chunk := range slices.Chunk(bodies, exportBatch) {
		_, err := e.client.KV.Namespaces.Bulk.Update(ctx, e.namespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(e.accountID),
			Body:      chunk,
		})
		if err != nil {
			return written, fmt.Errorf("bulk write after %d: %w", written, err)
		}
		written += len(chunk)
	}
	return written, nil
}

// Archived lists the archived paper keys of a conference, up to maxPages
// pages.
func (e *Exporter) Archived(ctx context.Context, c conf.ConferenceID, maxPages int) ([]string, error) {
	var names []string
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.accountID),
		Prefix:    cloudflare.F("proc:" + string(c) + ":"),
		Limit:     cloudflare.F(1000.0),
	}
	for range maxPages {
		page, err := e.client.KV.Namespaces.Keys.List(ctx, e.namespaceID, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(e.accountID),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
		}
	}
	return names, nil
}
