package subscribers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"bobolink/internal/cfkv"
	"bobolink/internal/kvkeys"
)

// Writer is the part of a namespace the importer needs. *cfkv.Namespace
// satisfies it and also cfkv.BulkWriter.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, o cfkv.PutOptions) error
}

// Row is one parsed CSV line.
type Row struct {
	Email string
	Attrs map[string]string
}

// ReadCSV parses "email,attr1,attr2,..." with a header line.
func ReadCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("import: header: %w", err)
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		row := Row{Email: strings.TrimSpace(rec[0]), Attrs: map[string]string{}}
		for i := 1; i < len(rec) && i < len(header); i++ {
			row.Attrs[header[i]] = rec[i]
		}
		rows = append(rows, row)
	}
}

// bulkChunk is the number of pairs the KV bulk endpoint accepts per request.
const bulkChunk = 10_000

// Importer loads CSV uploads into a list.
type Importer struct {
	dir *Directory
	w   Writer
	job string
}

// NewImporter returns an importer for one upload job.
func NewImporter(dir *Directory, w Writer, job string) *Importer {
	return &Importer{dir: dir, w: w, job: job}
}

// Replace writes every row as a fresh confirmed subscriber, discarding what
// was stored before. Used for the initial migration from another platform.
func (im *Importer) Replace(ctx context.Context, list string, rows []Row) error {
	now := im.dir.clock.Now().UTC()
	entries := make([]cfkv.Entry, 0, len(rows))
	for _, r := range rows {
		s := im.dir.New(list, r.Email)
		s.Attrs = r.Attrs
		s.Source = "import:" + im.job
		s.Confirm(now)
		s.UpdatedAt = now
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		entries = append(entries, cfkv.Entry{Key: s.key(), Value: string(b), Metadata: map[string]string{"status": s.Status}})
	}
	if b, ok := im.w.(cfkv.BulkWriter); ok {
		for start := 0; start < len(entries); start += bulkChunk {
			if err := b.PutMany(ctx, entries[start:min(start+bulkChunk, len(entries))]); err != nil {
				return fmt.Errorf("import %s: %w", im.job, err)
			}
		}
		return nil
	}
	for _, e := range entries {
		if err := im.w.Put(ctx, e.Key, []byte(e.Value), cfkv.PutOptions{}); err != nil {
			return fmt.Errorf("import %s: %w", im.job, err)
		}
	}
	return nil
}

// Merge updates attributes of existing subscribers and adds new ones.
func (im *Importer) Merge(ctx context.Context, list string, rows []Row) (int, error) {
	checkpoint := "import/" + im.job + "/checkpoint"
	added := 0
	for i, r := range rows {
		s, err := im.dir.Find(ctx, list, r.Email) // EXPECT kvnull
		if err != nil {
			s = im.dir.New(list, r.Email)
			s.Source = "import:" + im.job
			added++
		}
		if s.Attrs == nil {
			s.Attrs = map[string]string{}
		}
		for k, v := range r.Attrs {
			s.Attrs[k] = v
		}
		if err := s.Save(ctx); err != nil { // EXPECT kvrace
			return added, err
		}
		if err := im.w.Put(ctx, checkpoint, []byte(strconv.Itoa(i)), cfkv.PutOptions{TTL: 7 * 24 * time.Hour}); err != nil { // EXPECT kvhotkey
			return added, err
		}
	}
	return added, nil
}

// suppressionChunk keeps the number of bulk requests low for large lists.
const suppressionChunk = 25_000

// ImportSuppressions loads a suppression export from a previous provider.
func (im *Importer) ImportSuppressions(ctx context.Context, tenant string, emails []string) error {
	b, ok := im.w.(cfkv.BulkWriter)
	if !ok {
		return errors.New("import: suppression import needs bulk writes")
	}
	entries := make([]cfkv.Entry, 0, len(emails))
	for _, e := range emails {
		entries = append(entries, cfkv.Entry{
			Key:      kvkeys.Suppressed(tenant) + "/" + strings.ToLower(e),
			Value:    "imported",
			Metadata: map[string]string{"job": im.job},
		})
	}
	for start := 0; start < len(entries); start += suppressionChunk {
		if err := b.PutMany(ctx, entries[start:min(start+suppressionChunk, len(entries))]); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}
