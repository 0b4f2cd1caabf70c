package uploads_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"example.com/mosaic/internal/domain"
	"example.com/mosaic/internal/storage"
	"example.com/mosaic/internal/storage/memstore"
	"example.com/mosaic/internal/uploads"
)

type fakeMeter struct{ reserved, released int64 }

func (m *fakeMeter) Reserve(_ context.Context, _ string, n int64) error { m.reserved += n; return nil }
func (m *fakeMeter) Release(_ context.Context, _ string, n int64) error { m.released += n; return nil }

func TestCompleteCompensatesOnIndexFailure(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	limits := []byte(`{"max_file_bytes":1048576}`)
	if err := st.Put(ctx, "config:upload-limits", limits, storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	meter := &fakeMeter{}
	failIndex := func(context.Context, string, string) error { return errors.New("index unavailable") }
	svc := uploads.NewService(st, meter, failIndex, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))

	sess, err := svc.Begin(ctx, uploads.BeginInput{OwnerID: "u1", AlbumID: "alb_1", Filename: "a.jpg", Bytes: 10})
	if err != nil {
		t.Fatal(err)
	}
	part := domain.UploadPart{Number: 1, ETag: "e1", Bytes: 10}
	if _, err := svc.RecordPart(ctx, "u1", uploads.SessionID(sess.ID), part); err != nil {
		t.Fatal(err)
	}
	in := uploads.CompleteInput{ObjectKey: "originals/x", SHA256: strings.Repeat("a", 64), Width: 4, Height: 3}
	if _, err := svc.Complete(ctx, "u1", uploads.SessionID(sess.ID), in); err == nil {
		t.Fatal("expected failure")
	}
	if meter.reserved != 10 || meter.released != 10 {
		t.Fatalf("quota not compensated: %+v", meter)
	}
	if _, err := svc.Session(ctx, "u1", uploads.SessionID(sess.ID)); err != nil {
		t.Fatalf("session should survive a failed completion: %v", err)
	}
}
