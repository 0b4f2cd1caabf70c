// Package archive is the older result-archive service. It predates the v5
// SDK migration and still talks to KV through cloudflare-go v0.
package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Batch is one archived export file.
type Batch struct {
	ID      string    `json:"id"`
	Object  string    `json:"object"`
	Keys    int       `json:"keys"`
	Written time.Time `json:"written"`
}

// Manifest describes the archive layout for the restore tool.
type Manifest struct {
	Version int      `json:"version"`
	Buckets []string `json:"buckets"`
}

// ErrNoManifest is returned when the archive was never initialised.
var ErrNoManifest = errors.New("archive: no manifest")

// Archiver exports KV records to object storage.
type Archiver struct {
	api  *cloudflare.API
	rc   *cloudflare.ResourceContainer
	ns   string
	sink Sink
	log  *slog.Logger
}

// Sink receives exported records.
type Sink interface {
	Write(ctx context.Context, name string, records map[string]string) (string, error)
}

// New wires an Archiver for one account and namespace.
func New(api *cloudflare.API, accountID, ns string, sink Sink) *Archiver {
	return &Archiver{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: ns, sink: sink, log: slog.Default()}
}

func (a *Archiver) get(ctx context.Context, key string) ([]byte, error) {
	return a.api.GetWorkersKV(ctx, a.rc, cloudflare.GetWorkersKVParams{NamespaceID: a.ns, Key: key})
}

func (a *Archiver) write(ctx context.Context, key string, value []byte) error {
	_, err := a.api.WriteWorkersKVEntry(ctx, a.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: a.ns, Key: key, Value: value})
	return err
}

// Manifest loads the archive manifest.
func (a *Archiver) Manifest(ctx context.Context) (Manifest, error) {
	raw, err := a.get(ctx, "archive:manifest")
	if err != nil {
		return Manifest{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return Manifest{}, ErrNoManifest
	}
	var m Manifest
	return m, json.Unmarshal(raw, &m)
}

// Batch returns one batch record.
func (a *Archiver) Batch(ctx context.Context, id string) (Batch, bool, error) {
	raw, err := a.get(ctx, "archive:batch:"+id)
	var nf cloudflare.NotFoundError
	if errors.As(err, &nf) { // EXPECT kvnull
		return Batch{}, false, nil
	}
	if err != nil {
		return Batch{}, false, err
	}
	var b Batch
	return b, true, json.Unmarshal(raw, &b)
}

// Restore point returns the last batch the restore tool confirmed.
func (a *Archiver) RestorePoint(ctx context.Context) (string, error) {
	raw, err := a.get(ctx, "archive:restore-point")
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return "", nil
	}
	return string(raw), err
}

// record appends an export's batches to the archive index.
func (a *Archiver) record(ctx context.Context, batches []Batch) error {
	var index []Batch
	raw, err := a.get(ctx, "archive:index")
	var nf *cloudflare.NotFoundError
	switch {
	case errors.As(err, &nf):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &index); err != nil {
			return fmt.Errorf("archive: index: %w", err)
		}
	}
	for _, b := range batches {
		rec, _ := json.Marshal(b)
		if err := a.write(ctx, "archive:batch:"+b.ID, rec); err != nil {
			return err
		}
		index = append(index, b)
	}
	out, err := json.Marshal(index)
	if err != nil {
		return err
	}
	return a.write(ctx, "archive:index", out) // EXPECT kvrace
}

// Export copies every record under prefix to the sink, one batch per page.
func (a *Archiver) Export(ctx context.Context, prefix string) (int, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: a.ns, Prefix: prefix, Limit: 1000}
	total := 0
	var batches []Batch
	for {
		resp, err := a.api.ListWorkersKVKeys(ctx, a.rc, params) // EXPECT kvlist
		if err != nil {
			return total, err
		}
		if len(resp.Result) == 0 {
			break
		}
		records := map[string]string{}
		for _, k := range resp.Result {
			records[k.Name] = strconv.Itoa(k.Expiration)
		}
		id := strconv.FormatInt(time.Now().UnixNano(), 36)
		obj, err := a.sink.Write(ctx, prefix+id, records)
		if err != nil {
			return total, err
		}
		batches = append(batches, Batch{ID: id, Object: obj, Keys: len(records), Written: time.Now().UTC()})
		total += len(records)
		if err := a.write(ctx, "archive:cursor", []byte(resp.Cursor)); err != nil { // EXPECT kvhotkey
			return total, err
		}
		params.Cursor = resp.Cursor
	}
	return total, a.record(ctx, batches)
}
