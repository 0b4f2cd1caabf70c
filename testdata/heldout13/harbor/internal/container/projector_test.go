package container

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"example.com/harbor/internal/storage/memstore"
)

func TestApply(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	p := NewProjector(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	hold, _ := json.Marshal(map[string]string{"authority": "CUSTOMS-NL", "reason": "scan-required"})
	events := []Event{
		{ID: "1", Type: GateIn, Container: "MSKU1234565", Terminal: "EMX", At: at},
		{ID: "2", Type: CustomsHold, Container: "MSKU1234565", Terminal: "EMX", At: at.Add(time.Hour), Payload: hold},
		{ID: "3", Type: Loaded, Container: "TGHU7654321", Terminal: "EMX", Vessel: "9321483", At: at},
		{ID: "4", Type: Loaded, Container: "TGHU7654321", Terminal: "EMX", Vessel: "9321483", At: at.Add(time.Minute)},
		{ID: "5", Type: "container.teleported", Container: "X"},
	}
	err := p.Apply(ctx, events)
	var unknown *UnknownEventError
	if !errors.As(err, &unknown) || unknown.ID != "5" {
		t.Fatalf("want unknown event error, got %v", err)
	}
	raw, err := st.Get(ctx, historyKey("TGHU7654321"))
	if err != nil {
		t.Fatal(err)
	}
	var hist []Movement
	if err := json.Unmarshal(raw, &hist); err != nil || len(hist) != 2 {
		t.Fatalf("history = %s, %v", raw, err)
	}
	if n, err := p.HoldCount(ctx); err != nil || n != 1 {
		t.Fatalf("holds = %d, %v", n, err)
	}
	sum, err := p.Summarize(ctx, 100)
	if err != nil || sum.ByAuthority["CUSTOMS-NL"] != 1 || !sum.Oldest.Equal(at.Add(time.Hour)) {
		t.Fatalf("summary = %+v, %v", sum, err)
	}
	var buf bytes.Buffer
	if err := p.ExportHolds(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "MSKU1234565,CUSTOMS-NL,scan-required") {
		t.Fatalf("export = %q", buf.String())
	}
	if err := p.Apply(ctx, []Event{{ID: "6", Type: CustomsRelease, Container: "MSKU1234565"}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := p.HoldCount(ctx); n != 0 {
		t.Fatalf("holds after release = %d", n)
	}
}
