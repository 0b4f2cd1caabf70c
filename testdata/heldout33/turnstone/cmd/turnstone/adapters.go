package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// logMailer stands in for the transactional mail provider in development:
// it logs what would have been sent.
type logMailer struct{ log *slog.Logger }

func (m *logMailer) SendMagicLink(ctx context.Context, to, url string) error {
	m.log.InfoContext(ctx, "magic link", "to", to, "url", url)
	return nil
}

func (m *logMailer) SendReminder(ctx context.Context, tenantID, invoiceID string, step int) error {
	m.log.InfoContext(ctx, "payment reminder", "tenant", tenantID, "invoice", invoiceID, "step", step)
	return nil
}

// fsUploader writes export parts to a local directory.
type fsUploader struct{ dir string }

func (u *fsUploader) UploadPart(_ context.Context, jobID string, part int, body []byte) error {
	dir := filepath.Join(u.dir, jobID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, fmt.Sprintf("part-%05d.ndjson", part)), body, 0o640)
}

func (u *fsUploader) Complete(_ context.Context, jobID string, parts int) (string, error) {
	return "file://" + filepath.Join(u.dir, jobID), nil
}
