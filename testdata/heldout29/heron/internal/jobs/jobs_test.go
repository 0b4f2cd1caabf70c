package jobs

import (
	"context"
	"encoding/json"
	"testing"

	"example.com/heron/internal/ports"
)

// pagedHandle serves fixed pages and records deletes. Methods the jobs do
// not call are left to the embedded interface and panic if used.
type pagedHandle struct {
	ports.Handle
	pages   []ports.Page
	calls   int
	deleted []string
	values  map[string][]byte
	puts    map[string][]byte
}

func (p *pagedHandle) List(_ context.Context, req ports.ListReq) (ports.Page, error) {
	if p.calls >= len(p.pages) {
		return ports.Page{Complete: true}, nil
	}
	pg := p.pages[p.calls]
	p.calls++
	return pg, nil
}

func (p *pagedHandle) Delete(_ context.Context, k string) error {
	p.deleted = append(p.deleted, k)
	return nil
}

func (p *pagedHandle) Get(_ context.Context, k string) ([]byte, error) {
	v, ok := p.values[k]
	if !ok {
		return nil, ports.ErrNotFound
	}
	return v, nil
}

func (p *pagedHandle) Put(_ context.Context, k string, v []byte, _ *ports.PutOpts) error {
	if p.puts == nil {
		p.puts = map[string][]byte{}
	}
	p.puts[k] = v
	return nil
}

func meta(status string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"s": status})
	return b
}

func TestPurgeRefunded(t *testing.T) {
	h := &pagedHandle{pages: []ports.Page{
		{Keys: []ports.Key{{Name: "ticket:1", Metadata: meta("refunded")}, {Name: "ticket:2", Metadata: meta("issued")}}, Cursor: "c1"},
		{Keys: []ports.Key{{Name: "ticket:3", Metadata: meta("refunded")}}, Complete: true},
	}}
	if err := (PurgeRefunded{Tickets: h, Cfg: Config{PageSize: 100}}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(h.deleted) != 2 {
		t.Fatalf("deleted %v", h.deleted)
	}
}

func TestArchiveScansRespectsPageBudget(t *testing.T) {
	hot := &pagedHandle{
		pages: []ports.Page{
			{Keys: []ports.Key{{Name: "scan:a"}}, Cursor: "1"},
			{Keys: []ports.Key{{Name: "scan:b"}}, Cursor: "2"},
			{Keys: []ports.Key{{Name: "scan:c"}}, Complete: true},
		},
		values: map[string][]byte{"scan:a": []byte("g1"), "scan:b": []byte("g2"), "scan:c": []byte("g3")},
	}
	archive := &pagedHandle{}
	job := ArchiveScans{Hot: hot, Archive: archive, Cfg: Config{PageSize: 100, MaxPages: 2}}
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(archive.puts) != 2 || hot.calls != 2 {
		t.Fatalf("archived %d after %d pages", len(archive.puts), hot.calls)
	}
}

type fixedETag string

func (f fixedETag) ETag(context.Context) (string, error) { return string(f), nil }

func TestCatalogVersionBumpsOnChange(t *testing.T) {
	edge := &pagedHandle{values: map[string][]byte{"catalog:version": []byte(`{"version":4,"etag":"old"}`)}}
	if err := (CatalogVersion{CMS: fixedETag("new"), Edge: edge}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got catalogVersion
	if err := json.Unmarshal(edge.puts["catalog:version"], &got); err != nil || got.Version != 5 {
		t.Fatalf("got %+v, %v", got, err)
	}
}
