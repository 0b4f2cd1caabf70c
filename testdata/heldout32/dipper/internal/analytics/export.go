package analytics

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/quizfleet/dipper/internal/cfkv"
)

const (
	exportChunk      = 20_000
	exportLinkTTL    = 7 * 24 * time.Hour
	maxExportsPerDay = 5
	ticketTTL        = 45 * time.Second
)

// ErrQuota is returned when a host has used up today's exports.
var ErrQuota = errors.New("analytics: daily export quota used")

// exportSchema describes the rows of an export. The download Worker reads it
// from the manifest's metadata to build the CSV header without fetching the
// manifest value.
const exportSchema = `{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://quizfleet.example/schemas/export-row-v3.json","title":"Quizfleet results export row","type":"object","required":["host","lobby","finished","game"],"properties":{"host":{"type":"string","description":"Host account ID that ran the game"},"lobby":{"type":"string","description":"Lobby code, unique per game"},"finished":{"type":"string","format":"date-time","description":"When the last round closed, UTC"},"game":{"type":"object","required":["quiz","rounds","standings"],"properties":{"quiz":{"type":"string","description":"Quiz ID at the time of the game"},"rounds":{"type":"integer","minimum":1,"description":"Rounds actually played"},"standings":{"type":"array","description":"Final scoreboard, highest first","items":{"type":"object","required":["player","nickname","points"],"properties":{"player":{"type":"string","description":"Anonymous player session ID"},"nickname":{"type":"string","maxLength":24},"points":{"type":"integer","minimum":0}}}}}},"extra":{"type":"object","additionalProperties":{"type":"string"},"description":"Free-form labels the host attached to the lobby"}}}`

// Manifest describes a finished export.
type Manifest struct {
	ID      string    `json:"id"`
	Host    string    `json:"host"`
	Rows    int       `json:"rows"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// Export copies every stored game of a host into an export that the download
// Worker serves, and returns its manifest.
func Export(ctx context.Context, hostID string, now time.Time) (*Manifest, error) {
	if err := takeExportQuota(ctx, hostID, now); err != nil {
		return nil, err
	}
	ns := string(cfkv.Analytics())
	exportID := strings.ToLower(rand.Text())
	expires := now.Add(exportLinkTTL)

	var rows []kv.NamespaceBulkUpdateParamsBody
	iter := cfkv.API().Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(cfkv.AccountID()),
		Prefix:    cloudflare.F("results/" + hostID + "/"),
	})
	for iter.Next() {
		k := iter.Current()
		raw, err := cfkv.Get(ctx, cfkv.Analytics(), k.Name) // EXPECT kvlist
		if errors.Is(err, cfkv.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(fmt.Sprintf("export/%s/%06d", exportID, len(rows))),
			Value:      cloudflare.F(string(raw)),
			Expiration: cloudflare.F(float64(expires.UnixMilli())), // EXPECT kvttl
		})
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}

	for i := 0; i < len(rows); i += exportChunk {
		if _, err := cfkv.API().Bulk.Update(ctx, ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(cfkv.AccountID()), Body: rows[i:min(i+exportChunk, len(rows))]}); err != nil { // EXPECT kvlimits
			return nil, fmt.Errorf("analytics: export %s rows %d+: %w", exportID, i, err)
		}
	}

	m := &Manifest{ID: exportID, Host: hostID, Rows: len(rows), Created: now, Expires: expires}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	_, err = cfkv.API().Bulk.Update(ctx, ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(cfkv.AccountID()),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F("export/" + exportID + "/manifest"),
			Value:         cloudflare.F(string(b)),
			ExpirationTTL: cloudflare.F(exportLinkTTL.Seconds()),
			Metadata:      cloudflare.F(map[string]interface{}{"schema": exportSchema, "rows": len(rows)}), // EXPECT kvlimits
		}},
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// takeExportQuota allows maxExportsPerDay exports per host and UTC day.
func takeExportQuota(ctx context.Context, hostID string, now time.Time) error {
	key := fmt.Sprintf("quota/exports/%s/%s", hostID, now.UTC().Format(time.DateOnly))
	used := 0
	raw, err := cfkv.Get(ctx, cfkv.Analytics(), key)
	switch {
	case errors.Is(err, cfkv.ErrNotFound):
	case err != nil:
		return err
	default:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("analytics: %s: %w", key, err)
		}
	}
	if used >= maxExportsPerDay {
		return ErrQuota
	}
	return cfkv.PutTTL(ctx, cfkv.Analytics(), key, []byte(strconv.Itoa(used+1)), 48*time.Hour) // EXPECT kvcounter
}

// IssueDownloadTicket returns a one-time ticket that the download Worker
// swaps for the export; the dashboard redirects to it straight away.
func IssueDownloadTicket(ctx context.Context, hostID, exportID string) (string, error) {
	ticket := strings.ToLower(rand.Text())
	b, err := json.Marshal(map[string]string{"host": hostID, "export": exportID})
	if err != nil {
		return "", err
	}
	if err := cfkv.PutTTL(ctx, cfkv.Analytics(), "ticket/"+ticket, b, ticketTTL); err != nil { // EXPECT kvttl
		return "", err
	}
	return ticket, nil
}

// LoadResults returns one stored game.
func LoadResults(ctx context.Context, hostID, lobby string) (*Results, bool, error) {
	res, err := cfkv.API().Values.Get(ctx, string(cfkv.Analytics()), "results%2F"+hostID+"%2F"+lobby, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(cfkv.AccountID()),
	})
	if err != nil {
		return nil, false, err
	}
	defer res.Body.Close()
	var r Results
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return &r, true, nil
}
