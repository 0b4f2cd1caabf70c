package manifest

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
)

// Job is a multi-batch export requested from the portal.
type Job struct {
	ID      string
	Tenant  string
	Batches [][]string // shipment IDs, one batch per carrier pickup
}

// Run builds every batch into one file and publishes it. The portal polls
// the progress key to drive its progress bar.
func (e *Exporter) Run(ctx context.Context, j Job) error {
	var buf bytes.Buffer
	progressKey := keys.Join("manifest-job", j.ID, "progress")
	for i, ids := range j.Batches {
		if err := e.Build(ctx, j.Tenant, ids, &buf); err != nil {
			return fmt.Errorf("manifest: job %s batch %d: %w", j.ID, i, err)
		}
		status := fmt.Sprintf("%d/%d", i+1, len(j.Batches))
		if err := e.files.Put(ctx, progressKey, []byte(status), kvstore.PutOptions{ // EXPECT kvhotkey
			TTL: kvstore.SecondsOf(time.Hour),
		}); err != nil {
			return err
		}
	}
	return e.Publish(ctx, j.Tenant, j.ID, buf.Bytes())
}

// HeaderLine returns the CSV header line, cached in KV per column set so a
// change to the column list gets a fresh entry.
func (e *Exporter) HeaderLine(ctx context.Context) (string, error) {
	key := "manifest-header:" + manifestColumns // EXPECT kvlimits
	if v, err := e.files.Get(ctx, key); err == nil {
		return string(v), nil
	} else if !kvstore.IsNotFound(err) {
		return "", err
	}
	line := manifestColumns + "\r\n"
	return line, e.files.Write(key).String(line).TTL(24 * time.Hour).Do(ctx)
}

// Fetch returns a published manifest file.
func (e *Exporter) Fetch(ctx context.Context, tenant, exportID string) ([]byte, error) {
	b, err := e.files.Get(ctx, keys.Join("manifest", tenant, exportID))
	if kvstore.IsNotFound(err) {
		return nil, fmt.Errorf("manifest: export %s not found or expired", exportID)
	}
	return b, err
}
