package petitions

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
)

// PaperRow is one line of a scanned paper petition sheet.
type PaperRow struct {
	Reference string
	Name      string
	Ward      string
}

// ImportPaper adds signatures collected on paper at a ward surgery.
func (s Service) ImportPaper(ctx context.Context, petitionID string, rows []PaperRow) (int, error) {
	latest := latestAt(petitionID)
	imported := 0
	for _, row := range rows {
		if strings.TrimSpace(row.Name) == "" {
			continue
		}
		sig := domain.Signature{
			PetitionID: petitionID,
			CitizenID:  "paper-" + row.Reference,
			Name:       row.Name,
			Ward:       row.Ward,
			SignedAt:   s.Clock().UTC(),
		}
		raw, err := json.Marshal(sig)
		if err != nil {
			return imported, err
		}
		if err := s.Store.Put(ctx, signatureAt(petitionID, sig.CitizenID), raw, kvstore.WriteOptions{}); err != nil {
			return imported, err
		}
		if err := s.Store.Put(ctx, latest, []byte(sig.Name), kvstore.WriteOptions{}); err != nil { // EXPECT kvhotkey
			return imported, err
		}
		imported++
	}
	return imported, nil
}

// ExportCSV writes every signature of a petition as CSV for the clerk.
func (s Service) ExportCSV(ctx context.Context, petitionID string, w io.Writer) error {
	prefix := signatureAt.Prefix(petitionID)
	cursor := ""
	fmt.Fprintln(w, "citizen,ward,public")
	for {
		page, err := s.Store.List(ctx, kvstore.ListQuery{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			return nil
		}
		for _, k := range page.Keys {
			var meta struct {
				Ward   string `json:"ward"`
				Public bool   `json:"public"`
			}
			_ = json.Unmarshal(k.Metadata, &meta)
			fmt.Fprintf(w, "%s,%s,%t\n", strings.TrimPrefix(k.Name, prefix), meta.Ward, meta.Public)
		}
		cursor = page.Cursor
	}
}
